package rolemanagement_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/rolemanagement"
)

// TestAccRoleCatalog_sharedByAuditAndPIM is issue #13's crash: an audit data source read the role definitions
// first (rolemanagement.Roles) and left a value of another type where the PIM resource's ModifyPlan
// (roleDefinitions) looked for its own, and the provider panicked. Both views now come from one memo of what
// Graph answered, in either order and at the same time, for one role-definitions request per provider instance.
func TestAccRoleCatalog_sharedByAuditAndPIM(t *testing.T) {
	acctest.PreCheck(t)
	audit := func(ctx context.Context, c *clients.Client) error {
		set, err := rolemanagement.Roles(ctx, c)
		if err == nil {
			_, err = set.Resolve("Global Administrator")
		}
		return err
	}
	pim := func(ctx context.Context, c *clients.Client) error {
		catalog, err := rolemanagement.RoleNames(ctx, c)
		if err == nil && len(catalog) == 0 {
			t.Error("the PIM resource's role catalog is empty")
		}
		return err
	}
	orders := map[string][]func(context.Context, *clients.Client) error{
		"audit then PIM": {audit, pim},
		"PIM then audit": {pim, audit},
	}
	for name, calls := range orders {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			ctx := tflogtest.RootLogger(context.Background(), &logs)
			c := acctest.Client(t) // one provider instance
			for _, call := range calls {
				if err := call(ctx, c); err != nil {
					t.Fatal(err)
				}
			}
			if n := acctest.GraphRequests(t, &logs); n != 1 {
				t.Errorf("both views cost %d Graph requests, want 1 (the role definitions, once)", n)
			}
		})
	}
	t.Run("at once", func(t *testing.T) {
		c := acctest.Client(t)
		var wg sync.WaitGroup
		for range 4 {
			for _, call := range []func(context.Context, *clients.Client) error{audit, pim} {
				wg.Go(func() {
					if err := call(t.Context(), c); err != nil {
						t.Error(err)
					}
				})
			}
		}
		wg.Wait()
	})
}
