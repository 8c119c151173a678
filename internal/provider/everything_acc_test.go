package provider_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tfcli"
)

// TestAccProvider_everything applies examples/complete with testdata/audit.tf beside it, so that one configuration
// holds every resource, every ephemeral resource and every data source, then refreshes, plans (empty) and destroys. Terraform chooses the order of independent
// calls, and one provider instance serves them all: at -parallelism=1 one at a time in the walk's order, at the
// default ten at once, so state shared inside the provider meets both (issue #13 was a crash of exactly that kind).
func TestAccProvider_everything(t *testing.T) {
	for _, parallelism := range []string{"1", "default"} {
		t.Run("parallelism="+parallelism, func(t *testing.T) {
			if parallelism != "default" {
				// terraform-plugin-testing has no parallelism option; Terraform reads TF_CLI_ARGS_<command>.
				for _, cmd := range []string{"plan", "apply", "refresh", "destroy"} {
					t.Setenv("TF_CLI_ARGS_"+cmd, "-parallelism="+parallelism)
				}
			}
			everything(t)
		})
	}
}

func everything(t *testing.T) {
	acctest.PreCheck(t)
	workspace, group, location := acctest.Monitoring(t)
	prefix := "acc" + strings.ReplaceAll(uuid.NewString(), "-", "")[:10]
	// Against a real tenant the provider's identity holds the roles the example names already.
	principal := acctest.ProviderServicePrincipal(t)
	if !acctest.Live() {
		_, removeRoles, err := tfcli.PrepareComplete(acctest.Sim(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(removeRoles)
	}
	vars := config.Variables{
		"provider_principal_id": config.StringVariable(principal),
		"name_prefix":           config.StringVariable("Cloud Ops " + prefix),
		"alert_name":            config.StringVariable(prefix),
		"resource_group_name":   config.StringVariable(group),
		"location":              config.StringVariable(location),
		"workspace_id":          config.StringVariable(workspace),
	}
	dir := t.TempDir()
	for _, f := range []struct{ from, to string }{
		{"../../examples/complete/main.tf", "main.tf"}, {"../../examples/complete/variables.tf", "variables.tf"},
		{"../../examples/complete/outputs.tf", "outputs.tf"}, {"testdata/audit.tf", "audit.tf"},
	} {
		src, err := os.ReadFile(f.from)
		if err != nil {
			t.Fatal(err)
		}
		// The terraform and provider blocks name the provider's registry address and configuration;
		// terraform-plugin-testing serves the provider in-process and refuses a configuration that declares its own.
		src = providerBlocks.ReplaceAll(src, nil)
		if err := os.WriteFile(filepath.Join(dir, f.to), src, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	configDir := config.StaticDirectory(dir)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{ConfigDirectory: configDir, ConfigVariables: vars},
			{
				// The audit data sources were read at plan time, before the assignments existed; a refresh shows them.
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					holdsGlobalAdministrator("breakglass_account.primary"),
					holdsGlobalAdministrator("breakglass_account.secondary"),
					resource.TestCheckResourceAttr("data.breakglass_posture.emergency", "account_ids.#", "2"),
					resource.TestCheckResourceAttrSet("data.breakglass_privileged_applications.tier0", "id"),
					resource.TestCheckResourceAttrSet("data.breakglass_role_assignments.privileged_active", "assignments.#"),
				),
			},
			{ConfigDirectory: configDir, ConfigVariables: vars, PlanOnly: true},
		},
	})
}

// providerBlocks are the top-level terraform { ... } block and an empty provider "breakglass" {} block.
var providerBlocks = regexp.MustCompile(`(?ms)^terraform \{.*?^\}\n|^provider "breakglass" \{\}\n`)

// holdsGlobalAdministrator checks that the audit data source lists the account as an active Global Administrator.
func holdsGlobalAdministrator(account string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		acc, ok := s.RootModule().Resources[account]
		if !ok {
			return fmt.Errorf("%s is not in state", account)
		}
		ds, ok := s.RootModule().Resources["data.breakglass_role_assignments.control_plane"]
		if !ok {
			return fmt.Errorf("data.breakglass_role_assignments.control_plane is not in state")
		}
		attrs := ds.Primary.Attributes
		for k, v := range attrs {
			if strings.HasSuffix(k, ".principal_id") && strings.EqualFold(v, acc.Primary.ID) {
				row := strings.TrimSuffix(k, "principal_id")
				if attrs[row+"role_name"] == "Global Administrator" && attrs[row+"state"] == "active" {
					return nil
				}
			}
		}
		return fmt.Errorf("data.breakglass_role_assignments.control_plane does not list %s (%s) as an active Global Administrator", account, acc.Primary.ID)
	}
}
