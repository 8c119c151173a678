package alert_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

func TestMain(m *testing.M) { acctest.Main(m) }

const address = "breakglass_alert.test"

func uniqueName() string { return "bgal" + strings.ReplaceAll(uuid.NewString()[:10], "-", "") }

// env is one test's names and the workspace it alerts on.
type env struct {
	name, workspace, group, location string
	client                           *clients.Client
}

func newEnv(t *testing.T) env {
	t.Helper()
	acctest.PreCheck(t)
	ws, rg, loc := acctest.Monitoring(t)
	return env{name: uniqueName(), workspace: ws, group: rg, location: loc, client: acctest.Client(t)}
}

func (e env) ruleID(suffix string) string {
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Insights/scheduledQueryRules/%s%s", e.client.SubscriptionID, e.group, e.name, suffix)
}

func (e env) actionGroupID(name string) string {
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Insights/actionGroups/%s", e.client.SubscriptionID, e.group, name)
}

func diagnosticID(name string) string {
	return "/providers/microsoft.aadiam/diagnosticSettings/" + name
}

// accounts declares two emergency accounts; the alert refers to them, so their ids are unknown at plan time.
func (e env) accounts() string {
	return fmt.Sprintf(`
resource "breakglass_account" "primary" {
  display_name  = "Cloud Ops %[1]s one"
  mail_nickname = "%[1]s1"
}

resource "breakglass_account" "secondary" {
  display_name  = "Cloud Ops %[1]s two"
  mail_nickname = "%[1]s2"
}
`, e.name)
}

const bothAccounts = `[
    { object_id = breakglass_account.primary.id, user_principal_name = breakglass_account.primary.user_principal_name },
    { object_id = breakglass_account.secondary.id, user_principal_name = breakglass_account.secondary.user_principal_name },
  ]`

func (e env) alert(accounts, extra string) string {
	return e.accounts() + fmt.Sprintf(`
resource "breakglass_alert" "test" {
  name                = %q
  resource_group_name = %q
  location            = %q
  workspace_id        = %q
  accounts            = %s
%s
}
`, e.name, e.group, e.location, e.workspace, accounts, extra)
}

func (e env) managed() string {
	return fmt.Sprintf(`
  diagnostic_setting = { name = "%[1]s-diag", categories = ["SignInLogs", "NonInteractiveUserSignInLogs"] }
  action_group = {
    short_name        = "bg-soc"
    email_receivers   = [{ name = "soc", email_address = "soc@contoso.com" }, { name = "lead", email_address = "lead@contoso.com" }]
    webhook_receivers = [{ name = "pager", service_uri = "https://pager.example/hook?token=abc" }]
  }`, e.name)
}

// armGet reads an ARM object as JSON; found is false on 404. It first waits out replication: a diagnostic setting
// read right after a write may answer 404 or the version before.
func (e env) armGet(id, apiVersion string) (map[string]any, bool, error) {
	acctest.WaitOutReplication()
	var out map[string]any
	err := e.client.ARMDo(context.Background(), http.MethodGet, id, apiVersion, nil, &out)
	if clients.IsARMNotFound(err) {
		return nil, false, nil
	}
	return out, err == nil, err
}

// armEdit changes an object behind Terraform's back the way a person in the portal would: read, edit, write.
func (e env) armEdit(t *testing.T, id, apiVersion string, edit func(obj, props map[string]any)) {
	t.Helper()
	obj, found, err := e.armGet(id, apiVersion)
	if err != nil || !found {
		t.Fatalf("reading %s: found=%v %v", id, found, err)
	}
	for _, readOnly := range []string{"id", "name", "type", "systemData", "etag"} {
		delete(obj, readOnly)
	}
	for k, v := range obj {
		if v == nil { // e.g. location and tags of a diagnostic setting, which its schema does not have
			delete(obj, k)
		}
	}
	props, _ := obj["properties"].(map[string]any)
	for _, readOnly := range []string{"createdWithApiVersion", "isLegacyLogAnalyticsRule", "isWorkspaceAlertsStorageConfigured", "provisioningState"} {
		delete(props, readOnly)
	}
	for _, list := range []string{"emailReceivers", "smsReceivers"} {
		receivers, _ := props[list].([]any)
		for _, r := range receivers {
			delete(r.(map[string]any), "status")
		}
	}
	edit(obj, props)
	if err := e.client.ARMDo(context.Background(), http.MethodPut, id, apiVersion, obj, nil); err != nil {
		t.Fatalf("editing %s: %v", id, err)
	}
	acctest.WaitOutReplication()
}

func (e env) armDelete(t *testing.T, id, apiVersion string) {
	t.Helper()
	if err := e.client.ARMDo(context.Background(), http.MethodDelete, id, apiVersion, nil, nil); err != nil && !clients.IsARMNotFound(err) {
		t.Fatalf("deleting %s: %v", id, err)
	}
	acctest.WaitOutReplication()
}

// ours lists the ARM ids this test's alert may create.
func (e env) ours() map[string]string {
	return map[string]string{
		e.ruleID(""):                        clients.APIVersionScheduledQueryRules,
		e.ruleID("-changes"):                clients.APIVersionScheduledQueryRules,
		e.actionGroupID(e.name + "-ag"):     clients.APIVersionActionGroups,
		diagnosticID(e.name + "-diag"):      clients.APIVersionAADDiagnosticSettings,
		diagnosticID(e.name + "-diag-next"): clients.APIVersionAADDiagnosticSettings,
	}
}

// checkNothingLeft: after destroy none of the alert's objects exists.
func (e env) checkNothingLeft(*terraform.State) error {
	for id, v := range e.ours() {
		if _, found, err := e.armGet(id, v); err != nil || found {
			return fmt.Errorf("%s after destroy: found=%v err=%v", id, found, err)
		}
	}
	return nil
}

// otherSettings returns every tenant diagnostic setting that is not this test's, to prove they stay untouched.
func (e env) otherSettings(t *testing.T) map[string]any {
	t.Helper()
	var list struct{ Value []map[string]any }
	if err := e.client.ARMDo(context.Background(), http.MethodGet, "/providers/microsoft.aadiam/diagnosticSettings", clients.APIVersionAADDiagnosticSettings, nil, &list); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for _, s := range list.Value {
		if name, _ := s["name"].(string); !strings.HasPrefix(name, e.name) {
			out[name] = s
		}
	}
	return out
}

func testCase(e env, steps ...resource.TestStep) resource.TestCase {
	return resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             e.checkNothingLeft,
		Steps:                    steps,
	}
}

func rule(t *testing.T, e env, suffix string) map[string]any {
	t.Helper()
	obj, found, err := e.armGet(e.ruleID(suffix), clients.APIVersionScheduledQueryRules)
	if err != nil || !found {
		t.Fatalf("rule %s: found=%v %v", suffix, found, err)
	}
	return obj["properties"].(map[string]any)
}

func ruleQuery(props map[string]any) string {
	return props["criteria"].(map[string]any)["allOf"].([]any)[0].(map[string]any)["query"].(string)
}

// TestAccAlert_lifecycle: every object made from accounts created in the same apply, no diff after refresh,
// import, accounts changed in place, then the managed parts swapped for an existing action group; other
// teams' diagnostic settings untouched throughout.
func TestAccAlert_lifecycle(t *testing.T) {
	e := newEnv(t)
	others := e.otherSettings(t)
	foreignGroup := e.actionGroupID(e.name + "-soc")
	t.Cleanup(func() { e.armDelete(t, foreignGroup, clients.APIVersionActionGroups) })

	resource.Test(t, testCase(e,
		resource.TestStep{
			Config: e.alert(bothAccounts, e.managed()),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, "id", e.ruleID("")),
				resource.TestCheckResourceAttr(address, "change_rule_id", e.ruleID("-changes")),
				resource.TestCheckResourceAttr(address, "action_group_id", e.actionGroupID(e.name+"-ag")),
				resource.TestCheckResourceAttr(address, "diagnostic_setting_id", diagnosticID(e.name+"-diag")),
				resource.TestCheckResourceAttrPair(address, "accounts.0.object_id", "breakglass_account.primary", "id"),
				func(s *terraform.State) error {
					attrs := s.RootModule().Resources[address].Primary.Attributes
					for _, a := range []string{"breakglass_account.primary", "breakglass_account.secondary"} {
						upn := s.RootModule().Resources[a].Primary.Attributes["user_principal_name"]
						if !strings.Contains(attrs["sign_in_query"], upn) || !strings.Contains(attrs["change_query"], upn) {
							return fmt.Errorf("a query lacks %s", upn)
						}
					}
					props := rule(t, e, "")
					if ruleQuery(props) != attrs["sign_in_query"] || props["severity"] != float64(0) || props["enabled"] != true {
						return fmt.Errorf("sign-in rule in ARM differs: %v", props)
					}
					if groups := props["actions"].(map[string]any)["actionGroups"].([]any); len(groups) != 1 || !strings.EqualFold(groups[0].(string), e.actionGroupID(e.name+"-ag")) {
						return fmt.Errorf("rule notifies %v", groups)
					}
					return nil
				},
			),
		},
		resource.TestStep{
			ResourceName: address, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"},
		},
		resource.TestStep{ // one account fewer: the queries change in place
			Config:           e.alert(`[{ object_id = breakglass_account.primary.id, user_principal_name = breakglass_account.primary.user_principal_name }]`, e.managed()),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate)}},
			Check: func(s *terraform.State) error {
				second := s.RootModule().Resources["breakglass_account.secondary"].Primary.Attributes["user_principal_name"]
				if strings.Contains(ruleQuery(rule(t, e, "")), second) || strings.Contains(ruleQuery(rule(t, e, "-changes")), second) {
					return fmt.Errorf("the rules still watch %s", second)
				}
				return nil
			},
		},
		resource.TestStep{ // an existing action group instead of the managed parts; no change rule
			PreConfig: func() {
				body := map[string]any{"location": "Global", "properties": map[string]any{"groupShortName": "soc", "enabled": true,
					"emailReceivers": []any{map[string]any{"name": "soc", "emailAddress": "soc@contoso.com", "useCommonAlertSchema": true}}}}
				if err := e.client.ARMDo(context.Background(), http.MethodPut, foreignGroup, clients.APIVersionActionGroups, body, nil); err != nil {
					t.Fatal(err)
				}
			},
			Config: e.alert(bothAccounts, fmt.Sprintf("  action_group_ids = [%q]\n  monitor_account_changes = false", foreignGroup)),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckNoResourceAttr(address, "change_rule_id"),
				resource.TestCheckNoResourceAttr(address, "action_group_id"),
				resource.TestCheckNoResourceAttr(address, "diagnostic_setting_id"),
				func(*terraform.State) error {
					for id, v := range map[string]string{
						e.ruleID("-changes"): clients.APIVersionScheduledQueryRules, e.actionGroupID(e.name + "-ag"): clients.APIVersionActionGroups,
						diagnosticID(e.name + "-diag"): clients.APIVersionAADDiagnosticSettings,
					} {
						if _, found, err := e.armGet(id, v); err != nil || found {
							return fmt.Errorf("%s should be gone: found=%v err=%v", id, found, err)
						}
					}
					if _, found, _ := e.armGet(foreignGroup, clients.APIVersionActionGroups); !found {
						return fmt.Errorf("the existing action group was deleted")
					}
					return nil
				},
			),
		},
	))
	if now := e.otherSettings(t); !reflect.DeepEqual(now, others) {
		t.Errorf("other diagnostic settings changed:\nbefore %v\nafter  %v", others, now)
	}
}

// TestAccAlert_protections: the change rule also watches Conditional Access policies that mention the accounts or
// an exclusion group (watch_conditional_access_policies, exclusion_group_ids), the authentication methods policy and restricted management units; the alert applies,
// refreshes without diff and imports with them, and dropping them gives back the change rule of an alert without
// protections. The ids are the configuration's own: the alert reads nothing from Graph.
func TestAccAlert_protections(t *testing.T) {
	e := newEnv(t)
	const (
		group = "5c7e2a10-8d3b-4f1e-9a6c-2b8d4e6f0a11"
		unit  = "7a1b3c5d-2e4f-4a6b-8c0d-1e2f3a4b5c6d"
	)
	config := func(protections string) string { return e.alert(bothAccounts, e.managed()+"\n"+protections) }
	ruleRuns := func(want ...string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			attrs := s.RootModule().Resources[address].Primary.Attributes
			query := ruleQuery(rule(t, e, "-changes"))
			if query != attrs["change_query"] {
				return fmt.Errorf("the change rule in ARM runs\n%s\nnot the planned\n%s", query, attrs["change_query"])
			}
			for _, w := range want {
				if !strings.Contains(query, w) {
					return fmt.Errorf("the change rule lacks %q:\n%s", w, query)
				}
			}
			return nil
		}
	}
	unchanged := resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	inPlace := resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
	var withoutProtections string
	resource.Test(t, testCase(e,
		resource.TestStep{ // the change rule of an alert without protections, for the last step
			Config:           config(""),
			ConfigPlanChecks: unchanged,
			Check: func(s *terraform.State) error {
				withoutProtections = s.RootModule().Resources[address].Primary.Attributes["change_query"]
				return nil
			},
		},
		resource.TestStep{
			Config: config(fmt.Sprintf(`  watch_conditional_access_policies = true
  exclusion_group_ids = [%q]
  watch_authentication_methods_policy = true
  restricted_management_unit_ids = [%q]`, strings.ToUpper(group), unit)),
			ConfigPlanChecks: inPlace,
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, "watch_conditional_access_policies", "true"),
				resource.TestCheckResourceAttr(address, "watch_authentication_methods_policy", "true"),
				ruleRuns("Update Conditional Access policy", `PolicyJson contains "`+group+`"`, "Authentication Methods Policy Update",
					`TargetsJson contains "`+unit+`"`, "union accountChanges, policyChanges, methodsPolicyChanges, unitChanges"),
			),
		},
		resource.TestStep{
			ResourceName: address, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"},
		},
		resource.TestStep{ // only the policies that name the accounts themselves
			Config:           config("  watch_conditional_access_policies = true"),
			ConfigPlanChecks: inPlace,
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, "watch_conditional_access_policies", "true"),
				resource.TestCheckNoResourceAttr(address, "exclusion_group_ids"),
				resource.TestCheckResourceAttr(address, "watch_authentication_methods_policy", "false"),
				resource.TestCheckNoResourceAttr(address, "restricted_management_unit_ids"),
				ruleRuns("union accountChanges, policyChanges\n"),
				func(*terraform.State) error {
					if q := ruleQuery(rule(t, e, "-changes")); strings.Contains(q, group) || strings.Contains(q, unit) {
						return fmt.Errorf("the change rule still watches the group or the unit:\n%s", q)
					}
					return nil
				},
			),
		},
		resource.TestStep{
			ResourceName: address, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"},
		},
		resource.TestStep{
			Config:           config(""),
			ConfigPlanChecks: inPlace,
			Check: func(*terraform.State) error {
				if q := ruleQuery(rule(t, e, "-changes")); q != withoutProtections {
					return fmt.Errorf("without protections the change rule runs\n%s\nnot\n%s", q, withoutProtections)
				}
				return nil
			},
		},
	))
}

// TestAccAlert_drift changes each object outside Terraform; every change shows in the plan and apply repairs it.
func TestAccAlert_drift(t *testing.T) {
	e := newEnv(t)
	config := e.alert(bothAccounts, e.managed())
	update := resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
	sqr, ag, ds := clients.APIVersionScheduledQueryRules, clients.APIVersionActionGroups, clients.APIVersionAADDiagnosticSettings
	drift := func(name string, change func(), repaired func() error) resource.TestStep {
		return resource.TestStep{
			PreConfig:        func() { t.Logf("drift: %s", name); change() },
			Config:           config,
			ConfigPlanChecks: update,
			Check:            func(*terraform.State) error { return repaired() },
		}
	}
	var original string
	resource.Test(t, testCase(e,
		resource.TestStep{Config: config, Check: func(*terraform.State) error { original = ruleQuery(rule(t, e, "")); return nil }},
		drift("sign-in rule disabled",
			func() { e.armEdit(t, e.ruleID(""), sqr, func(_, p map[string]any) { p["enabled"] = false }) },
			func() error {
				if rule(t, e, "")["enabled"] != true {
					return fmt.Errorf("rule still disabled")
				}
				return nil
			}),
		drift("change rule disabled",
			func() { e.armEdit(t, e.ruleID("-changes"), sqr, func(_, p map[string]any) { p["enabled"] = false }) },
			func() error {
				if rule(t, e, "-changes")["enabled"] != true {
					return fmt.Errorf("change rule still disabled")
				}
				return nil
			}),
		drift("query edited",
			func() {
				e.armEdit(t, e.ruleID(""), sqr, func(_, p map[string]any) {
					p["criteria"].(map[string]any)["allOf"].([]any)[0].(map[string]any)["query"] = "SigninLogs | where UserPrincipalName == \"nobody@contoso.com\""
				})
			},
			func() error {
				if ruleQuery(rule(t, e, "")) != original {
					return fmt.Errorf("query not restored")
				}
				return nil
			}),
		drift("severity lowered",
			func() { e.armEdit(t, e.ruleID(""), sqr, func(_, p map[string]any) { p["severity"] = 3 }) },
			func() error {
				if rule(t, e, "")["severity"] != float64(0) {
					return fmt.Errorf("severity not restored")
				}
				return nil
			}),
		drift("receiver removed",
			func() {
				e.armEdit(t, e.actionGroupID(e.name+"-ag"), ag, func(_, p map[string]any) { p["emailReceivers"] = p["emailReceivers"].([]any)[:1] })
			},
			func() error {
				g, _, err := e.armGet(e.actionGroupID(e.name+"-ag"), ag)
				if err != nil || len(g["properties"].(map[string]any)["emailReceivers"].([]any)) != 2 {
					return fmt.Errorf("receiver not restored: %v", err)
				}
				return nil
			}),
		drift("action group disabled",
			func() {
				e.armEdit(t, e.actionGroupID(e.name+"-ag"), ag, func(_, p map[string]any) { p["enabled"] = false })
			},
			func() error {
				g, _, err := e.armGet(e.actionGroupID(e.name+"-ag"), ag)
				if err != nil || g["properties"].(map[string]any)["enabled"] != true {
					return fmt.Errorf("action group still disabled: %v", err)
				}
				return nil
			}),
		drift("diagnostic category turned off",
			func() {
				e.armEdit(t, diagnosticID(e.name+"-diag"), ds, func(_, p map[string]any) {
					for _, l := range p["logs"].([]any) {
						if l.(map[string]any)["category"] == "SignInLogs" {
							l.(map[string]any)["enabled"] = false
						}
					}
				})
			},
			func() error {
				d, _, err := e.armGet(diagnosticID(e.name+"-diag"), ds)
				if err != nil {
					return err
				}
				for _, l := range d["properties"].(map[string]any)["logs"].([]any) {
					if l.(map[string]any)["category"] == "SignInLogs" && l.(map[string]any)["enabled"] != true {
						return fmt.Errorf("SignInLogs still off")
					}
				}
				return nil
			}),
		drift("change rule deleted",
			func() { e.armDelete(t, e.ruleID("-changes"), sqr) },
			func() error { _, found, err := e.armGet(e.ruleID("-changes"), sqr); return errUnlessFound(found, err) }),
		drift("action group deleted",
			func() { e.armDelete(t, e.actionGroupID(e.name+"-ag"), ag) },
			func() error {
				_, found, err := e.armGet(e.actionGroupID(e.name+"-ag"), ag)
				return errUnlessFound(found, err)
			}),
		drift("diagnostic setting deleted",
			func() { e.armDelete(t, diagnosticID(e.name+"-diag"), ds) },
			func() error {
				_, found, err := e.armGet(diagnosticID(e.name+"-diag"), ds)
				return errUnlessFound(found, err)
			}),
		drift("sign-in rule deleted", // the alert keeps its other objects and puts the rule back
			func() { e.armDelete(t, e.ruleID(""), sqr) },
			func() error {
				if ruleQuery(rule(t, e, "")) != original {
					return fmt.Errorf("sign-in rule not restored as it was")
				}
				return nil
			}),
	))
}

func errUnlessFound(found bool, err error) error {
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("not recreated")
	}
	return nil
}

// TestAccAlert_failureBetweenObjects fails each write of the composite create in turn: the next apply finishes
// the alert and destroy leaves nothing behind.
func TestAccAlert_failureBetweenObjects(t *testing.T) {
	sim := acctest.Sim(t)
	for _, target := range []struct{ what, path string }{
		{"diagnostic setting", "/diagnosticSettings/%s-diag"},
		{"action group", "/actionGroups/%s-ag"},
		{"sign-in rule", "/scheduledQueryRules/%s"}, // also the change rule's prefix, but written first
		{"change rule", "/scheduledQueryRules/%s-changes"},
	} {
		t.Run(target.what, func(t *testing.T) {
			e := newEnv(t)
			path := fmt.Sprintf(target.path, e.name)
			config := e.alert(bothAccounts, e.managed())
			var undo func()
			resource.Test(t, testCase(e,
				resource.TestStep{
					PreConfig: func() {
						undo = sim.FailRequests(tenantsim.FailRule{Method: "PUT", PathContains: path,
							Status: http.StatusBadRequest, Code: "InvalidRequestContent", Message: "Injected failure", Count: 1})
					},
					Config:      config,
					ExpectError: regexp.MustCompile(`Injected\s+failure`),
				},
				resource.TestStep{
					PreConfig: func() { undo() },
					Config:    config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: func(*terraform.State) error {
						for id, v := range e.ours() {
							if strings.HasSuffix(id, "-next") {
								continue
							}
							if _, found, err := e.armGet(id, v); err != nil || !found {
								return fmt.Errorf("%s missing after the second apply: %v", id, err)
							}
						}
						return nil
					},
				},
			))
		})
	}
}

// TestAccAlert_refusesToTakeOver: an action group with the alert's name already exists (another team's): the
// create stops before writing anything and the group is untouched.
func TestAccAlert_refusesToTakeOver(t *testing.T) {
	e := newEnv(t)
	theirs := e.actionGroupID(e.name + "-ag")
	body := map[string]any{"location": "Global", "properties": map[string]any{"groupShortName": "theirs", "enabled": true}}
	if err := e.client.ARMDo(context.Background(), http.MethodPut, theirs, clients.APIVersionActionGroups, body, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.armDelete(t, theirs, clients.APIVersionActionGroups) })
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      e.alert(bothAccounts, e.managed()),
			ExpectError: regexp.MustCompile(`(?s)action\s+group.*already\s+exists`),
		}},
	})
	g, found, err := e.armGet(theirs, clients.APIVersionActionGroups)
	if err != nil || !found || g["properties"].(map[string]any)["groupShortName"] != "theirs" {
		t.Errorf("their action group changed: %v %v", g, err)
	}
}

// TestAccAlert_missingRoleNamesIt: an identity without Azure roles gets told which role to assign, and where.
func TestAccAlert_missingRoleNamesIt(t *testing.T) {
	sim := acctest.Sim(t)
	e := newEnv(t)
	clientID, secret := uuid.NewString(), "s3cret-"+uuid.NewString()
	if err := sim.RegisterApp(tenantsim.App{ClientID: clientID, DisplayName: "graph-only app", Secret: secret,
		Roles: []string{"User.ReadWrite.All", "Domain.Read.All"}}); err != nil {
		t.Fatal(err)
	}
	provider := acctest.ProviderConfig(sim, clientID, secret, fmt.Sprintf("subscription_id = %q", sim.Info().SubscriptionID))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      provider + e.alert(bothAccounts, fmt.Sprintf("  action_group_ids = [%q]", e.actionGroupID("x"))),
			ExpectError: regexp.MustCompile(`(?s)Monitoring\s+(Reader|Contributor)`),
		}},
	})
}

// TestAccAlert_badInput: each mistake fails the plan, naming the attribute and the fix; nothing is created.
func TestAccAlert_badInput(t *testing.T) {
	e := newEnv(t)
	valid := map[string]string{
		"name": `"` + e.name + `"`, "resource_group_name": `"` + e.group + `"`, "location": `"` + e.location + `"`,
		"workspace_id": `"` + e.workspace + `"`,
		"accounts":     `[{ object_id = "8f4a1c2e-0000-4000-8000-000000000001", user_principal_name = "ops1@contoso.onmicrosoft.com" }]`,
		"action_group": `{ short_name = "soc", email_receivers = [{ name = "soc", email_address = "soc@contoso.com" }] }`,
	}
	cases := map[string]struct {
		override map[string]string
		want     string
	}{
		"no accounts":            {map[string]string{"accounts": "[]"}, `accounts.*at least 1`},
		"malformed object id":    {map[string]string{"accounts": `[{ object_id = "ops1", user_principal_name = "ops1@contoso.onmicrosoft.com" }]`}, `object_id.*GUID`},
		"malformed upn":          {map[string]string{"accounts": `[{ object_id = "8f4a1c2e-0000-4000-8000-000000000001", user_principal_name = "ops1" }]`}, `user_principal_name`},
		"severity 5":             {map[string]string{"severity": "5"}, `severity.*between 0 and 4`},
		"duration not ISO":       {map[string]string{"evaluation_frequency": `"5m"`}, `evaluation_frequency.*PT5M`},
		"window over two days":   {map[string]string{"window_size": `"P3D"`}, `window_size`},
		"window of twelve hours": {map[string]string{"window_size": `"PT12H"`}, `window_size.*P1D`},
		"a day's window every minute": {map[string]string{"evaluation_frequency": `"PT1M"`, "window_size": `"P1D"`},
			`window_size P1D.*every minute.*PT6H or less`},
		"window under frequency": {map[string]string{"evaluation_frequency": `"PT15M"`, "window_size": `"PT5M"`},
			`window_size PT5M is shorter than evaluation_frequency PT15M`},
		"short name too long": {map[string]string{"action_group": `{ short_name = "emergency-soc-team", email_receivers = [{ name = "soc", email_address = "soc@contoso.com" }] }`},
			`short_name.*between 1 and 12`},
		"email malformed": {map[string]string{"action_group": `{ short_name = "soc", email_receivers = [{ name = "soc", email_address = "soc" }] }`}, `email_address`},
		"phone malformed": {map[string]string{"action_group": `{ short_name = "soc", sms_receivers = [{ name = "d", country_code = "+44", phone_number = "7700 900123" }] }`},
			`country_code`},
		"webhook not https": {map[string]string{"action_group": `{ short_name = "soc", webhook_receivers = [{ name = "h", service_uri = "http://hooks.example/x" }] }`},
			`service_uri.*https`},
		"no receivers":       {map[string]string{"action_group": `{ short_name = "soc" }`}, `nobody would be told`},
		"workspace id wrong": {map[string]string{"workspace_id": `"/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/s"`}, `workspace_id.*workspace ARM id`},
		"nothing to notify":  {map[string]string{"action_group": ""}, `action_group.*action_group_ids`},
		"unknown category":   {map[string]string{"diagnostic_setting": `{ name = "x-diag", categories = ["SigninLogs"] }`}, `categories.*SignInLogs`},
		"location spelled":   {map[string]string{"location": `"West Europe"`}, `location.*westeurope`},
		"protections without the change rule": {map[string]string{"monitor_account_changes": "false", "restricted_management_unit_ids": `["7a1b3c5d-2e4f-4a6b-8c0d-1e2f3a4b5c6d"]`},
			`restricted_management_unit_ids.*monitor_account_changes = true`},
		"methods policy without the change rule": {map[string]string{"monitor_account_changes": "false", "watch_authentication_methods_policy": "true"},
			`watch_authentication_methods_policy.*monitor_account_changes = true`},
		"policies without the change rule": {map[string]string{"monitor_account_changes": "false", "watch_conditional_access_policies": "true"},
			`watch_conditional_access_policies.*monitor_account_changes = true`},
		"exclusion groups without the policies": {map[string]string{"exclusion_group_ids": `["5c7e2a10-8d3b-4f1e-9a6c-2b8d4e6f0a11"]`},
			`exclusion_group_ids.*watch_conditional_access_policies = true`},
		"exclusion groups with the policies off": {map[string]string{"watch_conditional_access_policies": "false", "exclusion_group_ids": `["5c7e2a10-8d3b-4f1e-9a6c-2b8d4e6f0a11"]`},
			`exclusion_group_ids.*watch_conditional_access_policies = true`},
		"no exclusion group": {map[string]string{"watch_conditional_access_policies": "true", "exclusion_group_ids": "[]"}, `exclusion_group_ids.*at least 1`},
		"exclusion group not an id": {map[string]string{"watch_conditional_access_policies": "true", "exclusion_group_ids": `["Break Glass Exclusions"]`},
			`exclusion_group_ids.*GUID`},
		"no restricted unit": {map[string]string{"restricted_management_unit_ids": "[]"}, `restricted_management_unit_ids.*at least 1`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			attrs := map[string]string{}
			for k, v := range valid {
				attrs[k] = v
			}
			for k, v := range tc.override {
				attrs[k] = v
			}
			var b strings.Builder
			b.WriteString("resource \"breakglass_alert\" \"test\" {\n")
			for k, v := range attrs {
				if v != "" {
					fmt.Fprintf(&b, "  %s = %s\n", k, v)
				}
			}
			b.WriteString("}\n")
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps:                    []resource.TestStep{{Config: b.String(), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)` + tc.want)}},
			})
		})
	}
}

// TestAccAlert_sinkConflict: the simulated tenant's SOC already sends AuditLogs to the workspace; planning a
// setting with the default categories fails at plan time, naming that setting, instead of a 409 at apply.
func TestAccAlert_sinkConflict(t *testing.T) {
	acctest.Sim(t)
	e := newEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      e.alert(bothAccounts, fmt.Sprintf("  diagnostic_setting = { name = %q }\n  action_group_ids = [%q]", e.name+"-diag", e.actionGroupID("x"))),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)"` + tenantsim.ForeignDiagnosticSetting + `"\s+already\s+sends\s+AuditLogs`),
		}},
	})
}
