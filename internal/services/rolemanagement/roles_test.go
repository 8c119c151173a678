package rolemanagement

import (
	"strings"
	"testing"
)

var catalog = roleCatalog{
	{ID: "62e90394-69f5-4237-9190-012177145e10", Name: "Global Administrator"},
	{ID: "f2ef992c-3afb-46b9-b7cf-a126ee74c451", Name: "Global Reader"},
	{ID: "e8611ab8-c189-46e8-94e1-60213ab1f814", Name: "Privileged Role Administrator"},
	{ID: "fe930be7-5e62-47db-91af-98c3a49a38b1", Name: "User Administrator"},
}

func TestRoleByName(t *testing.T) {
	r, err := catalog.byName("  global administrator ")
	if err != nil || r.ID != "62e90394-69f5-4237-9190-012177145e10" {
		t.Fatalf("case-insensitive lookup: %v %v", r, err)
	}
	_, err = catalog.byName("Global Admin")
	if err == nil || !strings.Contains(err.Error(), `"Global Administrator"`) {
		t.Fatalf("an unknown name must suggest the close match: %v", err)
	}
	_, err = catalog.byName("Coffee Maker")
	if err == nil || strings.Contains(err.Error(), "Did you mean") {
		t.Fatalf("no suggestion for a name close to nothing: %v", err)
	}
	if _, ok := catalog.byID("FE930BE7-5E62-47DB-91AF-98C3A49A38B1"); !ok {
		t.Fatal("ids compare case-insensitively")
	}
}

func TestAssignmentID(t *testing.T) {
	const p, r = "11111111-1111-1111-1111-111111111111", "62e90394-69f5-4237-9190-012177145e10"
	for _, tc := range []struct{ scope, id string }{
		{"/", p + "/" + r},
		{"/administrativeUnits/22222222-2222-2222-2222-222222222222", p + "/" + r + "/administrativeUnits/22222222-2222-2222-2222-222222222222"},
	} {
		if got := assignmentID(p, r, tc.scope); got != tc.id {
			t.Errorf("assignmentID(%s) = %s", tc.scope, got)
		}
		a, err := parseAssignmentID(tc.id)
		if err != nil || a.scope != tc.scope || a.principalID != p || a.roleDefinitionID != r {
			t.Errorf("parse(%s) = %+v, %v", tc.id, a, err)
		}
	}
	for _, bad := range []string{"", p, p + "/Global Administrator", "x/" + r} {
		if _, err := parseAssignmentID(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
