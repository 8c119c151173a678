package chaos_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

// write is one write of a composite create, in the order the provider sends it.
type write struct {
	name   string
	method string
	path   string // FailRule.PathContains; with Count 1 the first matching request fails
	arm    bool
}

// alertWrites are breakglass_alert's creates in order: diagnostic setting, action group, sign-in rule, change rule
// (the sign-in rule's path is a prefix of the change rule's; the sign-in rule is written first, so Count 1 fails it).
var alertWrites = []write{
	{"alert_diagnostic_setting", http.MethodPut, "/diagnosticSettings/emergency-access-entra-logs", true},
	{"alert_action_group", http.MethodPut, "/actionGroups/emergency-access-sign-in-ag", true},
	{"alert_sign_in_rule", http.MethodPut, "/scheduledQueryRules/emergency-access-sign-in", true},
	{"alert_change_rule", http.MethodPut, "/scheduledQueryRules/emergency-access-sign-in-changes", true},
}

// accountWrite is breakglass_account's only write on create (the first of the two accounts to get there).
var accountWrite = write{"account_create", http.MethodPost, "/v1.0/users", false}

// failedWriteRule is the injected failure. Statuses the SDKs do not retry, so one failure is not retried away:
// ARM 409 (azcore retries 408, 429, 500, 502-504), Graph 500 (kiota retries 429, 503, 504).
func failedWriteRule(w write, lost bool) tenantsim.FailRule {
	rule := tenantsim.FailRule{Method: w.method, PathContains: w.path, Count: 1, AfterExecute: lost,
		Status: http.StatusInternalServerError, Code: "InternalServerError", Message: "Injected failure."}
	if w.arm {
		rule.Status, rule.Code = http.StatusConflict, "Conflict"
		rule.Message = "Injected failure: another operation on this resource is in progress."
	}
	return rule
}

// failAfterWrite fails one write of the first apply, either instead of executing it (the writes before it
// succeeded, it did not happen) or after executing it (lost answer: it happened, the provider was told it failed).
// The next apply must complete without help, the plan after it be empty, the tenant hold exactly the example's
// objects, and destroy leave nothing.
func failAfterWrite(t *testing.T, seed int64, w write, lost bool) {
	e := newEnv(t, seed)
	rule := failedWriteRule(w, lost)
	undo := e.sim.FailRequests(rule)
	res := e.run("apply", "-auto-approve", "-input=false")
	undo()
	if !e.writes.sawFailed(w.method, w.path, rule.Status) {
		t.Fatalf("the failure of %s %s was not injected; writes seen: %v", w.method, w.path, e.writes.list())
	}
	switch {
	case res.ExitCode == 0:
		// Only a lost answer can be absorbed within the apply (the account adopts the user it made).
		t.Logf("the provider recovered from the injected failure within the same apply")
	case !strings.Contains(res.Stderr, "Injected failure"):
		t.Fatalf("the apply failed, but not with the injected failure:\n%s", res.Stderr)
	default:
		t.Logf("first apply failed as injected; in state: %v", e.stateList())
	}
	e.apply()
	e.planEmpty()
	want := e.checkApplied(e.outputs())
	e.destroy()
	e.checkDestroyed(want.Users)
	if t.Failed() {
		t.Logf("writes: %s", strings.Join(e.writes.list(), "\n"))
	}
}

// TestChaosFailAfterWrite is the short set's cell: the action group's answer is lost after it was written, in
// the middle of the alert's create.
func TestChaosFailAfterWrite(t *testing.T) {
	requireAcc(t)
	t.Parallel()
	failAfterWrite(t, 301, alertWrites[1], true)
}

// TestChaosFailWrites is the long set: every write of the alert's create and the account's, failed instead of
// executed and failed after executing.
func TestChaosFailWrites(t *testing.T) {
	requireFull(t)
	t.Parallel()
	seed := int64(400)
	for _, w := range append(append([]write{}, alertWrites...), accountWrite) {
		for _, lost := range []bool{false, true} {
			mode := "instead"
			if lost {
				mode = "after_execute"
			}
			seed++
			s := seed
			t.Run(fmt.Sprintf("%s/%s", w.name, mode), func(t *testing.T) {
				t.Parallel()
				failAfterWrite(t, s, w, lost)
			})
		}
	}
}
