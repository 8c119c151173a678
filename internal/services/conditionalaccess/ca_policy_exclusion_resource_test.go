package conditionalaccess_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/microsoftgraph/msgraph-sdk-go/identity"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

func TestMain(m *testing.M) { acctest.Main(m) }

const address = "breakglass_ca_policy_exclusion.test"

// The simulated tenant's seeded policies, by display name, and which selectors pick them.
const (
	requireMFAAll     = "Require MFA for all users"
	blockLegacy       = "Block legacy authentication"
	requireMFAAdmins  = "Require MFA for admins"                    // report-only
	untrustedCountry  = "Block access from untrusted countries"     // disabled
	phishingResistant = "Require phishing-resistant MFA for admins" // authentication strength
	microsoftManaged  = "Multifactor authentication for admins accessing Microsoft Admin Portals"
	compliantDevice   = "Require compliant device"
)

var (
	graphOnce sync.Once
	graph     *clients.Client
)

func client(t *testing.T) *clients.Client {
	t.Helper()
	graphOnce.Do(func() { graph = acctest.Client(t) })
	return graph
}

// policies reads every policy's exclusions through Graph: id -> (name, excludeUsers, excludeGroups).
type policyView struct {
	name          string
	users, groups []string
}

func policies(t *testing.T) map[string]policyView {
	t.Helper()
	top := int32(999)
	resp, err := clients.Graph(client(t)).Identity().ConditionalAccess().Policies().Get(context.Background(), &identity.ConditionalAccessPoliciesRequestBuilderGetRequestConfiguration{
		QueryParameters: &identity.ConditionalAccessPoliciesRequestBuilderGetQueryParameters{Top: &top},
	})
	if err != nil {
		t.Fatalf("listing policies: %v", err)
	}
	out := map[string]policyView{}
	for _, p := range resp.GetValue() {
		v := policyView{name: *p.GetDisplayName()}
		if c := p.GetConditions(); c != nil && c.GetUsers() != nil {
			v.users, v.groups = c.GetUsers().GetExcludeUsers(), c.GetUsers().GetExcludeGroups()
		}
		out[*p.GetId()] = v
	}
	return out
}

func idsByName(t *testing.T, names ...string) []string {
	t.Helper()
	var ids []string
	for id, p := range policies(t) {
		if slices.Contains(names, p.name) {
			ids = append(ids, id)
		}
	}
	if len(ids) != len(names) {
		t.Fatalf("found %d of the policies %v", len(ids), names)
	}
	sort.Strings(ids)
	return ids
}

func hcl(ids []string) string { return `["` + strings.Join(ids, `", "`) + `"]` }

// checkExactly proves every policy holds exactly what it held before plus, where expected, our ids: nothing of
// anyone else's lost, nothing of ours left behind elsewhere.
func checkExactly(t *testing.T, before map[string]policyView, ours []string, expected []string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		now := policies(t)
		for id, was := range before {
			want := slices.Clone(was.users)
			if slices.Contains(expected, id) {
				want = append(want, ours...)
			}
			got := now[id].users
			if !sameElements(got, want) {
				return fmt.Errorf("policy %q excludeUsers = %v, want %v", was.name, got, want)
			}
			if !sameElements(now[id].groups, was.groups) {
				return fmt.Errorf("policy %q excludeGroups changed: %v -> %v", was.name, was.groups, now[id].groups)
			}
		}
		return nil
	}
}

func sameElements(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	for i := range x {
		x[i] = strings.ToLower(x[i])
	}
	for i := range y {
		y[i] = strings.ToLower(y[i])
	}
	sort.Strings(x)
	sort.Strings(y)
	return slices.Equal(x, y)
}

func testCase(t *testing.T, steps ...resource.TestStep) resource.TestCase {
	t.Helper()
	return resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps:                    steps,
	}
}

// TestAccCAExclusion_selectors applies each selector against the seeded policies and checks the exact arrays of
// every policy after create and after destroy. The CA tests share the seeded policies, so they run one at a time.
func TestAccCAExclusion_selectors(t *testing.T) {
	acctest.Sim(t) // depends on the simulated tenant's seeded policies
	cases := map[string]struct {
		attrs string
		want  []string
	}{
		"requires_mfa": {`match = "requires_mfa"`, []string{requireMFAAll, requireMFAAdmins, phishingResistant, microsoftManaged}},
		"requires_mfa enforced only": {`match = "requires_mfa"
  include_report_only = false`, []string{requireMFAAll, phishingResistant}},
		"blocks_access":               {`match = "blocks_access"`, []string{blockLegacy}},
		"blocks_access with disabled": {`match = "blocks_access"` + "\n  include_disabled = true", []string{blockLegacy, untrustedCountry}},
		"grant_controls":              {`match = "grant_controls"`, []string{requireMFAAll, blockLegacy, requireMFAAdmins, phishingResistant, microsoftManaged, compliantDevice}},
		"all with except":             {``, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			user := uuid.NewString()
			before := policies(t)
			want := tc.want
			attrs := tc.attrs
			if name == "all with except" {
				except := idsByName(t, phishingResistant)
				attrs = `match = "all"` + "\n  except_policy_ids = " + hcl(except)
				for _, p := range before {
					if p.name != phishingResistant && p.name != untrustedCountry {
						want = append(want, p.name)
					}
				}
			}
			expected := idsByName(t, want...)
			resource.Test(t, testCase(t, resource.TestStep{
				Config: fmt.Sprintf(`
resource "breakglass_ca_policy_exclusion" "test" {
  user_ids = [%q]
  %s
}`, user, attrs),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(address, "excluded_policy_ids.#", fmt.Sprint(len(expected))),
					checkExactly(t, before, []string{user}, expected),
				),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			}, resource.TestStep{
				ResourceName:            address,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			}))
			if err := checkExactly(t, before, nil, nil)(nil); err != nil {
				t.Errorf("after destroy: %v", err)
			}
		})
	}
}

// TestAccCAExclusion_lifecycle: explicit policies, growing and shrinking the sets, a new matching policy, and an
// exclusion someone removed.
func TestAccCAExclusion_lifecycle(t *testing.T) {
	sim := acctest.Sim(t)
	u1, u2, g1 := uuid.NewString(), uuid.NewString(), uuid.NewString()
	before := policies(t)
	two := idsByName(t, requireMFAAll, blockLegacy)
	explicit := func(users string) string {
		return fmt.Sprintf(`
resource "breakglass_ca_policy_exclusion" "test" {
  user_ids   = %s
  group_ids  = [%q]
  policy_ids = %s
}`, users, g1, hcl(two))
	}
	matchConfig := fmt.Sprintf(`
resource "breakglass_ca_policy_exclusion" "test" {
  user_ids = [%q]
  match    = "blocks_access"
}`, u1)
	var newPolicy string
	resource.Test(t, testCase(t,
		resource.TestStep{Config: explicit(fmt.Sprintf("[%q, %q]", u1, u2))},
		resource.TestStep{
			Config: explicit(fmt.Sprintf("[%q]", u1)),
			Check: func(*terraform.State) error {
				now := policies(t)
				for _, id := range two {
					if slices.Contains(now[id].users, u2) || !slices.Contains(now[id].users, u1) || !slices.Contains(now[id].groups, g1) {
						return fmt.Errorf("policy %q after shrinking: users %v groups %v", now[id].name, now[id].users, now[id].groups)
					}
				}
				return nil
			},
		},
		resource.TestStep{ // reordering ids is no change
			Config:   explicit(fmt.Sprintf("[%q]", u1)),
			PlanOnly: true,
		},
		resource.TestStep{
			Config: matchConfig,
			Check:  checkExactly(t, before, []string{u1}, idsByName(t, blockLegacy)),
		},
		resource.TestStep{ // a new blocking policy appears: the plan names it, apply excludes us from it
			PreConfig: func() {
				var err error
				newPolicy, err = sim.AddCAPolicy(map[string]any{
					"displayName": "Block risky sign-ins (new)", "state": "enabled",
					"conditions": map[string]any{
						"users":          map[string]any{"includeUsers": []any{"All"}, "excludeUsers": []any{}},
						"applications":   map[string]any{"includeApplications": []any{"All"}},
						"clientAppTypes": []any{"all"},
					},
					"grantControls": map[string]any{"operator": "OR", "builtInControls": []any{"block"}},
				})
				if err != nil {
					t.Fatal(err)
				}
			},
			Config: matchConfig,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
			}},
			Check: func(s *terraform.State) error {
				if !slices.Contains(policies(t)[newPolicy].users, u1) {
					return fmt.Errorf("the new policy does not exclude %s", u1)
				}
				return resource.TestCheckResourceAttr(address, "excluded_policies."+newPolicy, "Block risky sign-ins (new)")(s)
			},
		},
		resource.TestStep{ // someone removes our exclusion: drift, and apply puts it back
			PreConfig: func() {
				if err := sim.SetCAPolicyFields(newPolicy, map[string]any{"conditions": map[string]any{"users": map[string]any{"excludeUsers": []any{}}}}); err != nil {
					t.Fatal(err)
				}
			},
			Config: matchConfig,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
			}},
			Check: func(*terraform.State) error {
				if !slices.Contains(policies(t)[newPolicy].users, u1) {
					return fmt.Errorf("the removed exclusion was not restored")
				}
				return nil
			},
		},
	))
	if err := checkExactly(t, before, nil, nil)(nil); err != nil {
		t.Errorf("after destroy: %v", err)
	}
}

// TestAccCAExclusion_accountsCreatedInSameApply excludes accounts that do not exist yet at plan time: user_ids is
// a known list of unknown ids, as in examples/complete.
func TestAccCAExclusion_accountsCreatedInSameApply(t *testing.T) {
	acctest.Sim(t)
	name := "bgca" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	before := policies(t)
	var accountID string
	resource.Test(t, testCase(t, resource.TestStep{
		Config: fmt.Sprintf(`
resource "breakglass_account" "test" {
  display_name  = "Cloud Ops %[1]s"
  mail_nickname = "%[1]s"
}

resource "breakglass_ca_policy_exclusion" "test" {
  user_ids   = [breakglass_account.test.id]
  policy_ids = %[2]s
}`, name, hcl(idsByName(t, blockLegacy))),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{plancheck.ExpectUnknownValue(address, tfjsonpath.New("id"))},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		Check: func(s *terraform.State) error {
			accountID = s.RootModule().Resources["breakglass_account.test"].Primary.ID
			return checkExactly(t, before, []string{accountID}, idsByName(t, blockLegacy))(s)
		},
	}))
	if err := checkExactly(t, before, nil, nil)(nil); err != nil {
		t.Errorf("after destroy: %v", err)
	}
}

// TestAccCAExclusion_concurrent runs 6 resources over overlapping policies at once (parallelism 10), while an
// outside writer edits the same policies between reads and writes: every id ends up excluded and nothing foreign
// is lost. (Each resource costs about two seconds per policy of the tenant's budget of one Conditional Access
// request per second, so more resources add minutes, not cases.)
func TestAccCAExclusion_concurrent(t *testing.T) {
	sim := acctest.Sim(t)
	defer sim.SetKnobs(sim.Knobs())
	k := sim.Knobs()
	k.CAOutsideWriterRate = 0.3
	sim.SetKnobs(k)
	before := policies(t)
	var users []string
	var config strings.Builder
	for i := range 6 {
		u := uuid.NewString()
		users = append(users, u)
		match := []string{"requires_mfa", "blocks_access", "grant_controls"}[i%3]
		fmt.Fprintf(&config, "resource \"breakglass_ca_policy_exclusion\" \"e%d\" {\n  user_ids = [%q]\n  match = %q\n}\n", i, u, match)
	}
	resource.Test(t, testCase(t, resource.TestStep{
		Config: config.String(),
		Check: func(*terraform.State) error {
			now := policies(t)
			for id, was := range before {
				for _, u := range was.users {
					if !slices.Contains(now[id].users, u) {
						return fmt.Errorf("policy %q lost the foreign exclusion %s", was.name, u)
					}
				}
				for _, u := range sim.OutsideWriterExclusions(id) {
					if !slices.Contains(now[id].users, u) {
						return fmt.Errorf("policy %q lost the outside writer's exclusion %s", was.name, u)
					}
				}
			}
			grant := idsByName(t, requireMFAAll, blockLegacy, requireMFAAdmins, phishingResistant, microsoftManaged, compliantDevice)
			for i, u := range users {
				if i%3 == 2 {
					for _, id := range grant {
						if !slices.Contains(now[id].users, u) {
							return fmt.Errorf("%s missing from %q", u, now[id].name)
						}
					}
				}
			}
			return nil
		},
	}))
}

// TestAccCAExclusion_fiftyPoliciesThrottled: 50 policies under the tenant's budget of one Conditional Access request per
// second, reads included, with no Retry-After on 429 (as Graph documents): the provider paces itself, so the tenant
// throttles none of its requests.
func TestAccCAExclusion_fiftyPoliciesThrottled(t *testing.T) {
	sim := acctest.Sim(t)
	ids, err := sim.AddMFAPolicies(50, "Bulk policy")
	if err != nil {
		t.Fatal(err)
	}
	defer sim.SetKnobs(sim.Knobs())
	k := sim.Knobs()
	k.CAWriteRate, k.CAThrottleReads, k.CAOmitRetryAfter = 1, true, true
	sim.SetKnobs(k)
	user := uuid.NewString()
	start, throttled := time.Now(), sim.CAThrottled()
	resource.Test(t, testCase(t, resource.TestStep{
		Config: fmt.Sprintf("resource \"breakglass_ca_policy_exclusion\" \"test\" {\n  user_ids = [%q]\n  policy_ids = %s\n}", user, hcl(ids)),
		Check: func(*terraform.State) error {
			now := policies(t)
			for _, id := range ids {
				if !slices.Contains(now[id].users, user) || len(now[id].users) != 2 {
					return fmt.Errorf("policy %q: %v", now[id].name, now[id].users)
				}
			}
			t.Logf("50 policies excluded in %s", time.Since(start).Round(time.Second))
			// Each Terraform graph walk starts a provider instance, whose first request may come less than a second
			// after the previous instance's last one: one 429 at most for each of the test's plan and the apply's
			// plan and apply walks. Unpaced reads cost ~100.
			if n := sim.CAThrottled() - throttled; n > 3 {
				return fmt.Errorf("the tenant answered %d requests with 429: the provider must pace every Conditional Access request, reads included", n)
			}
			return nil
		},
	}))
}

func TestAccCAExclusion_badInput(t *testing.T) {
	id := uuid.NewString()
	cases := map[string]struct{ body, want string }{
		"no principals":           {`match = "all"`, `(?s)user_ids.*group_ids`},
		"empty user list":         {"user_ids = []\nmatch = \"all\"", `user_ids`},
		"not a GUID":              {"user_ids = [\"bg1@contoso.onmicrosoft.com\"]\nmatch = \"all\"", `user_ids`},
		"both policies and match": {fmt.Sprintf("user_ids = [%q]\nmatch = \"all\"\npolicy_ids = [%q]", id, id), `(?s)policy_ids.*match`},
		"neither":                 {fmt.Sprintf("user_ids = [%q]", id), `(?s)policy_ids.*match`},
		"unknown match":           {fmt.Sprintf("user_ids = [%q]\nmatch = \"mfa\"", id), `match`},
		"except without match":    {fmt.Sprintf("user_ids = [%q]\npolicy_ids = [%q]\nexcept_policy_ids = [%q]", id, id, id), `except_policy_ids`},
		"duplicate ids":           {fmt.Sprintf("user_ids = [%q, %q]\nmatch = \"all\"", id, id), `(?s)user_ids.*unique|duplicate`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      "resource \"breakglass_ca_policy_exclusion\" \"test\" {\n" + tc.body + "\n}",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	t.Run("policy that does not exist", func(t *testing.T) {
		resource.ParallelTest(t, testCase(t, resource.TestStep{
			Config:      fmt.Sprintf("resource \"breakglass_ca_policy_exclusion\" \"test\" {\n  user_ids = [%q]\n  policy_ids = [%q]\n}", id, id),
			ExpectError: regexp.MustCompile(`(?s)No Conditional Access policy has the id\(s\)\s+` + id),
		}))
	})
}
