package administrativeunits_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	graphrm "github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/account"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

func TestMain(m *testing.M) { acctest.Main(m) }

const (
	address     = "breakglass_restricted_management_unit.test"
	accountAddr = "breakglass_account.bg"
	// privilegedAuthenticationAdministrator is the default manager role.
	privilegedAuthenticationAdministrator = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"
)

func nickname() string { return "rmu" + strings.ReplaceAll(uuid.NewString(), "-", "")[:10] }

// unitConfig is an emergency account in a restricted unit; manager is the manager_principal_id line or "".
func unitConfig(nick, displayName, password string, version int, manager string) string {
	return fmt.Sprintf(`
resource "breakglass_account" "bg" {
  display_name        = %[2]q
  mail_nickname       = %[1]q
  password_wo         = %[3]s
  password_wo_version = %[4]d
}

resource "breakglass_restricted_management_unit" "test" {
  display_name    = "Emergency access ${breakglass_account.bg.display_name}"
  description     = "Break glass accounts"
  member_user_ids = [breakglass_account.bg.id]
  %[5]s
}`, nick, displayName, acctest.Quote(password), version, manager)
}

func password(t *testing.T) string {
	t.Helper()
	p, err := account.GeneratePassword(80)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func testCase(t *testing.T, steps ...resource.TestStep) resource.TestCase {
	t.Helper()
	return resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             checkDestroyed(t),
		Steps:                    steps,
	}
}

// managesUnits gives the provider's identity Privileged Role Administrator at tenant scope, which Entra requires to
// change the membership of a restricted unit or delete it, and returns the identity's object id. Against a real
// tenant the identity must hold the role already.
func managesUnits(t *testing.T) string {
	t.Helper()
	acctest.PreCheck(t)
	sp := acctest.ProviderServicePrincipal(t)
	if acctest.Live() {
		return sp
	}
	remove, err := acctest.Sim(t).AssignDirectoryRole(sp, tenantsim.PrivilegedRoleAdministratorRoleID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(remove)
	return sp
}

// checkDestroyed proves destroy removed the unit and the manager's role assignment.
func checkDestroyed(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		c := acctest.Client(t)
		acctest.WaitOutReplication()
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "breakglass_restricted_management_unit" {
				continue
			}
			_, err := clients.Graph(c).Directory().AdministrativeUnits().ByAdministrativeUnitId(rs.Primary.ID).Get(context.Background(), nil)
			if err == nil {
				return fmt.Errorf("administrative unit %s still exists after destroy", rs.Primary.ID)
			}
			if !clients.IsNotFound(err) {
				return err
			}
			if n := len(scopedAssignments(t, rs.Primary.ID)); n != 0 {
				return fmt.Errorf("%d role assignment(s) scoped to %s remain after destroy", n, rs.Primary.ID)
			}
		}
		return nil
	}
}

// scopedAssignments lists the role assignments at the unit's scope.
func scopedAssignments(t *testing.T, unitID string) []models.UnifiedRoleAssignmentable {
	t.Helper()
	filter := "directoryScopeId eq " + clients.ODataString("/administrativeUnits/"+unitID)
	resp, err := clients.Graph(acctest.Client(t)).RoleManagement().Directory().RoleAssignments().Get(context.Background(),
		&graphrm.DirectoryRoleAssignmentsRequestBuilderGetRequestConfiguration{
			QueryParameters: &graphrm.DirectoryRoleAssignmentsRequestBuilderGetQueryParameters{Filter: &filter},
		})
	if err != nil {
		t.Fatalf("listing the role assignments of unit %s: %v", unitID, err)
	}
	return resp.GetValue()
}

func unitMembers(t *testing.T, unitID string) []string {
	t.Helper()
	resp, err := clients.Graph(acctest.Client(t)).Directory().AdministrativeUnits().ByAdministrativeUnitId(unitID).Members().Get(context.Background(), nil)
	if err != nil {
		t.Fatalf("listing the members of unit %s: %v", unitID, err)
	}
	var ids []string
	for _, o := range resp.GetValue() {
		ids = append(ids, strings.ToLower(helpers.Deref(o.GetId())))
	}
	return ids
}

func attr(s *terraform.State, addr, name string) string {
	return s.RootModule().Resources[addr].Primary.Attributes[name]
}

// checkProtected proves the unit is restricted, holds the account, and the manager holds the role at its scope.
func checkProtected(t *testing.T, manager string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		acctest.WaitOutReplication()
		unitID, userID := attr(s, address, "id"), attr(s, accountAddr, "id")
		au, err := clients.Graph(acctest.Client(t)).Directory().AdministrativeUnits().ByAdministrativeUnitId(unitID).Get(context.Background(), nil)
		if err != nil {
			return err
		}
		if r := au.GetIsMemberManagementRestricted(); r == nil || !*r {
			return fmt.Errorf("unit %s is not restricted", unitID)
		}
		if members := unitMembers(t, unitID); !helpers.ContainsFold(members, userID) {
			return fmt.Errorf("account %s is not a member of unit %s: %v", userID, unitID, members)
		}
		assignments := scopedAssignments(t, unitID)
		if manager == "" {
			if len(assignments) != 0 {
				return fmt.Errorf("unit %s has %d scoped role assignment(s) without a manager", unitID, len(assignments))
			}
			return nil
		}
		if len(assignments) != 1 || !strings.EqualFold(helpers.Deref(assignments[0].GetPrincipalId()), manager) ||
			!strings.EqualFold(helpers.Deref(assignments[0].GetRoleDefinitionId()), privilegedAuthenticationAdministrator) ||
			helpers.Deref(assignments[0].GetId()) != attr(s, address, "manager_role_assignment_id") {
			return fmt.Errorf("want one Privileged Authentication Administrator assignment of %s at unit %s, got %d", manager, unitID, len(assignments))
		}
		return nil
	}
}

// TestAccRestrictedManagementUnit_providerManagesAccounts: with the provider's service principal as manager, the
// account resource keeps rotating the password and renaming an account inside the unit; a member removed outside
// Terraform is drift that the next apply repairs, and so is the manager's assignment; the unit imports. Not
// parallel: it changes the provider identity's roles.
func TestAccRestrictedManagementUnit_providerManagesAccounts(t *testing.T) {
	sp := managesUnits(t)
	nick := nickname()
	manager := fmt.Sprintf("manager_principal_id = %q", sp)
	pw1, pw2 := password(t), password(t)
	var unitID string
	resource.Test(t, testCase(t,
		resource.TestStep{
			Config: unitConfig(nick, "Ops "+nick, pw1, 1, manager),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, "is_member_management_restricted", "true"),
				resource.TestCheckResourceAttr(address, "manager_role_id", privilegedAuthenticationAdministrator),
				resource.TestCheckResourceAttr(address, "member_user_ids.#", "1"),
				resource.TestCheckResourceAttrPair(address, "member_user_ids.0", accountAddr, "id"),
				func(s *terraform.State) error { unitID = attr(s, address, "id"); return nil },
				checkProtected(t, sp),
			),
		},
		// The provider's own later writes to the account: a rename and a password rotation; the unit is renamed too.
		resource.TestStep{
			Config: unitConfig(nick, "Ops renamed "+nick, pw2, 2, manager),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(accountAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
			}},
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(accountAddr, "display_name", "Ops renamed "+nick),
				resource.TestCheckResourceAttr(address, "display_name", "Emergency access Ops renamed "+nick),
				func(s *terraform.State) error {
					if acctest.Live() || acctest.Sim(t).CheckUserPassword(attr(s, accountAddr, "id"), pw2) {
						return nil
					}
					return fmt.Errorf("the rotated password did not reach the account")
				},
			),
		},
		// Drift: the account removed from the unit and the manager's role removed, outside Terraform.
		resource.TestStep{
			PreConfig: func() {
				c := acctest.Client(t)
				ctx := context.Background()
				user := ""
				for _, m := range unitMembers(t, unitID) {
					user = m
				}
				if err := clients.Graph(c).Directory().AdministrativeUnits().ByAdministrativeUnitId(unitID).Members().ByDirectoryObjectId(user).Ref().Delete(ctx, nil); err != nil {
					t.Fatalf("removing the member outside Terraform: %v", err)
				}
				for _, a := range scopedAssignments(t, unitID) {
					if err := clients.Graph(c).RoleManagement().Directory().RoleAssignments().ByUnifiedRoleAssignmentId(helpers.Deref(a.GetId())).Delete(ctx, nil); err != nil {
						t.Fatalf("removing the manager's role outside Terraform: %v", err)
					}
				}
				acctest.WaitOutReplication()
			},
			Config: unitConfig(nick, "Ops renamed "+nick, pw2, 2, manager),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				plancheck.ExpectUnknownValue(address, tfjsonpath.New("manager_role_assignment_id")),
			}},
			Check: checkProtected(t, sp),
		},
		resource.TestStep{
			ResourceName:            address,
			ImportState:             true,
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"manager_principal_id", "manager_role_assignment_id", "timeouts"},
		},
	))
}

// TestAccRestrictedManagementUnit_withoutManagerRefusesAccountWrites: without a manager, Entra refuses the
// provider's own later writes to an account in the unit, whatever its Graph permissions; the error names the fix.
// Not parallel: it changes the provider identity's roles.
func TestAccRestrictedManagementUnit_withoutManagerRefusesAccountWrites(t *testing.T) {
	managesUnits(t)
	nick := nickname()
	pw := password(t)
	resource.Test(t, testCase(t,
		resource.TestStep{
			Config: unitConfig(nick, "Ops "+nick, pw, 1, ""),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckNoResourceAttr(address, "manager_role_assignment_id"),
				checkProtected(t, ""),
			),
		},
		resource.TestStep{
			Config:      unitConfig(nick, "Ops renamed "+nick, pw, 1, ""),
			ExpectError: regexp.MustCompile(`(?s)restricted\s+management\s+administrative\s+unit.*manager_principal_id`),
		},
	))
}

// TestAccRestrictedManagementUnit_membersNeedPrivilegedRoleAdministrator: without Global or Privileged Role
// Administrator at tenant scope, adding a member of a restricted unit is refused and the error names the role;
// with the role assigned the next apply replaces the half-made unit. Simulator only: it takes the role away from
// the provider's identity.
func TestAccRestrictedManagementUnit_membersNeedPrivilegedRoleAdministrator(t *testing.T) {
	sim := acctest.Sim(t)
	sp := acctest.ProviderServicePrincipal(t)
	nick := nickname()
	pw := password(t)
	manager := fmt.Sprintf("manager_principal_id = %q", sp)
	resource.Test(t, testCase(t,
		resource.TestStep{
			Config:      unitConfig(nick, "Ops "+nick, pw, 1, manager),
			ExpectError: regexp.MustCompile(`(?s)Global\s+Administrator\s+or\s+Privileged\s+Role\s+Administrator\s+at\s+tenant\s+scope.*AdministrativeUnit\.ReadWrite\.All`),
		},
		resource.TestStep{
			PreConfig: func() {
				remove, err := sim.AssignDirectoryRole(sp, tenantsim.PrivilegedRoleAdministratorRoleID)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(remove)
			},
			Config: unitConfig(nick, "Ops "+nick, pw, 1, manager),
			Check:  checkProtected(t, sp),
		},
	))
}

// TestAccRestrictedManagementUnit_importRefusesUnrestricted: a unit made without the restriction cannot become a
// restricted one, so importing it is refused with the reason.
func TestAccRestrictedManagementUnit_importRefusesUnrestricted(t *testing.T) {
	acctest.PreCheck(t)
	c := acctest.Client(t)
	body := models.NewAdministrativeUnit()
	name := "Unrestricted " + nickname()
	body.SetDisplayName(&name)
	au, err := clients.Graph(c).Directory().AdministrativeUnits().Post(context.Background(), body, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := helpers.Deref(au.GetId())
	t.Cleanup(func() {
		if err := clients.Graph(c).Directory().AdministrativeUnits().ByAdministrativeUnitId(id).Delete(context.Background(), nil); err != nil {
			t.Errorf("deleting unit %s: %v", id, err)
		}
	})
	acctest.WaitOutReplication()
	resource.Test(t, testCase(t, resource.TestStep{
		Config: `
resource "breakglass_restricted_management_unit" "test" {
  display_name    = "x"
  member_user_ids = ["00000000-0000-0000-0000-000000000001"]
}`,
		ResourceName:  address,
		ImportState:   true,
		ImportStateId: id,
		ExpectError:   regexp.MustCompile(`(?s)is not a restricted management unit.*only\s+when\s+it\s+is\s+created`),
	}))
}

// TestAccRestrictedManagementUnit_othersMembersAndGroups: a security group is a member like the accounts; a member
// someone else added is neither drift nor removed when the configuration drops the group. Simulator only: it
// seeds the group and the other member through the simulator's controls.
func TestAccRestrictedManagementUnit_othersMembersAndGroups(t *testing.T) {
	sim := acctest.Sim(t)
	sp := managesUnits(t)
	nick := nickname()
	pw := password(t)
	group, err := sim.AddGroup(tenantsim.Group{DisplayName: "CA exclusion " + nick, SecurityEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	other := uuid.NewString()
	if err := sim.AddUsers([]map[string]any{{"id": other, "displayName": "Other " + nick,
		"userPrincipalName": "other-" + nick + "@contoso.onmicrosoft.com", "mailNickname": "other-" + nick, "accountEnabled": true}}); err != nil {
		t.Fatal(err)
	}
	manager := fmt.Sprintf("manager_principal_id = %q", sp)
	withGroup := unitConfig(nick, "Ops "+nick, pw, 1, manager+fmt.Sprintf("\n  member_group_ids = [%q]", group))
	var unitID string
	resource.Test(t, testCase(t,
		resource.TestStep{
			Config: withGroup,
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, "member_group_ids.#", "1"),
				func(s *terraform.State) error {
					unitID = attr(s, address, "id")
					if !helpers.ContainsFold(unitMembers(t, unitID), group) {
						return fmt.Errorf("group %s is not a member of unit %s", group, unitID)
					}
					return nil
				},
			),
		},
		resource.TestStep{
			PreConfig: func() {
				ref := models.NewReferenceCreate()
				odataID := "https://graph.microsoft.com/v1.0/directoryObjects/" + other
				ref.SetOdataId(&odataID)
				if err := clients.Graph(acctest.Client(t)).Directory().AdministrativeUnits().ByAdministrativeUnitId(unitID).Members().Ref().Post(context.Background(), ref, nil); err != nil {
					t.Fatalf("adding a member outside Terraform: %v", err)
				}
				acctest.WaitOutReplication()
			},
			Config: withGroup,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(address, plancheck.ResourceActionNoop),
			}},
		},
		resource.TestStep{
			Config: unitConfig(nick, "Ops "+nick, pw, 1, manager),
			Check: func(s *terraform.State) error {
				acctest.WaitOutReplication()
				members := unitMembers(t, unitID)
				if helpers.ContainsFold(members, group) || !helpers.ContainsFold(members, other) || !helpers.ContainsFold(members, attr(s, accountAddr, "id")) {
					return fmt.Errorf("want the account and the other member but not the group in unit %s, got %v", unitID, members)
				}
				return nil
			},
		},
	))
}

// TestAccRestrictedManagementUnit_newUnitReplicating: a new unit, like a new user, stays unknown to Graph for a
// few seconds (tenantsim's Knobs.ReplicationDelay at the production profile's 5 s): the manager's scoped role and
// the members must wait for it rather than fail, the refresh after apply must not lose it, and no second unit
// appears. Not parallel: it changes the simulated tenant's knobs and the provider identity's roles.
func TestAccRestrictedManagementUnit_newUnitReplicating(t *testing.T) {
	sim := acctest.Sim(t)
	sp := managesUnits(t)
	defer sim.SetKnobs(sim.Knobs())
	k := sim.Knobs()
	k.ReplicationDelay = tenantsim.Profiles["production"].ReplicationDelay
	sim.SetKnobs(k)
	nick := nickname()
	resource.Test(t, testCase(t, resource.TestStep{
		Config:           unitConfig(nick, "Ops "+nick, password(t), 1, fmt.Sprintf("manager_principal_id = %q", sp)),
		ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		Check: resource.ComposeTestCheckFunc(
			checkProtected(t, sp),
			func(*terraform.State) error {
				n := 0
				for _, u := range sim.AdministrativeUnits() {
					if u["displayName"] == "Emergency access Ops "+nick {
						n++
					}
				}
				if n != 1 {
					return fmt.Errorf("%d units named for the account, want 1", n)
				}
				return nil
			},
		),
	}))
}
