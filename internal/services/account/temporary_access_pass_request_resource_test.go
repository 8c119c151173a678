package account_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

const requestAddress = "breakglass_temporary_access_pass_request.test"

// requestConfig is an account with a request for a pass (and no ephemeral pass: nothing is issued).
func requestConfig(name, arguments string) string {
	return tapConfig(name, "") + fmt.Sprintf(`
resource "breakglass_temporary_access_pass_request" "test" {
  user_id = breakglass_account.test.object_id
  version = "1"
  %s
}
`, arguments)
}

// TestAccTemporaryAccessPassRequest_refusals: a user the method does not target, and a lifetime outside the
// tenant's policy, are refused before anything is recorded, naming the fix; once the user is in the targeted group
// the request is created, refreshes without diff and imports; a refresh drops it once its user is deleted. The
// simulator puts the account into the group.
func TestAccTemporaryAccessPassRequest_refusals(t *testing.T) {
	sim := acctest.Sim(t)
	name := uniqueName(t)
	var userID string
	resource.ParallelTest(t, testCase(t,
		resource.TestStep{Config: tapConfig(name, ""), Check: capture(&userID, "id")},
		resource.TestStep{
			Config:      requestConfig(name, ""),
			ExpectError: regexp.MustCompile(`(?s)does\s+not\s+target\s+user.*Include\s+user.*breakglass_authentication_method_targets`),
		},
		resource.TestStep{
			PreConfig: func() {
				if err := sim.AddGroupMember(tenantsim.FixtureTAPHelpdeskGroupID, userID); err != nil {
					t.Fatal(err)
				}
			},
			Config:      requestConfig(name, "lifetime_in_minutes = 600"),
			ExpectError: regexp.MustCompile(`(?s)lifetime_in_minutes\s+600\s+lies\s+outside.*60\s+to\s+480\s+minutes`),
		},
		resource.TestStep{
			Config: requestConfig(name, ""),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(requestAddress, "lifetime_in_minutes", "60"),
				resource.TestCheckResourceAttr(requestAddress, "is_usable_once", "true"),
				resource.TestMatchResourceAttr(requestAddress, "id", regexp.MustCompile(`^[0-9a-f-]{36}$`)),
				resource.TestMatchResourceAttr(requestAddress, "requested_at", regexp.MustCompile(`^\d{4}-\d\d-\d\dT`)),
			),
		},
		resource.TestStep{
			ResourceName: requestAddress,
			ImportState:  true,
			ImportStateIdFunc: func(s *terraform.State) (string, error) {
				return userID + "/1", nil
			},
			// An imported request gets an id of its own: the one in state is a request this import did not make.
			ImportStateVerify:                    true,
			ImportStateVerifyIdentifierAttribute: "user_id",
			ImportStateVerifyIgnore:              []string{"id", "requested_at", "timeouts"},
		},
		// The user deleted behind Terraform's back (so in deleted items): the refresh drops the request with it.
		resource.TestStep{
			PreConfig: func() {
				if err := clients.Graph(acctest.Client(t)).Users().ByUserId(userID).Delete(context.Background(), nil); err != nil {
					t.Fatalf("deleting the user behind Terraform's back: %v", err)
				}
				acctest.WaitOutReplication()
			},
			RefreshState:       true,
			ExpectNonEmptyPlan: true,
			Check: func(s *terraform.State) error {
				if _, ok := s.RootModule().Resources[requestAddress]; ok {
					return fmt.Errorf("the request of a deleted user is still in state")
				}
				return nil
			},
		},
	))
}

// TestAccTemporaryAccessPassRequest_methodDisabled: with the method disabled in the tenant's policy the request is
// refused, naming the fix. It changes the shared tenant's policy, so it does not run in parallel, and puts it back.
func TestAccTemporaryAccessPassRequest_methodDisabled(t *testing.T) {
	sim := acctest.Sim(t)
	name := uniqueName(t)
	setState := func(state string) {
		if err := sim.SetAuthMethodConfigFields("TemporaryAccessPass", map[string]any{"state": state}); err != nil {
			t.Fatal(err)
		}
		acctest.WaitOutReplication()
	}
	t.Cleanup(func() { setState("enabled") })
	var userID string
	resource.Test(t, testCase(t,
		resource.TestStep{Config: tapConfig(name, ""), Check: capture(&userID, "id")},
		resource.TestStep{
			PreConfig: func() {
				if err := sim.AddGroupMember(tenantsim.FixtureTAPHelpdeskGroupID, userID); err != nil {
					t.Fatal(err)
				}
				setState("disabled")
			},
			Config:      requestConfig(name, ""),
			ExpectError: regexp.MustCompile(`(?s)Temporary\s+Access\s+Pass\s+authentication\s+method\s+is\s+disabled.*Enable\s+it`),
		},
	))
}

// TestAccTemporaryAccessPassRequest_badInput: each mistake is caught at plan time, naming the attribute.
func TestAccTemporaryAccessPassRequest_badInput(t *testing.T) {
	cases := map[string]struct{ body, want string }{
		"lifetime below Entra's minimum": {`user_id = "00000000-0000-0000-0000-000000000001"` + "\nversion = \"1\"\nlifetime_in_minutes = 5", `lifetime_in_minutes`},
		"lifetime above 30 days":         {`user_id = "00000000-0000-0000-0000-000000000001"` + "\nversion = \"1\"\nlifetime_in_minutes = 43201", `lifetime_in_minutes`},
		"blank version":                  {`user_id = "00000000-0000-0000-0000-000000000001"` + "\nversion = \" \"", `version`},
		"user principal name":            {`user_id = "ops@contoso.onmicrosoft.com"` + "\nversion = \"1\"", `user_id`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      fmt.Sprintf("resource \"breakglass_temporary_access_pass_request\" \"test\" {\n  %s\n}", tc.body),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccTemporaryAccessPass_privilegedTarget: an emergency account holds Global Administrator, and Entra lets only
// a caller holding Privileged Authentication Administrator (or Global Administrator) give such a user a pass; the
// test's identity holds neither, so issuing is refused with an error naming the role. The simulator puts the
// account into the group the method targets.
func TestAccTemporaryAccessPass_privilegedTarget(t *testing.T) {
	sim := acctest.Sim(t)
	name := uniqueName(t)
	admin := tapConfig(name, "") + `
resource "breakglass_pim_permanent_assignment" "test" {
  principal_id = breakglass_account.test.object_id
  role         = "Global Administrator"
}
`
	var userID string
	resource.ParallelTest(t, testCase(t,
		resource.TestStep{Config: admin, Check: capture(&userID, "id")},
		resource.TestStep{
			PreConfig: func() {
				if err := sim.AddGroupMember(tenantsim.FixtureTAPHelpdeskGroupID, userID); err != nil {
					t.Fatal(err)
				}
			},
			Config:      tapConfig(name, "1") + admin[len(tapConfig(name, "")):],
			ExpectError: regexp.MustCompile(`(?s)Cannot\s+issue\s+the\s+Temporary\s+Access\s+Pass.*Privileged\s+Authentication\s+Administrator`),
		},
	))
}
