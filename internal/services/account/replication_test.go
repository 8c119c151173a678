package account_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

// These tests change the simulated tenant's knobs, which every test of the package shares: they are not parallel,
// so they run before the parallel ones start, and they put the knobs back as they found them.

// TestAccAccount_staleReadsAfterCreate: a refresh right after the account was created reaches replicas that have
// not seen it (every read 404s). Dropping it from state would make the next apply create a second emergency
// account; the provider keeps it, with a warning, and the plan proposes nothing.
func TestAccAccount_staleReadsAfterCreate(t *testing.T) {
	sim := acctest.Sim(t)
	prev, stale := staleReads(t, sim)
	config := opsAccount(uniqueName(t))
	var id string
	resource.Test(t, testCase(t,
		resource.TestStep{Config: config, Check: capture(&id, "id")},
		resource.TestStep{
			PreConfig:    func() { sim.SetKnobs(stale(time.Hour)) },
			RefreshState: true,
			Check: func(s *terraform.State) error {
				rs, ok := s.RootModule().Resources[address]
				if !ok || rs.Primary.ID != id {
					return fmt.Errorf("a refresh that read only 404s right after the create dropped account %s from state: "+
						"the next apply would create a second emergency account", id)
				}
				return nil
			},
		},
		resource.TestStep{Config: config, PlanOnly: true}, // the refresh inside the plan 404s too: still no create
		resource.TestStep{
			PreConfig: func() { sim.SetKnobs(prev) }, // replicated: reads find it again
			Config:    config,
			PlanOnly:  true,
		},
	))
}

// TestAccAccount_staleReadsAfterUpdate: right after a change, reads answer the previous values for a few seconds.
// The update waits for a read that shows its change instead of reporting an inconsistent result.
func TestAccAccount_staleReadsAfterUpdate(t *testing.T) {
	sim := acctest.Sim(t)
	_, stale := staleReads(t, sim)
	name := uniqueName(t)
	config := func(display string) string {
		return fmt.Sprintf(`
resource "breakglass_account" "test" {
  display_name  = %[2]q
  mail_nickname = "%[1]s"
}`, name, display)
	}
	resource.Test(t, testCase(t,
		resource.TestStep{Config: config("Ops " + name)},
		resource.TestStep{
			// The account was created more than the window ago; only the update's own write is read stale.
			PreConfig: func() {
				time.Sleep(3 * time.Second)
				sim.SetKnobs(stale(3 * time.Second))
			},
			Config: config("Ops " + name + " renamed"),
			Check:  resource.TestCheckResourceAttr(address, "display_name", "Ops "+name+" renamed"),
		},
	))
}

// staleReads returns the knobs as the test found them (put back when it ends) and those knobs with every read
// stale for window after a write.
func staleReads(t *testing.T, sim *tenantsim.Server) (prev tenantsim.Knobs, stale func(window time.Duration) tenantsim.Knobs) {
	t.Helper()
	prev = sim.Knobs()
	t.Cleanup(func() { sim.SetKnobs(prev) })
	return prev, func(window time.Duration) tenantsim.Knobs {
		k := prev
		k.StaleReadWindow, k.StaleReadRate = window, 1
		return k
	}
}
