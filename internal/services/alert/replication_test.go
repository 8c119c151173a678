package alert_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

// TestAccAlert_diagnosticSettingLagsItsWrite: for seconds after each PUT, every GET of the diagnostic setting
// answers what it was before the write (404 after the create). The refresh after apply reads again until it sees
// the write, so neither the create nor a change of categories leaves a plan behind; a setting deleted outside
// Terraform is still put back under its recorded id. Not parallel: it changes the simulated tenant's knobs.
func TestAccAlert_diagnosticSettingLagsItsWrite(t *testing.T) {
	e := newEnv(t)
	sim := acctest.Sim(t)
	prev := sim.Knobs()
	t.Cleanup(func() { sim.SetKnobs(prev) })
	stale := prev
	stale.StaleReadWindow, stale.StaleReadRate = 3*time.Second, 1

	config := func(categories string) string {
		return fmt.Sprintf(`
resource "breakglass_alert" "test" {
  name                = %q
  resource_group_name = %q
  location            = %q
  workspace_id        = %q
  accounts            = [{ object_id = "8f4a1c2e-0000-4000-8000-000000000001", user_principal_name = "ops1@contoso.onmicrosoft.com" }]
  action_group        = { short_name = "soc", email_receivers = [{ name = "soc", email_address = "soc@contoso.com" }] }
  diagnostic_setting  = { name = "%s-diag", categories = %s }
}`, e.name, e.group, e.location, e.workspace, e.name, categories)
	}
	setting := diagnosticID(e.name + "-diag")
	exists := func(*terraform.State) error { // by the list: a GET may still answer 404
		var list struct{ Value []struct{ ID string } }
		err := e.client.ARMDo(context.Background(), http.MethodGet, "/providers/microsoft.aadiam/diagnosticSettings", clients.APIVersionAADDiagnosticSettings, nil, &list)
		return errUnlessFound(slices.ContainsFunc(list.Value, func(s struct{ ID string }) bool { return strings.EqualFold(s.ID, setting) }), err)
	}
	resource.Test(t, testCase(e,
		resource.TestStep{
			PreConfig: func() { sim.SetKnobs(stale) },
			Config:    config(`["SignInLogs", "NonInteractiveUserSignInLogs"]`),
			Check:     exists,
		},
		resource.TestStep{Config: config(`["SignInLogs"]`)},
		resource.TestStep{
			PreConfig: func() {
				sim.SetKnobs(prev)
				e.armDelete(t, setting, clients.APIVersionAADDiagnosticSettings)
			},
			Config: config(`["SignInLogs"]`),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate)},
			},
			Check: resource.ComposeTestCheckFunc(exists, resource.TestCheckResourceAttr(address, "diagnostic_setting_id", setting)),
		},
	))
}
