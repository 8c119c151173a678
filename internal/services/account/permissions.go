package account

import "github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"

// The Graph application permissions the account calls need. Users and domains are this package's objects, so the
// permissions to read them live here for every area that reads them (breakglass_posture).
var (
	PermUserRead      = clients.Permission{Name: "User.Read.All", Alternative: "Directory.Read.All"}
	PermDomainRead    = clients.Permission{Name: "Domain.Read.All", Alternative: "Directory.Read.All"}
	permUserWrite     = clients.Permission{Name: "User.ReadWrite.All", Alternative: "Directory.ReadWrite.All"}
	permDeleteRestore = clients.Permission{Name: "User.DeleteRestore.All", Alternative: "User.ReadWrite.All"}

	// Temporary Access Passes ("Create temporaryAccessPassMethod", "Delete temporaryAccessPassAuthenticationMethod"
	// and "List temporaryAccessPassMethods", application permissions), the policy that allows them ("Get
	// temporaryAccessPassAuthenticationMethodConfiguration") and the members of the groups it targets ("List group
	// members").
	permTAPWrite        = clients.Permission{Name: "UserAuthMethod-TAP.ReadWrite.All", Alternative: "UserAuthenticationMethod.ReadWrite.All"}
	permAuthPolicyRead  = clients.Permission{Name: "Policy.Read.AuthenticationMethod", Alternative: "Policy.ReadWrite.AuthenticationMethod"}
	permGroupMemberRead = clients.Permission{Name: "GroupMember.Read.All", Alternative: "Directory.Read.All"}
)
