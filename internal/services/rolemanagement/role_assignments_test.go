package rolemanagement

import (
	"strings"
	"testing"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

// TestPrivilegedRolesMatchSimulator compares the fallback list with the PRIVILEGED labels the simulated tenant
// keeps for its built-in roles (both copied from Microsoft's permissions reference).
func TestPrivilegedRolesMatchSimulator(t *testing.T) {
	sim, err := tenantsim.Start(tenantsim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	for _, def := range sim.RoleDefinitions() {
		id, _ := def["templateId"].(string)
		want, _ := def["isPrivileged"].(bool)
		if _, got := privilegedRoleTemplates[id]; got != want {
			t.Errorf("%s (%s): privileged %v in the provider's list, %v in the simulated tenant", def["displayName"], id, got, want)
		}
	}
}

func TestIsPrivileged(t *testing.T) {
	def := func(id string, label any) models.UnifiedRoleDefinitionable {
		d := models.NewUnifiedRoleDefinition()
		d.SetId(&id)
		d.SetTemplateId(&id)
		if label != nil {
			d.SetAdditionalData(map[string]any{"isPrivileged": label})
		}
		return d
	}
	yes, no := true, false
	for _, tc := range []struct {
		name string
		def  models.UnifiedRoleDefinitionable
		want bool
	}{
		{"listed, no label", def(GlobalAdministratorRoleID, nil), true},
		{"listed, upper case", def(strings.ToUpper(GlobalAdministratorRoleID), nil), true},
		{"not listed, no label", def("88d8e3e3-8f55-4a1e-953a-9b9898b8876b", nil), false},
		{"label wins over the list", def(GlobalAdministratorRoleID, &no), false},
		{"label on a custom role", def("5d8c5a1e-4f2b-4c6d-8e9f-0a1b2c3d4e5f", &yes), true},
		{"nil", nil, false},
	} {
		if got := IsPrivileged(tc.def); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestFilterAndSummarize(t *testing.T) {
	end := time.Now().Add(time.Hour)
	const ga, reader = GlobalAdministratorRoleID, "4a5d8f65-41da-4de4-8968-e035b65339cf"
	rows := []RoleAssignment{
		{PrincipalID: "u1", PrincipalType: PrincipalUser, RoleDefinitionID: ga, RoleName: "Global Administrator", IsPrivileged: true, State: StateActive, Permanent: true, DirectoryScopeID: "/"},
		// the same user again through a group, and the group itself: one Global Administrator, one permanent assignment
		{PrincipalID: "u1", PrincipalType: PrincipalUser, RoleDefinitionID: ga, RoleName: "Global Administrator", IsPrivileged: true, State: StateActive, Permanent: true, DirectoryScopeID: "/", MemberType: MemberTypeGroup},
		{PrincipalID: "g1", PrincipalType: PrincipalGroup, RoleDefinitionID: ga, RoleName: "Global Administrator", IsPrivileged: true, State: StateActive, Permanent: true, DirectoryScopeID: "/"},
		{PrincipalID: "s1", PrincipalType: PrincipalServicePrincipal, RoleDefinitionID: ga, RoleName: "Global Administrator", IsPrivileged: true, State: StateActive, End: &end, DirectoryScopeID: "/"},
		{PrincipalID: "u2", PrincipalType: PrincipalUser, RoleDefinitionID: ga, RoleName: "Global Administrator", IsPrivileged: true, State: StateEligible, Permanent: true, DirectoryScopeID: "/"},
		{PrincipalID: "u2", PrincipalType: PrincipalUser, RoleDefinitionID: reader, RoleName: "Reports Reader", State: StateActive, Permanent: true, DirectoryScopeID: "/"},
	}
	s := Summarize(rows)
	if s.GlobalAdministrators != 2 || s.PermanentPrivileged != 1 || s.CountByRole["Global Administrator"] != 5 || s.CountByRole["Reports Reader"] != 1 {
		t.Errorf("summary %+v", s)
	}
	for _, tc := range []struct {
		name string
		f    Filter
		want int
	}{
		{"none", Filter{}, 6},
		{"role", Filter{RoleIDs: map[string]bool{reader: true}}, 1},
		{"principal types", Filter{PrincipalTypes: map[string]bool{PrincipalGroup: true, PrincipalServicePrincipal: true}}, 2},
		{"privileged", Filter{PrivilegedOnly: true}, 5},
		{"all three", Filter{RoleIDs: map[string]bool{ga: true}, PrincipalTypes: map[string]bool{PrincipalUser: true}, PrivilegedOnly: true}, 3},
	} {
		if got := len(tc.f.Apply(rows)); got != tc.want {
			t.Errorf("%s: %d rows, want %d", tc.name, got, tc.want)
		}
	}
}

func TestDescribePrincipal(t *testing.T) {
	u := models.NewUser()
	u.SetDisplayName(new("Ops"))
	u.SetUserPrincipalName(new("ops@contoso.com"))
	sp := models.NewServicePrincipal()
	sp.SetDisplayName(new("Bridge"))
	sp.SetAppId(new("68653d29-0b71-4ecc-abca-a562bc65c45d"))
	g := models.NewGroup()
	g.SetDisplayName(new("Tier0"))
	other := models.NewDirectoryObject()
	other.SetOdataType(new("#microsoft.graph.servicePrincipal"))
	for _, tc := range []struct {
		obj                    models.DirectoryObjectable
		kind, name, upn, appID string
	}{
		{u, PrincipalUser, "Ops", "ops@contoso.com", ""},
		{sp, PrincipalServicePrincipal, "Bridge", "", "68653d29-0b71-4ecc-abca-a562bc65c45d"},
		{g, PrincipalGroup, "Tier0", "", ""},
		{other, PrincipalServicePrincipal, "", "", ""},
		{nil, PrincipalUnknown, "", "", ""},
	} {
		kind, name, upn, appID := describePrincipal(tc.obj)
		if kind != tc.kind || name != tc.name || upn != tc.upn || appID != tc.appID {
			t.Errorf("%T: %s %s %s %s", tc.obj, kind, name, upn, appID)
		}
	}
}
