package posture

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
)

// phishableMethods are the registered method types an emergency account must not have, with how the detail names
// them. Password is always listed by Graph; FIDO2, Windows Hello for Business and platform credentials are phishing
// resistant; certificate-based authentication is not a registered method (it uses certificateUserIds).
var phishableMethods = map[string]string{
	"phoneAuthenticationMethod":                  "phone (SMS or voice)",
	"emailAuthenticationMethod":                  "email",
	"microsoftAuthenticatorAuthenticationMethod": "Microsoft Authenticator",
	"softwareOathAuthenticationMethod":           "software OATH token",
}

const tapMethod = "temporaryAccessPassAuthenticationMethod"

func checkPhishingResistantOnly(f *facts) Check {
	if f.MethodsGap != "" {
		return unknown(CheckPhishingResistantOnly, f.MethodsGap)
	}
	c := perAccount(CheckPhishingResistantOnly, f, true, "None of the %d accounts has a phishable method or a usable Temporary Access Pass.", func(a userFacts) string {
		var found []string
		for _, m := range f.Methods[strings.ToLower(a.ID)] {
			switch {
			case phishableMethods[m.Type] != "":
				found = appendUnique(found, phishableMethods[m.Type])
			case m.Type == tapMethod && (m.Usable || m.Ends != nil && m.Ends.After(f.Now)):
				found = appendUnique(found, "a Temporary Access Pass that is usable or not yet expired")
			}
		}
		if len(found) == 0 {
			return ""
		}
		return "has " + strings.Join(found, ", ")
	})
	if c.Status == StatusFail {
		c.Detail += " An attacker who phishes such a method signs in as the account: delete them (Entra admin center, the user's " +
			"Authentication methods; or Graph DELETE /users/{id}/authentication/<type>Methods/{method-id}) and keep only " +
			"FIDO2 keys or certificate-based authentication."
	}
	return c
}

// targets says whether a method configuration targets an account: included directly, through a direct group or
// all_users, and not excluded directly or through a group. unresolved: only the account's groups, which could not
// be read, could decide.
func targets(cfg methodConfig, id string, groups []string, groupsKnown bool) (yes bool, why string, unresolved bool) {
	if !cfg.Found || !cfg.Enabled {
		return false, "disabled", false
	}
	member := func(target string) bool {
		return strings.EqualFold(target, id) || slices.Contains(groups, strings.ToLower(target))
	}
	needsGroups := false
	for _, t := range cfg.Exclude {
		if member(t) {
			return false, "excluded (excludeTargets " + t + ")", false
		}
		needsGroups = needsGroups || !strings.EqualFold(t, id)
	}
	included := slices.ContainsFunc(cfg.Include, func(t methodTarget) bool { return t.ID == "all_users" || member(t.ID) })
	if !groupsKnown && (needsGroups || !included) {
		return false, "", true
	}
	if !included {
		return false, "not among its includeTargets", false
	}
	return true, "", false
}

// applicableProfiles are the passkey profiles that apply to an account: those its include targets allow
// (allowedPasskeyProfiles), or the default profile when they name none. nil: the tenant has no passkey profiles, so
// they restrict neither the passkey type nor the keys.
func applicableProfiles(p *methodPolicy, id string, groups []string) []passkeyProfile {
	if len(p.PasskeyProfiles) == 0 {
		return nil
	}
	var ids []string
	for _, t := range p.FIDO2.Include {
		if t.ID == "all_users" || strings.EqualFold(t.ID, id) || slices.Contains(groups, strings.ToLower(t.ID)) {
			ids = append(ids, t.AllowedPasskeyProfiles...)
		}
	}
	if len(ids) == 0 && p.DefaultPasskeyProfile != "" {
		ids = []string{p.DefaultPasskeyProfile}
	}
	out := []passkeyProfile{}
	for _, profile := range p.PasskeyProfiles {
		if helpers.ContainsFold(ids, profile.ID) {
			out = append(out, profile)
		}
	}
	return out
}

func (p passkeyProfile) allowsType(passkeyType string) bool {
	return slices.ContainsFunc(strings.Split(p.PasskeyTypes, ","), func(t string) bool { return strings.TrimSpace(t) == passkeyType })
}

// keyCount is an account's FIDO2 keys sorted by whether the policy lets it sign in with them.
type keyCount struct {
	usable     int
	wrongType  int // of a passkey type no applicable profile allows
	restricted int // of an allowed type but a model (AAGUID) the key restrictions exclude
	aaguids    []string
}

// usableKeys sorts the account's FIDO2 keys: usable when some applicable passkey profile (any, when the tenant has
// none) allows both the key's passkey type and its AAGUID, and the configuration's own key restrictions allow the
// AAGUID too. A key whose passkeyType Graph leaves empty is counted as device-bound rather than failing an account
// on an unknown.
func usableKeys(f *facts, id string, groups []string) keyCount {
	profiles := applicableProfiles(f.MethodPolicy, id, groups)
	var n keyCount
	for _, m := range f.Methods[strings.ToLower(id)] {
		if m.Type != "fido2AuthenticationMethod" {
			continue
		}
		passkeyType := m.PasskeyType
		if passkeyType == "" {
			passkeyType = "deviceBound"
		}
		typed := profiles == nil || slices.ContainsFunc(profiles, func(p passkeyProfile) bool { return p.allowsType(passkeyType) })
		permitted := f.MethodPolicy.FIDO2KeyRestrictions.permits(m.AAGUID) && (profiles == nil ||
			slices.ContainsFunc(profiles, func(p passkeyProfile) bool { return p.allowsType(passkeyType) && p.KeyRestrictions.permits(m.AAGUID) }))
		switch {
		case !typed:
			n.wrongType++
		case !permitted:
			n.restricted++
			n.aaguids = appendUnique(n.aaguids, cmp.Or(m.AAGUID, "none"))
		default:
			n.usable++
		}
	}
	return n
}

// profileSummary names the applicable profiles and the passkey types they allow, for the detail.
func profileSummary(profiles []passkeyProfile) (names, types string) {
	var n, t []string
	for _, p := range profiles {
		n = append(n, fmt.Sprintf("%q", p.Name))
		for _, pt := range strings.Split(p.PasskeyTypes, ",") {
			t = appendUnique(t, strings.TrimSpace(pt))
		}
	}
	return strings.Join(n, ", "), strings.Join(t, ", ")
}

// minFIDO2Keys: one lost or broken key must not lock the account out.
const minFIDO2Keys = 2

func checkMethodPolicyAllows(f *facts) Check {
	if f.MethodPolicyGap != "" {
		return unknown(CheckMethodPolicyAllows, f.MethodPolicyGap)
	}
	var problems findings
	var unresolved, ok []string
	for _, a := range f.subjects() {
		if !a.Found {
			problems.add(a.ID, "not found in the directory")
			continue
		}
		key := strings.ToLower(a.ID)
		groups, groupsKnown := f.MemberOf[key].Groups, f.MemberOfGap == ""
		x509, x509Why, x509Unresolved := targets(f.MethodPolicy.X509, a.ID, groups, groupsKnown)
		if x509 {
			ok = append(ok, a.name()+": X.509 certificate")
			continue
		}
		fido2, fido2Why, fido2Unresolved := targets(f.MethodPolicy.FIDO2, a.ID, groups, groupsKnown)
		problem := "FIDO2 " + fido2Why
		if fido2 && f.MethodsGap != "" {
			fido2Unresolved = true
		}
		if fido2 && !fido2Unresolved {
			keys := usableKeys(f, a.ID, groups)
			if keys.usable >= minFIDO2Keys {
				ok = append(ok, fmt.Sprintf("%s: FIDO2, %d keys", a.name(), keys.usable))
				continue
			}
			problem = fmt.Sprintf("FIDO2 is enabled for it but %d usable key(s) are registered (two or more needed)", keys.usable)
			if keys.wrongType > 0 {
				names, types := profileSummary(applicableProfiles(f.MethodPolicy, a.ID, groups))
				problem += fmt.Sprintf(", and %d key(s) of a passkey type its passkey profile(s) %s do not allow (only %s)", keys.wrongType, names, types)
			}
			if keys.restricted > 0 {
				problem += fmt.Sprintf(", and %d key(s) the FIDO2 key restrictions do not allow (AAGUID %s): they can no longer sign in",
					keys.restricted, strings.Join(keys.aaguids, ", "))
			}
		}
		if x509Unresolved || fido2Unresolved {
			unresolved = append(unresolved, a.name())
			continue
		}
		problems.add(a.name(), problem+"; X.509 certificate "+x509Why)
	}
	switch {
	case len(problems) > 0:
		return newCheck(CheckMethodPolicyAllows, StatusFail, problems.String()+". Enable FIDO2 (passkeys) or certificate-based "+
			"authentication for the accounts in the authentication methods policy (include them directly or through a group, and "+
			"keep them out of excludeTargets), and register at least two device-bound FIDO2 keys per account, of models (AAGUIDs) the "+
			"key restrictions of the configuration and of the accounts' passkey profiles allow.")
	case len(unresolved) > 0:
		why := f.MemberOfGap
		if why == "" {
			why = f.MethodsGap
		}
		return unknown(CheckMethodPolicyAllows, "whether the policy targets or lets "+strings.Join(unresolved, ", ")+" sign in depends on what could not be read: "+why)
	}
	return newCheck(CheckMethodPolicyAllows, StatusPass, strings.Join(ok, "; ")+".")
}

func checkRestrictedManagement(f *facts) Check {
	if f.MemberOfGap != "" {
		return unknown(CheckRestrictedManagement, f.MemberOfGap)
	}
	var unresolved []string
	c := perAccount(CheckRestrictedManagement, f, true, "All %d accounts are in a restricted management administrative unit.", func(a userFacts) string {
		var plain []string
		limited := false
		for _, u := range f.MemberOf[strings.ToLower(a.ID)].Units {
			switch {
			case u.Restricted == nil:
				limited = true
			case *u.Restricted:
				return ""
			default:
				plain = append(plain, fmt.Sprintf("%q", u.Name))
			}
		}
		if limited {
			unresolved = append(unresolved, a.name())
			return ""
		}
		if len(plain) > 0 {
			return "its administrative units " + strings.Join(plain, ", ") + " are not restricted"
		}
		return "in no restricted management administrative unit"
	})
	switch {
	case c.Status == StatusFail:
		c.Detail += " Tenant-wide User and Authentication Administrators (and Graph applications) can then reset its password " +
			"or methods; create an administrative unit with isMemberManagementRestricted true (it can be set only at creation) " +
			"and add the accounts to it."
	case len(unresolved) > 0:
		return unknown(CheckRestrictedManagement, "the administrative units of "+strings.Join(unresolved, ", ")+" came without "+
			"their properties: grant the provider's identity AdministrativeUnit.Read.All (or Directory.Read.All)")
	}
	return c
}

// microsoftManagedPolicies are the display names of the Conditional Access policies Microsoft creates in tenants
// (Microsoft Entra "Microsoft-managed Conditional Access policies"). Graph v1.0 marks them with no property (the
// CSDL's conditionalAccessPolicy has none), but they cannot be renamed, so the name tells. A tenant's own policy of
// the same name is taken for one too: the check only warns.
var microsoftManagedPolicies = []string{
	"Block all high risk agents from accessing all resources",
	"Block legacy authentication",
	"Block device code flow",
	"Multifactor authentication for admins accessing Microsoft Admin Portals",
	"Multifactor authentication for all users",
	"Multifactor authentication for per-user multifactor authentication users",
	"Multifactor authentication and reauthentication for risky sign-ins",
	"Phishing-resistant multifactor authentication for admins",
}

// managedEnableAfter: Microsoft enables a Microsoft-managed policy left in report-only "no less than 45 days after
// they're introduced in your tenant" (the same page), after 28 days' notice.
const managedEnableAfter = 45 * 24 * time.Hour

func checkPendingManagedPolicies(f *facts, allowed []string) Check {
	if f.PoliciesGap != "" {
		return unknown(CheckPendingManagedPolicies, f.PoliciesGap)
	}
	var managed, reportOnly []string
	for _, p := range f.Policies {
		if p.State != policyReportOnly || !p.couldBlock() || helpers.ContainsFold(allowed, p.ID) {
			continue
		}
		var missing []string
		for _, a := range f.subjects() {
			if a.Found && p.mayApplyTo(a.ID) && exclusion(f, p, a.ID) == "" {
				missing = append(missing, a.name())
			}
		}
		if len(missing) == 0 {
			continue
		}
		finding := fmt.Sprintf("%s does not exclude %s", p.label(), strings.Join(missing, ", "))
		if !slices.ContainsFunc(microsoftManagedPolicies, func(n string) bool { return strings.EqualFold(n, p.DisplayName) }) {
			reportOnly = append(reportOnly, finding)
			continue
		}
		when := "Graph gives no creation date"
		if p.Created != nil {
			earliest := p.Created.Add(managedEnableAfter)
			when = "earliest " + earliest.UTC().Format(time.DateOnly) + ", 45 days after it appeared"
			if earliest.Before(f.Now) {
				when = "any day now: it appeared " + p.Created.UTC().Format(time.DateOnly) + ", more than 45 days ago"
			}
		}
		managed = append(managed, finding+" (Microsoft turns it on: "+when+")")
	}
	if len(managed) == 0 && len(reportOnly) == 0 {
		return newCheck(CheckPendingManagedPolicies, StatusPass, "No report-only policy with grant controls applies to the accounts without excluding them.")
	}
	var parts []string
	if len(managed) > 0 {
		parts = append(parts, "Microsoft-managed policies in report-only, which Microsoft enables on its own (the exact date is in "+
			"the admin center and the Message center, not in Graph): "+strings.Join(managed, "; "))
	}
	if len(reportOnly) > 0 {
		parts = append(parts, "Report-only policies that apply once someone turns them on: "+strings.Join(reportOnly, "; "))
	}
	return newCheck(CheckPendingManagedPolicies, StatusWarn, strings.Join(parts, ". ")+". Exclude the accounts now "+
		"(breakglass_ca_policy_exclusion, or the policy's excluded users), or list the policy in allowed_policy_ids.")
}
