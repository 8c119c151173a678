package account_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/account"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

// TestAccAccount_privilegedTargetNeedsRole: once the account holds Global Administrator, Entra lets only a caller
// holding Privileged Authentication Administrator rotate its password, whatever the caller's Graph permissions.
// The refusal names that directory role; with the role assigned to the provider's identity the rotation goes
// through. Not parallel: it changes the simulated tenant's knobs and the provider identity's roles.
func TestAccAccount_privilegedTargetNeedsRole(t *testing.T) {
	sim := acctest.Sim(t)
	prev := sim.Knobs()
	t.Cleanup(func() { sim.SetKnobs(prev) })
	name := uniqueName(t)
	config := func(version int) string {
		password, _ := account.GeneratePassword(80)
		return fmt.Sprintf(`
resource "breakglass_account" "test" {
  display_name        = "Ops %[1]s"
  mail_nickname       = "%[1]s"
  password_wo         = %[2]s
  password_wo_version = %[3]d
}`, name, acctest.Quote(password), version)
	}
	var id string
	resource.Test(t, testCase(t,
		resource.TestStep{Config: config(1), Check: capture(&id, "id")},
		resource.TestStep{
			PreConfig: func() {
				k := prev
				k.PrivilegedTargetRules = true // acctest.Realistic has it; a test that lowered the knobs must not hide it
				sim.SetKnobs(k)
				sim.ActivateRole(id, tenantsim.GlobalAdministratorRoleID, time.Hour)
			},
			Config:      config(2),
			ExpectError: regexp.MustCompile(`(?s)refused to\s+change\s+the\s+password.*Privileged\s+Authentication\s+Administrator`),
		},
		resource.TestStep{
			PreConfig: func() {
				sp, ok := sim.ServicePrincipalID(sim.Info().ClientID)
				if !ok {
					t.Fatal("no service principal for the provider's app")
				}
				remove, err := sim.AssignDirectoryRole(sp, tenantsim.PrivilegedAuthenticationAdministratorRoleID)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(remove)
			},
			Config: config(2),
		},
	))
}
