package authmethods

import (
	"context"
	"time"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

// ReadConfiguration is the method configuration (Fido2, X509Certificate) as Graph answers it, for the tests'
// checks against a live tenant.
func ReadConfiguration(ctx context.Context, c *clients.Client, configID string) (map[string]any, error) {
	return readConfig(ctx, c, method{configID: configID})
}

// RemoveTargets is Delete's write in a new provider instance, for tests: it takes the targets ("user:<id>",
// "group:<id>") out of the configuration, knowing the resource's last write (lastTargets in state, lastRemoved in
// private state) was made at lastAt.
func RemoveTargets(ctx context.Context, c *clients.Client, configID string, remove, lastTargets, lastRemoved []string, lastAt time.Time) error {
	parse := func(list []string) []target {
		return lastWrite{Removed: list}.change(nil).remove
	}
	prior := &priorWrite{change: lastWrite{Removed: lastRemoved}.change(parse(lastTargets)), at: lastAt}
	var m method
	for _, v := range methods {
		if v.configID == configID {
			m = v
		}
	}
	_, _, err := applyChange(ctx, c, m, change{remove: parse(remove)}, nil, prior)
	return err
}
