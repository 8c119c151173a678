package tfcli_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tfcli"
)

// TestApplyCompleteExample is the harness's own check: examples/complete applies, plans empty and destroys
// through the CLI with the built provider.
func TestApplyCompleteExample(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs Terraform: set TF_ACC=1 (make test does)")
	}
	sim, err := tenantsim.Start(tenantsim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	ws := tfcli.Complete(t, sim)
	ctx := context.Background()
	ws.Must(t, ctx, "apply", "-auto-approve", "-input=false")
	if got := len(sim.Users()); got < 2 {
		t.Fatalf("tenant holds %d users after apply, want the two accounts at least", got)
	}
	res, err := ws.Run(ctx, "plan", "-detailed-exitcode", "-input=false")
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("second plan not empty (exit %d, %v):\n%s%s", res.ExitCode, err, res.Stdout, res.Stderr)
	}
	out := ws.Must(t, ctx, "destroy", "-auto-approve", "-input=false")
	if !strings.Contains(out.Stdout, "Destroy complete!") {
		t.Fatalf("destroy did not complete:\n%s", out.Stdout)
	}
}
