package applications_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
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

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/applications"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

func TestMain(m *testing.M) { acctest.Main(m) }

// app is one element of applications as Terraform stored it, with its nested lists flattened under their own
// prefixes ("permissions.0.name", "owners.#", ...).
type app map[string]string

func appsOf(s *terraform.State, address string) (map[string]app, error) {
	rs, ok := s.RootModule().Resources[address]
	if !ok {
		return nil, fmt.Errorf("%s is not in the state", address)
	}
	attrs := rs.Primary.Attributes
	n, err := strconv.Atoi(attrs["applications.#"])
	if err != nil {
		return nil, fmt.Errorf("%s: applications.# = %q", address, attrs["applications.#"])
	}
	out := map[string]app{}
	for i := range n {
		a := app{}
		prefix := fmt.Sprintf("applications.%d.", i)
		for k, v := range attrs {
			if strings.HasPrefix(k, prefix) {
				a[strings.TrimPrefix(k, prefix)] = v
			}
		}
		out[a["service_principal_id"]] = a
	}
	return out, nil
}

func expect(a app, want map[string]string) error {
	for k, v := range want {
		if a[k] != v {
			return fmt.Errorf("%s (%s): %s = %q, want %q", a["display_name"], a["service_principal_id"], k, a[k], v)
		}
	}
	return nil
}

var (
	legacy = map[string]string{
		"app_id": tenantsim.FixtureLegacyAutomationAppID, "display_name": "Legacy Automation", "tier": "0", "first_party": "false",
		"permissions.#": "2", "permissions.0.name": "Directory.ReadWrite.All", "permissions.0.tier": "0",
		"permissions.1.name": "RoleManagement.ReadWrite.Directory", "permissions.1.tier": "0", "directory_roles.#": "0",
		"credentials.#": "1", "credentials.0.type": "certificate", "credentials.0.key_id": tenantsim.FixtureLegacyAutomationCertKeyID,
		"credentials.0.expired": "false", "credentials.0.source": "application", "credentials.0.end_date_time": "2030-06-30T00:00:00Z",
		"owners.#": "1", "owners.0.id": tenantsim.FixtureLegacyAutomationOwnerID, "owners.0.display_name": "Lee Gu",
		"owners.0.user_principal_name": "lee.gu@contoso.com",
	}
	hrSync = map[string]string{
		"app_id": tenantsim.FixtureHRSyncAppID, "display_name": "Contoso HR Sync", "tier": "1", "first_party": "false",
		"permissions.#": "1", "permissions.0.name": "User.ReadWrite.All", "permissions.0.tier": "1",
		"credentials.#": "1", "credentials.0.type": "password", "credentials.0.key_id": tenantsim.FixtureHRSyncSecretKeyID,
		"credentials.0.display_name": "hr-sync-2023", "credentials.0.expired": "true", "credentials.0.source": "application",
		"credentials.0.end_date_time": "2025-03-31T00:00:00Z", "owners.#": "0",
	}
	bridge = map[string]string{
		"app_id": tenantsim.FixtureBridgeAppID, "display_name": "Fabrikam Identity Bridge", "tier": "0", "first_party": "false",
		"publisher": "Fabrikam, Inc.", "owner_tenant_id": tenantsim.FixtureFabrikamTenantID, "permissions.#": "0",
		"directory_roles.#": "1", "directory_roles.0": "Privileged Role Administrator", "credentials.#": "0",
	}
	intune = map[string]string{
		"app_id": tenantsim.MicrosoftIntuneAppID, "display_name": "Microsoft Intune", "tier": "1", "first_party": "true",
		"owner_tenant_id": tenantsim.MicrosoftTenantID, "directory_roles.#": "1", "directory_roles.0": "Intune Administrator",
	}
)

func TestAccPrivilegedApplicationsDataSource_fixtures(t *testing.T) {
	sim := acctest.AuditTenant(t)
	config := `
data "breakglass_privileged_applications" "default" {}

data "breakglass_privileged_applications" "first_party" {
  include_first_party = true
}

data "breakglass_privileged_applications" "tier0" {
  max_tier = 0
}

data "breakglass_privileged_applications" "active_credentials" {
  with_active_credentials_only = true
}
`
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: config,
			Check: func(s *terraform.State) error {
				get := func(name string) (map[string]app, error) {
					return appsOf(s, "data.breakglass_privileged_applications."+name)
				}
				def, err := get("default")
				if err != nil {
					return err
				}
				for id, want := range map[string]map[string]string{
					tenantsim.FixtureLegacyAutomationServicePrincipalID: legacy,
					tenantsim.FixtureHRSyncServicePrincipalID:           hrSync,
					tenantsim.FixtureBridgeServicePrincipalID:           bridge,
				} {
					if def[id] == nil {
						return fmt.Errorf("default: %s (%s) is missing", want["display_name"], id)
					}
					if err := expect(def[id], want); err != nil {
						return err
					}
				}
				if def[tenantsim.FixtureIntuneServicePrincipalID] != nil {
					return fmt.Errorf("default: Microsoft Intune is first party and must be left out")
				}
				for _, a := range def {
					if a["first_party"] != "false" {
						return fmt.Errorf("default: first-party %s listed", a["display_name"])
					}
				}
				// The simulated tenant's own Graph grants agree: Legacy Automation's come from its appRoleAssignments.
				if n := len(sim.AppRoleAssignments(tenantsim.FixtureLegacyAutomationServicePrincipalID)); n != 2 {
					return fmt.Errorf("the fixture holds %d Graph grants, the test expects 2", n)
				}

				fp, err := get("first_party")
				if err != nil {
					return err
				}
				if fp[tenantsim.FixtureIntuneServicePrincipalID] == nil {
					return fmt.Errorf("include_first_party: Microsoft Intune is missing")
				}
				if err := expect(fp[tenantsim.FixtureIntuneServicePrincipalID], intune); err != nil {
					return err
				}
				if len(fp) <= len(def) {
					return fmt.Errorf("include_first_party lists %d applications, the default %d", len(fp), len(def))
				}

				tier0, err := get("tier0")
				if err != nil {
					return err
				}
				if tier0[tenantsim.FixtureHRSyncServicePrincipalID] != nil {
					return fmt.Errorf("max_tier = 0 lists Contoso HR Sync (tier 1)")
				}
				if tier0[tenantsim.FixtureLegacyAutomationServicePrincipalID] == nil || tier0[tenantsim.FixtureBridgeServicePrincipalID] == nil {
					return fmt.Errorf("max_tier = 0 misses a tier-0 fixture")
				}
				for _, a := range tier0 {
					if a["tier"] != "0" {
						return fmt.Errorf("max_tier = 0 lists %s at tier %s", a["display_name"], a["tier"])
					}
				}

				active, err := get("active_credentials")
				if err != nil {
					return err
				}
				if active[tenantsim.FixtureLegacyAutomationServicePrincipalID] == nil {
					return fmt.Errorf("with_active_credentials_only misses Legacy Automation and its active certificate")
				}
				for id, why := range map[string]string{
					tenantsim.FixtureHRSyncServicePrincipalID: "its only secret expired",
					tenantsim.FixtureBridgeServicePrincipalID: "it has no credential here",
				} {
					if active[id] != nil {
						return fmt.Errorf("with_active_credentials_only lists %s, but %s", active[id]["display_name"], why)
					}
				}
				return nil
			},
		}},
	})
}

func TestAccPrivilegedApplicationsDataSource_badInput(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      `data "breakglass_privileged_applications" "x" { max_tier = 2 }`,
			ExpectError: regexp.MustCompile(`max_tier`),
		}},
	})
}

func TestAccPrivilegedApplicationsDataSource_missingPermission(t *testing.T) {
	sim := acctest.Sim(t)
	for name, tc := range map[string]struct {
		roles   []string
		missing string
	}{
		"no Application.Read.All":          {[]string{"RoleManagement.Read.Directory"}, `Application\.Read\.All`},
		"no RoleManagement.Read.Directory": {[]string{"Application.Read.All"}, `RoleManagement\.Read\.Directory`},
	} {
		t.Run(name, func(t *testing.T) {
			clientID, secret := uuid.NewString(), "s3cret-"+uuid.NewString()
			if err := sim.RegisterApp(tenantsim.App{ClientID: clientID, DisplayName: name, Secret: secret, Roles: tc.roles}); err != nil {
				t.Fatal(err)
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{{
					Config: acctest.ProviderConfig(sim, clientID, secret, "") + `
data "breakglass_privileged_applications" "all" {}
`,
					ExpectError: regexp.MustCompile(`lacks\s+the\s+Microsoft\s+Graph\s+application\s+permission\s+` + tc.missing),
				}},
			})
		})
	}
}

func ceilDiv(n, d int) int { return (n + d - 1) / d }

// TestAccPrivilegedApplicationsDataSource_example applies the documentation's example, check block and outputs
// included.
func TestAccPrivilegedApplicationsDataSource_example(t *testing.T) {
	acctest.AuditTenant(t)
	example, err := os.ReadFile("../../../examples/data-sources/breakglass_privileged_applications/data-source.tf")
	if err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: string(example),
			ConfigStateChecks: []statecheck.StateCheck{
				// Legacy Automation: tier 0, an active certificate, owned by Lee Gu.
				statecheck.ExpectKnownOutputValue("tier0_applications", knownvalue.SetPartial([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"name":   knownvalue.StringExact("Legacy Automation"),
						"owners": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("lee.gu@contoso.com")}),
						"permissions": knownvalue.ListExact([]knownvalue.Check{
							knownvalue.StringExact("Directory.ReadWrite.All"), knownvalue.StringExact("RoleManagement.ReadWrite.Directory"),
						}),
					}),
				})),
			},
		}},
	})
}

// TestAccPrivilegedApplicationsDataSource_throttled reads while Graph throttles a third of all requests, $batch
// items included (a 200 envelope can hold 429s): the answer must be the same as unthrottled.
func TestAccPrivilegedApplicationsDataSource_throttled(t *testing.T) {
	sim := acctest.AuditTenant(t)
	c := acctest.Client(t)
	want, _, err := applications.ListPrivilegedApplications(t.Context(), c, applications.Options{MaxTier: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.SetKnobs(sim.Knobs())
	sim.SetKnobs(tenantsim.Knobs{ThrottleRate: 0.3, RetryAfter: time.Second})
	got, _, err := applications.ListPrivilegedApplications(t.Context(), acctest.Client(t), applications.Options{MaxTier: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d applications under throttling, %d without", len(got), len(want))
	}
	for i := range want {
		if got[i].ServicePrincipalID != want[i].ServicePrincipalID || len(got[i].Credentials) != len(want[i].Credentials) ||
			len(got[i].Owners) != len(want[i].Owners) || got[i].Tier != want[i].Tier {
			t.Errorf("application %d differs under throttling: %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestAccPrivilegedApplicationsDataSource_requestCount reads before and after adding hundreds of privileged
// service principals: the cost grows by pages of 999 and batches of 300 service principals, not per application.
// It comes last in the file (tests run in source order) because the tenant it leaves behind is larger.
func TestAccPrivilegedApplicationsDataSource_requestCount(t *testing.T) {
	sim := acctest.AuditTenant(t)
	read := func() ([]applications.Application, applications.Stats, int) {
		var logs bytes.Buffer
		ctx := tflogtest.RootLogger(context.Background(), &logs)
		apps, stats, err := applications.ListPrivilegedApplications(ctx, acctest.Client(t), applications.Options{MaxTier: 1})
		if err != nil {
			t.Fatal(err)
		}
		return apps, stats, acctest.GraphRequests(t, &logs)
	}
	budget := func(s applications.Stats) int {
		// Graph service principal + grants + role definitions + role assignments + service principal and application batches
		return 1 + acctest.GraphPages(s.GraphGrants) + 1 + acctest.GraphPages(s.RoleAssignments) +
			ceilDiv(s.ServicePrincipals, 300) + ceilDiv(s.Applications, 300)
	}
	small, smallStats, smallRequests := read()
	if smallRequests != smallStats.Requests || smallRequests > budget(smallStats) {
		t.Errorf("fixture tenant: %d applications cost %d requests (counted %d), budget %d", len(small), smallRequests, smallStats.Requests, budget(smallStats))
	}
	if err := sim.GenerateLargeTenant(tenantsim.LargeTenant{Users: 300, RoleAssignments: 300, ServicePrincipals: 700, AppRoleAssignments: 3500}); err != nil {
		t.Fatal(err)
	}
	large, largeStats, largeRequests := read()
	if largeRequests != largeStats.Requests || largeRequests > budget(largeStats) {
		t.Errorf("large tenant: %d applications cost %d requests (counted %d), budget %d", len(large), largeRequests, largeStats.Requests, budget(largeStats))
	}
	if len(large) < len(small)+300 || largeRequests > smallRequests+8 {
		t.Errorf("%d more applications cost %d more requests", len(large)-len(small), largeRequests-smallRequests)
	}
	t.Logf("fixtures: %d applications in %d requests (%+v); after adding a large tenant: %d in %d (%+v)",
		len(small), smallRequests, smallStats, len(large), largeRequests, largeStats)
}
