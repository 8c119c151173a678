package authmethods

import (
	"context"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

// ReadConfiguration is the method configuration (Fido2, X509Certificate) as Graph answers it, for the tests'
// checks against a live tenant.
func ReadConfiguration(ctx context.Context, c *clients.Client, configID string) (map[string]any, error) {
	return readConfig(ctx, c, method{configID: configID})
}
