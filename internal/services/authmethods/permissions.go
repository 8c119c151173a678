package authmethods

import "github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"

// The Graph application permissions the authentication methods policy calls need. The permission tables of "Get
// fido2AuthenticationMethodConfiguration" and "Get x509CertificateAuthenticationMethodConfiguration" name
// Policy.Read.AuthenticationMethod (Policy.Read.All is not in them, so it does not grant the read); "Update …"
// names Policy.ReadWrite.AuthenticationMethod only.
var (
	permRead  = clients.Permission{Name: "Policy.Read.AuthenticationMethod", Alternative: "Policy.ReadWrite.AuthenticationMethod"}
	permWrite = clients.Permission{Name: "Policy.ReadWrite.AuthenticationMethod"}
)
