package account

import "github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"

// The Graph application permissions the account calls need. Users and domains are this package's objects, so the
// permissions to read them live here for every area that reads them (breakglass_posture).
var (
	PermUserRead      = clients.Permission{Name: "User.Read.All", Alternative: "Directory.Read.All"}
	PermDomainRead    = clients.Permission{Name: "Domain.Read.All", Alternative: "Directory.Read.All"}
	permUserWrite     = clients.Permission{Name: "User.ReadWrite.All", Alternative: "Directory.ReadWrite.All"}
	permDeleteRestore = clients.Permission{Name: "User.DeleteRestore.All", Alternative: "User.ReadWrite.All"}
)
