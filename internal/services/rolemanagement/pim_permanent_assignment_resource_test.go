package rolemanagement_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/policies"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

func TestMain(m *testing.M) { acctest.Main(m) }

const (
	address           = "breakglass_pim_permanent_assignment.test"
	globalAdminID     = "62e90394-69f5-4237-9190-012177145e10"
	exchangeAdminID   = "29232cdf-9323-42fd-ade2-1d097af3e4de"
	helpdeskAdminID   = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
	expirationRuleID  = "Expiration_Admin_Assignment"
	tokenExchangeNote = "test"
)

func nickname() string { return "acc" + strings.ReplaceAll(uuid.NewString(), "-", "")[:10] }

// accountAndAssignment is the pattern users write: a new emergency account and its permanent role.
func accountAndAssignment(nick, roleAttrs string) string {
	return fmt.Sprintf(`
resource "breakglass_account" "bg" {
  display_name  = "Ops %[1]s"
  mail_nickname = %[1]q
}

resource "breakglass_pim_permanent_assignment" "test" {
  principal_id = breakglass_account.bg.id
  %[2]s
}`, nick, roleAttrs)
}

func testCase(t *testing.T, steps ...resource.TestStep) resource.TestCase {
	t.Helper()
	return resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             checkNoActiveAssignment,
		Steps:                    steps,
	}
}

// checkNoActiveAssignment proves destroy removed the assignment.
func checkNoActiveAssignment(s *terraform.State) error {
	for _, rs := range s.RootModule().Resources {
		if rs.Type != "breakglass_pim_permanent_assignment" {
			continue
		}
		if n := activeSchedules(rs.Primary.Attributes["principal_id"], rs.Primary.Attributes["role_definition_id"]); n != 0 {
			return fmt.Errorf("%d active assignment(s) remain for %s after destroy", n, rs.Primary.ID)
		}
	}
	return nil
}

func activeSchedules(principal, role string) int {
	c := testClient
	if c == nil {
		return 0
	}
	filter := fmt.Sprintf("principalId eq '%s' and roleDefinitionId eq '%s'", principal, role)
	resp, err := clients.Graph(c).RoleManagement().Directory().RoleAssignmentSchedules().Get(context.Background(), &roleSchedulesConfig{
		QueryParameters: &roleSchedulesQuery{Filter: &filter},
	})
	if err != nil {
		return -1
	}
	return len(resp.GetValue())
}

func TestAccPIMAssignment_basic(t *testing.T) {
	setTestClient(t)
	nick := nickname()
	var principal string
	resource.ParallelTest(t, testCase(t,
		resource.TestStep{
			Config: accountAndAssignment(nick, `role = "global administrator"`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(address, tfjsonpath.New("role_definition_id"), knownvalue.StringExact(globalAdminID)),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("role_name"), knownvalue.StringExact("Global Administrator")),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("directory_scope_id"), knownvalue.StringExact("/")),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("end_date_time"), knownvalue.Null()),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("assignment_method"), knownvalue.StringExact("pim")),
			},
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttrSet(address, "schedule_id"),
				resource.TestCheckResourceAttrWith(address, "id", func(id string) error {
					if !strings.HasSuffix(id, "/"+globalAdminID) {
						return fmt.Errorf("id %s is not principal/role", id)
					}
					return nil
				}),
				func(s *terraform.State) error {
					principal = s.RootModule().Resources[address].Primary.Attributes["principal_id"]
					if n := activeSchedules(principal, globalAdminID); n != 1 {
						return fmt.Errorf("%d active schedules, want 1", n)
					}
					return nil
				},
			),
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		resource.TestStep{
			ResourceName:            address,
			ImportState:             true,
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"role", "timeouts"},
		},
	))
}

// TestAccPIMAssignment_replicationDelay assigns a role to an account PIM sees only 30 s after its creation.
func TestAccPIMAssignment_replicationDelay(t *testing.T) {
	setKnobs(t, func(k *tenantsim.Knobs) { k.PIMReplicationDelay = 30 * time.Second })
	start := time.Now()
	resource.Test(t, testCase(t, resource.TestStep{
		Config: accountAndAssignment(nickname(), `role_definition_id = "`+globalAdminID+`"`),
		Check: func(*terraform.State) error {
			if waited := time.Since(start); waited < 30*time.Second {
				return fmt.Errorf("apply finished after %s, before the principal could have replicated: the knob had no effect", waited)
			}
			return nil
		},
	}))
}

// TestAccPIMAssignment_destroyRightAfterCreate: PIM refuses to end an active assignment younger than its minimum
// active duration (ActiveDurationTooShort; five minutes in Entra, 20 s here). The destroy that follows the apply
// at once waits until PIM accepts the removal instead of failing.
func TestAccPIMAssignment_destroyRightAfterCreate(t *testing.T) {
	setKnobs(t, func(k *tenantsim.Knobs) { k.PIMMinActiveDuration = 20 * time.Second })
	var created time.Time
	tc := testCase(t, resource.TestStep{
		Config: accountAndAssignment(nickname(), `role = "Global Administrator"`),
		Check:  func(*terraform.State) error { created = time.Now(); return nil },
	})
	checkGone := tc.CheckDestroy
	tc.CheckDestroy = func(s *terraform.State) error {
		if waited := time.Since(created); waited < 15*time.Second {
			return fmt.Errorf("destroy finished %s after the apply, before PIM could have accepted the removal: the knob had no effect", waited)
		}
		return checkGone(s)
	}
	resource.Test(t, tc)
}

// TestAccPIMAssignment_boundedSchedules: schedules that end are never taken for the permanent assignment. One given
// an afterDuration expiration (a duration, no endDateTime) shows its end and is made permanent again; an
// activation of an eligible assignment (assignmentType Activated), left after someone removed the permanent one,
// is not the assignment, so the plan creates it again.
func TestAccPIMAssignment_boundedSchedules(t *testing.T) {
	sim := acctest.Sim(t)
	setTestClient(t)
	config := accountAndAssignment(nickname(), `role = "Helpdesk Administrator"`)
	var principal string
	resource.ParallelTest(t, testCase(t,
		resource.TestStep{Config: config, Check: func(s *terraform.State) error {
			principal = s.RootModule().Resources[address].Primary.Attributes["principal_id"]
			return nil
		}},
		resource.TestStep{
			PreConfig: func() {
				scheduleRequest(t, principal, models.ADMINUPDATE_UNIFIEDROLESCHEDULEREQUESTACTIONS, scheduleFor(8*time.Hour))
			},
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
			}},
			Check: resource.TestCheckNoResourceAttr(address, "end_date_time"),
		},
		resource.TestStep{
			PreConfig: func() {
				scheduleRequest(t, principal, models.ADMINREMOVE_UNIFIEDROLESCHEDULEREQUESTACTIONS, nil)
				sim.ActivateRole(principal, helpdeskAdminID, 8*time.Hour)
			},
			Config:             config,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(address, plancheck.ResourceActionCreate),
			}},
		},
	))
}

func TestAccPIMAssignment_drift(t *testing.T) {
	setTestClient(t)
	nick := nickname()
	config := accountAndAssignment(nick, `role = "Helpdesk Administrator"`)
	var principal string
	capturePrincipal := func(s *terraform.State) error {
		principal = s.RootModule().Resources[address].Primary.Attributes["principal_id"]
		return nil
	}
	expect := func(action plancheck.ResourceActionType) resource.ConfigPlanChecks {
		return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, action)}}
	}
	resource.ParallelTest(t, testCase(t,
		resource.TestStep{Config: config, Check: capturePrincipal},
		resource.TestStep{ // removed outside Terraform
			PreConfig: func() {
				scheduleRequest(t, principal, models.ADMINREMOVE_UNIFIEDROLESCHEDULEREQUESTACTIONS, nil)
			},
			Config:           config,
			ConfigPlanChecks: expect(plancheck.ResourceActionCreate),
		},
		resource.TestStep{ // given an end date
			PreConfig: func() {
				end := time.Now().Add(30 * 24 * time.Hour)
				scheduleRequest(t, principal, models.ADMINUPDATE_UNIFIEDROLESCHEDULEREQUESTACTIONS, scheduleUntil(end))
			},
			Config:           config,
			ConfigPlanChecks: expect(plancheck.ResourceActionUpdate),
			Check:            resource.TestCheckNoResourceAttr(address, "end_date_time"),
		},
		resource.TestStep{ // converted to eligible
			PreConfig: func() {
				scheduleRequest(t, principal, models.ADMINREMOVE_UNIFIEDROLESCHEDULEREQUESTACTIONS, nil)
				eligibleRequest(t, principal, helpdeskAdminID, models.ADMINASSIGN_UNIFIEDROLESCHEDULEREQUESTACTIONS)
			},
			Config:           config,
			ConfigPlanChecks: expect(plancheck.ResourceActionCreate),
		},
		resource.TestStep{ // tidy up the eligible assignment so the account can be deleted cleanly
			PreConfig: func() {
				eligibleRequest(t, principal, helpdeskAdminID, models.ADMINREMOVE_UNIFIEDROLESCHEDULEREQUESTACTIONS)
			},
			Config: config,
		},
	))
}

// TestAccPIMAssignment_policyForbidsPermanent uses Exchange Administrator so that changing its policy touches no
// other test.
func TestAccPIMAssignment_policyForbidsPermanent(t *testing.T) {
	acctest.Sim(t) // changes a tenant-wide PIM policy: never on a live tenant
	setTestClient(t)
	setExpirationRequired(t, exchangeAdminID, true)
	defer setExpirationRequired(t, exchangeAdminID, false)
	resource.Test(t, testCase(t, resource.TestStep{
		Config:      accountAndAssignment(nickname(), `role = "Exchange Administrator"`),
		ExpectError: regexp.MustCompile(`(?s)Exchange Administrator.*Expiration_Admin_Assignment.*isExpirationRequired.*Allow permanent\s+active\s+assignment`),
	}))
}

func TestAccPIMAssignment_alreadyExists(t *testing.T) {
	setTestClient(t)
	nick := nickname()
	resource.ParallelTest(t, testCase(t,
		resource.TestStep{Config: accountAndAssignment(nick, `role = "Global Reader"`)},
		resource.TestStep{
			Config: accountAndAssignment(nick, `role = "Global Reader"`) + `
resource "breakglass_pim_permanent_assignment" "twin" {
  principal_id       = breakglass_account.bg.id
  role_definition_id = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
}`,
			ExpectError: regexp.MustCompile(`(?s)already holds Global Reader.*terraform import.*import \{`),
		},
	))
}

func TestAccPIMAssignment_direct(t *testing.T) {
	setTestClient(t)
	resource.ParallelTest(t, testCase(t, resource.TestStep{
		Config: accountAndAssignment(nickname(), `role = "Global Administrator"
  assignment_method = "direct"`),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(address, tfjsonpath.New("assignment_method"), knownvalue.StringExact("direct")),
		},
		Check: func(s *terraform.State) error {
			attrs := s.RootModule().Resources[address].Primary.Attributes
			resp, err := clients.Graph(testClient).RoleManagement().Directory().RoleAssignments().ByUnifiedRoleAssignmentId(attrs["schedule_id"]).Get(context.Background(), nil)
			if err != nil {
				return fmt.Errorf("the direct role assignment %s is not there: %w", attrs["schedule_id"], err)
			}
			if *resp.GetPrincipalId() != attrs["principal_id"] {
				return fmt.Errorf("direct assignment for %s, want %s", *resp.GetPrincipalId(), attrs["principal_id"])
			}
			return nil
		},
		ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
	}))
}

func TestAccPIMAssignment_throttled(t *testing.T) {
	sim := acctest.Sim(t)
	setTestClient(t)
	defer sim.SetKnobs(sim.Knobs())
	sim.SetKnobs(tenantsim.Knobs{ThrottleRate: 0.3, RetryAfter: time.Second})
	resource.Test(t, testCase(t, resource.TestStep{
		Config: accountAndAssignment(nickname(), `role = "Global Administrator"`),
		Check:  resource.TestCheckResourceAttrSet(address, "schedule_id"),
	}))
}

func TestAccPIMAssignment_badInput(t *testing.T) {
	const principal = `principal_id = "11111111-1111-1111-1111-111111111111"`
	cases := map[string]struct{ body, want string }{
		"both role and id":     {principal + "\nrole = \"Global Administrator\"\nrole_definition_id = \"" + globalAdminID + "\"", `(?s)role.*role_definition_id`},
		"neither role nor id":  {principal, `(?s)role.*role_definition_id`},
		"unknown role name":    {principal + "\nrole = \"Global Admin\"", `(?s)Did you mean\s+"Global\s+Administrator"`},
		"role id not a GUID":   {principal + "\nrole_definition_id = \"Global Administrator\"", `role_definition_id`},
		"principal not a GUID": {`principal_id = "bg1@contoso.onmicrosoft.com"` + "\nrole = \"Global Administrator\"", `principal_id`},
		"scope without slash":  {principal + "\nrole = \"Global Administrator\"\ndirectory_scope_id = \"tenant\"", `directory_scope_id`},
		"unknown method":       {principal + "\nrole = \"Global Administrator\"\nassignment_method = \"eligible\"", `assignment_method`},
		"empty justification":  {principal + "\nrole = \"Global Administrator\"\njustification = \"  \"", `justification`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      "resource \"breakglass_pim_permanent_assignment\" \"test\" {\n" + tc.body + "\n}",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// ---- helpers that change the tenant through Graph, as an administrator would ----

// setKnobs changes the simulated tenant's knobs for the test (which must not be parallel) and puts them back after.
func setKnobs(t *testing.T, change func(*tenantsim.Knobs)) {
	t.Helper()
	sim := acctest.Sim(t)
	setTestClient(t)
	prev := sim.Knobs()
	t.Cleanup(func() { sim.SetKnobs(prev) })
	k := prev
	change(&k)
	sim.SetKnobs(k)
}

// scheduleRequest changes the principal's Helpdesk Administrator assignment outside Terraform.
func scheduleRequest(t *testing.T, principal string, action models.UnifiedRoleScheduleRequestActions, info models.RequestScheduleable) {
	role := helpdeskAdminID
	t.Helper()
	req := models.NewUnifiedRoleAssignmentScheduleRequest()
	req.SetAction(&action)
	req.SetPrincipalId(&principal)
	req.SetRoleDefinitionId(&role)
	req.SetDirectoryScopeId(new("/"))
	req.SetJustification(new(tokenExchangeNote))
	if info != nil {
		req.SetScheduleInfo(info)
	}
	// Like the provider, someone removing an assignment PIM made moments ago waits until PIM lets them.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := clients.RetryWhileRefused(ctx, "PIM still refused "+action.String(), "the assignment's minimum active duration", func(err error) bool {
		ge, ok := clients.AsGraphError(err)
		return ok && ge.Code == "ActiveDurationTooShort"
	}, func(ctx context.Context) error {
		_, err := clients.Graph(testClient).RoleManagement().Directory().RoleAssignmentScheduleRequests().Post(ctx, req, nil)
		return err
	})
	if err != nil {
		t.Fatalf("%v on the active assignment: %v", action, err)
	}
}

func eligibleRequest(t *testing.T, principal, role string, action models.UnifiedRoleScheduleRequestActions) {
	t.Helper()
	req := models.NewUnifiedRoleEligibilityScheduleRequest()
	req.SetAction(&action)
	req.SetPrincipalId(&principal)
	req.SetRoleDefinitionId(&role)
	req.SetDirectoryScopeId(new("/"))
	req.SetJustification(new(tokenExchangeNote))
	if action == models.ADMINASSIGN_UNIFIEDROLESCHEDULEREQUESTACTIONS {
		req.SetScheduleInfo(scheduleUntil(time.Now().Add(90 * 24 * time.Hour)))
	}
	if _, err := clients.Graph(testClient).RoleManagement().Directory().RoleEligibilityScheduleRequests().Post(context.Background(), req, nil); err != nil {
		t.Fatalf("%v on the eligible assignment: %v", action, err)
	}
}

// scheduleFor is a schedule that ends after d, as an afterDuration expiration (no endDateTime). Keep d under a day:
// kiota writes longer durations with weeks (P4W2D), which is no valid Edm.Duration, and the request-log check fails.
func scheduleFor(d time.Duration) models.RequestScheduleable {
	now := time.Now().UTC()
	exp := models.NewExpirationPattern()
	typ := models.AFTERDURATION_EXPIRATIONPATTERNTYPE
	exp.SetTypeEscaped(&typ)
	exp.SetDuration(serialization.FromDuration(d))
	info := models.NewRequestSchedule()
	info.SetStartDateTime(&now)
	info.SetExpiration(exp)
	return info
}

func scheduleUntil(end time.Time) models.RequestScheduleable {
	now := time.Now().UTC()
	exp := models.NewExpirationPattern()
	typ := models.AFTERDATETIME_EXPIRATIONPATTERNTYPE
	exp.SetTypeEscaped(&typ)
	end = end.UTC()
	exp.SetEndDateTime(&end)
	info := models.NewRequestSchedule()
	info.SetStartDateTime(&now)
	info.SetExpiration(exp)
	return info
}

func setExpirationRequired(t *testing.T, role string, required bool) {
	t.Helper()
	ctx := context.Background()
	filter := fmt.Sprintf("scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '%s'", role)
	resp, err := clients.Graph(testClient).Policies().RoleManagementPolicyAssignments().Get(ctx, &policies.RoleManagementPolicyAssignmentsRequestBuilderGetRequestConfiguration{
		QueryParameters: &policies.RoleManagementPolicyAssignmentsRequestBuilderGetQueryParameters{Filter: &filter},
	})
	if err != nil || len(resp.GetValue()) != 1 {
		t.Fatalf("finding the PIM policy of %s: %v", role, err)
	}
	rule := models.NewUnifiedRoleManagementPolicyExpirationRule()
	rule.SetOdataType(new("#microsoft.graph.unifiedRoleManagementPolicyExpirationRule"))
	rule.SetId(new(expirationRuleID))
	rule.SetIsExpirationRequired(&required)
	_, err = clients.Graph(testClient).Policies().RoleManagementPolicies().ByUnifiedRoleManagementPolicyId(*resp.GetValue()[0].GetPolicyId()).
		Rules().ByUnifiedRoleManagementPolicyRuleId(expirationRuleID).Patch(ctx, rule, nil)
	if err != nil {
		t.Fatalf("patching %s of %s: %v", expirationRuleID, role, err)
	}
}
