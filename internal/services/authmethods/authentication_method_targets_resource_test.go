package authmethods_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/authmethods"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tfcli"
)

func TestMain(m *testing.M) { acctest.Main(m) }

const address = "breakglass_authentication_method_targets.test"

// configNow is a method configuration as the tenant holds it: the simulator's own copy, or on a live tenant a
// Graph read once replicas have caught up.
func configNow(t *testing.T, id string) map[string]any {
	t.Helper()
	if !acctest.Live() {
		c, ok := acctest.Sim(t).AuthMethodConfig(id)
		if !ok {
			t.Fatalf("no %s configuration", id)
		}
		return c
	}
	acctest.WaitOutReplication()
	c, err := authmethods.ReadConfiguration(context.Background(), acctest.Client(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func targetsOf(c map[string]any, list string) []map[string]any {
	raw, _ := c[list].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, v := range raw {
		m, _ := v.(map[string]any)
		out = append(out, m)
	}
	return out
}

func key(m map[string]any) string {
	return fmt.Sprintf("%v:%v", m["targetType"], strings.ToLower(fmt.Sprint(m["id"])))
}

// checkTargets proves the configuration holds every include target it held before, unchanged, plus exactly ours,
// and the exclude targets it held before.
func checkTargets(t *testing.T, id string, before map[string]any, ours ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		now := configNow(t, id)
		got := map[string]map[string]any{}
		for _, m := range targetsOf(now, "includeTargets") {
			got[key(m)] = m
		}
		for _, m := range targetsOf(before, "includeTargets") {
			if !reflect.DeepEqual(got[key(m)], m) {
				return fmt.Errorf("%s: the include target %v became %v", id, m, got[key(m)])
			}
			delete(got, key(m))
		}
		var extra []string
		for k := range got {
			extra = append(extra, k)
		}
		slices.Sort(extra)
		want := slices.Clone(ours)
		slices.Sort(want)
		if !slices.Equal(extra, want) {
			return fmt.Errorf("%s: include targets added %v, want %v", id, extra, want)
		}
		if !reflect.DeepEqual(targetsOf(now, "excludeTargets"), targetsOf(before, "excludeTargets")) {
			return fmt.Errorf("%s: exclude targets changed: %v -> %v", id, before["excludeTargets"], now["excludeTargets"])
		}
		return nil
	}
}

func user(id string) string  { return "user:" + id }
func group(id string) string { return "group:" + id }

func testCase(t *testing.T, steps ...resource.TestStep) resource.TestCase {
	t.Helper()
	return resource.TestCase{
		// The tests share the tenant's configurations. Each starts once the previous test's writes have
		// replicated: a configuration has no version, so a new provider instance cannot tell a replica from before
		// another writer's PATCH, and a read-modify-write on it would bring back what that writer removed.
		PreCheck: func() {
			acctest.PreCheck(t)
			acctest.WaitOutReplication()
		},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps:                    steps,
	}
}

func fido2Config(users []string, group string) string {
	var b strings.Builder
	b.WriteString("resource \"breakglass_authentication_method_targets\" \"test\" {\n  method = \"fido2\"\n")
	if len(users) > 0 {
		fmt.Fprintf(&b, "  user_ids = [\"%s\"]\n", strings.Join(users, `", "`))
	}
	if group != "" {
		fmt.Fprintf(&b, "  group_id = %q\n", group)
	}
	b.WriteString("}\n")
	return b.String()
}

// TestAccAuthMethodTargets_lifecycle creates, refreshes without diff, imports, shrinks and swaps the targets and
// destroys, checking after each step that every other include and exclude target is as it was. The tests share
// the tenant's configurations, so none runs in parallel.
func TestAccAuthMethodTargets_lifecycle(t *testing.T) {
	acctest.PreCheck(t)
	u1, u2, g1, g2 := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	before := configNow(t, "Fido2")
	resource.Test(t, testCase(t,
		resource.TestStep{
			Config: fido2Config([]string{u1, u2}, g1),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, "method_state", "enabled"),
				resource.TestCheckResourceAttr(address, "user_ids.#", "2"),
				resource.TestCheckResourceAttr(address, "id", idOf("fido2", []string{u1, u2}, g1)),
				checkTargets(t, "Fido2", before, user(u1), user(u2), group(g1)),
			),
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		resource.TestStep{
			ResourceName:            address,
			ImportState:             true,
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"timeouts"},
		},
		resource.TestStep{
			Config: fido2Config([]string{u1}, g2),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: checkTargets(t, "Fido2", before, user(u1), group(g2)),
		},
	))
	if err := checkTargets(t, "Fido2", before)(nil); err != nil {
		t.Errorf("after destroy: %v", err)
	}
}

func idOf(method string, users []string, group string) string {
	sorted := slices.Clone(users)
	slices.Sort(sorted)
	return fmt.Sprintf("method=%s;users=%s;group=%s", method, strings.Join(sorted, ","), group)
}

// TestAccAuthMethodTargets_accountsCreatedInSameApply includes an account that does not exist yet at plan time:
// user_ids is a known set of an unknown id, as in a configuration that creates the accounts too.
func TestAccAuthMethodTargets_accountsCreatedInSameApply(t *testing.T) {
	acctest.PreCheck(t)
	name := "acctg" + strings.ReplaceAll(uuid.NewString(), "-", "")[:8]
	before := configNow(t, "Fido2")
	resource.Test(t, testCase(t, resource.TestStep{
		Config: fmt.Sprintf(`
resource "breakglass_account" "test" {
  display_name  = "Cloud Ops %[1]s"
  mail_nickname = "%[1]s"
}

resource "breakglass_authentication_method_targets" "test" {
  method   = "fido2"
  user_ids = [breakglass_account.test.id]
}`, name),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		Check: func(s *terraform.State) error {
			return checkTargets(t, "Fido2", before, user(s.RootModule().Resources["breakglass_account.test"].Primary.ID))(s)
		},
	}))
	if err := checkTargets(t, "Fido2", before)(nil); err != nil {
		t.Errorf("after destroy: %v", err)
	}
}

// TestAccAuthMethodTargets_drift: someone removes our user and group from the configuration; the refresh shows
// it, the plan adds them back, and apply does so.
func TestAccAuthMethodTargets_drift(t *testing.T) {
	sim := acctest.Sim(t)
	u1, g1 := uuid.NewString(), uuid.NewString()
	before := configNow(t, "Fido2")
	config := fido2Config([]string{u1}, g1)
	resource.Test(t, testCase(t,
		resource.TestStep{Config: config},
		resource.TestStep{
			PreConfig: func() {
				// Another administrator writes the list without our targets.
				now := configNow(t, "Fido2")
				kept := slices.DeleteFunc(targetsOf(now, "includeTargets"), func(m map[string]any) bool {
					return key(m) == user(u1) || key(m) == group(g1)
				})
				if err := sim.SetAuthMethodConfigFields("Fido2", map[string]any{"includeTargets": kept}); err != nil {
					t.Fatal(err)
				}
				acctest.WaitOutReplication()
			},
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: checkTargets(t, "Fido2", before, user(u1), group(g1)),
		},
	))
	if err := checkTargets(t, "Fido2", before)(nil); err != nil {
		t.Errorf("after destroy: %v", err)
	}
}

// TestAccAuthMethodTargets_disabledMethod: a disabled method fails the plan naming enable_method; with it, apply
// enables the method, and destroy leaves it enabled.
func TestAccAuthMethodTargets_disabledMethod(t *testing.T) {
	sim := acctest.Sim(t)
	defer func() {
		if err := sim.SetAuthMethodConfigFields("Fido2", map[string]any{"state": "enabled"}); err != nil {
			t.Error(err)
		}
	}()
	if err := sim.SetAuthMethodConfigFields("Fido2", map[string]any{"state": "disabled"}); err != nil {
		t.Fatal(err)
	}
	acctest.WaitOutReplication()
	u1 := uuid.NewString()
	before := configNow(t, "Fido2")
	enabled := strings.Replace(fido2Config([]string{u1}, ""), "method = \"fido2\"", "method = \"fido2\"\n  enable_method = true", 1)
	resource.Test(t, testCase(t,
		resource.TestStep{
			Config:      fido2Config([]string{u1}, ""),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Authentication method disabled.*Fido2 method is disabled tenant-wide.*enable_method = true`),
		},
		resource.TestStep{
			Config: enabled,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, "method_state", "enabled"),
				func(*terraform.State) error {
					if s := configNow(t, "Fido2")["state"]; s != "enabled" {
						return fmt.Errorf("state = %v, want enabled", s)
					}
					return nil
				},
			),
		},
	))
	now := configNow(t, "Fido2")
	if now["state"] != "enabled" {
		t.Errorf("destroy disabled the method: state %v", now["state"])
	}
	before["state"] = "enabled"
	if err := checkTargets(t, "Fido2", before)(nil); err != nil {
		t.Errorf("after destroy: %v", err)
	}
}

// TestAccAuthMethodTargets_x509: the seeded X.509 configuration is disabled and single-factor; the plan fails
// naming the fix until a rule makes certificates multi-factor; without a certificateUserIds binding it fails
// naming manage_x509_binding, which then adds one after every other binding. Destroy leaves the binding and the
// method's state.
func TestAccAuthMethodTargets_x509(t *testing.T) {
	sim := acctest.Sim(t)
	orig := configNow(t, "X509Certificate")
	defer func() {
		restore := map[string]any{}
		for _, k := range []string{"state", "certificateUserBindings", "authenticationModeConfiguration", "includeTargets"} {
			restore[k] = orig[k]
		}
		if err := sim.SetAuthMethodConfigFields("X509Certificate", restore); err != nil {
			t.Error(err)
		}
	}()
	u1 := uuid.NewString()
	config := func(extra string) string {
		return fmt.Sprintf("resource \"breakglass_authentication_method_targets\" \"test\" {\n  method = \"x509_certificate\"\n  user_ids = [%q]\n  enable_method = true\n%s}\n", u1, extra)
	}
	bindings, _ := orig["certificateUserBindings"].([]any)
	upnOnly := slices.DeleteFunc(slices.Clone(bindings), func(b any) bool {
		m, _ := b.(map[string]any)
		return m["userProperty"] == "certificateUserIds"
	})
	resource.Test(t, testCase(t,
		resource.TestStep{
			Config:      config(""),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)single-factor.*Authentication binding`),
		},
		resource.TestStep{
			PreConfig: func() {
				err := sim.SetAuthMethodConfigFields("X509Certificate", map[string]any{
					"certificateUserBindings": upnOnly,
					"authenticationModeConfiguration": map[string]any{"rules": []any{map[string]any{
						"x509CertificateRuleType": "issuerSubject", "identifier": "CN=Contoso Emergency CA",
						"x509CertificateAuthenticationMode": "x509CertificateMultiFactor",
					}}},
				})
				if err != nil {
					t.Fatal(err)
				}
				acctest.WaitOutReplication()
			},
			Config:      config(""),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)manage_x509_binding.*certificateUserIds`),
		},
		resource.TestStep{
			Config: config("  manage_x509_binding = true\n"),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, "method_state", "enabled"),
				checkTargets(t, "X509Certificate", orig, user(u1)),
				func(*terraform.State) error {
					bindings, _ := configNow(t, "X509Certificate")["certificateUserBindings"].([]any)
					if len(bindings) != len(upnOnly)+1 || !reflect.DeepEqual(bindings[:len(upnOnly)], upnOnly) {
						return fmt.Errorf("bindings = %v, want the tenant's %v and one more", bindings, upnOnly)
					}
					if m, _ := bindings[len(upnOnly)].(map[string]any); m["userProperty"] != "certificateUserIds" {
						return fmt.Errorf("the added binding is %v", m)
					}
					return nil
				},
			),
		},
	))
	now := configNow(t, "X509Certificate")
	if bindings, _ := now["certificateUserBindings"].([]any); now["state"] != "enabled" || len(bindings) != len(upnOnly)+1 {
		t.Errorf("destroy changed the method: state %v, bindings %v", now["state"], bindings)
	}
	if err := checkTargets(t, "X509Certificate", orig)(nil); err != nil {
		t.Errorf("after destroy: %v", err)
	}
}

// TestAccAuthMethodTargets_concurrentStaleReads: three resources write the same configuration in one apply while
// every read within the replica window of a write sees the version before it. Each must wait out the version
// the one before it replaced instead of writing on it (which would drop that one's target); all land, the other
// team's stay, and the refresh after apply shows no drift.
func TestAccAuthMethodTargets_concurrentStaleReads(t *testing.T) {
	sim := acctest.Sim(t)
	defer sim.SetKnobs(sim.Knobs())
	k := sim.Knobs()
	k.StaleReadRate = 1
	sim.SetKnobs(k)
	before := configNow(t, "Fido2")
	u1, u2, u3, g1 := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	config := fmt.Sprintf(`
resource "breakglass_authentication_method_targets" "a" {
  method   = "fido2"
  user_ids = [%q]
}
resource "breakglass_authentication_method_targets" "b" {
  method   = "fido2"
  group_id = %q
}
resource "breakglass_authentication_method_targets" "c" {
  method   = "fido2"
  user_ids = [%q, %q]
}
`, u1, g1, u2, u3)
	resource.Test(t, testCase(t, resource.TestStep{
		Config:           config,
		Check:            checkTargets(t, "Fido2", before, user(u1), group(g1), user(u2), user(u3)),
		ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
	}))
	if err := checkTargets(t, "Fido2", before)(nil); err != nil {
		t.Errorf("after destroy: %v", err)
	}
}

// TestAccAuthMethodTargets_outsideWriter: another team's script, which read the configuration before our write,
// writes its own list right after it, dropping our target. The provider's verification sees a version that is
// neither its write nor the one it replaced, and writes again from it: both teams' targets land.
func TestAccAuthMethodTargets_outsideWriter(t *testing.T) {
	sim := acctest.Sim(t)
	defer sim.SetKnobs(sim.Knobs())
	k := sim.Knobs()
	k.StaleReadRate, k.Latency = 0, 300*time.Millisecond // the verifying read reaches the tenant after the outsider's write
	sim.SetKnobs(k)
	before := configNow(t, "Fido2")
	u1, theirs := uuid.NewString(), uuid.NewString()
	stop := make(chan struct{})
	var outsider sync.WaitGroup
	halt := sync.OnceFunc(func() { close(stop); outsider.Wait() })
	t.Cleanup(halt) // also when apply fails before Check
	outsider.Add(1)
	go func() {
		defer outsider.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			now := configNow(t, "Fido2")
			targets := targetsOf(now, "includeTargets")
			if !slices.ContainsFunc(targets, func(m map[string]any) bool { return key(m) == user(u1) }) {
				continue
			}
			kept := slices.DeleteFunc(targets, func(m map[string]any) bool { return key(m) == user(u1) })
			kept = append(kept, map[string]any{"targetType": "group", "id": theirs, "isRegistrationRequired": false})
			if err := sim.SetAuthMethodConfigFields("Fido2", map[string]any{"includeTargets": kept}); err != nil {
				t.Error(err)
			}
			return
		}
	}()
	resource.Test(t, testCase(t, resource.TestStep{
		Config: fido2Config([]string{u1}, ""),
		Check: func(s *terraform.State) error {
			halt()
			return checkTargets(t, "Fido2", before, user(u1), group(theirs))(s)
		},
	}))
	withTheirs := configNow(t, "Fido2")
	if err := checkTargets(t, "Fido2", before, group(theirs))(nil); err != nil {
		t.Errorf("after destroy: %v", err)
	}
	kept := slices.DeleteFunc(targetsOf(withTheirs, "includeTargets"), func(m map[string]any) bool { return key(m) == group(theirs) })
	if err := sim.SetAuthMethodConfigFields("Fido2", map[string]any{"includeTargets": kept}); err != nil {
		t.Error(err)
	}
}

// TestAccAuthMethodTargets_requests counts the Graph requests of each Terraform command against a tenant of its
// own (well-behaved, so the counts are the floor): create, a plan on an unchanged tenant (refresh), update and
// destroy.
func TestAccAuthMethodTargets_requests(t *testing.T) {
	acctest.Sim(t)
	log := &acctest.RequestLog{}
	sim, err := tenantsim.Start(tenantsim.Config{RequestLog: log, RandSeed: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	ws := tfcli.New(t, sim, t.TempDir())
	write := func(users string) {
		config := fmt.Sprintf(`terraform {
  required_providers {
    breakglass = { source = "entra-breakglass/breakglass" }
  }
}

provider "breakglass" {}

resource "breakglass_authentication_method_targets" "test" {
  method   = "fido2"
  user_ids = [%s]
  group_id = %q
}
`, users, "66666666-7777-4888-9999-aaaaaaaaaaaa")
		if err := os.WriteFile(filepath.Join(ws.Dir, "main.tf"), []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(`"11111111-2222-4333-8444-555555555555"`)
	ctx := context.Background()
	budgets := []struct {
		op    string
		args  []string
		users string
		max   int
	}{
		// Plan walk: ModifyPlan reads. Apply walk: ModifyPlan reads again (a new provider instance), Create reads,
		// PATCHes and reads to verify.
		{"create", []string{"apply", "-auto-approve", "-input=false"}, "", 5},
		// The refresh reads; ModifyPlan takes that read (instanceState.reads).
		{"refresh", []string{"plan", "-input=false", "-detailed-exitcode"}, "", 1},
		{"update", []string{"apply", "-auto-approve", "-input=false"}, `"11111111-2222-4333-8444-555555555555", "00000000-0000-4000-8000-000000000001"`, 5},
		// Plan walk: the refresh reads. Apply walk: Delete reads, PATCHes and reads to verify.
		{"delete", []string{"destroy", "-auto-approve", "-input=false"}, "", 4},
	}
	for _, b := range budgets {
		if b.users != "" {
			write(b.users)
		}
		from := log.Len()
		ws.Must(t, ctx, b.args...)
		entries, err := log.Since(from)
		if err != nil {
			t.Fatal(err)
		}
		var routes []string
		for _, e := range entries {
			if strings.HasPrefix(e.URL, "/v1.0/") {
				routes = append(routes, e.Method+" "+e.URL)
			}
		}
		t.Logf("%s: %d Graph requests: %v", b.op, len(routes), routes)
		if len(routes) > b.max {
			t.Errorf("%s sent %d Graph requests, budget %d", b.op, len(routes), b.max)
		}
	}
}

// TestAccAuthMethodTargets_permissions: Policy.Read.All does not grant reading the authentication methods policy
// (Graph's permission tables name Policy.Read.AuthenticationMethod), and reading is not writing; each refusal
// names the permission to grant.
func TestAccAuthMethodTargets_permissions(t *testing.T) {
	sim := acctest.Sim(t)
	for name, tc := range map[string]struct {
		roles []string
		want  string
	}{
		"Policy.Read.All only":    {[]string{"Policy.Read.All"}, `(?s)lacks the Microsoft Graph\s+application permission\s+Policy.Read.AuthenticationMethod`},
		"read but not read-write": {[]string{"Policy.Read.AuthenticationMethod"}, `(?s)lacks the Microsoft Graph\s+application permission\s+Policy.ReadWrite.AuthenticationMethod`},
	} {
		t.Run(name, func(t *testing.T) {
			clientID, secret := uuid.NewString(), "s3cret-"+uuid.NewString()
			if err := sim.RegisterApp(tenantsim.App{ClientID: clientID, DisplayName: name, Secret: secret, Roles: tc.roles}); err != nil {
				t.Fatal(err)
			}
			before := configNow(t, "Fido2")
			resource.Test(t, testCase(t, resource.TestStep{
				Config:      acctest.ProviderConfig(sim, clientID, secret, "") + fido2Config([]string{uuid.NewString()}, ""),
				ExpectError: regexp.MustCompile(tc.want),
			}))
			if err := checkTargets(t, "Fido2", before)(nil); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestAccAuthMethodTargets_temporaryAccessPass includes an account in the Temporary Access Pass configuration,
// which the helpdesk's group already uses: the group stays, the account comes and goes.
func TestAccAuthMethodTargets_temporaryAccessPass(t *testing.T) {
	acctest.PreCheck(t)
	u1 := uuid.NewString()
	before := configNow(t, "TemporaryAccessPass")
	resource.Test(t, testCase(t,
		resource.TestStep{
			Config: fmt.Sprintf("resource \"breakglass_authentication_method_targets\" \"test\" {\n  method   = \"temporary_access_pass\"\n  user_ids = [%q]\n}\n", u1),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, "id", "method=temporary_access_pass;users="+u1),
				checkTargets(t, "TemporaryAccessPass", before, user(u1)),
			),
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		resource.TestStep{
			ResourceName:            address,
			ImportState:             true,
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"timeouts"},
		},
	))
	if err := checkTargets(t, "TemporaryAccessPass", before)(nil); err != nil {
		t.Errorf("after destroy: %v", err)
	}
}

// TestAuthMethodTargets_destroyWaitsForOwnUpdate: a destroy in a new provider instance reads, from a lagging
// replica, the version before the resource's own update. The configuration has no version to tell it by, so the
// provider must see that the read lacks what the update made true (its targets in, the ones it took out gone) and
// wait: writing on that read would put back the targets the update took out. Once the replica catches up, only
// the resource's targets leave.
func TestAuthMethodTargets_destroyWaitsForOwnUpdate(t *testing.T) {
	sim := acctest.Sim(t)
	defer sim.SetKnobs(sim.Knobs())
	u1, u2, g1, g2 := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	before := configNow(t, "Fido2")
	others := targetsOf(before, "includeTargets")
	with := func(ids ...string) []map[string]any {
		out := slices.Clone(others)
		for _, id := range ids {
			kind, id, _ := strings.Cut(id, ":")
			out = append(out, map[string]any{"targetType": kind, "id": id, "isRegistrationRequired": false})
		}
		return out
	}
	set := func(targets []map[string]any) {
		t.Helper()
		if err := sim.SetAuthMethodConfigFields("Fido2", map[string]any{"includeTargets": targets}); err != nil {
			t.Fatal(err)
		}
	}
	set(with(user(u1), user(u2), group(g1))) // the create
	set(with(user(u1), group(g2)))           // the update, which every read now misses
	updatedAt := time.Now()
	k := sim.Knobs()
	k.StaleReadWindow, k.StaleReadRate = time.Hour, 1
	sim.SetKnobs(k)

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	err := authmethods.RemoveTargets(ctx, acctest.Client(t), "Fido2", []string{user(u1), group(g2)},
		[]string{user(u1), group(g2)}, []string{user(u2), group(g1)}, updatedAt)
	if err == nil || !strings.Contains(err.Error(), "did not show this resource's last change") {
		t.Fatalf("destroy on a replica from before the update: error %v, want one saying it waited for the update to show", err)
	}
	if err := checkTargets(t, "Fido2", before, user(u1), group(g2))(nil); err != nil {
		t.Fatalf("destroy wrote on the stale read: %v", err)
	}

	k.StaleReadRate = 0
	sim.SetKnobs(k)
	if err := authmethods.RemoveTargets(context.Background(), acctest.Client(t), "Fido2", []string{user(u1), group(g2)},
		[]string{user(u1), group(g2)}, []string{user(u2), group(g1)}, updatedAt); err != nil {
		t.Fatal(err)
	}
	if err := checkTargets(t, "Fido2", before)(nil); err != nil {
		t.Errorf("after destroy: %v", err)
	}
}
