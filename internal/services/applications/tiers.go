package applications

import (
	"fmt"
	"strings"
)

// Tiers rank what a permission or role lets a workload do on its own, without a signed-in user:
//
//   - Tier 0, the control plane: it can take the tenant by itself, by assigning itself (or anyone) a privileged
//     role or application permission, adding a credential to an identity that holds one, or taking over an
//     administrator's sign-in. An application holding one is as powerful as a Global Administrator, and its
//     credentials deserve the same care as the emergency accounts'.
//   - Tier 1: tenant-wide reach over users, groups, data or security policies that falls short of that: it can read
//     or change a great deal, or weaken a control, but needs a further step (or an unprotected target) to become
//     tier 0. Role-assignable groups and administrators are protected from the user and group permissions here.
const (
	Tier0 = 0
	Tier1 = 1
)

// tiered is a permission or role with its tier and the reason for it, which the documentation shows.
type tiered struct {
	name string
	tier int
	why  string
}

// permissionTiers are the Microsoft Graph application permissions (appRole values) the data source reports. The
// issue's list, Microsoft's own warnings on these permissions and the usual escalation paths decided the tiers;
// Policy.ReadWrite.ConditionalAccess stays in tier 1 as the issue has it: it can exclude anyone from a policy or
// disable one, but yields no credential or role by itself.
var permissionTiers = []tiered{
	{"RoleManagement.ReadWrite.Directory", Tier0, "assigns any directory role, Global Administrator included, to anyone, itself too"},
	{"RoleAssignmentSchedule.ReadWrite.Directory", Tier0, "makes active PIM assignments of any directory role"},
	{"RoleEligibilitySchedule.ReadWrite.Directory", Tier0, "makes anyone eligible for any directory role"},
	{"AppRoleAssignment.ReadWrite.All", Tier0, "grants any application permission, every permission on this list included, to itself"},
	{"Application.ReadWrite.All", Tier0, "adds a secret or certificate to any application or service principal, then signs in as one that holds tier-0 access"},
	{"Directory.ReadWrite.All", Tier0, "writes nearly every directory object: users, groups, applications, service principals and their settings"},
	{"DelegatedPermissionGrant.ReadWrite.All", Tier0, "consents any delegated permission to any client on behalf of every user"},
	{"PrivilegedAccess.ReadWrite.AzureAD", Tier0, "manages PIM assignments of directory roles"},
	{"PrivilegedAccess.ReadWrite.AzureADGroup", Tier0, "manages PIM for Groups: membership and ownership of role-assignable groups"},
	{"PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup", Tier0, "makes active PIM for Groups assignments, e.g. to a role-assignable group"},
	{"PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup", Tier0, "makes PIM for Groups eligibilities, e.g. for a role-assignable group"},
	{"PrivilegedAccess.ReadWrite.AzureResources", Tier0, "manages PIM assignments of Azure roles, Owner and User Access Administrator included"},
	{"UserAuthenticationMethod.ReadWrite.All", Tier0, "registers a phone, FIDO2 key or Temporary Access Pass for any user, administrators and emergency accounts included"},
	{"Policy.ReadWrite.AuthenticationMethod", Tier0, "changes which sign-in methods the tenant allows, e.g. turns on Temporary Access Pass or weaker methods for everyone"},
	{"Policy.ReadWrite.PermissionGrant", Tier0, "changes which permissions may be consented to and by whom"},
	{"Domain.ReadWrite.All", Tier0, "adds and federates domains, after which an outside identity provider signs in that domain's users"},
	{"Organization.ReadWrite.All", Tier0, "manages the certificate authorities trusted for certificate-based sign-in"},

	{"User.ReadWrite.All", Tier1, "changes every user that holds no administrator role: names, UPNs, mail, manager, sign-in state"},
	{"User.DeleteRestore.All", Tier1, "deletes and restores every user that holds no administrator role"},
	{"User.EnableDisableAccount.All", Tier1, "blocks and unblocks sign-in of every user that holds no administrator role"},
	{"Group.ReadWrite.All", Tier1, "changes every group that is not role-assignable, e.g. groups that grant app access or that Conditional Access excludes"},
	{"GroupMember.ReadWrite.All", Tier1, "adds members to every group that is not role-assignable, e.g. a Conditional Access exclusion group"},
	{"Policy.ReadWrite.ConditionalAccess", Tier1, "excludes anyone from, or turns off, any Conditional Access policy"},
	{"Policy.ReadWrite.Authorization", Tier1, "changes the authorization policy: default user permissions, user consent, guest access"},
	{"RoleManagementPolicy.ReadWrite.Directory", Tier1, "relaxes PIM's rules for directory roles: approval, MFA and expiry of activations and assignments"},
	{"Application.ReadWrite.OwnedBy", Tier1, "adds credentials to the applications it owns, so it is as powerful as the most privileged of them"},
	{"EntitlementManagement.ReadWrite.All", Tier1, "creates access packages that hand out group memberships and app roles"},
	{"DeviceManagementConfiguration.ReadWrite.All", Tier1, "deploys settings and scripts to every Intune-managed device, administrators' workstations included"},
	{"Mail.ReadWrite", Tier1, "reads and changes every mailbox, password-reset and sign-in messages included"},
	{"Mail.Send", Tier1, "sends mail as any user"},
	{"Files.ReadWrite.All", Tier1, "reads and changes every file in OneDrive and SharePoint"},
	{"Sites.FullControl.All", Tier1, "has full control of every SharePoint site"},
	{"Sites.ReadWrite.All", Tier1, "reads and changes the content of every SharePoint site"},
}

// roleTiers are the privileged directory roles that put a service principal in tier 0; every other role Microsoft
// labels privileged puts it in tier 1, and roles without the label are not reported.
var roleTiers = []tiered{
	{"62e90394-69f5-4237-9190-012177145e10", Tier0, "Global Administrator: manages every part of the tenant"},
	{"e8611ab8-c189-46e8-94e1-60213ab1f814", Tier0, "Privileged Role Administrator: assigns any role, Global Administrator included"},
	{"7be44c8a-adaf-4e2a-84d6-ab2649e08a13", Tier0, "Privileged Authentication Administrator: resets any user's sign-in methods, administrators' included"},
	{"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", Tier0, "Application Administrator: adds credentials to any application, tier-0 ones included"},
	{"158c047a-c907-4556-b7ef-446551a6b5f7", Tier0, "Cloud Application Administrator: adds credentials to any application, tier-0 ones included"},
	{"8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2", Tier0, "Hybrid Identity Administrator: manages federation, so an outside identity provider can sign users in"},
	{"8329153b-31d0-4727-b945-745eb3bc5f31", Tier0, "Domain Name Administrator: adds and federates domains"},
	{"e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8", Tier0, "Partner Tier2 Support: resets any user's password, Global Administrators' included"},
}

var (
	permissionTierByName = map[string]tiered{}
	roleTierByID         = map[string]tiered{}
)

func init() {
	for _, p := range permissionTiers {
		permissionTierByName[strings.ToLower(p.name)] = p
	}
	for _, r := range roleTiers {
		roleTierByID[r.name] = r
	}
}

// permissionTier ranks a Microsoft Graph application permission by its value; ok is false for permissions the data
// source does not report.
func permissionTier(value string) (tier int, ok bool) {
	p, ok := permissionTierByName[strings.ToLower(value)]
	return p.tier, ok
}

// roleTier ranks a privileged directory role by its template id.
func roleTier(templateID string) int {
	if r, ok := roleTierByID[strings.ToLower(templateID)]; ok {
		return r.tier
	}
	return Tier1
}

// tierDocs renders the tier lists as Markdown for the data source's description (and so its documentation).
func tierDocs() string {
	var b strings.Builder
	for _, tier := range []int{Tier0, Tier1} {
		fmt.Fprintf(&b, "\n\nMicrosoft Graph application permissions in tier %d:\n", tier)
		for _, p := range permissionTiers {
			if p.tier == tier {
				fmt.Fprintf(&b, "\n- `%s`: %s.", p.name, p.why)
			}
		}
	}
	b.WriteString("\n\nDirectory roles in tier 0 (every other role Microsoft labels privileged is tier 1):\n")
	for _, r := range roleTiers {
		name, why, _ := strings.Cut(r.why, ": ")
		fmt.Fprintf(&b, "\n- %s (`%s`): %s.", name, r.name, why)
	}
	return b.String()
}
