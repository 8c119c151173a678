package posture

import "github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"

// The Graph application permissions only breakglass_posture's reads need; the ones it shares with other areas
// come from the area that owns the object (account.PermUserRead, rolemanagement.PermRoleRead,
// conditionalaccess.PermCARead).
var (
	permSignInRead       = clients.Permission{Name: "AuditLog.Read.All"}
	permRoleScheduleRead = clients.Permission{Name: "RoleAssignmentSchedule.Read.Directory", Alternative: "RoleManagement.Read.Directory"}
	permAuthMethodRead   = clients.Permission{Name: "UserAuthenticationMethod.Read.All", Alternative: "UserAuthMethod-Passkey.Read.All for FIDO2 keys"}
	permGroupMemberRead  = clients.Permission{Name: "GroupMember.Read.All", Alternative: "Group.Read.All or Directory.Read.All"}
	// The list of every registered method has no per-method permission ("List methods").
	permMethodsRead = clients.Permission{Name: "UserAuthenticationMethod.Read.All"}
	// "Get authenticationMethodsPolicy": Policy.Read.All does not grant it.
	permMethodPolicyRead = clients.Permission{Name: "Policy.Read.AuthenticationMethod"}
	// "List a user's direct memberships", application row for another user.
	permMemberOfRead = clients.Permission{Name: "Directory.Read.All"}
)
