package chaos_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

// killMidApply SIGKILLs terraform apply (its whole process group: Terraform and the provider) once n writes have
// reached the tenant, then recovers the way the package documentation tells a user to: import what the tenant
// holds but state does not, delete the alert's objects that cannot be imported, and apply again with the same
// state. The apply must then converge, the plan be empty, the tenant hold exactly the example's objects, and
// destroy leave nothing.
func killMidApply(t *testing.T, seed int64, n int) {
	e := newEnv(t, seed)
	// Latency spreads the apply over a few seconds so the kill lands between writes, not after the last one.
	e.sim.SetKnobs(tenantsim.Knobs{Latency: 150 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := e.ws.Command(ctx, nil, "apply", "-auto-approve", "-input=false")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-e.writes.after(n):
		if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
			t.Fatalf("kill: %v", err)
		}
		if err := <-exited; err == nil {
			t.Fatal("terraform apply exited 0 although it was killed")
		}
	case err := <-exited:
		t.Fatalf("apply ended (%v) before %d writes; writes: %v\n%s", err, n, e.writes.list(), out.String())
	}
	e.sim.SetKnobs(tenantsim.Knobs{})
	t.Logf("killed terraform apply after %d writes:\n  %s", n, strings.Join(e.writes.list(), "\n  "))

	// The local backend's lock is an OS lock on terraform.tfstate, released with the process; the
	// .terraform.tfstate.lock.info file it leaves is informational and does not block the next run.
	lockInfo := filepath.Join(e.ws.Dir, ".terraform.tfstate.lock.info")
	if _, err := os.Stat(lockInfo); err == nil {
		t.Logf("%s was left behind (the next run does not need -lock=false)", filepath.Base(lockInfo))
	}
	inState := e.stateListAllowEmpty()
	t.Logf("in state after the kill: %v", inState)

	imports, deletes := e.recoveryPlan(inState)
	for _, id := range deletes {
		t.Logf("recovery: delete %s (an alert object without its sign-in rule cannot be imported)", id)
		e.armDelete(id)
	}
	addrs := make([]string, 0, len(imports))
	for addr := range imports {
		addrs = append(addrs, addr)
	}
	sort.Strings(addrs)
	for _, addr := range addrs {
		t.Logf("recovery: terraform import %s %s", addr, imports[addr])
		e.must("import", "-input=false", addr, imports[addr])
	}
	e.apply()
	e.planEmpty()
	want := e.checkApplied(e.outputs())
	e.destroy()
	e.checkDestroyed(want.Users)
}

// stateListAllowEmpty is terraform state list, or nothing when the kill came before the first state write.
func (e *env) stateListAllowEmpty() []string {
	e.t.Helper()
	res := e.run("state", "list")
	if res.ExitCode != 0 {
		if strings.Contains(res.Stderr, "No state file was found") {
			return nil
		}
		e.t.Fatalf("terraform state list exited %d:\n%s", res.ExitCode, res.Stderr)
	}
	return strings.Fields(res.Stdout)
}

// recoveryPlan finds what the killed apply made that state does not record, as a user would: the accounts by
// display name, their Global Administrator assignments, the alert by its sign-in rule id. imports maps resource
// addresses to import ids; deletes lists ARM ids of alert objects made before the sign-in rule (the alert's
// identity), which import cannot adopt.
func (e *env) recoveryPlan(inState []string) (imports map[string]string, deletes []string) {
	imports = map[string]string{}
	inv := e.inventory()
	accountIDs := map[string]string{}
	for _, acct := range []struct{ name, display string }{{"primary", "Cloud Operations 01"}, {"secondary", "Cloud Operations 02"}} {
		var found []string
		for id, name := range inv.Users {
			if name == acct.display {
				found = append(found, id)
			}
		}
		if len(found) > 1 {
			e.t.Fatalf("%d users named %q: the killed apply made twins %v", len(found), acct.display, found)
		}
		if len(found) == 1 {
			accountIDs[acct.name] = found[0]
			if !slices.Contains(inState, "breakglass_account."+acct.name) {
				imports["breakglass_account."+acct.name] = found[0]
			}
		}
	}
	for name, principal := range accountIDs {
		addr := "breakglass_pim_permanent_assignment." + name
		if slices.Contains(inv.Schedules, principal+"/"+globalAdministrator) && !slices.Contains(inState, addr) {
			imports[addr] = principal + "/" + globalAdministrator
		}
	}
	info := e.sim.Info()
	rg := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Insights", info.SubscriptionID, info.ResourceGroup)
	signIn := rg + "/scheduledQueryRules/emergency-access-sign-in"
	if !slices.Contains(inState, "breakglass_alert.emergency") {
		if _, ok := e.sim.ARMResource(signIn); ok {
			imports["breakglass_alert.emergency"] = signIn
		} else {
			for _, id := range []string{rg + "/scheduledQueryRules/emergency-access-sign-in-changes", rg + "/actionGroups/emergency-access-sign-in-ag",
				"/providers/microsoft.aadiam/diagnosticSettings/emergency-access-entra-logs"} {
				if _, ok := e.sim.ARMResource(id); ok {
					deletes = append(deletes, id)
				}
			}
		}
	}
	// breakglass_ca_policy_exclusion needs nothing: adding ids already excluded is a no-op, so its create simply
	// runs again.
	return imports, deletes
}

// armDelete deletes an ARM object as a user would with az or the portal, with the tenant's main app.
func (e *env) armDelete(id string) {
	e.t.Helper()
	info := e.sim.Info()
	pem, err := os.ReadFile(info.CAFile)
	if err != nil {
		e.t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	base := "https://" + info.MetadataHost
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {info.ClientID}, "client_secret": {info.ClientSecret},
		"scope": {tenantsim.ARMResourceID + ".default"}}
	resp, err := client.PostForm(base+"/"+info.TenantID+"/oauth2/v2.0/token", form)
	if err != nil {
		e.t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		e.t.Fatalf("token: %v (status %d)", err, resp.StatusCode)
	}
	version := map[bool]string{true: "2017-04-01", false: "2023-01-01"}[strings.Contains(id, "diagnosticSettings")]
	if strings.Contains(id, "scheduledQueryRules") {
		version = "2023-12-01"
	}
	req, _ := http.NewRequest(http.MethodDelete, base+id+"?api-version="+version, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		e.t.Fatalf("DELETE %s: status %d", id, resp.StatusCode)
	}
}

// TestChaosKill is the long set: SIGKILL at several points of the apply.
func TestChaosKill(t *testing.T) {
	requireFull(t)
	t.Parallel()
	for _, n := range []int{1, 2, 4, 8, 12} {
		t.Run(fmt.Sprintf("after_%d_writes", n), func(t *testing.T) {
			t.Parallel()
			killMidApply(t, int64(700+n), n)
		})
	}
}
