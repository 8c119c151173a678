package account_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/account"
)

func TestMain(m *testing.M) { acctest.Main(m) }

const address = "breakglass_account.test"

// uniqueName keeps parallel tests and reruns against a live tenant from colliding on UPNs.
func uniqueName(t *testing.T) string {
	t.Helper()
	pw, err := account.GeneratePassword(account.MinPasswordLength)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range strings.ToLower(pw) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
		if b.Len() == 8 {
			break
		}
	}
	return "acc" + b.String()
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

// checkDestroyed proves destroy left no user behind.
func checkDestroyed(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		c := acctest.Client(t)
		acctest.WaitOutReplication()
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "breakglass_account" {
				continue
			}
			_, err := clients.Graph(c).Users().ByUserId(rs.Primary.ID).Get(context.Background(), nil)
			if err == nil {
				return fmt.Errorf("user %s still exists after destroy", rs.Primary.ID)
			}
			if !clients.IsNotFound(err) {
				return err
			}
		}
		return nil
	}
}

// opsAccount is the smallest account configuration: a display name and a mail nickname.
func opsAccount(name string) string {
	return fmt.Sprintf(`
resource "breakglass_account" "test" {
  display_name  = "Ops %[1]s"
  mail_nickname = "%[1]s"
}`, name)
}

func stateValue(s *terraform.State, attr string) string {
	return s.RootModule().Resources[address].Primary.Attributes[attr]
}

func TestAccAccount_basic(t *testing.T) {
	name := uniqueName(t)
	resource.ParallelTest(t, testCase(t,
		resource.TestStep{
			Config: fmt.Sprintf(`
resource "breakglass_account" "test" {
  display_name  = "Cloud Ops %[1]s"
  mail_nickname = "%[1]s"
}`, name),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(address, tfjsonpath.New("account_enabled"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("password_length"), knownvalue.Int64Exact(128)),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("user_principal_name"), knownvalue.StringRegexp(regexp.MustCompile(`^`+name+`@.+\.onmicrosoft\.com$`))),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("on_premises_sync_enabled"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("assigned_licenses"), knownvalue.SetSizeExact(0)),
				statecheck.CompareValuePairs(address, tfjsonpath.New("id"), address, tfjsonpath.New("object_id"), compareEqual{}),
			},
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttrWith(address, "password", func(v string) error {
					if len(v) != 128 {
						return fmt.Errorf("password has %d characters, want 128", len(v))
					}
					return nil
				}),
				checkUser(t, func(u models.Userable) error {
					if got := helpers.Deref(u.GetPasswordPolicies()); got != "DisablePasswordExpiration" {
						return fmt.Errorf("passwordPolicies = %q", got)
					}
					return nil
				}),
				checkSignIn(t),
			),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		},
		resource.TestStep{
			ResourceName:            address,
			ImportState:             true,
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"password", "timeouts"},
		},
		resource.TestStep{
			ResourceName: address,
			ImportState:  true,
			ImportStateIdFunc: func(s *terraform.State) (string, error) {
				return stateValue(s, "user_principal_name"), nil
			},
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"password", "timeouts"},
		},
	))
}

func TestAccAccount_updateAndRotate(t *testing.T) {
	name := uniqueName(t)
	config := func(display, rotation string) string {
		return fmt.Sprintf(`
resource "breakglass_account" "test" {
  display_name    = %[2]q
  mail_nickname   = "%[1]s"
  password_length = 64
  keepers         = { rotation = %[3]q }
  certificate_user_ids = ["X509:<PN>%[1]s@contoso.onmicrosoft.com"]
}`, name, display, rotation)
	}
	var first, id string
	resource.ParallelTest(t, testCase(t,
		resource.TestStep{
			Config: config("Ops One", "2026-01"),
			Check: resource.ComposeTestCheckFunc(
				capture(&first, "password"), capture(&id, "id"),
				resource.TestCheckResourceAttr(address, "certificate_user_ids.#", "1"),
			),
		},
		resource.TestStep{
			Config: config("Ops Two", "2026-01"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(address, tfjsonpath.New("password"), knownvalue.NotNull()),
			}},
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, "display_name", "Ops Two"),
				resource.TestCheckResourceAttrPtr(address, "id", &id),
				resource.TestCheckResourceAttrPtr(address, "password", &first),
			),
		},
		resource.TestStep{
			Config: config("Ops Two", "2026-07"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				plancheck.ExpectUnknownValue(address, tfjsonpath.New("password")),
			}},
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttrPtr(address, "id", &id),
				resource.TestCheckResourceAttrWith(address, "password", func(v string) error {
					if v == first || len(v) != 64 {
						return fmt.Errorf("password was not rotated to a new 64-character value")
					}
					return nil
				}),
				checkSignIn(t),
				func(s *terraform.State) error {
					if acctest.SignIn(t, stateValue(s, "user_principal_name"), first) == nil {
						return fmt.Errorf("the old password still signs in after rotation")
					}
					return nil
				},
			),
		},
	))
}

func TestAccAccount_writeOnlyPassword(t *testing.T) {
	name := uniqueName(t)
	first, _ := account.GeneratePassword(80)
	second, _ := account.GeneratePassword(80)
	config := func(password string, version int) string {
		return fmt.Sprintf(`
resource "breakglass_account" "test" {
  display_name        = "Ops %[1]s"
  mail_nickname       = "%[1]s"
  password_wo         = %[2]s
  password_wo_version = %[3]d
  permanently_delete  = true
}`, name, acctest.Quote(password), version)
	}
	noSecretInState := func(secret string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			for k, v := range s.RootModule().Resources[address].Primary.Attributes {
				if strings.Contains(v, secret) {
					return fmt.Errorf("state attribute %s holds the write-only password", k)
				}
			}
			return nil
		}
	}
	signsIn := func(password string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			return acctest.SignIn(t, stateValue(s, "user_principal_name"), password)
		}
	}
	resource.ParallelTest(t, testCase(t,
		resource.TestStep{
			Config: config(first, 1),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(address, tfjsonpath.New("password"), knownvalue.Null()),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("password_wo"), knownvalue.Null()),
			},
			Check: resource.ComposeTestCheckFunc(noSecretInState(first), signsIn(first)),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		},
		// A new write-only value without a new version is not sent: Terraform cannot see write-only changes.
		resource.TestStep{
			Config:             config(second, 1),
			PlanOnly:           true,
			ExpectNonEmptyPlan: false,
		},
		resource.TestStep{
			Config: config(second, 2),
			Check:  resource.ComposeTestCheckFunc(noSecretInState(second), signsIn(second)),
		},
	))
}

// TestAccAccount_ephemeralPassword is examples/complete's pattern: the ephemeral resource feeds password_wo. The
// echo provider surfaces the ephemeral value to the test (and only to it), so the test can sign in with it.
func TestAccAccount_ephemeralPassword(t *testing.T) {
	name := uniqueName(t)
	resource.ParallelTest(t, testCase(t, resource.TestStep{
		Config: fmt.Sprintf(`
ephemeral "breakglass_password" "pw" {
  length = 96
}

resource "breakglass_account" "test" {
  display_name        = "Ops %[1]s"
  mail_nickname       = "%[1]s"
  password_wo         = ephemeral.breakglass_password.pw.result
  password_wo_version = 1
}

provider "echo" {
  data = ephemeral.breakglass_password.pw.result
}

resource "echo" "pw" {}`, name),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(address, tfjsonpath.New("password"), knownvalue.Null()),
		},
		Check: func(s *terraform.State) error {
			pw := s.RootModule().Resources["echo.pw"].Primary.Attributes["data"]
			if len(pw) != 96 {
				return fmt.Errorf("ephemeral password has %d characters, want 96", len(pw))
			}
			return acctest.SignIn(t, stateValue(s, "user_principal_name"), pw)
		},
	}))
}

func TestAccAccount_drift(t *testing.T) {
	name := uniqueName(t)
	config := opsAccount(name)
	var id string
	patch := func(change func(models.Userable)) func() {
		return func() {
			u := models.NewUser()
			change(u)
			if _, err := clients.Graph(acctest.Client(t)).Users().ByUserId(id).Patch(context.Background(), u, nil); err != nil {
				t.Fatalf("changing the user behind Terraform's back: %v", err)
			}
			acctest.WaitOutReplication()
		}
	}
	resource.ParallelTest(t, testCase(t,
		resource.TestStep{Config: config, Check: capture(&id, "id")},
		resource.TestStep{
			PreConfig: patch(func(u models.Userable) { u.SetAccountEnabled(new(false)) }),
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
			}},
			Check: resource.TestCheckResourceAttr(address, "account_enabled", "true"),
		},
		resource.TestStep{
			PreConfig: patch(func(u models.Userable) { u.SetDisplayName(new("Renamed elsewhere")) }),
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(address, tfjsonpath.New("display_name"), knownvalue.StringExact("Ops "+name)),
			}},
		},
		resource.TestStep{
			PreConfig: func() {
				if err := clients.Graph(acctest.Client(t)).Users().ByUserId(id).Delete(context.Background(), nil); err != nil {
					t.Fatalf("deleting the user behind Terraform's back: %v", err)
				}
				acctest.WaitOutReplication()
			},
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(address, plancheck.ResourceActionCreate),
			}},
		},
	))
}

// TestAccAccount_syncedAndLicensedDrift covers drift only the simulator can cause: Graph cannot sync or license an
// account on demand.
func TestAccAccount_syncedAndLicensedDrift(t *testing.T) {
	sim := acctest.Sim(t)
	name := uniqueName(t)
	config := opsAccount(name)
	var id string
	resource.ParallelTest(t, testCase(t,
		resource.TestStep{Config: config, Check: capture(&id, "id")},
		resource.TestStep{
			PreConfig: func() {
				err := sim.SetUserFields(id, map[string]any{
					"onPremisesSyncEnabled": true,
					"assignedLicenses":      []any{map[string]any{"skuId": "c7df2760-2c81-4ef7-b578-5b5392b571df", "disabledPlans": []any{}}},
				})
				if err != nil {
					t.Fatal(err)
				}
			},
			RefreshState: true,
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, "on_premises_sync_enabled", "true"),
				resource.TestCheckResourceAttr(address, "assigned_licenses.#", "1"),
			),
		},
		// Entra refuses to delete a synced user through Graph; undo the sync so the test can clean up.
		resource.TestStep{
			PreConfig: func() {
				if err := sim.SetUserFields(id, map[string]any{"onPremisesSyncEnabled": nil, "assignedLicenses": []any{}}); err != nil {
					t.Fatal(err)
				}
			},
			RefreshState: true,
			Check:        resource.TestCheckResourceAttr(address, "on_premises_sync_enabled", "false"),
		},
	))
}

func TestAccAccount_permanentlyDelete(t *testing.T) {
	sim := acctest.Sim(t)
	name := uniqueName(t)
	var id string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			if _, ok := sim.User(id); ok {
				return fmt.Errorf("user %s still exists", id)
			}
			for _, u := range sim.DeletedUsers() {
				if u["id"] == id {
					return fmt.Errorf("user %s is still in deleted items despite permanently_delete", id)
				}
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "breakglass_account" "test" {
  display_name       = "Ops %[1]s"
  mail_nickname      = "%[1]s"
  permanently_delete = true
}`, name),
			Check: capture(&id, "id"),
		}},
	})
}

func TestAccAccount_softDeleteKeepsDeletedItem(t *testing.T) {
	sim := acctest.Sim(t)
	name := uniqueName(t)
	var id string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			for _, u := range sim.DeletedUsers() {
				if u["id"] == id {
					return nil
				}
			}
			return fmt.Errorf("user %s is not in deleted items: destroy must soft-delete by default", id)
		},
		Steps: []resource.TestStep{{
			Config: opsAccount(name),
			Check:  capture(&id, "id"),
		}},
	})
}

func capture(dst *string, attr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		*dst = stateValue(s, attr)
		return nil
	}
}

// checkUser reads the user straight from Graph and applies check.
func checkUser(t *testing.T, check func(models.Userable) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		acctest.WaitOutReplication() // a read right after the apply may reach a replica that has not seen it
		u, err := clients.Graph(acctest.Client(t)).Users().ByUserId(stateValue(s, "id")).Get(context.Background(), &users.UserItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: []string{"id", "passwordPolicies", "accountEnabled"}},
		})
		if err != nil {
			return err
		}
		return check(u)
	}
}

// checkSignIn proves the password in state is the one Entra holds.
func checkSignIn(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		return acctest.SignIn(t, stateValue(s, "user_principal_name"), stateValue(s, "password"))
	}
}

type compareEqual struct{}

func (compareEqual) CompareValues(values ...any) error {
	if len(values) == 2 && values[0] == values[1] {
		return nil
	}
	return fmt.Errorf("values differ: %v", values)
}

// TestAccAccount_badInput proves every mistake is caught at plan time, naming the attribute, before anything
// reaches the tenant.
func TestAccAccount_badInput(t *testing.T) {
	longPassword, _ := account.GeneratePassword(80)
	cases := map[string]struct {
		body string
		want string
	}{
		"upn without @":              {`user_principal_name = "no-at-sign"`, `user_principal_name`},
		"upn on a foreign domain":    {`user_principal_name = "ops@not-this-tenant.example"`, `(?s)not a verified domain`},
		"password too short":         {`password_length = 63`, `password_length`},
		"password too long":          {`password_length = 257`, `password_length`},
		"write-only too short":       {`password_wo = "Sh0rt!pass"` + "\n" + `password_wo_version = 1`, `(?s)password_wo.*64`},
		"write-only with length":     {fmt.Sprintf("password_wo = %s\npassword_wo_version = 1\npassword_length = 80", acctest.Quote(longPassword)), `(?s)password_length.*password_wo`},
		"write-only with keepers":    {fmt.Sprintf("password_wo = %s\npassword_wo_version = 1\nkeepers = { a = \"b\" }", acctest.Quote(longPassword)), `(?s)keepers`},
		"write-only without version": {fmt.Sprintf("password_wo = %s", acctest.Quote(longPassword)), `password_wo_version`},
		"certificate user id form":   {`certificate_user_ids = ["bg1@contoso.onmicrosoft.com"]`, `(?s)certificate_user_ids.*X509`},
		"nickname with spaces":       {`mail_nickname = "has space"`, `mail_nickname`},
		"nickname too long":          {`mail_nickname = "` + strings.Repeat("a", 65) + `"`, `mail_nickname`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      fmt.Sprintf("resource \"breakglass_account\" \"test\" {\n  display_name = \"Ops\"\n  %s\n}", tc.body),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	t.Run("blank display name", func(t *testing.T) {
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
			Steps: []resource.TestStep{{
				Config:      `resource "breakglass_account" "test" { display_name = "  " }`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`display_name`),
			}},
		})
	})
}

// TestAccAccount_noSecretsInTraceLogs applies both password modes with every log at TRACE and scans what the
// provider and Terraform wrote for the passwords and for bearer tokens. It changes process environment variables,
// so it does not run in parallel.
func TestAccAccount_noSecretsInTraceLogs(t *testing.T) {
	name := uniqueName(t)
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	writeOnly, _ := account.GeneratePassword(90)
	// The value reaches Terraform as an ephemeral variable, as a pipeline passes it: the test harness logs the
	// configuration text, so a literal in the configuration would be logged by the harness itself.
	t.Setenv("TF_VAR_wo_password", writeOnly)
	var generated string
	resource.Test(t, testCase(t, resource.TestStep{
		Config: fmt.Sprintf(`
variable "wo_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "breakglass_account" "test" {
  display_name  = "Ops %[1]s"
  mail_nickname = "%[1]s"
}

resource "breakglass_account" "wo" {
  display_name        = "Ops %[1]s wo"
  mail_nickname       = "%[1]swo"
  password_wo         = var.wo_password
  password_wo_version = 1
}`, name),
		Check: capture(&generated, "password"),
	}))
	logs, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) < 10_000 || !strings.Contains(string(logs), "HTTP request") {
		t.Fatalf("the trace log (%d bytes) does not hold the provider's request logs; the scan would prove nothing", len(logs))
	}
	for what, secret := range map[string]string{"generated password": generated, "write-only password": writeOnly, "client secret": os.Getenv("ARM_CLIENT_SECRET")} {
		if i := strings.Index(string(logs), secret); secret != "" && i >= 0 {
			t.Errorf("the %s appears in the TRACE log: ...%s...", what, strings.ReplaceAll(string(logs[max(0, i-600):i]), secret, "<SECRET>"))
		}
	}
	if regexp.MustCompile(`(?i)bearer\s+ey`).Match(logs) {
		t.Error("a bearer token appears in the TRACE log")
	}
}
