package acctest

import (
	"fmt"
	"strings"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

// ProviderConfig is a provider block that signs in to the simulated tenant as clientID rather than the harness's
// own app, for tests of what a caller lacking a permission or role is told. extra holds further arguments, one a
// line.
func ProviderConfig(sim *tenantsim.Server, clientID, secret, extra string) string {
	info := sim.Info()
	return fmt.Sprintf(`
provider "breakglass" {
  metadata_host = %q
  tenant_id     = %q
  client_id     = %q
  client_secret = %q
  use_cli       = false
%s
}
`, info.MetadataHost, info.TenantID, clientID, secret, extra)
}

// Quote is s as an HCL string literal. Go's %q escapes quotes and backslashes as HCL does, but HCL also reads
// "${" and "%{" inside a string as the start of a template: a generated password holding either would fail the
// test at random (it did). They are escaped as "$${" and "%%{".
func Quote(s string) string {
	return strings.NewReplacer("${", "$${", "%{", "%%{").Replace(fmt.Sprintf("%q", s))
}
