package moduletest

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tfcli"
)

const module = "examples/modules/emergency-access"

// officeE5 is a SKU id the simulated tenant licenses "Licensed ..." accounts with, for the posture test.
const officeE5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"

func TestEmergencyAccessModule(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs terraform test against the simulated tenant: set TF_ACC=1 (make test does)")
	}
	sim, err := tenantsim.Start(tenantsim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	// tests/licensed.tftest.hcl names its accounts "Licensed ..." to get a licence at creation.
	if err := sim.AutoLicense("Licensed ", officeE5); err != nil {
		t.Fatal(err)
	}
	info := sim.Info()
	// tests/protections.tftest.hcl puts the accounts in a restricted management unit: adding members needs
	// Privileged Role Administrator at tenant scope, and the provider's identity becomes the unit's manager.
	sp, ok := sim.ServicePrincipalID(info.ClientID)
	if !ok {
		t.Fatal("the simulated tenant has no service principal for the provider's app")
	}
	if _, err := sim.AssignDirectoryRole(sp, tenantsim.PrivilegedRoleAdministratorRoleID); err != nil {
		t.Fatal(err)
	}
	ws := tfcli.New(t, sim, module)
	// The test files' own variables (not the module's): terraform test parses TF_VAR_ values of undeclared
	// variables as expressions, so they go in a variables file, as a user would write them.
	tfvars := fmt.Sprintf("workspace_id          = %q\nresource_group_name   = %q\nprovider_principal_id = %q\n",
		info.WorkspaceID, info.ResourceGroup, sp)
	if err := os.WriteFile(filepath.Join(ws.Dir, "tests", "environment.tfvars"), []byte(tfvars), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()

	// terraform get, not init: init would look the provider up in the registry despite dev_overrides.
	ws.Must(t, ctx, "get")
	res, err := ws.Run(ctx, "test", "-var-file=tests/environment.tfvars")
	if err != nil {
		t.Fatalf("terraform test: %v", err)
	}
	t.Logf("terraform test:\n%s%s", res.Stdout, res.Stderr)
	if res.ExitCode != 0 {
		t.Fatalf("terraform test exited %d", res.ExitCode)
	}
	// Every file and run must have run and passed: a test file that Terraform skipped or failed to load would
	// otherwise go unnoticed.
	want := map[string]int{"defaults": 1, "four_accounts": 1, "invalid_input": 5, "licensed": 2, "protections": 2, "write_only": 1}
	if got := passedRuns(res.Stdout); !maps.Equal(got, want) {
		t.Errorf("passed runs per test file: %v, want %v", got, want)
	}
	// terraform test destroys what each file created: only the seeded users are left.
	for _, u := range sim.Users() {
		if name, _ := u["displayName"].(string); strings.HasPrefix(name, "Cloud Op") || strings.HasPrefix(name, "Cloud Guard") || strings.HasPrefix(name, "Licensed") {
			t.Errorf("account %q is left after terraform test", name)
		}
	}
}

var (
	fileLine   = regexp.MustCompile(`^tests/(\S+)\.tftest\.hcl\.\.\. in progress$`)
	passedLine = regexp.MustCompile(`^\s+run "[^"]+"\.\.\. pass$`)
)

// passedRuns counts the passing runs of each test file in terraform test's output.
func passedRuns(out string) map[string]int {
	got := map[string]int{}
	file := ""
	for _, line := range strings.Split(out, "\n") {
		if m := fileLine.FindStringSubmatch(line); m != nil {
			file = m[1]
		} else if file != "" && passedLine.MatchString(line) {
			got[file]++
		}
	}
	return got
}
