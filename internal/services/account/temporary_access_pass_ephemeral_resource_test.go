package account_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

// tapConfig is an account, and with version != "" a request for a pass and the ephemeral pass, consumed by a
// precondition that holds only for a pass of the tenant's length, or for no pass at all: the value reaches no
// state, as it would not with a key vault secret's value_wo.
func tapConfig(name, version string) string {
	config := fmt.Sprintf(`
ephemeral "breakglass_password" "pw" {}

resource "breakglass_account" "test" {
  display_name        = "Ops %[1]s"
  mail_nickname       = "%[1]s"
  password_wo         = ephemeral.breakglass_password.pw.result
  password_wo_version = 1
}
`, name)
	if version == "" {
		return config
	}
	return config + fmt.Sprintf(`
resource "breakglass_temporary_access_pass_request" "test" {
  user_id = breakglass_account.test.object_id
  version = %q
}

ephemeral "breakglass_temporary_access_pass" "test" {
  user_id    = breakglass_temporary_access_pass_request.test.user_id
  request_id = breakglass_temporary_access_pass_request.test.id
}

resource "terraform_data" "custodian" {
  input = breakglass_temporary_access_pass_request.test.version
  lifecycle {
    precondition {
      condition = (ephemeral.breakglass_temporary_access_pass.test.issued ?
        length(ephemeral.breakglass_temporary_access_pass.test.value) == 8 && ephemeral.breakglass_temporary_access_pass.test.lifetime_in_minutes == 60 && ephemeral.breakglass_temporary_access_pass.test.is_usable_once :
      ephemeral.breakglass_temporary_access_pass.test.value == null)
      error_message = "The pass does not match the request."
    }
  }
}
`, version)
}

// graphCall is one Graph request the provider logged (clients' "HTTP request" at DEBUG), with the RPC it served.
type graphCall struct{ rpc, resourceType, method, url string }

var logField = regexp.MustCompile(`(\w+)=("(?:[^"\\]|\\.)*"|\S+)`)

// graphCallsSince reads the provider's Graph requests from the TF_ACC_LOG_PATH log, from byte offset on.
func graphCallsSince(t *testing.T, logPath string, offset int64) []graphCall {
	t.Helper()
	f, err := os.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(offset, 0); err != nil {
		t.Fatal(err)
	}
	var calls []graphCall
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, "HTTP request:") || !strings.Contains(line, "api=graph") {
			continue
		}
		fields := map[string]string{}
		for _, m := range logField.FindAllStringSubmatch(line, -1) {
			fields[m[1]] = strings.Trim(m[2], `"`)
		}
		kind := fields["tf_resource_type"] + fields["tf_ephemeral_resource_type"]
		calls = append(calls, graphCall{rpc: fields["tf_rpc"], resourceType: kind, method: fields["method"], url: fields["url"]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return calls
}

// tapPOSTs counts the passes the provider asked Graph for.
func tapPOSTs(calls []graphCall, method string) int {
	n := 0
	for _, c := range calls {
		if c.method == method && strings.Contains(c.url, "/authentication/temporaryAccessPassMethods") {
			n++
		}
	}
	return n
}

// logRequestBudget reports the Graph requests of the Temporary Access Pass resources by RPC: the measured cost of
// each create, read, delete and open.
func logRequestBudget(t *testing.T, step string, calls []graphCall) {
	t.Helper()
	counts := map[string]int{}
	for _, c := range calls {
		if strings.Contains(c.resourceType, "temporary_access_pass") {
			path := regexp.MustCompile(`[0-9a-fA-F-]{36}`).ReplaceAllString(c.url[strings.Index(c.url, "/v1.0")+5:], "{id}")
			path, _, _ = strings.Cut(path, "?")
			counts[fmt.Sprintf("%s %s %s %s", c.resourceType, c.rpc, c.method, path)]++
		}
	}
	lines := make([]string, 0, len(counts))
	for k, n := range counts {
		lines = append(lines, fmt.Sprintf("  %dx %s", n, k))
	}
	sort.Strings(lines)
	t.Logf("%s: Graph requests of the Temporary Access Pass resources:\n%s", step, strings.Join(lines, "\n"))
}

// tapMethods lists the user's Temporary Access Pass methods through Graph: (id, created) of each.
func tapMethods(t *testing.T, userID string) []string {
	t.Helper()
	acctest.WaitOutReplication()
	list, err := clients.Graph(acctest.Client(t)).Users().ByUserId(userID).Authentication().TemporaryAccessPassMethods().Get(context.Background(), nil)
	if err != nil {
		t.Fatalf("listing the user's Temporary Access Pass: %v", err)
	}
	var ids []string
	for _, m := range list.GetValue() {
		ids = append(ids, helpers.Deref(m.GetId()))
	}
	return ids
}

// TestAccTemporaryAccessPass_issuedOncePerRequest walks the request's life with the provider's Graph requests
// counted from its log: the apply that creates a request issues exactly one pass; applying again issues
// none; a plain plan of a new version issues none; the apply of the new version deletes the old pass and issues
// one; removing the request deletes the pass. The passes the tenant issued are then looked for in the log, the
// plans and the states. It sets TF_LOG and changes the shared tenant's helpdesk group, so it does not run in
// parallel; it needs the simulator to put the account into the group the Temporary Access Pass method targets.
func TestAccTemporaryAccessPass_issuedOncePerRequest(t *testing.T) {
	sim := acctest.Sim(t)
	sim.RecordSecrets()
	name := uniqueName(t)
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)

	var userID, firstPass string
	var mark int64
	markLog := func() {
		if st, err := os.Stat(logPath); err == nil {
			mark = st.Size()
		}
	}
	since := func() []graphCall { return graphCallsSince(t, logPath, mark) }
	expectPOSTs := func(step string, want int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			calls := since()
			logRequestBudget(t, step, calls)
			if got := tapPOSTs(calls, "POST"); got != want {
				return fmt.Errorf("%s: the provider asked Graph for %d Temporary Access Passes, want %d", step, got, want)
			}
			return nil
		}
	}
	var plans, states []string
	keepPlan := plancheck.PlanCheck(planJSON{&plans})
	keepState := statecheck.StateCheck(stateJSON{&states})

	resource.Test(t, testCase(t,
		resource.TestStep{Config: tapConfig(name, ""), Check: capture(&userID, "id")},
		resource.TestStep{
			PreConfig: func() {
				if err := sim.AddGroupMember(tenantsim.FixtureTAPHelpdeskGroupID, userID); err != nil {
					t.Fatal(err)
				}
				markLog()
			},
			Config:            tapConfig(name, "2026-01"),
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{keepPlan}, PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), keepPlan}},
			ConfigStateChecks: []statecheck.StateCheck{keepState},
			Check: resource.ComposeTestCheckFunc(
				expectPOSTs("the apply that creates the request", 1),
				func(*terraform.State) error {
					ids := tapMethods(t, userID)
					if len(ids) != 1 {
						return fmt.Errorf("the user has %d Temporary Access Passes, want 1", len(ids))
					}
					firstPass = ids[0]
					return nil
				},
			),
		},
		resource.TestStep{
			PreConfig:         markLog,
			Config:            tapConfig(name, "2026-01"),
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), keepPlan}},
			ConfigStateChecks: []statecheck.StateCheck{keepState},
			Check:             expectPOSTs("a second apply of the same version", 0),
		},
		resource.TestStep{
			PreConfig:          markLog,
			Config:             tapConfig(name, "2026-07"),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		},
		resource.TestStep{
			PreConfig: func() {
				if err := expectPOSTs("a plain plan of a new version", 0)(nil); err != nil {
					t.Error(err)
				}
				markLog()
			},
			Config:           tapConfig(name, "2026-07"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("breakglass_temporary_access_pass_request.test", plancheck.ResourceActionDestroyBeforeCreate), keepPlan}},
			Check: resource.ComposeTestCheckFunc(
				expectPOSTs("the apply of a new version", 1),
				func(*terraform.State) error {
					if n := tapPOSTs(since(), "DELETE"); n != 1 {
						return fmt.Errorf("replacing the request sent %d DELETEs of the old pass, want 1", n)
					}
					if ids := tapMethods(t, userID); len(ids) != 1 || ids[0] == firstPass {
						return fmt.Errorf("after the new version the user's passes are %v, want one new pass (the first was %s)", ids, firstPass)
					}
					return nil
				},
			),
		},
		resource.TestStep{
			PreConfig: markLog,
			Config:    tapConfig(name, ""),
			Check: func(*terraform.State) error {
				calls := since()
				logRequestBudget(t, "removing the request", calls)
				if ids := tapMethods(t, userID); len(ids) != 0 {
					return fmt.Errorf("destroying the request left the user's pass %v behind", ids)
				}
				return nil
			},
		},
	))

	var passes []string
	for _, p := range sim.IssuedSecrets().Passwords {
		if len(p) <= 48 { // the Temporary Access Passes; user passwords are 64 characters or more
			passes = append(passes, p)
		}
	}
	if len(passes) < 2 {
		t.Fatalf("the tenant recorded %d Temporary Access Passes, want at least the 2 of this test", len(passes))
	}
	logs, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logs), "HTTP request") {
		t.Fatal("the log holds no provider request logs; the scan would prove nothing")
	}
	for where, text := range map[string]string{"the TRACE log": string(logs), "a plan": strings.Join(plans, "\n"), "a state": strings.Join(states, "\n")} {
		for _, pass := range passes {
			if strings.Contains(text, pass) {
				t.Errorf("a Temporary Access Pass appears in %s", where)
			}
		}
	}
}

// planJSON keeps each plan it checks, as Terraform's JSON rendering of the plan file.
type planJSON struct{ into *[]string }

func (p planJSON) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	b, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	*p.into = append(*p.into, string(b))
}

// stateJSON keeps each state it checks, as Terraform's JSON rendering of the state file.
type stateJSON struct{ into *[]string }

func (s stateJSON) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	b, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	*s.into = append(*s.into, string(b))
}
