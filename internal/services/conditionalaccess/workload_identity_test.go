package conditionalaccess_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

// TestAccCAExclusion_workloadIdentityPolicy: a policy for workload identities applies to service principals only,
// and Entra refuses user exclusions in it. A match never selects it; naming it in policy_ids fails at plan time.
// The policy is created disabled (harmless on a live tenant) and deleted when the test ends; the test is not
// parallel, so the tests that count every policy never see it.
func TestAccCAExclusion_workloadIdentityPolicy(t *testing.T) {
	acctest.PreCheck(t)
	c := acctest.Client(t)
	policy := models.NewConditionalAccessPolicy()
	policy.SetDisplayName(new("acc block risky service principals " + uuid.NewString()[:8]))
	state := models.DISABLED_CONDITIONALACCESSPOLICYSTATE
	policy.SetState(&state)
	conditions := models.NewConditionalAccessConditionSet()
	users := models.NewConditionalAccessUsers()
	users.SetIncludeUsers([]string{"None"})
	conditions.SetUsers(users)
	apps := models.NewConditionalAccessApplications()
	apps.SetIncludeApplications([]string{"All"})
	conditions.SetApplications(apps)
	clientApps := models.NewConditionalAccessClientApplications()
	clientApps.SetIncludeServicePrincipals([]string{"ServicePrincipalsInMyTenant"})
	conditions.SetClientApplications(clientApps)
	conditions.SetClientAppTypes([]models.ConditionalAccessClientApp{models.ALL_CONDITIONALACCESSCLIENTAPP})
	policy.SetConditions(conditions)
	grant := models.NewConditionalAccessGrantControls()
	grant.SetOperator(new("OR"))
	grant.SetBuiltInControls([]models.ConditionalAccessGrantControl{models.BLOCK_CONDITIONALACCESSGRANTCONTROL})
	policy.SetGrantControls(grant)
	created, err := clients.Graph(c).Identity().ConditionalAccess().Policies().Post(context.Background(), policy, nil)
	if err != nil {
		t.Fatalf("creating the workload-identity policy: %v", err)
	}
	id := *created.GetId()
	acctest.WaitOutReplication() // the plan must find it
	t.Cleanup(func() {
		if err := clients.Graph(c).Identity().ConditionalAccess().Policies().ByConditionalAccessPolicyId(id).Delete(context.Background(), nil); err != nil {
			t.Errorf("deleting the workload-identity policy %s: %v", id, err)
		}
	})

	user := uuid.NewString()
	resource.Test(t, testCase(t,
		resource.TestStep{
			Config: fmt.Sprintf(`
resource "breakglass_ca_policy_exclusion" "test" {
  user_ids         = [%q]
  match            = "blocks_access"
  include_disabled = true
}`, user),
			Check: func(s *terraform.State) error {
				attrs := s.RootModule().Resources[address].Primary.Attributes
				for k, v := range attrs {
					if v == id {
						return fmt.Errorf("match selected the workload-identity policy (%s = %s)", k, v)
					}
				}
				return nil
			},
		},
		resource.TestStep{
			Config: fmt.Sprintf(`
resource "breakglass_ca_policy_exclusion" "test" {
  user_ids   = [%q]
  policy_ids = [%q]
}`, user, id),
			ExpectError: regexp.MustCompile(`(?s)applies to service principals \(workload identities\).*Remove it from policy_ids`),
		},
	))
}
