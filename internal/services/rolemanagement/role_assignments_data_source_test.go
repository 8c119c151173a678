package rolemanagement_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/rolemanagement"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

const (
	securityAdminID = "194ae4cb-b126-40b2-bd5b-6091b380977d"
	privRoleAdminID = "e8611ab8-c189-46e8-94e1-60213ab1f814"
	privAuthAdminID = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"
	intuneAdminID   = "3a2c62db-5318-420d-8d74-23affee5d9d5"
	reportsReaderID = "4a5d8f65-41da-4de4-8968-e035b65339cf"
)

// auditTenant loads the audit fixtures and, through PIM as an administrator would, makes Lee Gu (the Legacy
// Automation owner) eligible for Security Administrator (privileged) and Reports Reader (not privileged) for 90
// days. Both steps are idempotent, so every test of the package may call it.
func auditTenant(t *testing.T) *tenantsim.Server {
	t.Helper()
	sim := acctest.AuditTenant(t)
	setTestClient(t)
	for _, role := range []string{securityAdminID, reportsReaderID} {
		if slices.ContainsFunc(sim.RoleEligibilitySchedules(), func(s map[string]any) bool {
			return s["principalId"] == tenantsim.FixtureLegacyAutomationOwnerID && s["roleDefinitionId"] == role
		}) {
			continue
		}
		action := models.ADMINASSIGN_UNIFIEDROLESCHEDULEREQUESTACTIONS
		req := models.NewUnifiedRoleEligibilityScheduleRequest()
		req.SetAction(&action)
		req.SetPrincipalId(new(tenantsim.FixtureLegacyAutomationOwnerID))
		req.SetRoleDefinitionId(new(role))
		req.SetDirectoryScopeId(new("/"))
		req.SetJustification(new("audit fixture"))
		req.SetScheduleInfo(scheduleUntil(time.Now().Add(90 * 24 * time.Hour)))
		if _, err := clients.Graph(testClient).RoleManagement().Directory().RoleEligibilityScheduleRequests().Post(context.Background(), req, nil); err != nil {
			if ge, ok := clients.AsGraphError(err); !ok || ge.Code != "RoleAssignmentExists" {
				t.Fatalf("making Lee Gu eligible for %s: %v", role, err)
			}
		}
	}
	return sim
}

// row is one element of assignments as Terraform stored it.
type row map[string]string

func rowsOf(s *terraform.State, address string) ([]row, map[string]string, error) {
	rs, ok := s.RootModule().Resources[address]
	if !ok {
		return nil, nil, fmt.Errorf("%s is not in the state", address)
	}
	attrs := rs.Primary.Attributes
	n, err := strconv.Atoi(attrs["assignments.#"])
	if err != nil {
		return nil, nil, fmt.Errorf("%s: assignments.# = %q", address, attrs["assignments.#"])
	}
	rows := make([]row, n)
	for i := range rows {
		rows[i] = row{}
		prefix := fmt.Sprintf("assignments.%d.", i)
		for k, v := range attrs {
			if strings.HasPrefix(k, prefix) {
				rows[i][strings.TrimPrefix(k, prefix)] = v
			}
		}
	}
	return rows, attrs, nil
}

func find(rows []row, match row) []row {
	var out []row
next:
	for _, r := range rows {
		for k, v := range match {
			if !strings.EqualFold(r[k], v) {
				continue next
			}
		}
		out = append(out, r)
	}
	return out
}

// expectRow checks that exactly one row matches key and that it has want.
func expectRow(rows []row, key, want row) error {
	found := find(rows, key)
	if len(found) != 1 {
		return fmt.Errorf("%d rows match %v, want 1", len(found), key)
	}
	for k, v := range want {
		if found[0][k] != v {
			return fmt.Errorf("row %v: %s = %q, want %q", key, k, found[0][k], v)
		}
	}
	return nil
}

func TestAccRoleAssignmentsDataSource_fixtures(t *testing.T) {
	sim := auditTenant(t)
	const address = "data.breakglass_role_assignments.all"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: `data "breakglass_role_assignments" "all" {}`,
			Check: func(s *terraform.State) error {
				rows, attrs, err := rowsOf(s, address)
				if err != nil {
					return err
				}
				checks := []struct{ key, want row }{
					// The synced admin's Global Administrator, assigned outside PIM in 2019.
					{row{"principal_id": tenantsim.FixtureSyncedAdminID, "role_definition_id": rolemanagement.GlobalAdministratorRoleID}, row{
						"principal_type": "user", "user_principal_name": "alex.wilber@contoso.com", "role_name": "Global Administrator",
						"is_privileged": "true", "state": "active", "member_type": "direct", "permanent": "true", "outside_pim": "true",
						"directory_scope_id": "/", "start_date_time": "2019-03-14T09:30:00Z", "end_date_time": "",
					}},
					// Tier0 Admins holds Privileged Authentication Administrator through PIM; its member holds it through the group.
					{row{"principal_id": tenantsim.FixtureTier0GroupID, "role_definition_id": privAuthAdminID}, row{
						"principal_type": "group", "principal_display_name": "Tier0 Admins", "member_type": "direct", "state": "active",
						"permanent": "true", "outside_pim": "false", "user_principal_name": "", "app_id": "",
						"start_date_time": "2024-09-02T13:20:00Z",
					}},
					{row{"principal_id": tenantsim.FixtureTier0MemberID, "role_definition_id": privAuthAdminID}, row{
						"principal_type": "user", "user_principal_name": "isaiah.langer@contoso.com", "member_type": "group",
						"state": "active", "permanent": "true", "outside_pim": "false", "role_name": "Privileged Authentication Administrator",
					}},
					// Fabrikam's bridge holds Privileged Role Administrator outside PIM.
					{row{"principal_id": tenantsim.FixtureBridgeServicePrincipalID, "role_definition_id": privRoleAdminID}, row{
						"principal_type": "servicePrincipal", "app_id": tenantsim.FixtureBridgeAppID, "principal_display_name": "Fabrikam Identity Bridge",
						"role_name": "Privileged Role Administrator", "outside_pim": "true", "permanent": "true", "is_privileged": "true",
						"user_principal_name": "",
					}},
					{row{"principal_id": tenantsim.FixtureIntuneServicePrincipalID, "role_definition_id": intuneAdminID}, row{
						"principal_type": "servicePrincipal", "app_id": tenantsim.MicrosoftIntuneAppID, "outside_pim": "true",
					}},
					// Lee Gu is eligible for Security Administrator for 90 days.
					{row{"principal_id": tenantsim.FixtureLegacyAutomationOwnerID, "role_definition_id": securityAdminID}, row{
						"state": "eligible", "permanent": "false", "outside_pim": "false", "member_type": "direct",
						"principal_display_name": "Lee Gu", "role_name": "Security Administrator",
					}},
				}
				for _, c := range checks {
					if err := expectRow(rows, c.key, c.want); err != nil {
						return err
					}
				}
				if err := expectRow(rows, row{"principal_id": tenantsim.FixtureLegacyAutomationOwnerID, "role_definition_id": reportsReaderID},
					row{"state": "eligible", "is_privileged": "false", "role_name": "Reports Reader"}); err != nil {
					return err
				}
				for _, r := range find(rows, row{"principal_id": tenantsim.FixtureLegacyAutomationOwnerID, "state": "eligible"}) {
					if end, err := time.Parse(time.RFC3339, r["end_date_time"]); err != nil || time.Until(end) < 80*24*time.Hour {
						return fmt.Errorf("the eligible assignment ends %q, want in about 90 days", r["end_date_time"])
					}
				}
				return checkSummaries(sim, rows, attrs)
			},
		}},
	})
}

// checkSummaries recomputes the summary attributes from the rows and, for Global Administrator, from the
// simulated tenant itself.
func checkSummaries(sim *tenantsim.Server, rows []row, attrs map[string]string) error {
	byRole := map[string]int{}
	globalAdmins, permanent := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		byRole[r["role_name"]]++
		if r["state"] != "active" || r["principal_type"] == "group" {
			continue
		}
		if r["role_definition_id"] == rolemanagement.GlobalAdministratorRoleID {
			globalAdmins[r["principal_id"]] = true
		}
		if r["permanent"] == "true" && r["is_privileged"] == "true" {
			permanent[r["principal_id"]+r["role_definition_id"]+r["directory_scope_id"]] = true
		}
	}
	for role, n := range byRole {
		if got := attrs["count_by_role."+role]; got != strconv.Itoa(n) {
			return fmt.Errorf("count_by_role[%s] = %s, want %d", role, got, n)
		}
	}
	if got := attrs["permanent_privileged_count"]; got != strconv.Itoa(len(permanent)) {
		return fmt.Errorf("permanent_privileged_count = %s, want %d", got, len(permanent))
	}
	// The tenant's own view: principals of role assignments in force for Global Administrator (no group holds it here).
	inTenant := map[string]bool{}
	for _, a := range sim.RoleAssignments() {
		if a["roleDefinitionId"] == rolemanagement.GlobalAdministratorRoleID {
			inTenant[fmt.Sprint(a["principalId"])] = true
		}
	}
	if got := attrs["global_administrator_count"]; got != strconv.Itoa(len(inTenant)) || len(globalAdmins) != len(inTenant) {
		return fmt.Errorf("global_administrator_count = %s (rows: %d), the tenant has %d", got, len(globalAdmins), len(inTenant))
	}
	return nil
}

func TestAccRoleAssignmentsDataSource_filters(t *testing.T) {
	auditTenant(t)
	config := `
data "breakglass_role_assignments" "all" {}

data "breakglass_role_assignments" "global_admins" {
  roles = ["global administrator"]
}

data "breakglass_role_assignments" "by_id" {
  roles = ["` + privRoleAdminID + `", "Intune Administrator"]
}

data "breakglass_role_assignments" "workloads" {
  principal_types = ["servicePrincipal"]
}

data "breakglass_role_assignments" "privileged" {
  privileged_only = true
}

data "breakglass_role_assignments" "active" {
  include_eligible = false
}
`
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: config,
			Check: func(s *terraform.State) error {
				all, _, err := rowsOf(s, "data.breakglass_role_assignments.all")
				if err != nil {
					return err
				}
				for _, tc := range []struct {
					name     string
					every    func(row) bool
					includes row
					excludes row
				}{
					{"global_admins", func(r row) bool { return r["role_name"] == "Global Administrator" },
						row{"principal_id": tenantsim.FixtureSyncedAdminID}, row{"principal_id": tenantsim.FixtureBridgeServicePrincipalID}},
					{"by_id", func(r row) bool {
						return r["role_definition_id"] == privRoleAdminID || r["role_definition_id"] == intuneAdminID
					}, row{"principal_id": tenantsim.FixtureBridgeServicePrincipalID}, row{"principal_id": tenantsim.FixtureSyncedAdminID}},
					{"workloads", func(r row) bool { return r["principal_type"] == "servicePrincipal" },
						row{"principal_id": tenantsim.FixtureIntuneServicePrincipalID}, row{"principal_id": tenantsim.FixtureTier0MemberID}},
					{"privileged", func(r row) bool { return r["is_privileged"] == "true" },
						row{"principal_id": tenantsim.FixtureTier0GroupID}, nil},
					{"active", func(r row) bool { return r["state"] == "active" },
						row{"principal_id": tenantsim.FixtureSyncedAdminID}, row{"principal_id": tenantsim.FixtureLegacyAutomationOwnerID, "state": "eligible"}},
				} {
					rows, attrs, err := rowsOf(s, "data.breakglass_role_assignments."+tc.name)
					if err != nil {
						return err
					}
					if len(rows) == 0 || len(rows) >= len(all) {
						return fmt.Errorf("%s: %d rows of %d: the filter did not narrow the list", tc.name, len(rows), len(all))
					}
					for _, r := range rows {
						if !tc.every(r) {
							return fmt.Errorf("%s: row %v does not belong", tc.name, r)
						}
					}
					if len(find(rows, tc.includes)) == 0 {
						return fmt.Errorf("%s: no row matches %v", tc.name, tc.includes)
					}
					if tc.excludes != nil && len(find(rows, tc.excludes)) != 0 {
						return fmt.Errorf("%s: a row matches %v", tc.name, tc.excludes)
					}
					if tc.name == "privileged" && attrs["privileged_only"] != "true" || tc.name == "active" && attrs["include_eligible"] != "false" {
						return fmt.Errorf("%s: the effective filter is not in the state", tc.name)
					}
				}
				_, attrs, _ := rowsOf(s, "data.breakglass_role_assignments.all")
				if attrs["include_eligible"] != "true" || attrs["privileged_only"] != "false" {
					return fmt.Errorf("defaults: include_eligible = %s, privileged_only = %s", attrs["include_eligible"], attrs["privileged_only"])
				}
				return nil
			},
		}},
	})
}

func TestAccRoleAssignmentsDataSource_badInput(t *testing.T) {
	acctest.PreCheck(t)
	cases := map[string]struct{ body, want string }{
		"unknown role name":      {`roles = ["Global Admin"]`, `(?s)Did you mean\s+"Global\s+Administrator"`},
		"unknown role id":        {`roles = ["00000000-0000-0000-0000-000000000001"]`, `no role definition has the id`},
		"unknown principal type": {`principal_types = ["device"]`, `principal_types`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      "data \"breakglass_role_assignments\" \"test\" {\n" + tc.body + "\n}",
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

func TestAccRoleAssignmentsDataSource_missingPermission(t *testing.T) {
	sim := acctest.Sim(t)
	clientID, secret := uuid.NewString(), "s3cret-"+uuid.NewString()
	if err := sim.RegisterApp(tenantsim.App{ClientID: clientID, DisplayName: "no role read", Secret: secret, Roles: []string{"User.Read.All"}}); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(sim, clientID, secret, "") + `
data "breakglass_role_assignments" "all" {}
`,
			ExpectError: regexp.MustCompile(`lacks\s+the\s+Microsoft\s+Graph\s+application\s+permission\s+RoleManagement\.Read\.Directory`),
		}},
	})
}

// TestAccRoleAssignmentsDataSource_example applies the documentation's example, check block and outputs included.
func TestAccRoleAssignmentsDataSource_example(t *testing.T) {
	auditTenant(t)
	example, err := os.ReadFile("../../../examples/data-sources/breakglass_role_assignments/data-source.tf")
	if err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: string(example),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValueAtPath("assignments_per_role", tfjsonpath.New("Global Administrator"), knownvalue.NotNull()),
				statecheck.ExpectKnownOutputValue("control_plane_holders", knownvalue.ListPartial(map[int]knownvalue.Check{
					0: knownvalue.StringRegexp(regexp.MustCompile(`^(Global|Privileged Role) Administrator: `)),
				})),
			},
		}},
	})
}

// TestAccRoleAssignmentsDataSource_requestCount reads the tenant before and after adding over a thousand
// assignments: the cost grows by pages of 999, not by rows.
// It comes last in the file (tests run in source order) because the tenant it leaves behind is larger.
func TestAccRoleAssignmentsDataSource_requestCount(t *testing.T) {
	sim := auditTenant(t)
	read := func() ([]rolemanagement.RoleAssignment, int) {
		var logs bytes.Buffer
		ctx := tflogtest.RootLogger(context.Background(), &logs)
		rows, err := rolemanagement.ListRoleAssignments(ctx, acctest.Client(t), true) // a new client: no cached role catalog
		if err != nil {
			t.Fatal(err)
		}
		return rows, acctest.GraphRequests(t, &logs)
	}
	budget := func(rows []rolemanagement.RoleAssignment) int {
		var active, eligible int
		for _, r := range rows {
			if r.State == rolemanagement.StateActive {
				active++
			} else {
				eligible++
			}
		}
		// role definitions + schedules + active instances + eligible instances, each at 999 per page
		return 1 + acctest.GraphPages(len(sim.RoleAssignmentSchedules())) + acctest.GraphPages(active) + acctest.GraphPages(eligible)
	}

	small, smallRequests := read()
	if want := budget(small); smallRequests != want {
		t.Errorf("fixture tenant: %d rows cost %d Graph requests, want %d", len(small), smallRequests, want)
	}
	if err := sim.GenerateLargeTenant(tenantsim.LargeTenant{Users: 1500, RoleAssignments: 1100, EligibleAssignments: 200}); err != nil {
		t.Fatal(err)
	}
	large, largeRequests := read()
	if want := budget(large); largeRequests != want {
		t.Errorf("large tenant: %d rows cost %d Graph requests, want %d", len(large), largeRequests, want)
	}
	if len(large) < len(small)+1300 || largeRequests > smallRequests+3 {
		t.Errorf("%d more rows cost %d more requests", len(large)-len(small), largeRequests-smallRequests)
	}
	t.Logf("fixtures: %d rows in %d requests; after adding a large tenant: %d rows in %d requests",
		len(small), smallRequests, len(large), largeRequests)
}
