package alert

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TestMetadataRecordsProtections: the sign-in query's first line carries the protections for import, tells the
// watch of the policies that name the accounts alone from none, and says nothing of them when none is set, so the
// line of an alert without protections is as it was.
func TestMetadataRecordsProtections(t *testing.T) {
	base := spec{accounts: []Account{breakGlass1}, signInResult: SignInAny, includeNonInteractive: true, monitorChanges: true}
	for _, tc := range []struct {
		name     string
		p        Protections
		wantLine string
	}{
		{"none", Protections{}, `{"accounts":[{"object_id":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","user_principal_name":"BreakGlass01@Contoso.onmicrosoft.com"}],"sign_in_result":"any","include_non_interactive":true}`},
		{"policies naming the accounts", Protections{ConditionalAccess: true}, `"include_non_interactive":true,"watch_conditional_access_policies":true}`},
		{"all", Protections{ConditionalAccess: true, ExclusionGroupIDs: []string{exclusionGroup}, AuthenticationMethodsPolicy: true, RestrictedUnitIDs: []string{restrictedUnit}},
			`"watch_conditional_access_policies":true,"exclusion_group_ids":["` + exclusionGroup + `"],"watch_authentication_methods_policy":true,"restricted_management_unit_ids":["` + restrictedUnit + `"]}`},
	} {
		s := base
		s.protections = tc.p
		signIn, change := s.queries()
		first, _, _ := strings.Cut(signIn, "\n")
		if !strings.HasSuffix(first, tc.wantLine) {
			t.Errorf("%s: metadata line %s, want it to end with %s", tc.name, first, tc.wantLine)
		}
		if change != ChangeQuery(s.accounts, tc.p) {
			t.Errorf("%s: the change rule does not run the protections' query", tc.name)
		}
		meta, ok := ParseMetadata(signIn)
		if !ok {
			t.Fatalf("%s: metadata does not parse: %s", tc.name, first)
		}
		if meta.WatchConditionalAccessPolicies != tc.p.ConditionalAccess ||
			strings.Join(meta.ExclusionGroupIDs, ",") != strings.Join(tc.p.ExclusionGroupIDs, ",") ||
			meta.WatchAuthenticationMethodsPolicy != tc.p.AuthenticationMethodsPolicy ||
			strings.Join(meta.RestrictedManagementUnitIDs, ",") != strings.Join(tc.p.RestrictedUnitIDs, ",") {
			t.Errorf("%s: read back %+v", tc.name, meta)
		}
	}
}

// TestProtectionsFromAttributes: watch_conditional_access_policies turns the watch of Conditional Access policies on
// for the accounts' ids, exclusion_group_ids adds groups to it, and a state without the new attribute (null, as
// an upgraded one reads before refresh fills it) watches nothing, its change query byte for byte the one before
// protections existed.
func TestProtectionsFromAttributes(t *testing.T) {
	ctx := context.Background()
	want, err := os.ReadFile(filepath.Join("testdata", "change_query_without_protections.kql"))
	if err != nil {
		t.Fatal(err)
	}
	accounts := []Account{
		{ObjectID: "3f2504e0-4f89-41d3-9a0c-0305e82c3301", UserPrincipalName: "BreakGlass01@Contoso.onmicrosoft.com"},
		{ObjectID: "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", UserPrincipalName: "o'brien@contoso.com"},
	}
	groups := stringSet([]string{exclusionGroup})
	for _, tc := range []struct {
		name          string
		watch         types.Bool
		groups        types.Set
		wantPolicies  bool
		wantGroupIDs  string
		unchangedRule bool
	}{
		{"attribute absent (upgraded state)", types.BoolNull(), types.SetNull(types.StringType), false, "", true},
		{"off", types.BoolValue(false), types.SetNull(types.StringType), false, "", true},
		{"groups without the watch (refused by the validator)", types.BoolValue(false), groups, false, "", true},
		{"accounts only", types.BoolValue(true), types.SetNull(types.StringType), true, "", false},
		{"accounts and groups", types.BoolValue(true), groups, true, exclusionGroup, false},
	} {
		m := alertModel{WatchPolicies: tc.watch, ExclusionGroupIDs: tc.groups, WatchMethodsPolicy: types.BoolNull(),
			RestrictedUnitIDs: types.SetNull(types.StringType)}
		p, diags := m.protections(ctx)
		if diags.HasError() {
			t.Fatalf("%s: %v", tc.name, diags)
		}
		if p.ConditionalAccess != tc.wantPolicies || strings.Join(p.ExclusionGroupIDs, ",") != tc.wantGroupIDs {
			t.Errorf("%s: protections %+v", tc.name, p)
		}
		if got := ChangeQuery(accounts, p) == string(want); got != tc.unchangedRule {
			t.Errorf("%s: change query unchanged from before protections is %v, want %v", tc.name, got, tc.unchangedRule)
		}
	}
}
