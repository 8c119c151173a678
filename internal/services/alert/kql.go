package alert

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The KQL of the alert's two scheduled query rules. Both queries are plain functions of their arguments: the
// accounts are sorted by object id and deduplicated case-insensitively, so reordering or re-spelling the accounts in
// the configuration does not change the computed query. Every query is checked with Microsoft's Kusto binder against
// the documented SigninLogs, AADNonInteractiveUserSignInLogs and AuditLogs schemas (kql_test.go, testdata/kqlcheck).

// Account is one monitored emergency account.
type Account struct{ ObjectID, UserPrincipalName string }

// SignInResult values.
const (
	SignInAny     = "any"
	SignInSuccess = "success"
	SignInFailure = "failure"
)

// The tables the queries read. SigninLogs holds interactive user sign-ins, AADNonInteractiveUserSignInLogs the ones
// a client makes on the user's behalf (token refresh and the like), AuditLogs the directory's changes; diagnostic
// setting categories SignInLogs, NonInteractiveUserSignInLogs and AuditLogs feed them.
const (
	tableSignIns            = "SigninLogs"
	tableNonInteractive     = "AADNonInteractiveUserSignInLogs"
	tableAudit              = "AuditLogs"
	queryCommentPrefix      = "// breakglass_alert: "
	signInSuccessResultType = "0" // ResultType is a string column in both sign-in tables: "0" is success
)

// signInColumns is what the sign-in rule shows. Each exists in both sign-in tables with the same type: a column
// whose type differs between them (LocationDetails, DeviceDetail, Status, MfaDetail, ConditionalAccessPolicies are
// dynamic in SigninLogs and string in AADNonInteractiveUserSignInLogs) comes out of the union as two columns,
// LocationDetails_dynamic and LocationDetails_string, and only while both tables exist, so it is left out. Location
// (the country or region code) says where from; Type is the table the row comes from.
var signInColumns = []string{
	"TimeGenerated", "UserPrincipalName", "UserId", "ResultType", "ResultDescription", "AppDisplayName",
	"ClientAppUsed", "IPAddress", "Location", "UserAgent", "IsInteractive", "ConditionalAccessStatus",
	"CorrelationId", "Type",
}

// changeColumns is what the account-change rule shows.
var changeColumns = []string{
	"TimeGenerated", "UserPrincipalName", "OperationName", "Result", "ResultReason", "InitiatedByUserOrApp",
	"Category", "LoggedByService", "CorrelationId", "Id",
}

// ChangeOperations is the documented list of AuditLogs OperationName values ChangeQuery matches.
//
// Each string is an activity exactly as Entra writes it in the audit log, from "Microsoft Entra audit log
// categories and activities", https://learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities
// (MicrosoftDocs/entra-docs docs/identity/monitoring-health/reference-audit-activities.md, ms.date 2024-04-15),
// except "Reset user password", which is the name the earlier Azure AD audit activity list gives to an
// administrator's password reset (MicrosoftDocs/azure-docs
// articles/active-directory/active-directory-reporting-activity-audit-logs.md, ms.date 2018-03-31); it is kept next
// to today's "Reset password" because a name that is no longer written costs nothing to match. The query compares
// case-insensitively (in~), so the page's own "user started password reset" needs no second spelling.
//
// Only activities whose target resources can include the user are useful: consent ("Consent to application",
// "Add delegated permission grant") targets the application, with the consenting user as initiator, so it is not
// here; a sign-in of the account is what the sign-in rule reports.
var ChangeOperations = []string{
	// Passwords: administrators (Core Directory, Self-service password management, MIM) and the user (SSPR).
	"Change user password",
	"Reset password",
	"Reset user password",
	"Set force change user password",
	"Reset password (by admin)",
	"Admin started password reset",
	"Change password (self-service)",
	"Reset password (self-service)",
	"User started password change",
	"user started password reset",
	"Blocked from self-service password reset",
	"Unlock user account (self-service)",
	"User Password Reset",
	// The account itself (Core Directory, UserManagement). "Update StsRefreshTokenValidFrom Timestamp" is a
	// revocation of the account's sessions.
	"Update user",
	"Disable account",
	"Enable account",
	"Delete user",
	"Restore user",
	"Hard Delete user",
	"Update StsRefreshTokenValidFrom Timestamp",
	// Authentication methods: security info (Authentication Methods), FIDO2 keys, Windows Hello, phone sign-in and
	// platform credentials (Device Registration Service), per-user MFA, app passwords and OATH tokens (Core
	// Directory).
	"User registered security info",
	"User updated security info",
	"User deleted security info",
	"User changed default security info",
	"User registered all required security info",
	"Admin registered security info",
	"Admin updated security info",
	"Admin deleted security info",
	"Security info saved for self-service password reset",
	"Add FIDO2 security key",
	"Delete FIDO2 security key(s)",
	"Add Windows Hello for Business credential",
	"Delete Windows Hello for Business credential",
	"Add passwordless phone sign-in credential",
	"Delete passwordless phone sign-in credential",
	"Add platform credential",
	"Delete platform credential",
	"Enable Strong Authentication",
	"Disable Strong Authentication",
	"Add users strong authentication phone app detail",
	"Remove users strong authentication phone app detail",
	"Create application password for user",
	"Delete application password for user",
	"Set user oath token metadata enabled",
	"Assign Hardware Oath Token",
	// Directory roles outside PIM (Core Directory, RoleManagement).
	"Add member to role",
	"Remove member from role",
	"Add eligible member to role",
	"Remove eligible member from role",
	"Add scoped member to role",
	"Remove scoped member from role",
	"Add member to role scoped over Restricted Management Administrative Unit",
	"Remove member from role scoped over Restricted Management Administrative Unit",
	// Directory roles through PIM (Privileged Identity Management): requests and their completion, activations,
	// removals, restores and extensions. Canceled and denied requests change nothing and are left out.
	"Add member to role in PIM requested (permanent)",
	"Add member to role in PIM requested (timebound)",
	"Add member to role in PIM requested (renew)",
	"Add member to role in PIM completed (permanent)",
	"Add member to role in PIM completed (timebound)",
	"Add member to role outside of PIM (permanent)",
	"Add member to role requested (PIM activation)",
	"Add member to role approval requested (PIM activation)",
	"Add member to role request approved (PIM activation)",
	"Add member to role completed (PIM activation)",
	"Add eligible member to role in PIM requested (permanent)",
	"Add eligible member to role in PIM requested (timebound)",
	"Add eligible member to role in PIM requested (renew)",
	"Add eligible member to role in PIM completed (permanent)",
	"Add eligible member to role in PIM completed (timebound)",
	"Remove member from role in PIM requested (permanent)",
	"Remove member from role in PIM requested (timebound)",
	"Remove member from role in PIM completed (permanent)",
	"Remove member from role in PIM completed (timebound)",
	"Remove member from role requested (PIM deactivate)",
	"Remove member from role completed (PIM deactivate)",
	"Remove member from role (PIM activation expired)",
	"Remove eligible member from role in PIM requested (permanent)",
	"Remove eligible member from role in PIM requested (timebound)",
	"Remove eligible member from role in PIM completed (permanent)",
	"Remove eligible member from role in PIM completed (timebound)",
	"Remove permanent direct role assignment",
	"Remove permanent eligible role assignment",
	"Restore member from role",
	"Restore member from role in PIM completed",
	"Restore permanent direct role assignment",
	"Restore eligible member from role in PIM completed",
	"Restore permanent eligible role assignment",
	"Update member in PIM requested (extend)",
	"Update member in PIM approved by admin (extend/renew)",
	"Update eligible member in PIM requested (extend)",
	// Memberships and ownerships whose target is the user (Core Directory). Group membership decides which
	// Conditional Access policies apply to the account (exclusions are often a group); a restricted management
	// administrative unit takes the account out of tenant-wide administrators' reach.
	"Add member to group",
	"Remove member from group",
	"Add owner to group",
	"Remove owner from group",
	"Add owner to application",
	"Remove owner from application",
	"Add owner to service principal",
	"Remove owner from service principal",
	"Add member to restricted management administrative unit",
	"Remove member from restricted management administrative unit",
}

// SignInQuery returns the KQL for the sign-in rule.
//
// It matches the accounts' sign-ins by object id (UserId) or by UPN compared case-insensitively (in~), in
// SigninLogs and, with includeNonInteractive, AADNonInteractiveUserSignInLogs through `union isfuzzy=true`, which
// still runs while one of the two tables is absent from the workspace. result is SignInAny, SignInSuccess or
// SignInFailure; any other value filters nothing, like SignInAny (an alert too many rather than one too few).
// The UserPrincipalName column, which the rule splits alerts by, is the configured UPN of the account whose object
// id signed in, else the logged UPN in lower case, so one account is one dimension value.
// With no accounts the query matches nothing.
func SignInQuery(accounts []Account, result string, includeNonInteractive bool) string {
	set := newAccountSet(accounts)
	var b strings.Builder
	tables := tableSignIns
	if includeNonInteractive {
		tables += ", " + tableNonInteractive
	}
	resultText := map[string]string{SignInSuccess: "successful", SignInFailure: "failed"}[result]
	if resultText == "" {
		resultText = "all"
	}
	fmt.Fprintf(&b, "%s%s sign-ins of the emergency access accounts (%s)\n", queryCommentPrefix, resultText, tables)
	if includeNonInteractive {
		fmt.Fprintf(&b, "union isfuzzy=true %s\n", tables)
	} else {
		b.WriteString(tableSignIns + "\n")
	}
	fmt.Fprintf(&b, "| where %s\n", set.match("UserId", "UserPrincipalName"))
	switch result {
	case SignInSuccess:
		fmt.Fprintf(&b, "| where ResultType == %s\n", kqlString(signInSuccessResultType))
	case SignInFailure:
		fmt.Fprintf(&b, "| where ResultType != %s\n", kqlString(signInSuccessResultType))
	}
	fmt.Fprintf(&b, "| extend UserPrincipalName = %s\n", set.upnFor("UserId", "UserPrincipalName"))
	fmt.Fprintf(&b, "| project %s", strings.Join(signInColumns, ", "))
	return b.String()
}

// The activities of the protections the change rule can watch besides the accounts, each exactly as Entra writes it
// in the audit log (OperationName, also ActivityDisplayName), from the same page as ChangeOperations ("Microsoft
// Entra audit log categories and activities", MicrosoftDocs/entra-docs
// docs/identity/monitoring-health/reference-audit-activities.md, ms.date 2024-04-15). Each name appears once on
// that page, so the query matches the name alone; the service and category are given here for the reader.
var (
	// ConditionalAccessPolicyOperations: service Conditional Access, category Policy. The policy is the target;
	// its modifiedProperties carry the whole policy as JSON before (oldValue) and after (newValue) the change
	// ("Use audit logs to troubleshoot Conditional Access policy changes", entra-docs
	// docs/identity/conditional-access/troubleshoot-policy-changes-audit-log.md), so an exclusion of the accounts
	// shows as their object ids, or a group's, in one of the two.
	ConditionalAccessPolicyOperations = []string{
		"Update Conditional Access policy",
		"Delete Conditional Access policy",
	}
	// AuthenticationMethodsPolicyOperations: service Authentication Methods, category ApplicationManagement. The
	// page lists no activity per method configuration, so a PATCH of one configuration (its includeTargets,
	// excludeTargets or state) is taken to be logged as the policy's update; both names are matched, whatever
	// their targets say, because any change of the policy can take away the accounts' phishing-resistant sign-in.
	AuthenticationMethodsPolicyOperations = []string{
		"Authentication Methods Policy Update",
		"Authentication Methods Policy Reset",
	}
	// AdministrativeUnitOperations: service Core Directory, category AdministrativeUnit. The page lists separate
	// member activities for restricted management units and for the others; both are matched, since which one a
	// unit writes is the service's business. Deleting a unit ends the restriction of all its members at once.
	AdministrativeUnitOperations = []string{
		"Add member to administrative unit",
		"Remove member from administrative unit",
		"Add member to restricted management administrative unit",
		"Remove member from restricted management administrative unit",
		"Delete administrative unit",
		"Hard Delete administrative unit",
	}
)

// Protections are what else the change rule watches: the objects that keep the accounts usable and out of other
// administrators' reach. The zero value watches nothing more, and ChangeQuery is then the account-change query
// alone, unchanged.
type Protections struct {
	// ConditionalAccess watches updates and deletions of Conditional Access policies whose old or new JSON
	// mentions an account's object id or one of ExclusionGroupIDs.
	ConditionalAccess bool
	ExclusionGroupIDs []string
	// AuthenticationMethodsPolicy watches every update and reset of the authentication methods policy.
	AuthenticationMethodsPolicy bool
	// RestrictedUnitIDs watches members added to or removed from these administrative units, and their deletion.
	RestrictedUnitIDs []string
}

func (p Protections) none() bool {
	return !p.ConditionalAccess && !p.AuthenticationMethodsPolicy && len(lowerUnique(p.RestrictedUnitIDs)) == 0
}

// ChangeQuery returns the KQL for the change rule.
//
// It matches AuditLogs rows whose OperationName is one of ChangeOperations (case-insensitively) and one of whose
// TargetResources is an account, by object id or by UPN compared case-insensitively. UserPrincipalName is the
// target account's configured UPN (targets of PIM events often carry only the id), else the target's UPN in lower
// case; InitiatedByUserOrApp is who made the change: a user's UPN or an application's display name.
// With no accounts the account part matches nothing.
//
// With protections, each watched protection is one more `let` of AuditLogs rows, and the rule reads their union.
// Those rows name the protection in UserPrincipalName, the column the rule makes one alert per value of:
// "Conditional Access policy <name>", "authentication methods policy" or "administrative unit <id>". Object ids
// are looked for with `contains` (a case-insensitive substring), not `has`, whose term matching splits an id at
// its hyphens.
func ChangeQuery(accounts []Account, p Protections) string {
	set := newAccountSet(accounts)
	var b strings.Builder
	if p.none() {
		fmt.Fprintf(&b, "%schanges to the emergency access accounts (%s)\n", queryCommentPrefix, tableAudit)
		b.WriteString(tableAudit + "\n")
		writeAccountChanges(&b, set)
		b.WriteString("\n")
	} else {
		fmt.Fprintf(&b, "%schanges to the emergency access accounts and their protections (%s)\n", queryCommentPrefix, tableAudit)
		fmt.Fprintf(&b, "let accountChanges = %s\n", tableAudit)
		writeAccountChanges(&b, set)
		b.WriteString(";\n")
		parts := []string{"accountChanges"}
		if p.ConditionalAccess {
			ids := lowerUnique(append(slices.Clone(set.ids), p.ExclusionGroupIDs...))
			fmt.Fprintf(&b, "let policyChanges = %s\n", tableAudit)
			fmt.Fprintf(&b, "| where OperationName in~ %s\n", kqlList(ConditionalAccessPolicyOperations))
			b.WriteString("| mv-expand Target = TargetResources\n")
			b.WriteString("| extend PolicyJson = tostring(Target.modifiedProperties)\n")
			fmt.Fprintf(&b, "| where %s\n", mentions("PolicyJson", ids))
			b.WriteString("| extend UserPrincipalName = strcat(\"Conditional Access policy \", tostring(Target.displayName));\n")
			parts = append(parts, "policyChanges")
		}
		if p.AuthenticationMethodsPolicy {
			fmt.Fprintf(&b, "let methodsPolicyChanges = %s\n", tableAudit)
			fmt.Fprintf(&b, "| where OperationName in~ %s\n", kqlList(AuthenticationMethodsPolicyOperations))
			b.WriteString("| extend UserPrincipalName = \"authentication methods policy\";\n")
			parts = append(parts, "methodsPolicyChanges")
		}
		if units := lowerUnique(p.RestrictedUnitIDs); len(units) > 0 {
			fmt.Fprintf(&b, "let unitChanges = %s\n", tableAudit)
			fmt.Fprintf(&b, "| where OperationName in~ %s\n", kqlList(AdministrativeUnitOperations))
			// The unit is a target, or named in a target's modifiedProperties: either way its id is in the text.
			b.WriteString("| extend TargetsJson = tostring(TargetResources)\n")
			fmt.Fprintf(&b, "| where %s\n", mentions("TargetsJson", units))
			args := make([]string, 0, 2*len(units)+1)
			for _, id := range units {
				args = append(args, "TargetsJson contains "+kqlString(id), kqlString("administrative unit "+id))
			}
			fmt.Fprintf(&b, "| extend UserPrincipalName = case(%s);\n", strings.Join(append(args, `"administrative unit"`), ", "))
			parts = append(parts, "unitChanges")
		}
		fmt.Fprintf(&b, "union %s\n", strings.Join(parts, ", "))
	}
	b.WriteString("| extend InitiatedByUserOrApp = coalesce(tostring(InitiatedBy.user.userPrincipalName), tostring(InitiatedBy.app.displayName))\n")
	fmt.Fprintf(&b, "| project %s", strings.Join(changeColumns, ", "))
	return b.String()
}

// writeAccountChanges writes the account part of the change query, from the operation filter to the UPN column,
// without a line break after it.
func writeAccountChanges(b *strings.Builder, set accountSet) {
	b.WriteString("| where OperationName in~ (\n")
	for i, op := range ChangeOperations {
		sep := ","
		if i == len(ChangeOperations)-1 {
			sep = ""
		}
		fmt.Fprintf(b, "    %s%s\n", kqlString(op), sep)
	}
	b.WriteString("  )\n")
	b.WriteString("| mv-expand Target = TargetResources\n")
	b.WriteString("| extend TargetId = tostring(Target.id), TargetUserPrincipalName = tostring(Target.userPrincipalName)\n")
	fmt.Fprintf(b, "| where %s\n", set.match("TargetId", "TargetUserPrincipalName"))
	fmt.Fprintf(b, "| extend UserPrincipalName = %s", set.upnFor("TargetId", "TargetUserPrincipalName"))
}

// mentions is the predicate "column contains one of values"; with no values, `false`.
func mentions(column string, values []string) string {
	if len(values) == 0 {
		return "false"
	}
	terms := make([]string, len(values))
	for i, v := range values {
		terms[i] = column + " contains " + kqlString(v)
	}
	return strings.Join(terms, " or ")
}

// lowerUnique is values in lower case, sorted, without duplicates or empty strings: a list that does not depend
// on the configuration's order or spelling.
func lowerUnique(values []string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, strings.ToLower(v))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// accountSet is the accounts as the queries use them: lower case, sorted by object id, without duplicates.
type accountSet struct {
	ids   []string    // object ids, unique
	upns  []string    // UPNs in the order of their accounts' object ids, unique
	pairs [][2]string // object id → UPN, for accounts that have both; the first UPN of an id wins
}

func newAccountSet(accounts []Account) accountSet {
	sorted := make([]Account, 0, len(accounts))
	for _, a := range accounts {
		sorted = append(sorted, Account{ObjectID: strings.ToLower(a.ObjectID), UserPrincipalName: strings.ToLower(a.UserPrincipalName)})
	}
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].ObjectID != sorted[j].ObjectID {
			return sorted[i].ObjectID < sorted[j].ObjectID
		}
		return sorted[i].UserPrincipalName < sorted[j].UserPrincipalName
	})
	var s accountSet
	seenID, seenUPN := map[string]bool{}, map[string]bool{}
	for _, a := range sorted {
		if a.ObjectID != "" && !seenID[a.ObjectID] {
			seenID[a.ObjectID] = true
			s.ids = append(s.ids, a.ObjectID)
			if a.UserPrincipalName != "" {
				s.pairs = append(s.pairs, [2]string{a.ObjectID, a.UserPrincipalName})
			}
		}
		if a.UserPrincipalName != "" && !seenUPN[a.UserPrincipalName] {
			seenUPN[a.UserPrincipalName] = true
			s.upns = append(s.upns, a.UserPrincipalName)
		}
	}
	return s
}

// match is the predicate selecting the accounts' rows: idColumn in (ids) or upnColumn in~ (upns). Object ids are
// compared exactly (the logs write them in lower case, as Graph does); UPNs case-insensitively. KQL rejects an
// empty list (`in ()` does not parse), so an empty set is `false`: a query for no accounts matches nothing.
func (s accountSet) match(idColumn, upnColumn string) string {
	var terms []string
	if len(s.ids) > 0 {
		terms = append(terms, idColumn+" in "+kqlList(s.ids))
	}
	if len(s.upns) > 0 {
		terms = append(terms, upnColumn+" in~ "+kqlList(s.upns))
	}
	if len(terms) == 0 {
		return "false"
	}
	return strings.Join(terms, " or ")
}

// upnFor is the expression naming the account of a row: the configured UPN of its object id, else the logged UPN
// in lower case.
func (s accountSet) upnFor(idColumn, upnColumn string) string {
	fallback := "tolower(" + upnColumn + ")"
	if len(s.pairs) == 0 {
		return fallback
	}
	args := make([]string, 0, 2*len(s.pairs)+1)
	for _, p := range s.pairs {
		args = append(args, idColumn+" == "+kqlString(p[0]), kqlString(p[1]))
	}
	return "case(" + strings.Join(append(args, fallback), ", ") + ")"
}

func kqlList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = kqlString(v)
	}
	return "(" + strings.Join(quoted, ", ") + ")"
}

// kqlString is s as a double-quoted KQL string literal: backslash and double quote are escaped, as are line breaks,
// tabs and other control characters (\uXXXX), so no input can end the literal or the line. Invalid UTF-8 comes out
// as U+FFFD.
func kqlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
