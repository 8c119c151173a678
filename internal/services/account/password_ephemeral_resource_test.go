package account_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/account"
)

// The ephemeral password needs no tenant, so these run offline with resource.UnitTest; the echo provider copies
// the ephemeral value into state, where the checks can see it.
func TestEphemeralPassword_length(t *testing.T) {
	t.Parallel()
	step := func(name, lengthArgument string, want int) resource.TestStep {
		return resource.TestStep{
			Config: ephemeralPasswordConfig(name, lengthArgument),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo."+name, tfjsonpath.New("data").AtMapKey("length"), knownvalue.Int64Exact(int64(want))),
				statecheck.ExpectKnownValue("echo."+name, tfjsonpath.New("data").AtMapKey("result"), knownvalue.StringFunc(compliantPassword(want))),
			},
		}
	}
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			step("default", "", account.DefaultPasswordLength),
			step("minimum", "length = 64", account.MinPasswordLength),
			step("maximum", "length = 256", account.MaxPasswordLength),
		},
	})
}

func TestEphemeralPassword_invalidLength(t *testing.T) {
	t.Parallel()
	step := func(length int) resource.TestStep {
		return resource.TestStep{
			Config: ephemeralPasswordConfig("invalid", fmt.Sprintf("length = %d", length)),
			// Terraform wraps long diagnostics, so any white space may separate the words.
			ExpectError: regexp.MustCompile(fmt.Sprintf(`Attribute\s+length\s+value\s+must\s+be\s+between\s+64\s+and\s+256,\s+got:\s+%d`, length)),
		}
	}
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps:                    []resource.TestStep{step(63), step(257)},
	})
}

func ephemeralPasswordConfig(name, lengthArgument string) string {
	return fmt.Sprintf(`
provider "breakglass" {
  use_cli = false
}

ephemeral "breakglass_password" "test" {
  %s
}

provider "echo" {
  data = ephemeral.breakglass_password.test
}

resource "echo" %q {}
`, lengthArgument, name)
}

// compliantPassword checks a password's length and that Entra would accept it, without printing it.
func compliantPassword(length int) func(string) error {
	return func(password string) error {
		if len(password) != length {
			return fmt.Errorf("password has %d characters, want %d", len(password), length)
		}
		return account.CheckPasswordComplexity(password)
	}
}
