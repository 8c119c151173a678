package applications

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/rolemanagement"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

func TestTierTables(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range permissionTiers {
		key := strings.ToLower(p.name)
		if seen[key] || p.why == "" || (p.tier != Tier0 && p.tier != Tier1) {
			t.Errorf("permission %s: duplicated, unexplained or of an unknown tier", p.name)
		}
		seen[key] = true
	}
	privileged := map[string]bool{}
	for _, id := range rolemanagement.PrivilegedRoleTemplateIDs() {
		privileged[id] = true
	}
	for _, r := range roleTiers {
		if !privileged[r.name] || r.tier != Tier0 || !strings.Contains(r.why, ": ") {
			t.Errorf("role %s: tier-0 roles must be privileged built-in roles with a reason", r.name)
		}
	}
	// The fixtures' and the permissions land where the issue puts them.
	for name, want := range map[string]int{
		"RoleManagement.ReadWrite.Directory": Tier0, "directory.readwrite.all": Tier0, "AppRoleAssignment.ReadWrite.All": Tier0,
		"Application.ReadWrite.All": Tier0, "PrivilegedAccess.ReadWrite.AzureAD": Tier0, "PrivilegedAccess.ReadWrite.AzureResources": Tier0,
		"UserAuthenticationMethod.ReadWrite.All": Tier0, "User.ReadWrite.All": Tier1, "Policy.ReadWrite.ConditionalAccess": Tier1,
		"Mail.ReadWrite": Tier1, "Files.ReadWrite.All": Tier1, "Sites.FullControl.All": Tier1,
	} {
		if got, ok := permissionTier(name); !ok || got != want {
			t.Errorf("%s: tier %d (listed %v), want %d", name, got, ok, want)
		}
	}
	for _, unlisted := range []string{"User.Read.All", "Directory.Read.All", ""} {
		if _, ok := permissionTier(unlisted); ok {
			t.Errorf("%q is tiered", unlisted)
		}
	}
	if roleTier(tenantsim.PrivilegedRoleAdministratorRoleID) != Tier0 || roleTier("3a2c62db-5318-420d-8d74-23affee5d9d5") != Tier1 {
		t.Error("Privileged Role Administrator is tier 0, Intune Administrator tier 1")
	}
	docs := tierDocs()
	for _, p := range permissionTiers {
		if !strings.Contains(docs, "`"+p.name+"`") {
			t.Errorf("the documentation misses %s", p.name)
		}
	}
}

// TestSimulatorServesTieredPermissions makes sure the simulated tenant's Microsoft Graph service principal declares
// the permissions the acceptance tests rely on, under the names the tier table uses.
func TestSimulatorServesTieredPermissions(t *testing.T) {
	served := tenantsim.GraphAppRoleIDs()
	for _, name := range []string{"RoleManagement.ReadWrite.Directory", "Directory.ReadWrite.All", "User.ReadWrite.All", "Policy.ReadWrite.ConditionalAccess"} {
		if _, ok := served[name]; !ok {
			t.Errorf("the simulated tenant does not serve %s", name)
		}
		if _, ok := permissionTier(name); !ok {
			t.Errorf("%s is not tiered", name)
		}
	}
}

func TestCandidateTier(t *testing.T) {
	c := &candidate{permissions: map[string]int{"User.ReadWrite.All": Tier1}, roles: map[string]int{}}
	if c.tier() != Tier1 {
		t.Fatalf("tier %d", c.tier())
	}
	c.roles["Privileged Role Administrator"] = Tier0
	if c.tier() != Tier0 {
		t.Fatalf("a tier-0 role must win: %d", c.tier())
	}
	if (&candidate{}).tier() <= Tier1 {
		t.Fatal("nothing held is above every tier")
	}
}

func TestCredentials(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	key := uuid.MustParse("fd32f1a6-509f-4384-b478-ac605cece5cf")
	secret := models.NewPasswordCredential()
	secret.SetKeyId(&key)
	secret.SetDisplayName(new("old"))
	secret.SetEndDateTime(&past)
	cert := models.NewKeyCredential()
	cert.SetEndDateTime(&future)
	got := credentials([]models.PasswordCredentialable{secret}, []models.KeyCredentialable{cert}, SourceApplication, now)
	if len(got) != 2 {
		t.Fatalf("%d credentials", len(got))
	}
	if got[0].Type != "certificate" || got[0].Expired || got[0].KeyID != "" || got[0].Source != SourceApplication {
		t.Errorf("certificate: %+v", got[0])
	}
	if got[1].Type != "password" || !got[1].Expired || got[1].KeyID != key.String() || got[1].DisplayName != "old" {
		t.Errorf("secret: %+v", got[1])
	}
}

func TestBatchItemErrorNamesThePermission(t *testing.T) {
	// Building a Graph client registers the SDK's JSON parser, as in the provider (no request is sent).
	if _, err := clients.New(t.Context(), clients.Config{Environment: "public"}); err != nil {
		t.Fatal(err)
	}
	err := clients.BatchResponse{Status: http.StatusForbidden, Body: []byte(`{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}`)}.Err()
	ge, ok := clients.AsGraphError(err)
	if !ok || ge.Status != http.StatusForbidden || ge.Code != "Authorization_RequestDenied" {
		t.Fatalf("%+v %v", ge, ok)
	}
	wrapped := fail("reading service principals", permApplicationRead, err)
	if msg := Explain(wrapped); !strings.Contains(msg, "reading service principals") || !strings.Contains(msg, "Application.Read.All") {
		t.Errorf("message: %s", msg)
	}
	if !errors.Is(wrapped, err) {
		t.Error("the step error must unwrap to the Graph error")
	}
	if ge, _ := clients.AsGraphError(clients.BatchResponse{Status: http.StatusBadGateway, Body: []byte("not json")}.Err()); ge.Status != http.StatusBadGateway {
		t.Errorf("a body that is not Graph's error keeps the status: %+v", ge)
	}
}
