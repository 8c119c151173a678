package posture

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/account"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/alert"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/rolemanagement"
)

// Check statuses. Only fail makes `passed` false: warn is advice (a report-only policy, a name that reveals the
// account's purpose) and unknown means the provider could not look (a permission, a licence or a subscription is
// missing), which the detail names.
const (
	StatusPass    = "pass"
	StatusFail    = "fail"
	StatusWarn    = "warn"
	StatusUnknown = "unknown"
)

// Check ids, stable: configurations refer to them in check blocks.
const (
	CheckAccountCount            = "account_count"
	CheckEnabled                 = "enabled"
	CheckCloudOnly               = "cloud_only"
	CheckInitialDomain           = "initial_domain"
	CheckUnlicensed              = "unlicensed"
	CheckNeutralNames            = "neutral_names"
	CheckPermanentGlobalAdmin    = "permanent_global_admin"
	CheckCAExcluded              = "ca_excluded"
	CheckPhishingResistantMethod = "phishing_resistant_method"
	CheckSignInAlert             = "sign_in_alert"
	CheckRecentTestSignIn        = "recent_test_sign_in"
	CheckGlobalAdminCount        = "global_admin_count"
	CheckPhishingResistantOnly   = "phishing_resistant_only"
	CheckMethodPolicyAllows      = "method_policy_allows"
	CheckRestrictedManagement    = "restricted_management"
	CheckPendingManagedPolicies  = "pending_managed_policies"
)

// Check is one recommendation's verdict.
type Check struct {
	ID, Title, Status, Detail string
}

// Limits of the account_count check: Microsoft asks for two or more emergency accounts; more than four adds
// standing Global Administrators (and attack surface) without adding resilience.
const (
	minAccounts = 2
	maxAccounts = 4
)

// Conditional Access policy states.
const (
	policyEnabled    = "enabled"
	policyReportOnly = "enabledForReportingButNotEnforced"
)

// userFacts is what Graph says about one account.
type userFacts struct {
	ID                 string // as given in account_ids
	Found              bool
	DisplayName        string
	UserPrincipalName  string
	MailNickname       string
	Enabled            bool
	Synced             bool
	Licenses           int
	CertificateUserIDs int
	// LastSuccessfulSignIn is signInActivity.lastSuccessfulSignInDateTime; LastSignIn is lastSignInDateTime, which
	// also counts failed attempts. Both nil when never signed in or when sign-in activity could not be read.
	LastSuccessfulSignIn, LastSignIn *time.Time
}

func (u userFacts) name() string {
	if u.UserPrincipalName != "" {
		return u.UserPrincipalName
	}
	return u.ID
}

// roleInstance is one active Global Administrator assignment instance.
type roleInstance struct {
	PrincipalID string
	Scope       string
	MemberType  string // Direct, Group or Inherited; empty counts as Direct
	End         *time.Time
}

func (r roleInstance) direct() bool {
	return r.MemberType == "" || strings.EqualFold(r.MemberType, "Direct")
}

// caPolicy is what the ca_excluded check needs of a Conditional Access policy.
type caPolicy struct {
	ID, DisplayName, State                         string
	IncludeUsers, IncludeGroups, IncludeRoles      []string
	ExcludeUsers, ExcludeGroups, ExcludeRoles      []string
	WorkloadIdentities                             bool // targets service principals, not users
	GrantControls                                  []string
	AuthenticationStrength, CustomFactorsOrTermsOU bool
	Created                                        *time.Time
}

func (p caPolicy) label() string { return fmt.Sprintf("%q (%s)", p.DisplayName, p.ID) }

// couldBlock reports whether the policy has a grant control: block, or any requirement (MFA, authentication
// strength, compliant or hybrid-joined device, approved app, terms of use, …) the account might not meet during an
// emergency. Policies with session controls only do not refuse a sign-in.
func (p caPolicy) couldBlock() bool {
	return len(p.GrantControls) > 0 || p.AuthenticationStrength || p.CustomFactorsOrTermsOU
}

// mayApplyTo reports whether the policy's assignments can include the user. Included groups and roles are not
// resolved: a policy including any group or role counts as applying (the account may be, or be made, a member).
// A policy for workload identities, or one that includes only other users or guests, does not apply.
func (p caPolicy) mayApplyTo(userID string) bool {
	if p.WorkloadIdentities {
		return false
	}
	return helpers.ContainsFold(p.IncludeUsers, "All") || helpers.ContainsFold(p.IncludeUsers, userID) || len(p.IncludeGroups) > 0 || len(p.IncludeRoles) > 0
}

// alertRule is a scheduled query rule, reduced to what the sign_in_alert check needs.
type alertRule struct {
	ID, Name     string
	Enabled      bool
	ActionGroups int
	Query        string
}

// facts is everything a posture read learned; a *Gap field holds why a part could not be read ("" = read).
type facts struct {
	Now      time.Time
	Accounts []userFacts // one per distinct account id, in the given order
	UsersGap string
	// SignInGap: signInActivity could not be read (AuditLog.Read.All, or the tenant's licence).
	SignInGap string

	InitialDomain string
	DomainsGap    string

	GlobalAdmins   []roleInstance
	GlobalAdminGap string
	// GlobalAdminNote says where the assignments came from when PIM's instances could not be read.
	GlobalAdminNote string

	Policies    []caPolicy
	PoliciesGap string
	// GroupMembers holds the direct user members (lower-case ids) of the groups the relevant policies exclude.
	GroupMembers map[string]map[string]bool
	GroupsGap    string

	FIDO2    map[string]int // lower-case account id → FIDO2 methods
	FIDO2Gap string

	Methods    map[string][]authMethod // lower-case account id → every registered method
	MethodsGap string

	MemberOf    map[string]memberships // lower-case account id → direct groups and administrative units
	MemberOfGap string

	MethodPolicy    *methodPolicy
	MethodPolicyGap string

	Rules      []alertRule
	RulesScope string // where rules were listed, for the detail
	RulesGap   string // why rules could not be listed: unknown
	RulesFail  string // why there can be no rule (e.g. the resource group does not exist): fail
}

// subjects are the accounts a check looks at: every account, or, when the users could not be read, every id as
// given (counted as found, with nothing known but the id).
func (f *facts) subjects() []userFacts {
	if f.UsersGap == "" {
		return f.Accounts
	}
	out := make([]userFacts, len(f.Accounts))
	for i, a := range f.Accounts {
		out[i] = userFacts{ID: a.ID, Found: true}
	}
	return out
}

func (f *facts) found() []userFacts {
	var out []userFacts
	for _, a := range f.Accounts {
		if a.Found {
			out = append(out, a)
		}
	}
	return out
}

// evaluate runs every check, in the documented order.
func evaluate(f *facts, in Input) []Check {
	return []Check{
		checkAccountCount(f),
		checkEnabled(f),
		checkCloudOnly(f),
		checkInitialDomain(f),
		checkUnlicensed(f),
		checkNeutralNames(f),
		checkPermanentGlobalAdmin(f),
		checkCAExcluded(f, in.AllowedPolicyIDs),
		checkPhishingResistantMethod(f),
		checkSignInAlert(f),
		checkRecentTestSignIn(f, in.TestIntervalDays),
		checkGlobalAdminCount(f, in.MaxGlobalAdmins),
		checkPhishingResistantOnly(f),
		checkMethodPolicyAllows(f),
		checkRestrictedManagement(f),
		checkPendingManagedPolicies(f, in.AllowedPolicyIDs),
	}
}

// Titles, one per check.
var titles = map[string]string{
	CheckAccountCount:            "Two to four emergency access accounts",
	CheckEnabled:                 "Accounts are enabled",
	CheckCloudOnly:               "Accounts are cloud-only (not synced from on-premises)",
	CheckInitialDomain:           "Accounts use the tenant's initial *.onmicrosoft.com domain",
	CheckUnlicensed:              "Accounts hold no licenses",
	CheckNeutralNames:            "Account names do not reveal their purpose",
	CheckPermanentGlobalAdmin:    "Accounts hold Global Administrator permanently, directly and active",
	CheckCAExcluded:              "Accounts are excluded from every Conditional Access policy that could block them",
	CheckPhishingResistantMethod: "Accounts have a phishing-resistant sign-in method (FIDO2 or certificate)",
	CheckSignInAlert:             "An enabled alert rule watches every account's sign-ins",
	CheckRecentTestSignIn:        "Accounts were signed in (tested) recently",
	CheckGlobalAdminCount:        "Few Global Administrators in the tenant",
	CheckPhishingResistantOnly:   "Accounts have no phishable methods (phone, email, Authenticator, software OATH, a leftover Temporary Access Pass)",
	CheckMethodPolicyAllows:      "The authentication methods policy lets each account use FIDO2 (two keys or more) or a certificate",
	CheckRestrictedManagement:    "Accounts are in a restricted management administrative unit",
	CheckPendingManagedPolicies:  "No Microsoft-managed or report-only Conditional Access policy will start applying to the accounts",
}

func newCheck(id, status, detail string) Check {
	return Check{ID: id, Title: titles[id], Status: status, Detail: detail}
}

func unknown(id, reason string) Check {
	return newCheck(id, StatusUnknown, "Not evaluated: "+strings.TrimSuffix(reason, ".")+".")
}

// perAccount builds a check from a per-account problem function: every account passes → pass with okDetail
// (a format taking the number of accounts). A check that needs the user objects is unknown when they could not
// be read; one that needs only the object ids (byID) runs on the ids as given.
func perAccount(id string, f *facts, byID bool, okDetail string, problem func(userFacts) string) Check {
	if f.UsersGap != "" && !byID {
		return unknown(id, f.UsersGap)
	}
	var problems findings
	for _, a := range f.subjects() {
		if !a.Found {
			problems.add(a.ID, "not found in the directory (deleted, or not a user)")
			continue
		}
		if p := problem(a); p != "" {
			problems.add(a.name(), p)
		}
	}
	if len(problems) > 0 {
		return newCheck(id, StatusFail, problems.String()+".")
	}
	return newCheck(id, StatusPass, fmt.Sprintf(okDetail, len(f.Accounts)))
}

func checkAccountCount(f *facts) Check {
	given := len(f.Accounts)
	n, what := given, "account ids given"
	var missing []string
	if f.UsersGap == "" {
		found := f.found()
		n, what = len(found), "accounts found"
		for _, a := range f.Accounts {
			if !a.Found {
				missing = append(missing, a.ID)
			}
		}
	}
	detail := fmt.Sprintf("%d %s", n, what)
	if len(missing) > 0 {
		detail += fmt.Sprintf(" (%d of %d ids do not exist: %s)", len(missing), given, strings.Join(missing, ", "))
	}
	if n >= minAccounts && n <= maxAccounts {
		return newCheck(CheckAccountCount, StatusPass, detail+".")
	}
	if n < minAccounts {
		return newCheck(CheckAccountCount, StatusFail, fmt.Sprintf("%s; Microsoft recommends two or more emergency access "+
			"accounts, so that one lost credential does not lock the tenant out.", detail))
	}
	return newCheck(CheckAccountCount, StatusFail, fmt.Sprintf("%s; more than %d emergency accounts add standing Global "+
		"Administrators without adding resilience.", detail, maxAccounts))
}

func checkEnabled(f *facts) Check {
	return perAccount(CheckEnabled, f, false, "All %d accounts are enabled.", func(a userFacts) string {
		if !a.Enabled {
			return "disabled (accountEnabled is false)"
		}
		return ""
	})
}

func checkCloudOnly(f *facts) Check {
	return perAccount(CheckCloudOnly, f, false, "All %d accounts are cloud-only.", func(a userFacts) string {
		if a.Synced {
			return "synced from on-premises Active Directory (onPremisesSyncEnabled is true): an on-premises compromise reaches it"
		}
		return ""
	})
}

func checkInitialDomain(f *facts) Check {
	if f.UsersGap == "" && f.DomainsGap != "" {
		return unknown(CheckInitialDomain, f.DomainsGap)
	}
	if f.UsersGap == "" && f.InitialDomain == "" {
		return unknown(CheckInitialDomain, "the tenant's domains list no initial domain (isInitial)")
	}
	return perAccount(CheckInitialDomain, f, false, "All %d accounts use the initial domain "+f.InitialDomain+".", func(a userFacts) string {
		_, domain, _ := strings.Cut(a.UserPrincipalName, "@")
		if !strings.EqualFold(domain, f.InitialDomain) {
			return fmt.Sprintf("on %s, not the initial domain %s (a custom domain depends on DNS and federation)", domain, f.InitialDomain)
		}
		return ""
	})
}

func checkUnlicensed(f *facts) Check {
	return perAccount(CheckUnlicensed, f, false, "None of the %d accounts holds a license.", func(a userFacts) string {
		if a.Licenses > 0 {
			return fmt.Sprintf("holds %d license(s): a licensed account gets a mailbox and apps, and more ways in", a.Licenses)
		}
		return ""
	})
}

func checkNeutralNames(f *facts) Check {
	if f.UsersGap != "" {
		return unknown(CheckNeutralNames, f.UsersGap)
	}
	var revealing []string
	for _, a := range f.found() {
		local, _, _ := strings.Cut(a.UserPrincipalName, "@") // the tenant's own domain name is not the account's choice
		for _, name := range []struct{ what, value string }{
			{"display name", a.DisplayName}, {"user name", local}, {"mail nickname", a.MailNickname},
		} {
			if _, reveals := account.NeutralNameWarning(name.value); reveals {
				revealing = append(revealing, fmt.Sprintf("%s: %s %q", a.name(), name.what, name.value))
			}
		}
	}
	if len(revealing) > 0 {
		return newCheck(CheckNeutralNames, StatusWarn, "Names that reveal the account's purpose: "+strings.Join(revealing, "; ")+
			". Attackers search directories for such names (admin, break glass, emergency) to choose their targets; prefer neutral names.")
	}
	return newCheck(CheckNeutralNames, StatusPass, fmt.Sprintf("None of the %d accounts' names reveals its purpose.", len(f.found())))
}

func checkPermanentGlobalAdmin(f *facts) Check {
	if f.GlobalAdminGap != "" {
		return unknown(CheckPermanentGlobalAdmin, f.GlobalAdminGap)
	}
	c := perAccount(CheckPermanentGlobalAdmin, f, true, "All %d accounts hold Global Administrator permanently and directly.", func(a userFacts) string {
		return globalAdminProblem(f.GlobalAdmins, a.ID)
	})
	if f.GlobalAdminNote != "" {
		c.Detail = strings.TrimSuffix(c.Detail, ".") + " (" + f.GlobalAdminNote + ")."
	}
	return c
}

// globalAdminProblem says why a principal does not hold Global Administrator permanently, directly, tenant-wide
// and active; "" when it does.
func globalAdminProblem(instances []roleInstance, principalID string) string {
	var problems []string
	for _, r := range instances {
		if !strings.EqualFold(r.PrincipalID, principalID) {
			continue
		}
		switch {
		case !r.direct():
			problems = append(problems, "holds it only through a group ("+r.MemberType+")")
		case r.Scope != "/":
			problems = append(problems, "holds it only at scope "+r.Scope)
		case r.End != nil:
			problems = append(problems, "holds it only until "+r.End.UTC().Format(time.RFC3339)+" (time-bound or an activation)")
		default:
			return ""
		}
	}
	if len(problems) == 0 {
		return "does not hold Global Administrator as an active assignment (an eligible assignment needs an activation nobody may be able to approve)"
	}
	return strings.Join(problems, ", ")
}

func checkCAExcluded(f *facts, allowed []string) Check {
	if f.PoliciesGap != "" {
		return unknown(CheckCAExcluded, f.PoliciesGap)
	}
	type finding struct {
		policy   caPolicy
		accounts []string
	}
	var blocking, reportOnly, undetermined []finding
	var viaGroup, viaRole, allowedSeen []string
	for _, p := range f.Policies {
		if p.State != policyEnabled && p.State != policyReportOnly || !p.couldBlock() {
			continue
		}
		if helpers.ContainsFold(allowed, p.ID) {
			allowedSeen = append(allowedSeen, p.label())
			continue
		}
		var missing, unresolved []string
		for _, a := range f.subjects() {
			if !a.Found || !p.mayApplyTo(a.ID) {
				continue
			}
			switch how := exclusion(f, p, a.ID); how {
			case "user":
			case "group":
				viaGroup = appendUnique(viaGroup, p.label())
			case "role":
				viaRole = appendUnique(viaRole, p.label())
			case "unresolved":
				unresolved = append(unresolved, a.name())
			default:
				missing = append(missing, a.name())
			}
		}
		switch {
		case len(missing) > 0 && p.State == policyEnabled:
			blocking = append(blocking, finding{p, missing})
		case len(missing) > 0:
			reportOnly = append(reportOnly, finding{p, missing})
		}
		if len(unresolved) > 0 {
			undetermined = append(undetermined, finding{p, unresolved})
		}
	}
	describe := func(list []finding) string {
		parts := make([]string, len(list))
		for i, fd := range list {
			parts[i] = fmt.Sprintf("%s does not exclude %s", fd.policy.label(), strings.Join(fd.accounts, ", "))
		}
		return strings.Join(parts, "; ")
	}
	var notes []string
	if len(viaGroup) > 0 {
		notes = append(notes, "excluded through a group in "+strings.Join(viaGroup, ", "))
	}
	if len(viaRole) > 0 {
		notes = append(notes, "excluded through the Global Administrator role in "+strings.Join(viaRole, ", "))
	}
	if len(allowedSeen) > 0 {
		notes = append(notes, "allowed to apply: "+strings.Join(allowedSeen, ", "))
	}
	for _, id := range allowed {
		if !slices.ContainsFunc(f.Policies, func(p caPolicy) bool { return strings.EqualFold(p.ID, id) }) {
			notes = append(notes, "allowed_policy_ids names "+id+", which is not a policy of this tenant")
		}
	}
	suffix := ""
	if len(notes) > 0 {
		suffix = " Notes: " + strings.Join(notes, "; ") + "."
	}
	switch {
	case len(blocking) > 0:
		detail := "Enabled policies that could block the accounts: " + describe(blocking) + "."
		if len(reportOnly) > 0 {
			detail += " Report-only: " + describe(reportOnly) + "."
		}
		return newCheck(CheckCAExcluded, StatusFail, detail+suffix)
	case len(undetermined) > 0:
		return newCheck(CheckCAExcluded, StatusUnknown, "Not evaluated: "+describe(undetermined)+" directly, and "+
			"its excluded groups could not be read: "+strings.TrimSuffix(f.GroupsGap, ".")+"."+suffix)
	case len(reportOnly) > 0:
		return newCheck(CheckCAExcluded, StatusWarn, "Report-only policies that would block the accounts once enabled: "+
			describe(reportOnly)+"."+suffix)
	}
	return newCheck(CheckCAExcluded, StatusPass, "No enabled or report-only policy with grant controls applies to the "+
		"accounts without excluding them."+suffix)
}

// exclusion says how a policy excludes a user: "user", "group", "role", "unresolved" (only an unreadable group could)
// or "" (it does not).
func exclusion(f *facts, p caPolicy, userID string) string {
	if helpers.ContainsFold(p.ExcludeUsers, userID) {
		return "user"
	}
	for _, g := range p.ExcludeGroups {
		if f.GroupMembers[strings.ToLower(g)][strings.ToLower(userID)] {
			return "group"
		}
	}
	if helpers.ContainsFold(p.ExcludeRoles, rolemanagement.GlobalAdministratorRoleID) && f.GlobalAdminGap == "" && globalAdminProblem(f.GlobalAdmins, userID) == "" {
		return "role"
	}
	if len(p.ExcludeGroups) > 0 && f.GroupsGap != "" {
		return "unresolved"
	}
	return ""
}

func checkPhishingResistantMethod(f *facts) Check {
	if f.UsersGap != "" && f.FIDO2Gap != "" {
		return unknown(CheckPhishingResistantMethod, f.UsersGap)
	}
	var missing findings
	var unresolved, found []string
	for _, a := range f.subjects() {
		fido2 := f.FIDO2[strings.ToLower(a.ID)]
		switch {
		case f.UsersGap != "" && fido2 == 0: // certificate user ids unknown
			unresolved = append(unresolved, a.ID)
		case !a.Found:
			missing.add(a.ID, "not found in the directory")
		case a.CertificateUserIDs > 0:
			found = append(found, fmt.Sprintf("%s: %d certificate user id(s)", a.name(), a.CertificateUserIDs))
		case f.FIDO2Gap != "":
			unresolved = append(unresolved, a.name())
		case fido2 > 0:
			found = append(found, fmt.Sprintf("%s: %d FIDO2 key(s)", a.name(), fido2))
		default:
			missing.add(a.name(), "no FIDO2 security key or passkey and no certificateUserIds")
		}
	}
	switch {
	case len(missing) > 0:
		return newCheck(CheckPhishingResistantMethod, StatusFail, missing.String()+
			". Microsoft recommends FIDO2 or certificate-based authentication for emergency accounts, since Azure and the admin portals require MFA.")
	case len(unresolved) > 0 && f.UsersGap != "":
		return unknown(CheckPhishingResistantMethod, fmt.Sprintf("no FIDO2 key is registered for %s, and the accounts' certificate user ids could not be read: %s",
			strings.Join(unresolved, ", "), f.UsersGap))
	case len(unresolved) > 0:
		return unknown(CheckPhishingResistantMethod, fmt.Sprintf("the FIDO2 methods of %s could not be read: %s",
			strings.Join(unresolved, ", "), f.FIDO2Gap))
	}
	return newCheck(CheckPhishingResistantMethod, StatusPass, strings.Join(found, "; ")+".")
}

// signInTables are the Log Analytics tables that hold Entra ID sign-ins.
var signInTables = []string{"signinlogs", "aadnoninteractiveusersigninlogs"}

// watches reports whether a rule alerts on the user's (successful) sign-ins, and a note when it matches the
// account but not in a way that counts.
func (r alertRule) watches(u userFacts) (bool, string) {
	if meta, ok := alert.ParseMetadata(r.Query); ok {
		listed := slices.ContainsFunc(meta.Accounts, func(m alert.MetadataAccount) bool {
			return strings.EqualFold(m.ObjectID, u.ID) || u.UserPrincipalName != "" && strings.EqualFold(m.UserPrincipalName, u.UserPrincipalName)
		})
		if listed && strings.EqualFold(meta.SignInResult, "failure") {
			return false, fmt.Sprintf("%s alerts on failed sign-ins only", r.Name)
		}
		return listed, ""
	}
	query := strings.ToLower(r.Query)
	if !slices.ContainsFunc(signInTables, func(t string) bool { return strings.Contains(query, t) }) {
		return false, ""
	}
	return strings.Contains(query, strings.ToLower(u.ID)) ||
		u.UserPrincipalName != "" && strings.Contains(query, strings.ToLower(u.UserPrincipalName)), ""
}

func checkSignInAlert(f *facts) Check {
	switch {
	case f.RulesGap != "":
		return unknown(CheckSignInAlert, f.RulesGap)
	case f.RulesFail != "":
		return newCheck(CheckSignInAlert, StatusFail, f.RulesFail)
	}
	var unwatched findings
	var silent, watched []string
	for _, a := range f.subjects() { // without the users, only rules naming the object id match
		if !a.Found {
			unwatched.add(a.ID, "not found in the directory")
			continue
		}
		var enabledNotifying, enabledSilent, disabled, notes []string
		for _, r := range f.Rules {
			ok, note := r.watches(a)
			if note != "" {
				notes = append(notes, note)
			}
			switch {
			case !ok:
			case !r.Enabled:
				disabled = append(disabled, r.Name)
			case r.ActionGroups == 0:
				enabledSilent = append(enabledSilent, r.Name)
			default:
				enabledNotifying = append(enabledNotifying, r.Name)
			}
		}
		switch {
		case len(enabledNotifying) > 0:
			watched = append(watched, a.name()+" by "+strings.Join(enabledNotifying, ", "))
		case len(enabledSilent) > 0:
			silent = append(silent, a.name()+" by "+strings.Join(enabledSilent, ", ")+" (no action group: nobody is notified)")
		default:
			why := "no scheduled query rule on SigninLogs names it"
			if len(disabled) > 0 {
				why = "its rules are disabled: " + strings.Join(disabled, ", ")
			}
			if len(notes) > 0 {
				why += "; " + strings.Join(notes, "; ")
			}
			unwatched.add(a.name(), why)
		}
	}
	where := fmt.Sprintf(" (%d rules in %s)", len(f.Rules), f.RulesScope)
	switch {
	case len(unwatched) > 0:
		return newCheck(CheckSignInAlert, StatusFail, "Sign-ins that nobody is alerted of: "+unwatched.String()+where+".")
	case len(silent) > 0:
		return newCheck(CheckSignInAlert, StatusWarn, "Watched by rules without notification: "+strings.Join(silent, "; ")+where+".")
	}
	return newCheck(CheckSignInAlert, StatusPass, "Watched: "+strings.Join(watched, "; ")+where+".")
}

func checkRecentTestSignIn(f *facts, intervalDays int) Check {
	if f.UsersGap == "" && f.SignInGap != "" {
		return unknown(CheckRecentTestSignIn, f.SignInGap)
	}
	since := f.Now.Add(-time.Duration(intervalDays) * 24 * time.Hour)
	days := func(t time.Time) int { return int(f.Now.Sub(t).Hours() / 24) }
	var attemptsOnly []string
	c := perAccount(CheckRecentTestSignIn, f, false, fmt.Sprintf("All %%d accounts signed in successfully within the last %d days.", intervalDays), func(a userFacts) string {
		switch {
		case a.LastSuccessfulSignIn != nil && !a.LastSuccessfulSignIn.Before(since):
			return ""
		case a.LastSuccessfulSignIn == nil && a.LastSignIn != nil && !a.LastSignIn.Before(since):
			attemptsOnly = append(attemptsOnly, fmt.Sprintf("%s: last sign-in %s (%d days ago), but Graph reports no "+
				"successful sign-in time, so the test may have failed", a.name(), a.LastSignIn.UTC().Format(time.RFC3339), days(*a.LastSignIn)))
			return ""
		case a.LastSuccessfulSignIn != nil:
			return fmt.Sprintf("last successful sign-in %s, %d days ago (more than %d)", a.LastSuccessfulSignIn.UTC().Format(time.RFC3339),
				days(*a.LastSuccessfulSignIn), intervalDays)
		case a.LastSignIn != nil:
			return fmt.Sprintf("last sign-in attempt %s, %d days ago (more than %d)", a.LastSignIn.UTC().Format(time.RFC3339), days(*a.LastSignIn), intervalDays)
		}
		return "no sign-in recorded: test the account (sign in, check its access, sign out) and keep doing so on a schedule"
	})
	if c.Status == StatusPass && len(attemptsOnly) > 0 {
		return newCheck(CheckRecentTestSignIn, StatusWarn, strings.Join(attemptsOnly, "; ")+".")
	}
	return c
}

func checkGlobalAdminCount(f *facts, limit int) Check {
	if f.GlobalAdminGap != "" {
		return unknown(CheckGlobalAdminCount, f.GlobalAdminGap)
	}
	principals := globalAdminPrincipals(f.GlobalAdmins)
	names := make([]string, len(principals))
	for i, id := range principals {
		names[i] = id
		for _, a := range f.Accounts {
			if strings.EqualFold(a.ID, id) && a.Found {
				names[i] = a.name() + " (checked account)"
			}
		}
	}
	detail := fmt.Sprintf("%d principal(s) hold Global Administrator as an active assignment (limit %d): %s.", len(principals), limit,
		strings.Join(names, ", "))
	if len(principals) > limit {
		return newCheck(CheckGlobalAdminCount, StatusFail, detail+" Microsoft recommends fewer than five Global "+
			"Administrators; give the others least-privileged roles or eligible (PIM) assignments.")
	}
	return newCheck(CheckGlobalAdminCount, StatusPass, detail)
}

// globalAdminPrincipals are the distinct principals (users, groups, service principals) with an active direct
// Global Administrator assignment, sorted; a group counts once, its members not at all.
func globalAdminPrincipals(instances []roleInstance) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range instances {
		id := strings.ToLower(r.PrincipalID)
		if r.direct() && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// findings collects per-account problems, grouping the accounts that share one: "a, b: problem; c: other".
type findings []struct {
	accounts []string
	problem  string
}

func (fs *findings) add(account, problem string) {
	for i := range *fs {
		if (*fs)[i].problem == problem {
			(*fs)[i].accounts = append((*fs)[i].accounts, account)
			return
		}
	}
	*fs = append(*fs, struct {
		accounts []string
		problem  string
	}{[]string{account}, problem})
}

func (fs findings) String() string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = strings.Join(f.accounts, ", ") + ": " + f.problem
	}
	return strings.Join(parts, "; ")
}

func appendUnique(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}
