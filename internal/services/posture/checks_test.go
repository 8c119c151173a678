package posture

import (
	"strings"
	"testing"
	"time"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/alert"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/rolemanagement"
)

// Unit tests of the pure checks: facts in, verdicts out. No tenant, no TF_ACC.

const (
	idA   = "11111111-1111-1111-1111-111111111111"
	idB   = "22222222-2222-2222-2222-222222222222"
	idC   = "33333333-3333-3333-3333-333333333333"
	group = "44444444-4444-4444-4444-444444444444"
	other = "55555555-5555-5555-5555-555555555555"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func ago(days int) *time.Time {
	t := now.Add(-time.Duration(days) * 24 * time.Hour)
	return &t
}

// healthy returns the facts of a tenant where every check passes.
func healthy() *facts {
	mk := func(id, upn string) userFacts {
		return userFacts{ID: id, Found: true, DisplayName: "Cloud Ops " + upn[:3], UserPrincipalName: upn + "@contoso.onmicrosoft.com",
			MailNickname: upn, Enabled: true, LastSuccessfulSignIn: ago(10), LastSignIn: ago(10)}
	}
	return &facts{
		Now:           now,
		Accounts:      []userFacts{mk(idA, "ops7k2m"), mk(idB, "ops9q4x")},
		InitialDomain: "contoso.onmicrosoft.com",
		GlobalAdmins: []roleInstance{
			{PrincipalID: idA, Scope: "/", MemberType: "Direct"},
			{PrincipalID: strings.ToUpper(idB), Scope: "/"},
			{PrincipalID: other, Scope: "/", MemberType: "Direct"},
		},
		Policies: []caPolicy{
			{ID: "p-mfa", DisplayName: "Require MFA", State: policyEnabled, IncludeUsers: []string{"All"}, ExcludeUsers: []string{idA, idB}, GrantControls: []string{"mfa"}},
			{ID: "p-session", DisplayName: "Session only", State: policyEnabled, IncludeUsers: []string{"All"}},
			{ID: "p-off", DisplayName: "Disabled block", State: "disabled", IncludeUsers: []string{"All"}, GrantControls: []string{"block"}},
			{ID: "p-other", DisplayName: "Someone else", State: policyEnabled, IncludeUsers: []string{other}, GrantControls: []string{"block"}},
			{ID: "p-wid", DisplayName: "Workload identities", State: policyEnabled, WorkloadIdentities: true, GrantControls: []string{"block"}},
		},
		GroupMembers: map[string]map[string]bool{},
		FIDO2:        map[string]int{idA: 2, idB: 2},
		Methods: map[string][]authMethod{
			idA: {{Type: "passwordAuthenticationMethod"}, {Type: fido2Type, PasskeyType: "deviceBound"}, {Type: fido2Type, PasskeyType: "deviceBound"}},
			idB: {{Type: fido2Type, PasskeyType: "deviceBound"}, {Type: fido2Type}, {Type: "windowsHelloForBusinessAuthenticationMethod"}},
		},
		MemberOf: map[string]memberships{
			idA: {Groups: []string{group}, Units: []adminUnit{{ID: "au-1", Name: "Emergency", Restricted: new(true)}}},
			idB: {Groups: []string{group}, Units: []adminUnit{{ID: "au-2", Name: "Region", Restricted: new(false)}, {ID: "au-1", Name: "Emergency", Restricted: new(true)}}},
		},
		MethodPolicy: &methodPolicy{
			FIDO2: methodConfig{Found: true, Enabled: true, Include: []methodTarget{{ID: group}}, Exclude: []string{other}},
			X509:  methodConfig{Found: true, Include: []methodTarget{{ID: "all_users"}}},
		},
		Rules: []alertRule{{ID: "/r/1", Name: "bg-sign-in", Enabled: true, ActionGroups: 1,
			Query: `// breakglass_alert {"accounts":[{"object_id":"` + idA + `","user_principal_name":"x"},{"object_id":"` + idB + `","user_principal_name":"y"}],"sign_in_result":"any"}` + "\nSigninLogs"}},
		RulesScope: "/subscriptions/s",
	}
}

const fido2Type = "fido2AuthenticationMethod"

var defaultInput = Input{TestIntervalDays: 180, MaxGlobalAdmins: 4}

func byID(checks []Check) map[string]Check {
	out := map[string]Check{}
	for _, c := range checks {
		out[c.ID] = c
	}
	return out
}

func expect(t *testing.T, c Check, status string, detailParts ...string) {
	t.Helper()
	if c.Status != status {
		t.Errorf("%s: status %q, want %q (detail: %s)", c.ID, c.Status, status, c.Detail)
	}
	for _, part := range detailParts {
		if !strings.Contains(c.Detail, part) {
			t.Errorf("%s: detail %q does not mention %q", c.ID, c.Detail, part)
		}
	}
}

func TestEvaluate_allPass(t *testing.T) {
	checks := evaluate(healthy(), defaultInput)
	if len(checks) != 16 {
		t.Fatalf("got %d checks, want 16", len(checks))
	}
	for _, c := range checks {
		if c.Status != StatusPass {
			t.Errorf("%s: %s: %s", c.ID, c.Status, c.Detail)
		}
		if c.Title == "" {
			t.Errorf("%s has no title", c.ID)
		}
	}
	r := Report{Checks: checks}
	if !r.Passed() || len(r.IDsWith(StatusFail)) != 0 {
		t.Errorf("Passed() = %v, failed %v", r.Passed(), r.IDsWith(StatusFail))
	}
}

func TestCheckAccountCount(t *testing.T) {
	f := healthy()
	f.Accounts = f.Accounts[:1]
	expect(t, checkAccountCount(f), StatusFail, "1 accounts found", "two or more")

	f = healthy()
	for _, id := range []string{idC, other, group} {
		f.Accounts = append(f.Accounts, userFacts{ID: id, Found: true})
	}
	expect(t, checkAccountCount(f), StatusFail, "5 accounts found", "more than 4")

	f = healthy()
	f.Accounts = append(f.Accounts, userFacts{ID: idC})
	expect(t, checkAccountCount(f), StatusPass, "2 accounts found", "1 of 3 ids do not exist: "+idC)

	f = healthy()
	f.UsersGap = "no User.Read.All"
	expect(t, checkAccountCount(f), StatusPass, "2 account ids given")
}

func TestPerAccountChecks(t *testing.T) {
	f := healthy()
	f.Accounts[0].Enabled = false
	f.Accounts[0].Synced = true
	f.Accounts[0].Licenses = 2
	f.Accounts[1].UserPrincipalName = "ops9q4x@contoso.com"
	checks := byID(evaluate(f, defaultInput))
	expect(t, checks[CheckEnabled], StatusFail, "ops7k2m@contoso.onmicrosoft.com: disabled")
	expect(t, checks[CheckCloudOnly], StatusFail, "synced from on-premises")
	expect(t, checks[CheckUnlicensed], StatusFail, "holds 2 license(s)")
	expect(t, checks[CheckInitialDomain], StatusFail, "ops9q4x@contoso.com: on contoso.com, not the initial domain contoso.onmicrosoft.com")

	f = healthy()
	f.Accounts = append(f.Accounts, userFacts{ID: idC})
	expect(t, checkEnabled(f), StatusFail, idC+": not found in the directory")

	f = healthy()
	f.UsersGap = "reading the accounts was refused: grant User.Read.All"
	for _, c := range []Check{checkEnabled(f), checkCloudOnly(f), checkUnlicensed(f), checkInitialDomain(f), checkNeutralNames(f)} {
		expect(t, c, StatusUnknown, "Not evaluated: reading the accounts was refused: grant User.Read.All.")
	}

	f = healthy()
	f.DomainsGap = "no Domain.Read.All"
	expect(t, checkInitialDomain(f), StatusUnknown, "no Domain.Read.All")
}

func TestCheckNeutralNames(t *testing.T) {
	f := healthy()
	f.Accounts[0].DisplayName = "Break Glass 1"
	f.Accounts[1].UserPrincipalName = "emergency2@contoso.onmicrosoft.com"
	expect(t, checkNeutralNames(f), StatusWarn, `display name "Break Glass 1"`, `user name "emergency2"`, "neutral names")

	// The tenant's domain is not the account's choice: contosoadmin.onmicrosoft.com does not count.
	f = healthy()
	f.Accounts[0].UserPrincipalName = "ops7k2m@contosoadmin.onmicrosoft.com"
	expect(t, checkNeutralNames(f), StatusPass)
}

func TestCheckPermanentGlobalAdmin(t *testing.T) {
	end := now.Add(8 * time.Hour)
	cases := []struct {
		name      string
		instances []roleInstance
		status    string
		detail    string
	}{
		{"permanent", []roleInstance{{PrincipalID: idA, Scope: "/"}}, StatusPass, ""},
		{"time-bound", []roleInstance{{PrincipalID: idA, Scope: "/", End: &end}}, StatusFail, "only until"},
		{"through a group", []roleInstance{{PrincipalID: idA, Scope: "/", MemberType: "Group"}}, StatusFail, "through a group"},
		{"scoped", []roleInstance{{PrincipalID: idA, Scope: "/administrativeUnits/x"}}, StatusFail, "only at scope"},
		{"none", nil, StatusFail, "does not hold Global Administrator"},
		{"one good one bad", []roleInstance{{PrincipalID: idA, Scope: "/", End: &end}, {PrincipalID: idA, Scope: "/"}}, StatusPass, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := healthy()
			f.Accounts = f.Accounts[:1]
			f.GlobalAdmins = tc.instances
			expect(t, checkPermanentGlobalAdmin(f), tc.status, tc.detail)
		})
	}
	f := healthy()
	f.GlobalAdminGap = "refused"
	expect(t, checkPermanentGlobalAdmin(f), StatusUnknown, "refused")
	expect(t, checkGlobalAdminCount(f, 4), StatusUnknown, "refused")

	// Without the users, the role check still runs on the ids.
	f = healthy()
	f.UsersGap = "no users"
	expect(t, checkPermanentGlobalAdmin(f), StatusPass)

	f = healthy()
	f.GlobalAdminNote = "read from roleAssignments"
	expect(t, checkPermanentGlobalAdmin(f), StatusPass, "(read from roleAssignments)")
}

func TestCheckCAExcluded(t *testing.T) {
	block := caPolicy{ID: "p-block", DisplayName: "Block legacy", State: policyEnabled, IncludeUsers: []string{"All"}, GrantControls: []string{"block"}}
	strength := caPolicy{ID: "p-strength", DisplayName: "Phishing-resistant", State: policyEnabled, IncludeRoles: []string{rolemanagement.GlobalAdministratorRoleID}, AuthenticationStrength: true}
	reportOnly := caPolicy{ID: "p-ro", DisplayName: "Admins MFA", State: policyReportOnly, IncludeUsers: []string{"All"}, GrantControls: []string{"mfa"}}

	f := healthy()
	f.Policies = append(f.Policies, block)
	expect(t, checkCAExcluded(f, nil), StatusFail, `"Block legacy" (p-block) does not exclude ops7k2m@contoso.onmicrosoft.com, ops9q4x@contoso.onmicrosoft.com`)

	f = healthy()
	f.Policies = append(f.Policies, strength)
	expect(t, checkCAExcluded(f, nil), StatusFail, "p-strength")
	expect(t, checkCAExcluded(f, []string{"P-STRENGTH"}), StatusPass, `allowed to apply: "Phishing-resistant" (p-strength)`)
	expect(t, checkCAExcluded(f, []string{"p-strength", "nope"}), StatusPass, "allowed_policy_ids names nope, which is not a policy")

	f = healthy()
	f.Policies = append(f.Policies, reportOnly)
	expect(t, checkCAExcluded(f, nil), StatusWarn, "Report-only policies", "p-ro")

	f = healthy()
	f.Policies = append(f.Policies, reportOnly, block)
	expect(t, checkCAExcluded(f, nil), StatusFail, "Enabled policies", "Report-only: ")

	// Excluded through a group, or through the Global Administrator role the account holds permanently.
	f = healthy()
	viaGroup := block
	viaGroup.ExcludeGroups = []string{group}
	viaGroup.ExcludeRoles = []string{rolemanagement.GlobalAdministratorRoleID}
	f.Policies = append(f.Policies, viaGroup)
	f.GroupMembers = map[string]map[string]bool{group: {idA: true}}
	expect(t, checkCAExcluded(f, nil), StatusPass, "excluded through a group in", "excluded through the Global Administrator role in")
	f.GlobalAdmins = f.GlobalAdmins[:1] // idB no longer a Global Administrator: the role exclusion no longer covers it
	expect(t, checkCAExcluded(f, nil), StatusFail, "does not exclude ops9q4x")

	// Unreadable groups: unknown rather than fail.
	f = healthy()
	onlyGroup := block
	onlyGroup.ExcludeGroups = []string{group}
	f.Policies = append(f.Policies, onlyGroup)
	f.GroupsGap = "no GroupMember.Read.All"
	expect(t, checkCAExcluded(f, nil), StatusUnknown, "no GroupMember.Read.All")

	f = healthy()
	f.PoliciesGap = "no Policy.Read.All"
	expect(t, checkCAExcluded(f, nil), StatusUnknown, "no Policy.Read.All")

	// Without the users, exclusions are still checked by object id.
	f = healthy()
	f.UsersGap = "no users"
	f.Policies = append(f.Policies, block)
	expect(t, checkCAExcluded(f, nil), StatusFail, "does not exclude "+idA)
}

func TestPolicyScope(t *testing.T) {
	p := caPolicy{IncludeUsers: []string{"None"}}
	if p.mayApplyTo(idA) {
		t.Error("includeUsers None applies")
	}
	for _, p := range []caPolicy{{IncludeUsers: []string{"all"}}, {IncludeUsers: []string{idA}}, {IncludeGroups: []string{group}}, {IncludeRoles: []string{"r"}}} {
		if !p.mayApplyTo(idA) {
			t.Errorf("%+v does not apply", p)
		}
	}
	if (caPolicy{IncludeUsers: []string{"All"}}).couldBlock() {
		t.Error("a policy without grant controls could block")
	}
	if !(caPolicy{CustomFactorsOrTermsOU: true}).couldBlock() || !(caPolicy{GrantControls: []string{"compliantDevice"}}).couldBlock() {
		t.Error("terms of use or compliant device do not block")
	}
}

func TestCheckPhishingResistantMethod(t *testing.T) {
	f := healthy()
	f.FIDO2 = map[string]int{idA: 1}
	expect(t, checkPhishingResistantMethod(f), StatusFail, "ops9q4x@contoso.onmicrosoft.com: no FIDO2")
	f.Accounts[1].CertificateUserIDs = 1
	expect(t, checkPhishingResistantMethod(f), StatusPass, "1 FIDO2 key(s)", "1 certificate user id(s)")

	// Without the users, FIDO2 keys still count; certificate user ids are unknown.
	f = healthy()
	f.UsersGap = "no User.Read.All"
	expect(t, checkPhishingResistantMethod(f), StatusPass, idA+": 2 FIDO2 key(s)")
	f.FIDO2[idB] = 0
	expect(t, checkPhishingResistantMethod(f), StatusUnknown, "no FIDO2 key is registered for "+idB, "no User.Read.All")
	f.FIDO2Gap = "no UserAuthenticationMethod.Read.All"
	expect(t, checkPhishingResistantMethod(f), StatusUnknown, "no User.Read.All")

	f = healthy()
	f.FIDO2Gap = "no UserAuthenticationMethod.Read.All"
	f.Accounts[0].CertificateUserIDs = 1
	expect(t, checkPhishingResistantMethod(f), StatusUnknown, "ops9q4x@contoso.onmicrosoft.com could not be read: no UserAuthenticationMethod.Read.All")
}

func TestCheckSignInAlert(t *testing.T) {
	foreign := alertRule{ID: "/r/2", Name: "soc-watch", Enabled: true, ActionGroups: 2,
		Query: "SigninLogs | where UserPrincipalName =~ \"OPS7K2M@contoso.onmicrosoft.com\" or UserId == \"" + idB + "\""}
	audit := alertRule{ID: "/r/3", Name: "changes", Enabled: true, ActionGroups: 1, Query: "AuditLogs | where TargetId in (\"" + idA + "\")"}

	f := healthy()
	f.Rules = []alertRule{foreign}
	expect(t, checkSignInAlert(f), StatusPass, "by soc-watch")

	f.Rules = []alertRule{audit}
	expect(t, checkSignInAlert(f), StatusFail, "no scheduled query rule on SigninLogs names it")

	f = healthy()
	f.Rules[0].Enabled = false
	expect(t, checkSignInAlert(f), StatusFail, "its rules are disabled: bg-sign-in")

	f = healthy()
	f.Rules[0].ActionGroups = 0
	expect(t, checkSignInAlert(f), StatusWarn, "nobody is notified")

	f = healthy()
	f.Rules[0].Query = strings.Replace(f.Rules[0].Query, `"any"`, `"failure"`, 1)
	expect(t, checkSignInAlert(f), StatusFail, "alerts on failed sign-ins only")

	f = healthy()
	f.RulesGap = "no subscription is configured"
	expect(t, checkSignInAlert(f), StatusUnknown, "no subscription is configured")

	f = healthy()
	f.RulesFail = "The resource group rg does not exist."
	expect(t, checkSignInAlert(f), StatusFail, "rg does not exist")
}

func TestParseAlertMetadata(t *testing.T) {
	if _, ok := alert.ParseMetadata("SigninLogs\n| take 1"); ok {
		t.Error("a query without the metadata line parsed")
	}
	if _, ok := alert.ParseMetadata("// breakglass_alert: changes (AuditLogs)\nAuditLogs"); ok {
		t.Error("the change rule's comment parsed as metadata")
	}
	meta, ok := alert.ParseMetadata(`// breakglass_alert {"accounts":[{"object_id":"a","user_principal_name":"u"}],"sign_in_result":"success"}` + "\nSigninLogs")
	if !ok || len(meta.Accounts) != 1 || meta.Accounts[0].ObjectID != "a" || meta.SignInResult != "success" {
		t.Errorf("got %+v, %v", meta, ok)
	}
}

func TestCheckRecentTestSignIn(t *testing.T) {
	f := healthy()
	f.Accounts[0].LastSuccessfulSignIn, f.Accounts[0].LastSignIn = ago(200), ago(1)
	f.Accounts[1].LastSuccessfulSignIn, f.Accounts[1].LastSignIn = nil, nil
	expect(t, checkRecentTestSignIn(f, 180), StatusFail, "200 days ago (more than 180)", "ops9q4x@contoso.onmicrosoft.com: no sign-in recorded")
	expect(t, checkRecentTestSignIn(healthy(), 5), StatusFail, "10 days ago (more than 5)")

	// Only lastSignInDateTime (older tenants, or a failed attempt): a warning, not a pass.
	f = healthy()
	f.Accounts[0].LastSuccessfulSignIn = nil
	expect(t, checkRecentTestSignIn(f, 180), StatusWarn, "no successful sign-in time")

	f = healthy()
	f.SignInGap = "reading signInActivity was refused: AuditLog.Read.All"
	expect(t, checkRecentTestSignIn(f, 180), StatusUnknown, "AuditLog.Read.All")
}

func TestCheckGlobalAdminCount(t *testing.T) {
	f := healthy()
	expect(t, checkGlobalAdminCount(f, 4), StatusPass, "3 principal(s)")
	expect(t, checkGlobalAdminCount(f, 2), StatusFail, "limit 2", "fewer than five")
	// A group counts once; its members (memberType Group) and duplicates not at all.
	f.GlobalAdmins = append(f.GlobalAdmins, roleInstance{PrincipalID: group, Scope: "/"}, roleInstance{PrincipalID: idC, Scope: "/", MemberType: "Group"},
		roleInstance{PrincipalID: strings.ToUpper(idA), Scope: "/"})
	if got := globalAdminPrincipals(f.GlobalAdmins); len(got) != 4 {
		t.Errorf("principals %v, want 4", got)
	}
}

func TestReport(t *testing.T) {
	r := Report{Checks: []Check{{ID: "a", Status: StatusWarn}, {ID: "b", Status: StatusUnknown}, {ID: "c", Status: StatusPass}}}
	if !r.Passed() {
		t.Error("warn and unknown failed the report")
	}
	r.Checks = append(r.Checks, Check{ID: "d", Status: StatusFail})
	if r.Passed() || strings.Join(r.IDsWith(StatusFail), ",") != "d" {
		t.Errorf("Passed() = %v, failed %v", r.Passed(), r.IDsWith(StatusFail))
	}
	if got := distinctFold([]string{idA, " " + strings.ToUpper(idA), "", idB}); len(got) != 2 || got[0] != idA {
		t.Errorf("distinctFold = %v", got)
	}
}
