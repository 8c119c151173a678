package conditionalaccess

import (
	"reflect"
	"strings"
	"testing"
)

const (
	u1, u2, u3 = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222", "33333333-3333-3333-3333-333333333333"
	g1         = "44444444-4444-4444-4444-444444444444"
)

func TestWithExclusions_keepsEveryoneElse(t *testing.T) {
	users := usersCondition{
		"includeUsers":                 []any{"All"},
		"excludeUsers":                 []any{u1, "GuestsOrExternalUsers"},
		"excludeGroups":                []any{},
		"includeRoles":                 []any{},
		"includeGuestsOrExternalUsers": map[string]any{"guestOrExternalUserTypes": "b2bCollaborationGuest"},
	}
	added, changed := users.withExclusions([]string{u2, u1}, []string{g1}, true)
	if !changed {
		t.Fatal("adding new ids must report a change")
	}
	if got := added.ids("excludeUsers"); !reflect.DeepEqual(got, []string{u1, "GuestsOrExternalUsers", u2}) {
		t.Errorf("excludeUsers = %v: others' entries must stay, in order, ours appended once", got)
	}
	if got := added.ids("excludeGroups"); !reflect.DeepEqual(got, []string{g1}) {
		t.Errorf("excludeGroups = %v", got)
	}
	if !reflect.DeepEqual(added["includeGuestsOrExternalUsers"], users["includeGuestsOrExternalUsers"]) || !reflect.DeepEqual(added["includeUsers"], []any{"All"}) {
		t.Error("fields other than the exclude lists must pass through untouched")
	}
	if _, changed := added.withExclusions([]string{u2}, nil, true); changed {
		t.Error("adding ids already there is no change")
	}
	removed, _ := added.withExclusions([]string{u2, u3}, []string{g1}, false)
	if got := removed.ids("excludeUsers"); !reflect.DeepEqual(got, []string{u1, "GuestsOrExternalUsers"}) {
		t.Errorf("removal took more than our ids: %v", got)
	}
	if !added.hasAll([]string{u1, u2}, []string{g1}) || removed.hasAll([]string{u2}, nil) {
		t.Error("hasAll")
	}
}

func TestSelection(t *testing.T) {
	mfa := policySummary{ID: "a", State: stateEnabled, Controls: []string{"mfa"}}
	strength := policySummary{ID: "b", State: stateReportOnly, HasAuthStrength: true}
	block := policySummary{ID: "c", State: stateEnabled, Controls: []string{"block"}}
	device := policySummary{ID: "d", State: stateDisabled, Controls: []string{"compliantDevice"}}
	session := policySummary{ID: "e", State: stateEnabled}
	workload := policySummary{ID: "w", State: stateEnabled, Controls: []string{"block"}, WorkloadIdentity: true}
	all := []policySummary{mfa, strength, block, device, session, workload}
	cases := []struct {
		sel  selection
		want []string
	}{
		{selection{Match: matchAll, IncludeReportOnly: true}, []string{"a", "b", "c", "e"}},
		{selection{Match: matchAll, IncludeReportOnly: true, IncludeDisabled: true}, []string{"a", "b", "c", "d", "e"}},
		{selection{Match: matchRequiresMFA, IncludeReportOnly: true}, []string{"a", "b"}},
		{selection{Match: matchRequiresMFA}, []string{"a"}},
		{selection{Match: matchBlocksAccess, IncludeReportOnly: true}, []string{"c"}},
		{selection{Match: matchGrantControls, IncludeReportOnly: true, IncludeDisabled: true}, []string{"a", "b", "c", "d"}},
		{selection{Match: matchRequiresMFA, IncludeReportOnly: true, Except: []string{"B"}}, []string{"a"}},
		{selection{PolicyIDs: []string{"d", "e"}}, []string{"d", "e"}},
		// A policy for workload identities applies to no user and cannot exclude one: never selected.
		{selection{PolicyIDs: []string{"e", "w"}}, []string{"e"}},
	}
	for _, tc := range cases {
		got, _ := tc.sel.targets(all)
		var ids []string
		for _, p := range got {
			ids = append(ids, p.ID)
		}
		if !reflect.DeepEqual(ids, tc.want) {
			t.Errorf("%+v selects %v, want %v", tc.sel, ids, tc.want)
		}
	}
	if got := (selection{Match: matchAll, PolicyIDs: nil}).workloadIdentityIDs(all); got != nil {
		t.Errorf("a match names workload-identity policies %v; only explicit policy_ids are refused", got)
	}
	if got := (selection{PolicyIDs: []string{"W", "a"}}).workloadIdentityIDs(all); len(got) != 1 || !strings.HasPrefix(got[0], "w ") {
		t.Errorf("workloadIdentityIDs = %v, want the explicit workload-identity policy w", got)
	}
	if _, missing := (selection{PolicyIDs: []string{"a", "zz"}}).targets(all); !reflect.DeepEqual(missing, []string{"zz"}) {
		t.Errorf("missing = %v", missing)
	}
}

func TestIDRoundTrip(t *testing.T) {
	for _, in := range []inputs{
		{users: []string{u2, u1}, groups: []string{g1}, sel: selection{PolicyIDs: []string{u3}}},
		{users: []string{u1}, sel: selection{Match: matchRequiresMFA, IncludeReportOnly: true, Except: []string{u3}}},
		{groups: []string{g1}, sel: selection{Match: matchAll, IncludeDisabled: true}},
	} {
		id := encodeID(in)
		back, err := decodeID(id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if encodeID(back) != id {
			t.Errorf("round trip %s -> %s", id, encodeID(back))
		}
	}
	if got := encodeID(inputs{users: []string{u2, u1}, sel: selection{PolicyIDs: []string{u3}}}); got != "users="+u1+","+u2+";policies="+u3 {
		t.Errorf("encoding not sorted: %s", got)
	}
	for _, bad := range []string{"", "users=" + u1, "match=all;report_only=true", "users=x;match=all", "users=" + u1 + ";match=some", "users=" + u1 + ";policies=" + u3 + ";match=all"} {
		if _, err := decodeID(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
