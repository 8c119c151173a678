package conditionalaccess

import "github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"

// The Graph application permissions Conditional Access calls need.
var (
	PermCARead  = clients.Permission{Name: "Policy.Read.All"}
	permCAWrite = clients.Permission{Name: "Policy.ReadWrite.ConditionalAccess (with Policy.Read.All and Application.Read.All)"}
)
