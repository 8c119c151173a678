package administrativeunits

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func stringSet(ids ...string) types.Set {
	values := make([]attr.Value, len(ids))
	for i, id := range ids {
		values[i] = types.StringValue(id)
	}
	return types.SetValueMust(types.StringType, values)
}

// TestKeepMembers: a listed member that left the unit is dropped (drift the next apply repairs), members someone
// else added are not reported, ids compare case-insensitively, and an unset list stays unset.
func TestKeepMembers(t *testing.T) {
	found := members{"aaaaaaaa-0000-0000-0000-000000000001": false, "cccccccc-0000-0000-0000-000000000003": false}
	got := keepMembers(stringSet("AAAAAAAA-0000-0000-0000-000000000001", "bbbbbbbb-0000-0000-0000-000000000002"), found)
	if want := stringSet("AAAAAAAA-0000-0000-0000-000000000001"); !got.Equal(want) {
		t.Errorf("keepMembers = %v, want %v", got, want)
	}
	if got := keepMembers(types.SetNull(types.StringType), found); !got.IsNull() {
		t.Errorf("an unset list became %v", got)
	}
}

// TestManagerChanged: a new assignment is needed for another manager or role, and when the recorded one is gone.
func TestManagerChanged(t *testing.T) {
	base := unitModel{ManagerPrincipalID: types.StringValue("p1"), ManagerRoleID: types.StringValue("r1"), ManagerRoleAssignmentID: types.StringValue("a1")}
	for _, tc := range []struct {
		name string
		edit func(*unitModel)
		want bool
	}{
		{"unchanged", func(*unitModel) {}, false},
		{"another manager", func(m *unitModel) { m.ManagerPrincipalID = types.StringValue("p2") }, true},
		{"another role", func(m *unitModel) { m.ManagerRoleID = types.StringValue("r2") }, true},
		{"manager removed", func(m *unitModel) { m.ManagerPrincipalID = types.StringNull() }, true},
	} {
		plan := base
		tc.edit(&plan)
		if got := managerChanged(plan, base); got != tc.want {
			t.Errorf("%s: managerChanged = %v, want %v", tc.name, got, tc.want)
		}
	}
	drifted := base
	drifted.ManagerRoleAssignmentID = types.StringNull()
	if !managerChanged(base, drifted) {
		t.Error("an assignment removed outside Terraform must be made again")
	}
}
