package posture_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

func TestMain(m *testing.M) { acctest.Main(m) }

// The tests share one simulated tenant and change tenant-wide things (Conditional Access policies, Global
// Administrators, alert rules), so they run one after the other and undo what they add.

// statuses checks check_statuses of a posture data source.
func statuses(address string, want map[string]string) resource.TestCheckFunc {
	var checks []resource.TestCheckFunc
	for id, status := range want {
		checks = append(checks, resource.TestCheckResourceAttr(address, "check_statuses."+id, status))
	}
	return resource.ComposeAggregateTestCheckFunc(checks...)
}

// detail checks the detail of one check (checks are listed in a fixed order).
func detail(address, id string, pattern string) resource.TestCheckFunc {
	order := []string{"account_count", "enabled", "cloud_only", "initial_domain", "unlicensed", "neutral_names",
		"permanent_global_admin", "ca_excluded", "phishing_resistant_method", "sign_in_alert", "recent_test_sign_in", "global_admin_count",
		"phishing_resistant_only", "method_policy_allows", "restricted_management", "pending_managed_policies"}
	for i, c := range order {
		if c == id {
			return resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, fmt.Sprintf("checks.%d.id", i), id),
				resource.TestMatchResourceAttr(address, fmt.Sprintf("checks.%d.detail", i), regexp.MustCompile(pattern)),
			)
		}
	}
	panic("unknown check " + id)
}

// capture stores an attribute's value for later steps.
func capture(address, attribute string, into *string) resource.TestCheckFunc {
	return resource.TestCheckResourceAttrWith(address, attribute, func(v string) error {
		*into = v
		return nil
	})
}

// TestAccPosture_accountsTheConfigurationManages follows a configuration through the states a real one goes
// through: accounts, roles, exclusions and an alert made by Terraform, first failing the checks only people can
// fix (a key, a test sign-in) and an exclusion through a group that does not exist yet, then passing them all.
func TestAccPosture_accountsTheConfigurationManages(t *testing.T) {
	sim := acctest.Sim(t)
	_, rg, location := acctest.Monitoring(t)
	workspace := sim.Info().WorkspaceID
	name := "pst" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")

	// Another team's policy excludes a group of emergency accounts instead of the accounts themselves.
	groupID := uuid.NewString()
	groupPolicy, err := sim.AddCAPolicy(map[string]any{
		"displayName": "Block risky sign-ins " + name, "state": "enabled",
		"conditions": map[string]any{
			"users":        map[string]any{"includeUsers": []any{"All"}, "excludeGroups": []any{groupID}},
			"applications": map[string]any{"includeApplications": []any{"All"}}, "clientAppTypes": []any{"all"},
		},
		"grantControls": map[string]any{"operator": "OR", "builtInControls": []any{"block"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.SetCAPolicyFields(groupPolicy, map[string]any{"state": "disabled"}) })

	config := fmt.Sprintf(`
resource "breakglass_account" "primary" {
  display_name  = "Cloud Ops %[1]s one"
  mail_nickname = "%[1]s1"
}

resource "breakglass_account" "secondary" {
  display_name  = "Cloud Ops %[1]s two"
  mail_nickname = "%[1]s2"
}

locals {
  account_ids = [breakglass_account.primary.id, breakglass_account.secondary.id]
  # The policy that requires phishing-resistant MFA for administrators may keep applying to the accounts.
  allowed = [%[2]q]
}

resource "breakglass_pim_permanent_assignment" "primary" {
  principal_id = breakglass_account.primary.id
  role         = "Global Administrator"
}

resource "breakglass_pim_permanent_assignment" "secondary" {
  principal_id = breakglass_account.secondary.id
  role         = "Global Administrator"
}

resource "breakglass_ca_policy_exclusion" "emergency" {
  user_ids          = local.account_ids
  match             = "grant_controls"
  except_policy_ids = concat(local.allowed, [%[3]q])
}

resource "breakglass_alert" "emergency" {
  name                = %[1]q
  resource_group_name = %[4]q
  location            = %[5]q
  workspace_id        = %[6]q
  accounts = [
    for a in [breakglass_account.primary, breakglass_account.secondary] :
    { object_id = a.id, user_principal_name = a.user_principal_name }
  ]
  action_group = {
    short_name      = "bg-soc"
    email_receivers = [{ name = "soc", email_address = "soc@contoso.com" }]
  }
}

data "breakglass_posture" "this" {
  account_ids        = local.account_ids
  allowed_policy_ids = local.allowed
  depends_on = [
    breakglass_pim_permanent_assignment.primary, breakglass_pim_permanent_assignment.secondary,
    breakglass_ca_policy_exclusion.emergency, breakglass_alert.emergency,
  ]
}

# Same accounts, stricter Global Administrator limit: the fixture admin and the two accounts are three.
data "breakglass_posture" "strict" {
  account_ids               = local.account_ids
  allowed_policy_ids        = local.allowed
  max_global_admins         = 2
  alert_resource_group_name = %[4]q
  depends_on                = [data.breakglass_posture.this]
}

# A failing assert is a warning in Terraform, not an error: the steps below assert on the attributes.
check "break_glass_posture" {
  assert {
    condition     = data.breakglass_posture.this.passed
    error_message = "Emergency access checks failed: ${join(", ", data.breakglass_posture.this.failed_check_ids)}"
  }
}
`, name, tenantsim.FixtureCAPolicyPhishingResistantAdminsID, groupPolicy, rg, location, workspace)

	const this, strict = "data.breakglass_posture.this", "data.breakglass_posture.strict"
	var ids, upns, passwords [2]string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					capture("breakglass_account.primary", "id", &ids[0]), capture("breakglass_account.secondary", "id", &ids[1]),
					capture("breakglass_account.primary", "user_principal_name", &upns[0]),
					capture("breakglass_account.secondary", "user_principal_name", &upns[1]),
					capture("breakglass_account.primary", "password", &passwords[0]),
					capture("breakglass_account.secondary", "password", &passwords[1]),
					statuses(this, map[string]string{
						"account_count": "pass", "enabled": "pass", "cloud_only": "pass", "initial_domain": "pass", "unlicensed": "pass",
						"neutral_names": "pass", "permanent_global_admin": "pass", "sign_in_alert": "pass", "global_admin_count": "pass",
						// What the configuration cannot do: a group only people manage, a key, a test sign-in.
						"ca_excluded": "fail", "phishing_resistant_method": "fail", "recent_test_sign_in": "fail",
						// What the tenant decides outside this configuration: TestAccPosture_methodsAndUnits flips them.
						"method_policy_allows": "fail", "restricted_management": "fail",
						"phishing_resistant_only": "pass", "pending_managed_policies": "pass",
					}),
					resource.TestCheckResourceAttr(this, "passed", "false"),
					resource.TestCheckResourceAttr(this, "failed_check_ids.#", "5"),
					resource.TestCheckResourceAttr(this, "failed_check_ids.0", "ca_excluded"),
					resource.TestCheckResourceAttr(this, "failed_check_ids.1", "phishing_resistant_method"),
					resource.TestCheckResourceAttr(this, "failed_check_ids.2", "recent_test_sign_in"),
					resource.TestCheckResourceAttr(this, "failed_check_ids.3", "method_policy_allows"),
					resource.TestCheckResourceAttr(this, "failed_check_ids.4", "restricted_management"),
					detail(this, "method_policy_allows", `FIDO2 not among its includeTargets; X.509 certificate disabled`),
					resource.TestCheckResourceAttr(this, "test_interval_days", "180"),
					resource.TestCheckResourceAttr(this, "max_global_admins", "4"),
					resource.TestCheckResourceAttr(this, "global_administrator_count", "3"),
					detail(this, "ca_excluded", `Block risky sign-ins `+name+`.*\(`+groupPolicy+`\) does not exclude`),
					detail(this, "ca_excluded", `allowed to apply: "Require phishing-resistant MFA for admins"`),
					detail(this, "phishing_resistant_method", `no FIDO2 security key or passkey and no certificateUserIds`),
					detail(this, "recent_test_sign_in", `no sign-in recorded`),
					detail(this, "sign_in_alert", `by `+name+`.*\(\d+ rules in /subscriptions/`),
					resource.TestCheckResourceAttr(this, "accounts.#", "2"),
					resource.TestCheckResourceAttrPair(this, "accounts.0.id", "breakglass_account.primary", "id"),
					resource.TestCheckResourceAttr(this, "accounts.0.found", "true"),
					resource.TestCheckResourceAttr(this, "accounts.0.permanent_global_admin", "true"),
					resource.TestCheckResourceAttr(this, "accounts.0.fido2_method_count", "0"),
					resource.TestCheckResourceAttr(this, "accounts.0.blocking_policy_ids.#", "1"),
					resource.TestCheckResourceAttr(this, "accounts.0.blocking_policy_ids.0", groupPolicy),
					resource.TestCheckResourceAttr(this, "accounts.1.watching_alert_rule_ids.#", "1"),
					resource.TestCheckNoResourceAttr(this, "accounts.1.last_successful_sign_in"),
					statuses(strict, map[string]string{"global_admin_count": "fail", "sign_in_alert": "pass"}),
					detail(strict, "global_admin_count", `3 principal\(s\) hold Global Administrator .*\(limit 2\)`),
					detail(strict, "sign_in_alert", `rules in /subscriptions/[^ ]+/resourceGroups/`+rg),
				),
			},
			{
				// People do their part: the other team adds the accounts to its exclusion group, each account gets a
				// FIDO2 key, and an administrator tests both accounts.
				PreConfig: func() {
					if _, err := sim.AddGroup(tenantsim.Group{ID: groupID, DisplayName: "CA exclusions - emergency " + name,
						SecurityEnabled: true, Members: ids[:]}); err != nil {
						t.Fatal(err)
					}
					for i := range ids {
						if _, err := sim.AddFIDO2Method(ids[i], tenantsim.FIDO2Method{DisplayName: "YubiKey 5 NFC", AAGUID: "2fc0579f-8113-47ea-b116-bb5a8db9202a"}); err != nil {
							t.Fatal(err)
						}
						if err := acctest.SignIn(t, upns[i], passwords[i]); err != nil {
							t.Fatal(err)
						}
					}
				},
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					// Only the tenant's methods policy and administrative units are left.
					resource.TestCheckResourceAttr(this, "passed", "false"),
					resource.TestCheckResourceAttr(this, "failed_check_ids.#", "2"),
					resource.TestCheckResourceAttr(this, "failed_check_ids.0", "method_policy_allows"),
					resource.TestCheckResourceAttr(this, "warning_check_ids.#", "0"),
					resource.TestCheckResourceAttr(this, "unknown_check_ids.#", "0"),
					statuses(this, map[string]string{"ca_excluded": "pass", "phishing_resistant_method": "pass", "recent_test_sign_in": "pass"}),
					detail(this, "ca_excluded", `excluded through a group in "Block risky sign-ins `+name),
					detail(this, "phishing_resistant_method", `1 FIDO2 key\(s\)`),
					resource.TestCheckResourceAttr(this, "accounts.0.fido2_method_count", "1"),
					resource.TestCheckResourceAttr(this, "accounts.0.blocking_policy_ids.#", "0"),
					resource.TestCheckResourceAttrSet(this, "accounts.0.last_successful_sign_in"),
					resource.TestCheckResourceAttrSet(this, "accounts.1.last_sign_in"),
					resource.TestCheckResourceAttr(strict, "passed", "false"),
					resource.TestCheckResourceAttr(strict, "failed_check_ids.#", "3"),
					resource.TestCheckResourceAttr(strict, "failed_check_ids.0", "global_admin_count"),
				),
			},
		},
	})
}

// TestAccPosture_failing reads accounts that break every recommendation: the default tenant's fixture users (an
// on-premises synced administrator, a licensed user, a disabled user), none excluded, keyed, tested or watched
// except by another team's rule without notification.
func TestAccPosture_failing(t *testing.T) {
	acctest.Sim(t) // the fixture users exist only in the simulated tenant
	workspace, rg, location := acctest.Monitoring(t)
	c := acctest.Client(t)

	// Another team's log search alert names the licensed user's UPN; breakglass_alert did not write it.
	ruleID := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Insights/scheduledQueryRules/soc-%s",
		c.SubscriptionID, rg, uuid.NewString()[:8])
	putRule(t, c, ruleID, location, workspace, `SigninLogs | where UserPrincipalName =~ "megan.bowen@contoso.com"`)

	const bad, one = "data.breakglass_posture.bad", "data.breakglass_posture.one"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "breakglass_posture" "bad" {
  account_ids               = [%q, %q, %q]
  alert_resource_group_name = %q
  test_interval_days        = 90
}

data "breakglass_posture" "one" {
  account_ids = [%[3]q, %[3]q]
}
`, tenantsim.FixtureSyncedAdminID, tenantsim.FixtureLicensedUserID, tenantsim.FixtureDisabledUserID, rg),
			Check: resource.ComposeAggregateTestCheckFunc(
				statuses(bad, map[string]string{
					"account_count": "pass", "enabled": "fail", "cloud_only": "fail", "initial_domain": "fail", "unlicensed": "fail",
					"neutral_names": "warn", "permanent_global_admin": "fail", "ca_excluded": "fail", "phishing_resistant_method": "fail",
					"sign_in_alert": "fail", "recent_test_sign_in": "fail", "global_admin_count": "pass",
				}),
				resource.TestCheckResourceAttr(bad, "passed", "false"),
				resource.TestCheckResourceAttr(bad, "failed_check_ids.#", "11"),
				resource.TestCheckResourceAttr(bad, "check_statuses.phishing_resistant_only", "pass"),
				resource.TestCheckResourceAttr(bad, "check_statuses.restricted_management", "fail"),
				resource.TestCheckResourceAttr(bad, "warning_check_ids.0", "neutral_names"),
				resource.TestCheckResourceAttr(bad, "test_interval_days", "90"),
				detail(bad, "enabled", `^diego.siciliani@contoso.com: disabled`),
				detail(bad, "cloud_only", `^alex.wilber@contoso.com: synced from on-premises`),
				detail(bad, "initial_domain", `on contoso.com, not the initial domain contoso.onmicrosoft.com`),
				detail(bad, "unlicensed", `^megan.bowen@contoso.com: holds 1 license`),
				detail(bad, "neutral_names", `alex.wilber@contoso.com: display name "Alex Wilber \(admin\)"`),
				detail(bad, "permanent_global_admin", `^megan.bowen@contoso.com, diego.siciliani@contoso.com: does not hold Global Administrator`),
				detail(bad, "ca_excluded", `"Require MFA for all users" \(`+tenantsim.FixtureCAPolicyRequireMFAID+`\) does not exclude`),
				detail(bad, "sign_in_alert", `alex.wilber@contoso.com, diego.siciliani@contoso.com: no scheduled query rule`),
				detail(bad, "recent_test_sign_in", `diego.siciliani@contoso.com: no sign-in recorded`),
				// The synced administrator holds Global Administrator outside PIM, permanently: that check passes for it.
				resource.TestCheckResourceAttr(bad, "accounts.0.permanent_global_admin", "true"),
				resource.TestCheckResourceAttr(bad, "accounts.0.on_premises_sync_enabled", "true"),
				resource.TestCheckResourceAttr(bad, "accounts.1.assigned_license_count", "1"),
				resource.TestCheckResourceAttr(bad, "accounts.1.watching_alert_rule_ids.#", "1"),
				resource.TestCheckResourceAttr(bad, "accounts.1.watching_alert_rule_ids.0", ruleID),
				resource.TestCheckResourceAttr(bad, "accounts.2.account_enabled", "false"),
				// Repeated ids count once.
				resource.TestCheckResourceAttr(one, "check_statuses.account_count", "fail"),
				resource.TestCheckResourceAttr(one, "accounts.#", "1"),
				detail(one, "account_count", `^1 accounts found; Microsoft recommends two or more`),
			),
		}},
	})
}

// TestAccPosture_missingPermissions reads with an identity lacking the permissions of several checks: those are
// unknown and name what to grant, the others still run, and the read succeeds.
func TestAccPosture_missingPermissions(t *testing.T) {
	sim := acctest.Sim(t)
	clientID, secret := uuid.NewString(), "limited-"+uuid.NewString()
	err := sim.RegisterApp(tenantsim.App{ClientID: clientID, DisplayName: "posture reader without audit rights", Secret: secret,
		Roles: []string{"User.Read.All", "Domain.Read.All", "Policy.Read.All"}})
	if err != nil {
		t.Fatal(err)
	}
	config := acctest.ProviderConfig(sim, clientID, secret, "") + fmt.Sprintf(`
data "breakglass_posture" "limited" {
  account_ids = [%q, %q]
}
`, tenantsim.FixtureSyncedAdminID, tenantsim.FixtureLicensedUserID)
	const limited = "data.breakglass_posture.limited"
	common := resource.ComposeAggregateTestCheckFunc(
		statuses(limited, map[string]string{
			"account_count": "pass", "enabled": "pass", "cloud_only": "fail", "unlicensed": "fail", "ca_excluded": "fail",
			"permanent_global_admin": "unknown", "global_admin_count": "unknown", "phishing_resistant_method": "unknown",
			"recent_test_sign_in": "unknown", "sign_in_alert": "unknown",
		}),
		detail(limited, "recent_test_sign_in", `^Not evaluated: reading the accounts' signInActivity was refused: grant .* AuditLog.Read.All; the tenant needs Microsoft Entra ID P1`),
		detail(limited, "phishing_resistant_method", `UserAuthenticationMethod.Read.All`),
		detail(limited, "permanent_global_admin", `RoleAssignmentSchedule.Read.Directory \(or RoleManagement.Read.Directory\)`),
		resource.TestCheckNoResourceAttr(limited, "global_administrator_count"),
		resource.TestCheckNoResourceAttr(limited, "accounts.0.permanent_global_admin"),
		resource.TestCheckNoResourceAttr(limited, "accounts.0.last_sign_in"),
		resource.TestCheckResourceAttr(limited, "accounts.0.found", "true"),
		// unknown does not fail: only cloud_only, unlicensed, ca_excluded and initial_domain do.
		resource.TestCheckResourceAttr(limited, "failed_check_ids.#", "4"),
		resource.TestCheckResourceAttr(limited, "unknown_check_ids.#", "8"),
		detail(limited, "phishing_resistant_only", `UserAuthenticationMethod.Read.All`),
		detail(limited, "method_policy_allows", `Policy.Read.AuthenticationMethod`),
		detail(limited, "restricted_management", `Directory.Read.All`),
		resource.TestCheckResourceAttr(limited, "check_statuses.pending_managed_policies", "warn"),
	)
	t.Run("no Azure role", func(t *testing.T) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
			Steps: []resource.TestStep{{Config: config, Check: resource.ComposeAggregateTestCheckFunc(common,
				detail(limited, "sign_in_alert", `Monitoring Reader \(or Reader\)`))}},
		})
	})
	t.Run("no subscription", func(t *testing.T) {
		t.Setenv("ARM_SUBSCRIPTION_ID", "")
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
			Steps: []resource.TestStep{{Config: config, Check: resource.ComposeAggregateTestCheckFunc(common,
				detail(limited, "sign_in_alert", `no subscription is configured`))}},
		})
	})
}

// putRule writes a scheduled query rule the way another team's tooling would, and deletes it after the test.
func putRule(t *testing.T, c *clients.Client, id, location, workspace, query string) {
	t.Helper()
	body := map[string]any{
		"location": location, "kind": "LogAlert",
		"properties": map[string]any{
			"displayName": "SOC: watched account signs in", "severity": 1, "enabled": true, "scopes": []string{workspace},
			"evaluationFrequency": "PT5M", "windowSize": "PT5M", "skipQueryValidation": true, "autoMitigate": false,
			"criteria": map[string]any{"allOf": []any{map[string]any{
				"query": query, "timeAggregation": "Count", "operator": "GreaterThan", "threshold": 0,
				"failingPeriods": map[string]any{"numberOfEvaluationPeriods": 1, "minFailingPeriodsToAlert": 1},
			}}},
		},
	}
	if err := c.ARMDo(context.Background(), http.MethodPut, id, clients.APIVersionScheduledQueryRules, body, nil); err != nil {
		t.Fatalf("creating %s: %v", id, err)
	}
	t.Cleanup(func() {
		_ = c.ARMDo(context.Background(), http.MethodDelete, id, clients.APIVersionScheduledQueryRules, nil, nil)
	})
}

// TestAccPosture_methodsAndUnits follows two accounts the tenant set up well (two device-bound keys each, FIDO2
// targeting them through a group, a restricted management unit) as things go wrong: a phone method is registered,
// a key is removed, an account leaves the unit, Microsoft adds a managed policy; then a passkey profile admits only
// device-bound keys and a synced one does not count.
func TestAccPosture_methodsAndUnits(t *testing.T) {
	sim := acctest.Sim(t) // the methods, units and policies are planted through the simulator
	name := "pst" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	ids := []string{uuid.NewString(), uuid.NewString()}
	var users []map[string]any
	for i, id := range ids {
		nick := fmt.Sprintf("%s%d", name, i)
		users = append(users, map[string]any{"id": id, "displayName": "Cloud Ops " + nick, "userPrincipalName": nick + "@contoso.onmicrosoft.com",
			"mailNickname": nick, "accountEnabled": true, "password": tenantsim.GeneratedUserPassword})
	}
	if err := sim.AddUsers(users); err != nil {
		t.Fatal(err)
	}
	groupID, err := sim.AddGroup(tenantsim.Group{DisplayName: "Passkeys - emergency " + name, SecurityEnabled: true, Members: ids})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string][]string{}
	for _, id := range ids {
		for range 2 {
			key, err := sim.AddFIDO2Method(id, tenantsim.FIDO2Method{DisplayName: "YubiKey 5 NFC", AAGUID: "2fc0579f-8113-47ea-b116-bb5a8db9202a"})
			if err != nil {
				t.Fatal(err)
			}
			keys[id] = append(keys[id], key)
		}
	}
	unit, err := sim.AddAdministrativeUnit(tenantsim.AdministrativeUnit{DisplayName: "Emergency " + name, Restricted: true, Members: ids})
	if err != nil {
		t.Fatal(err)
	}
	// The Fido2 configuration is the tenant's: add this test's group to its targets and put them back afterwards.
	fido2, _ := sim.AuthMethodConfig("Fido2")
	original := fido2["includeTargets"].([]any)
	target := map[string]any{"targetType": "group", "id": groupID, "isRegistrationRequired": false, "allowedPasskeyProfiles": []any{}}
	if err := sim.SetAuthMethodConfigFields("Fido2", map[string]any{"includeTargets": append(slices.Clone(original), target)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = sim.SetAuthMethodConfigFields("Fido2", map[string]any{"includeTargets": original, "passkeyProfiles": []any{}, "defaultPasskeyProfile": nil})
	})
	acctest.WaitOutReplication() // the policy is read as another administrator's write would be: after replication

	config := fmt.Sprintf(`
data "breakglass_posture" "this" {
  account_ids        = [%q, %q]
  allowed_policy_ids = [%q, %q]
}
`, ids[0], ids[1], tenantsim.FixtureCAPolicyAdminMFAReportOnlyID, tenantsim.FixtureCAPolicyMicrosoftManagedAdminMFAID)
	const this = "data.breakglass_posture.this"
	upn := func(i int) string { return users[i]["userPrincipalName"].(string) }
	var managed string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					statuses(this, map[string]string{"phishing_resistant_only": "pass", "method_policy_allows": "pass",
						"restricted_management": "pass", "pending_managed_policies": "pass"}),
					detail(this, "method_policy_allows", upn(0)+`: FIDO2, 2 keys; `+upn(1)+`: FIDO2, 2 keys\.$`),
				),
			},
			{
				PreConfig: func() {
					if _, err := sim.AddAuthMethod(ids[0], tenantsim.AuthMethod{Type: "phoneAuthenticationMethod",
						Properties: map[string]any{"phoneNumber": "+1 2065550100", "phoneType": "mobile"}}); err != nil {
						t.Fatal(err)
					}
					if err := sim.RemoveAuthMethod(ids[1], keys[ids[1]][0]); err != nil {
						t.Fatal(err)
					}
					if err := sim.RemoveAdministrativeUnitMember(unit, ids[0]); err != nil {
						t.Fatal(err)
					}
					managed, err = sim.AddMicrosoftManagedCAPolicy(map[string]any{
						"displayName": "Block device code flow", "state": "enabledForReportingButNotEnforced",
						"conditions": map[string]any{
							"users":        map[string]any{"includeUsers": []any{"All"}, "excludeUsers": []any{ids[1]}},
							"applications": map[string]any{"includeApplications": []any{"All"}}, "clientAppTypes": []any{"all"},
						},
						"grantControls": map[string]any{"operator": "OR", "builtInControls": []any{"block"}},
					})
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { _ = sim.SetCAPolicyFields(managed, map[string]any{"state": "disabled"}) })
				},
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					statuses(this, map[string]string{"phishing_resistant_only": "fail", "method_policy_allows": "fail",
						"restricted_management": "fail", "pending_managed_policies": "warn"}),
					detail(this, "phishing_resistant_only", `^`+upn(0)+`: has phone \(SMS or voice\)\. .*DELETE /users/`),
					detail(this, "method_policy_allows", `^`+upn(1)+`: FIDO2 is enabled for it but 1 usable key\(s\) are registered \(two or more needed\); X.509 certificate disabled\.`),
					detail(this, "restricted_management", `^`+upn(0)+`: in no restricted management administrative unit\.`),
					detail(this, "pending_managed_policies", `^Microsoft-managed policies in report-only.*"Block device code flow" \(.+\) does not exclude `+upn(0)+
						` \(Microsoft turns it on: earliest `+time.Now().Add(45*24*time.Hour).UTC().Format(time.DateOnly)),
				),
			},
			{
				// The tenant moves to passkey profiles: the group may use device-bound keys only, so a synced passkey
				// registered as the second key does not count.
				PreConfig: func() {
					if _, err := sim.AddFIDO2Method(ids[1], tenantsim.FIDO2Method{DisplayName: "iCloud Keychain", PasskeyType: "synced"}); err != nil {
						t.Fatal(err)
					}
					profiles := []any{
						map[string]any{"id": "00000000-0000-0000-0000-000000000001", "name": "Default passkey profile", "passkeyTypes": "deviceBound,synced",
							"attestationEnforcement": "disabled", "keyRestrictions": map[string]any{"isEnforced": false, "enforcementType": "allow", "aaGuids": []any{}}},
						map[string]any{"id": "6b0c2a6e-3c1d-4f7e-9a8b-0c1d2e3f4a5b", "name": "Emergency keys", "passkeyTypes": "deviceBound",
							"attestationEnforcement": "registrationOnly", "keyRestrictions": map[string]any{"isEnforced": false, "enforcementType": "allow", "aaGuids": []any{}}},
					}
					scoped := maps.Clone(target)
					scoped["allowedPasskeyProfiles"] = []any{"6b0c2a6e-3c1d-4f7e-9a8b-0c1d2e3f4a5b"}
					if err := sim.SetAuthMethodConfigFields("Fido2", map[string]any{"passkeyProfiles": profiles,
						"defaultPasskeyProfile": "00000000-0000-0000-0000-000000000001", "includeTargets": append(slices.Clone(original), scoped)}); err != nil {
						t.Fatal(err)
					}
					acctest.WaitOutReplication()
				},
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(this, "check_statuses.method_policy_allows", "fail"),
					detail(this, "method_policy_allows", `^`+upn(1)+`: FIDO2 is enabled for it but 1 usable key\(s\) are registered \(two or more needed\), and 1 key\(s\) of a passkey type its passkey profile\(s\) "Emergency keys" do not allow \(only deviceBound\)`),
				),
			},
			{
				// The emergency profile now allows one key model only, which is not the one the first account
				// registered: its keys stay registered but can no longer sign in.
				PreConfig: func() {
					fido2, _ := sim.AuthMethodConfig("Fido2")
					profiles := slices.Clone(fido2["passkeyProfiles"].([]any))
					emergency := maps.Clone(profiles[1].(map[string]any))
					emergency["keyRestrictions"] = map[string]any{"isEnforced": true, "enforcementType": "allow", "aaGuids": []any{"833b721a-ff5f-4d00-bb2e-bdda3ec01e29"}}
					profiles[1] = emergency
					if err := sim.SetAuthMethodConfigFields("Fido2", map[string]any{"passkeyProfiles": profiles}); err != nil {
						t.Fatal(err)
					}
					acctest.WaitOutReplication()
				},
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(this, "check_statuses.method_policy_allows", "fail"),
					detail(this, "method_policy_allows", `^`+upn(0)+`: FIDO2 is enabled for it but 0 usable key\(s\) are registered \(two or more needed\), and 2 key\(s\) the FIDO2 key restrictions do not allow \(AAGUID 2fc0579f-8113-47ea-b116-bb5a8db9202a\): they can no longer sign in`),
				),
			},
		},
	})
}
