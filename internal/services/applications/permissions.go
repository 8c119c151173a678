package applications

import "github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"

// permApplicationRead is the Graph application permission that reading applications, service principals and
// their grants needs; reading roles needs rolemanagement.PermRoleRead.
var permApplicationRead = clients.Permission{Name: "Application.Read.All", Alternative: "Directory.Read.All"}
