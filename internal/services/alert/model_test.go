package alert

import (
	"strings"
	"testing"
)

// TestMetadataRecordsProtections: the sign-in query's first line carries the protections for import, tells an
// exclusion_group_ids of [] (watch the policies that name the accounts) from none, and says nothing of them when
// none is set, so the line of an alert without protections is as it was.
func TestMetadataRecordsProtections(t *testing.T) {
	base := spec{accounts: []Account{breakGlass1}, signInResult: SignInAny, includeNonInteractive: true, monitorChanges: true}
	for _, tc := range []struct {
		name     string
		p        Protections
		wantLine string
	}{
		{"none", Protections{}, `{"accounts":[{"object_id":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","user_principal_name":"BreakGlass01@Contoso.onmicrosoft.com"}],"sign_in_result":"any","include_non_interactive":true}`},
		{"policies naming the accounts", Protections{ConditionalAccess: true}, `"include_non_interactive":true,"exclusion_group_ids":[]}`},
		{"all", Protections{ConditionalAccess: true, ExclusionGroupIDs: []string{exclusionGroup}, AuthenticationMethodsPolicy: true, RestrictedUnitIDs: []string{restrictedUnit}},
			`"exclusion_group_ids":["` + exclusionGroup + `"],"watch_authentication_methods_policy":true,"restricted_management_unit_ids":["` + restrictedUnit + `"]}`},
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
		if got := meta.ExclusionGroupIDs != nil; got != tc.p.ConditionalAccess {
			t.Errorf("%s: exclusion_group_ids recorded %v, want %v", tc.name, got, tc.p.ConditionalAccess)
		}
		if meta.ExclusionGroupIDs != nil && strings.Join(*meta.ExclusionGroupIDs, ",") != strings.Join(tc.p.ExclusionGroupIDs, ",") {
			t.Errorf("%s: exclusion_group_ids %v", tc.name, *meta.ExclusionGroupIDs)
		}
		if meta.WatchAuthenticationMethodsPolicy != tc.p.AuthenticationMethodsPolicy ||
			strings.Join(meta.RestrictedManagementUnitIDs, ",") != strings.Join(tc.p.RestrictedUnitIDs, ",") {
			t.Errorf("%s: read back %+v", tc.name, meta)
		}
	}
}
