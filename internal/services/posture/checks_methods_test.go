package posture

import (
	"strings"
	"testing"
	"time"
)

func TestCheckPhishingResistantOnly(t *testing.T) {
	expect(t, checkPhishingResistantOnly(healthy()), StatusPass, "None of the 2 accounts")

	f := healthy()
	f.Methods[idA] = append(f.Methods[idA], authMethod{Type: "phoneAuthenticationMethod"}, authMethod{Type: "microsoftAuthenticatorAuthenticationMethod"},
		authMethod{Type: "phoneAuthenticationMethod"})
	f.Methods[idB] = append(f.Methods[idB], authMethod{Type: "emailAuthenticationMethod"}, authMethod{Type: "softwareOathAuthenticationMethod"})
	expect(t, checkPhishingResistantOnly(f), StatusFail, "ops7k2m@contoso.onmicrosoft.com: has phone (SMS or voice), Microsoft Authenticator;",
		"ops9q4x@contoso.onmicrosoft.com: has email, software OATH token", "DELETE /users/{id}/authentication/")

	// A Temporary Access Pass is a leftover while usable or unexpired; an expired one is not.
	f = healthy()
	later, earlier := now.Add(time.Hour), now.Add(-time.Hour)
	f.Methods[idA] = append(f.Methods[idA], authMethod{Type: tapMethod, Ends: &later})
	f.Methods[idB] = append(f.Methods[idB], authMethod{Type: tapMethod, Ends: &earlier})
	expect(t, checkPhishingResistantOnly(f), StatusFail, "ops7k2m@contoso.onmicrosoft.com: has a Temporary Access Pass")
	f.Methods[idA][len(f.Methods[idA])-1] = authMethod{Type: tapMethod, Usable: true}
	expect(t, checkPhishingResistantOnly(f), StatusFail, "ops7k2m@contoso.onmicrosoft.com: has a Temporary Access Pass")
	f.Methods[idA] = f.Methods[idA][:len(f.Methods[idA])-1]
	expect(t, checkPhishingResistantOnly(f), StatusPass)

	f = healthy()
	f.MethodsGap = "reading the accounts' authentication methods was refused: grant UserAuthenticationMethod.Read.All"
	expect(t, checkPhishingResistantOnly(f), StatusUnknown, "UserAuthenticationMethod.Read.All")

	// Without the users, the methods are still checked by id.
	f = healthy()
	f.UsersGap = "no users"
	f.Methods[idB] = append(f.Methods[idB], authMethod{Type: "emailAuthenticationMethod"})
	expect(t, checkPhishingResistantOnly(f), StatusFail, idB+": has email")
}

// AAGUIDs of two authenticator models (FIDO Alliance metadata service): YubiKey 5 Series with NFC and a Feitian
// ePass FIDO2 key.
const (
	yubiKey = "2fc0579f-8113-47ea-b116-bb5a8db9202a"
	feitian = "833b721a-ff5f-4d00-bb2e-bdda3ec01e29"
)

func TestCheckMethodPolicyAllows(t *testing.T) {
	expect(t, checkMethodPolicyAllows(healthy()), StatusPass, "ops7k2m@contoso.onmicrosoft.com: FIDO2, 2 keys")

	cases := []struct {
		name   string
		change func(f *facts)
		status string
		detail []string
	}{
		{"FIDO2 disabled", func(f *facts) { f.MethodPolicy.FIDO2.Enabled = false }, StatusFail,
			[]string{"ops7k2m@contoso.onmicrosoft.com, ops9q4x@contoso.onmicrosoft.com: FIDO2 disabled; X.509 certificate disabled", "Enable FIDO2"}},
		{"not targeted", func(f *facts) { f.MemberOf[idB] = memberships{} }, StatusFail, []string{"ops9q4x@contoso.onmicrosoft.com: FIDO2 not among its includeTargets"}},
		{"excluded through a group", func(f *facts) {
			f.MethodPolicy.FIDO2.Include = []methodTarget{{ID: "all_users"}}
			f.MethodPolicy.FIDO2.Exclude = []string{group}
		}, StatusFail, []string{"FIDO2 excluded (excludeTargets " + group + ")"}},
		{"one key", func(f *facts) { f.Methods[idA] = f.Methods[idA][:2] }, StatusFail,
			[]string{"ops7k2m@contoso.onmicrosoft.com: FIDO2 is enabled for it but 1 usable key(s) are registered"}},
		{"synced key where the profile wants device-bound keys", func(f *facts) {
			f.MethodPolicy.PasskeyProfiles = []passkeyProfile{{ID: "p-1", Name: "Admins", PasskeyTypes: "deviceBound"}, {ID: "p-0", Name: "Default", PasskeyTypes: "deviceBound,synced"}}
			f.MethodPolicy.DefaultPasskeyProfile = "p-0"
			f.MethodPolicy.FIDO2.Include = []methodTarget{{ID: group, AllowedPasskeyProfiles: []string{"p-1"}}}
			f.Methods[idA][1].PasskeyType = "synced"
		}, StatusFail, []string{`1 key(s) of a passkey type its passkey profile(s) "Admins" do not allow (only deviceBound)`}},
		{"synced key under the default profile that allows it", func(f *facts) {
			f.MethodPolicy.PasskeyProfiles = []passkeyProfile{{ID: "p-0", Name: "Default", PasskeyTypes: "deviceBound,synced"}}
			f.MethodPolicy.DefaultPasskeyProfile = "p-0"
			f.Methods[idA][1].PasskeyType = "synced"
		}, StatusPass, nil},
		{"a key restriction added after the keys were registered", func(f *facts) {
			f.Methods[idA][1].AAGUID, f.Methods[idA][2].AAGUID = yubiKey, feitian
			f.MethodPolicy.FIDO2KeyRestrictions = &keyRestrictions{IsEnforced: true, EnforcementType: "allow", AAGUIDs: []string{strings.ToUpper(yubiKey)}}
		}, StatusFail, []string{"ops7k2m@contoso.onmicrosoft.com: FIDO2 is enabled for it but 1 usable key(s) are registered",
			"1 key(s) the FIDO2 key restrictions do not allow (AAGUID " + feitian + "): they can no longer sign in", "of models (AAGUIDs)"}},
		{"an allow list fails a key Graph gives no AAGUID for", func(f *facts) {
			f.MethodPolicy.FIDO2KeyRestrictions = &keyRestrictions{IsEnforced: true, EnforcementType: "allow", AAGUIDs: []string{yubiKey}}
		}, StatusFail, []string{"2 key(s) the FIDO2 key restrictions do not allow (AAGUID none)"}},
		{"a block list of other models", func(f *facts) {
			f.MethodPolicy.FIDO2KeyRestrictions = &keyRestrictions{IsEnforced: true, EnforcementType: "block", AAGUIDs: []string{feitian}}
			f.Methods[idA][1].AAGUID = yubiKey
		}, StatusPass, nil},
		{"restrictions that are not enforced", func(f *facts) {
			f.MethodPolicy.FIDO2KeyRestrictions = &keyRestrictions{EnforcementType: "allow", AAGUIDs: []string{feitian}}
		}, StatusPass, nil},
		{"the passkey profile's key restrictions", func(f *facts) {
			f.MethodPolicy.PasskeyProfiles = []passkeyProfile{{ID: "p-0", Name: "Default", PasskeyTypes: "deviceBound",
				KeyRestrictions: &keyRestrictions{IsEnforced: true, EnforcementType: "block", AAGUIDs: []string{feitian}}}}
			f.MethodPolicy.DefaultPasskeyProfile = "p-0"
			f.Methods[idB][0].AAGUID, f.Methods[idB][1].AAGUID = feitian, yubiKey
		}, StatusFail, []string{"ops9q4x@contoso.onmicrosoft.com: FIDO2 is enabled for it but 1 usable key(s)", "(AAGUID " + feitian + ")"}},
		{"an enforcement type the check does not know", func(f *facts) {
			f.MethodPolicy.FIDO2KeyRestrictions = &keyRestrictions{IsEnforced: true, EnforcementType: "unknownFutureValue"}
		}, StatusFail, []string{"key restrictions do not allow"}},
		{"certificate instead of keys", func(f *facts) {
			f.MethodPolicy.X509.Enabled = true
			f.Methods[idA] = nil
		}, StatusPass, []string{"ops7k2m@contoso.onmicrosoft.com: X.509 certificate"}},
		{"certificate excluded directly", func(f *facts) {
			f.MethodPolicy.X509 = methodConfig{Found: true, Enabled: true, Include: []methodTarget{{ID: idA}}, Exclude: []string{idA}}
			f.Methods[idA] = nil
		}, StatusFail, []string{"X.509 certificate excluded (excludeTargets " + idA + ")"}},
		{"memberships unread", func(f *facts) { f.MemberOfGap = "no Directory.Read.All" }, StatusUnknown, []string{"no Directory.Read.All"}},
		{"memberships unread but targeted directly", func(f *facts) {
			f.MemberOfGap = "no Directory.Read.All"
			f.MethodPolicy.FIDO2 = methodConfig{Found: true, Enabled: true, Include: []methodTarget{{ID: idA}, {ID: idB}}}
		}, StatusPass, nil},
		{"methods unread", func(f *facts) { f.MethodsGap = "no UserAuthenticationMethod.Read.All" }, StatusUnknown, []string{"no UserAuthenticationMethod.Read.All"}},
		{"policy unread", func(f *facts) { f.MethodPolicyGap = "grant Policy.Read.AuthenticationMethod" }, StatusUnknown, []string{"Policy.Read.AuthenticationMethod"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := healthy()
			tc.change(f)
			expect(t, checkMethodPolicyAllows(f), tc.status, tc.detail...)
		})
	}
}

func TestCheckRestrictedManagement(t *testing.T) {
	expect(t, checkRestrictedManagement(healthy()), StatusPass, "All 2 accounts")

	f := healthy()
	f.MemberOf[idA] = memberships{}
	f.MemberOf[idB] = memberships{Units: f.MemberOf[idB].Units[:1]}
	expect(t, checkRestrictedManagement(f), StatusFail, "ops7k2m@contoso.onmicrosoft.com: in no restricted management administrative unit",
		`ops9q4x@contoso.onmicrosoft.com: its administrative units "Region" are not restricted`, "isMemberManagementRestricted true")

	// Units read without their properties (no administrative unit permission): unknown.
	f = healthy()
	f.MemberOf[idA] = memberships{Units: []adminUnit{{ID: "au-1"}}}
	expect(t, checkRestrictedManagement(f), StatusUnknown, "AdministrativeUnit.Read.All")

	f = healthy()
	f.MemberOfGap = "reading the memberships was refused: grant Directory.Read.All"
	expect(t, checkRestrictedManagement(f), StatusUnknown, "Directory.Read.All")
}

func TestCheckPendingManagedPolicies(t *testing.T) {
	expect(t, checkPendingManagedPolicies(healthy(), nil), StatusPass)

	created := now.Add(-10 * 24 * time.Hour)
	managed := caPolicy{ID: "p-mm", DisplayName: "Multifactor authentication for admins accessing Microsoft Admin Portals", State: policyReportOnly,
		IncludeRoles: []string{"r"}, GrantControls: []string{"mfa"}, Created: &created}
	ours := caPolicy{ID: "p-ro", DisplayName: "Pilot: block legacy", State: policyReportOnly, IncludeUsers: []string{"All"},
		ExcludeUsers: []string{idA}, GrantControls: []string{"block"}}
	f := healthy()
	f.Policies = append(f.Policies, managed, ours)
	expect(t, checkPendingManagedPolicies(f, nil), StatusWarn,
		`Microsoft-managed policies in report-only`, `(p-mm) does not exclude ops7k2m@contoso.onmicrosoft.com, ops9q4x@contoso.onmicrosoft.com (Microsoft turns it on: earliest 2026-07-06`,
		`Report-only policies that apply once someone turns them on: "Pilot: block legacy" (p-ro) does not exclude ops9q4x@contoso.onmicrosoft.com.`)

	// Older than 45 days: any day now. Allowed, excluded or enabled policies are not pending.
	old := now.Add(-100 * 24 * time.Hour)
	f = healthy()
	managed.Created = &old
	f.Policies = append(f.Policies, managed)
	expect(t, checkPendingManagedPolicies(f, nil), StatusWarn, "any day now")
	expect(t, checkPendingManagedPolicies(f, []string{"P-MM"}), StatusPass)
	f.Policies[len(f.Policies)-1].ExcludeUsers = []string{idA, idB}
	expect(t, checkPendingManagedPolicies(f, nil), StatusPass)
	f.Policies[len(f.Policies)-1].ExcludeUsers = nil
	f.Policies[len(f.Policies)-1].State = policyEnabled
	expect(t, checkPendingManagedPolicies(f, nil), StatusPass)

	f = healthy()
	f.PoliciesGap = "no Policy.Read.All"
	expect(t, checkPendingManagedPolicies(f, nil), StatusUnknown, "no Policy.Read.All")
}
