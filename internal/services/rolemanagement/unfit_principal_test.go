package rolemanagement_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tfcli"
)

// TestAccPIMAssignment_unfitPrincipal runs Terraform itself, because the warnings are what it shows the user:
// an assignment to an account created licensed in the same apply warns during that apply (from what the
// account's own read learnt), and one to an existing synced user warns in the plan.
func TestAccPIMAssignment_unfitPrincipal(t *testing.T) {
	sim := acctest.Sim(t)
	nick := nickname()
	sku := uuid.NewString()
	if err := sim.AutoLicense("Licensed "+nick, sku); err != nil {
		t.Fatal(err)
	}
	syncedID := uuid.NewString()
	if err := sim.AddUsers([]map[string]any{{
		"id": syncedID, "displayName": "Synced " + nick, "userPrincipalName": "synced-" + nick + "@contoso.onmicrosoft.com",
		"mailNickname": "synced-" + nick, "accountEnabled": true, "onPremisesSyncEnabled": true,
	}}); err != nil {
		t.Fatal(err)
	}
	config := func(extra string) []byte {
		return []byte(fmt.Sprintf(`
terraform {
  required_providers {
    breakglass = { source = "entra-breakglass/breakglass" }
  }
}

provider "breakglass" {}

resource "breakglass_account" "bg" {
  display_name  = "Licensed %[1]s"
  mail_nickname = %[1]q
}

resource "breakglass_pim_permanent_assignment" "licensed" {
  principal_id = breakglass_account.bg.id
  role         = "Global Administrator"
}
%[2]s`, nick, extra))
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), config(""), 0o600); err != nil {
		t.Fatal(err)
	}
	ws := tfcli.New(t, sim, dir)
	ctx := context.Background()
	t.Cleanup(func() { ws.Must(t, ctx, "destroy", "-auto-approve", "-input=false") })

	apply := ws.Must(t, ctx, "apply", "-auto-approve", "-input=false")
	if out := apply.Stdout + apply.Stderr; !strings.Contains(out, "Principal is licensed") || !strings.Contains(out, "holds 1 license(s)") {
		t.Errorf("apply of an assignment to a licensed new account did not warn:\n%s", out)
	}

	synced := config(fmt.Sprintf(`
resource "breakglass_pim_permanent_assignment" "synced" {
  principal_id = %q
  role         = "Global Administrator"
}`, syncedID))
	if err := os.WriteFile(filepath.Join(ws.Dir, "main.tf"), synced, 0o600); err != nil {
		t.Fatal(err)
	}
	plan := ws.Must(t, ctx, "plan", "-input=false")
	if out := plan.Stdout + plan.Stderr; !strings.Contains(out, "Principal is synced from on-premises") {
		t.Errorf("plan of an assignment to a synced user did not warn:\n%s", out)
	}
}
