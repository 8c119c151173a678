package tenantsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/fidelity"
)

const pathCAPolicies = "/v1.0/identity/conditionalAccess/policies"

// caUsers digs conditions.users out of a policy.
func caUsers(t *testing.T, policy map[string]any) map[string]any {
	t.Helper()
	conditions, _ := policy["conditions"].(map[string]any)
	users, ok := conditions["users"].(map[string]any)
	if !ok {
		t.Fatalf("policy without conditions.users: %v", policy)
	}
	return users
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, item := range list {
		out = append(out, fmt.Sprint(item))
	}
	return out
}

// newCAPolicyBody is a valid POST body.
func newCAPolicyBody(name string) map[string]any {
	return map[string]any{
		"displayName": name,
		"state":       "enabledForReportingButNotEnforced",
		"conditions": map[string]any{
			"clientAppTypes": []any{"all"},
			"applications":   map[string]any{"includeApplications": []any{"All"}},
			"users":          map[string]any{"includeUsers": []any{"All"}, "excludeUsers": []any{FixtureCAOtherBreakGlassUserID}},
		},
		"grantControls": map[string]any{"operator": "OR", "builtInControls": []any{"mfa"}},
	}
}

func TestCAPolicyFixtures(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	out := c.expect(http.StatusOK, "GET", pathCAPolicies, nil)
	if out["@odata.context"] != "https://"+srv.Info().MetadataHost+"/v1.0/$metadata#identity/conditionalAccess/policies" {
		t.Fatalf("context %v", out["@odata.context"])
	}
	value, _ := out["value"].([]any)
	want := []string{FixtureCAPolicyRequireMFAID, FixtureCAPolicyBlockLegacyAuthID, FixtureCAPolicyAdminMFAReportOnlyID,
		FixtureCAPolicyBlockUntrustedCountriesID, FixtureCAPolicyPhishingResistantAdminsID,
		FixtureCAPolicyMicrosoftManagedAdminMFAID, FixtureCAPolicyRequireCompliantDeviceID, FixtureCAPolicySessionLifetimeID}
	var got []string
	for _, v := range value {
		p, _ := v.(map[string]any)
		got = append(got, p["id"].(string))
		if len(strs(caUsers(t, p)["excludeUsers"])) == 0 {
			t.Errorf("fixture %s excludes nobody", p["displayName"])
		}
		if p["templateId"] != nil || p["createdDateTime"] == nil {
			t.Errorf("fixture %s: templateId %v createdDateTime %v", p["displayName"], p["templateId"], p["createdDateTime"])
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("fixtures %v, want %v", got, want)
	}

	// The selectors the provider implements tell the fixtures apart.
	classify := func(p map[string]any) (mfa, block, grant bool) {
		g, _ := p["grantControls"].(map[string]any)
		controls := strs(g["builtInControls"])
		grant = g != nil && (len(controls) > 0 || g["authenticationStrength"] != nil)
		return slices.Contains(controls, "mfa") || g["authenticationStrength"] != nil, slices.Contains(controls, "block"), grant
	}
	for id, expected := range map[string][3]bool{
		FixtureCAPolicyRequireMFAID: {true, false, true}, FixtureCAPolicyBlockLegacyAuthID: {false, true, true},
		FixtureCAPolicyAdminMFAReportOnlyID: {true, false, true}, FixtureCAPolicyBlockUntrustedCountriesID: {false, true, true},
		FixtureCAPolicyPhishingResistantAdminsID: {true, false, true}, FixtureCAPolicyMicrosoftManagedAdminMFAID: {true, false, true},
		FixtureCAPolicyRequireCompliantDeviceID: {false, false, true}, FixtureCAPolicySessionLifetimeID: {false, false, false},
	} {
		p := c.expect(http.StatusOK, "GET", pathCAPolicies+"/"+id, nil)
		mfa, block, grant := classify(p)
		if [3]bool{mfa, block, grant} != expected {
			t.Errorf("%s: requires_mfa=%v blocks_access=%v grant_controls=%v, want %v", p["displayName"], mfa, block, grant, expected)
		}
	}
	strength := c.expect(http.StatusOK, "GET", pathCAPolicies+"/"+FixtureCAPolicyPhishingResistantAdminsID, nil)["grantControls"].(map[string]any)
	if as := strength["authenticationStrength"].(map[string]any); as["id"] != AuthStrengthPhishingResistantID || as["displayName"] != "Phishing-resistant MFA" {
		t.Fatalf("authenticationStrength %v", as)
	}
	if !strings.HasSuffix(strength["authenticationStrength@odata.context"].(string), "/grantControls/authenticationStrength/$entity") {
		t.Fatalf("annotation %v", strength)
	}
	states := map[string]string{}
	for _, p := range srv.CAPolicies() {
		states[p["id"].(string)] = p["state"].(string)
	}
	if states[FixtureCAPolicyAdminMFAReportOnlyID] != "enabledForReportingButNotEnforced" ||
		states[FixtureCAPolicyMicrosoftManagedAdminMFAID] != "enabledForReportingButNotEnforced" ||
		states[FixtureCAPolicyBlockUntrustedCountriesID] != "disabled" {
		t.Fatalf("states %v", states)
	}
}

func TestCAPolicyCRUD(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	resp, created := c.do("POST", pathCAPolicies, newCAPolicyBody("Require MFA for contractors"))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %v", resp.StatusCode, created)
	}
	id, _ := created["id"].(string)
	if uuid.Validate(id) != nil || resp.Header.Get("Location") != "https://"+srv.Info().MetadataHost+pathCAPolicies+"/"+id {
		t.Fatalf("create: id %q Location %q", id, resp.Header.Get("Location"))
	}
	if created["createdDateTime"] == nil || created["modifiedDateTime"] != nil || created["templateId"] != nil ||
		!strings.HasSuffix(created["@odata.context"].(string), "#identity/conditionalAccess/policies/$entity") {
		t.Fatalf("create answer %v", created)
	}
	// Unset collections come back empty, unset complex values null.
	conditions := created["conditions"].(map[string]any)
	if conditions["platforms"] != nil || strs(conditions["signInRiskLevels"]) == nil || len(strs(caUsers(t, created)["includeGroups"])) != 0 {
		t.Fatalf("defaults %v", conditions)
	}

	got := c.expect(http.StatusOK, "GET", pathCAPolicies+"/"+id, nil)
	delete(got, "@odata.context")
	delete(created, "@odata.context")
	if !reflect.DeepEqual(got, created) {
		t.Fatalf("GET differs from the create answer:\n%v\n%v", got, created)
	}
	sel := c.expect(http.StatusOK, "GET", pathCAPolicies+"/"+id+"?$select=id,displayName,description", nil)
	if len(sel) != 4 || sel["displayName"] != "Require MFA for contractors" || !strings.Contains(sel["@odata.context"].(string), "(id,displayName,description)/$entity") {
		t.Fatalf("$select %v", sel)
	}
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "GET", pathCAPolicies+"/"+id+"?$select=nope", nil)

	c.expect(http.StatusNoContent, "PATCH", pathCAPolicies+"/"+id, map[string]any{"displayName": "Require MFA for vendors", "state": "enabled"})
	p, _ := srv.CAPolicy(id)
	if p["displayName"] != "Require MFA for vendors" || p["state"] != "enabled" || p["modifiedDateTime"] == nil {
		t.Fatalf("after PATCH %v", p)
	}

	// $filter on state and displayName, paging with $top.
	enabled := c.expect(http.StatusOK, "GET", pathCAPolicies+"?$filter="+url.QueryEscape("state eq 'enabled'"), nil)["value"].([]any)
	if len(enabled) != 6 {
		t.Fatalf("%d enabled policies, want 6", len(enabled))
	}
	named := c.expect(http.StatusOK, "GET", pathCAPolicies+"?$filter="+url.QueryEscape("displayName eq 'Require MFA for vendors'")+"&$select=id", nil)["value"].([]any)
	if len(named) != 1 || named[0].(map[string]any)["id"] != id || len(named[0].(map[string]any)) != 1 {
		t.Fatalf("displayName filter %v", named)
	}
	c.expectError(http.StatusBadRequest, "Request_UnsupportedQuery", "GET", pathCAPolicies+"?$filter="+url.QueryEscape("description eq 'x'"), nil)
	var all []string
	next := pathCAPolicies + "?$top=3"
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		page := c.expect(http.StatusOK, "GET", next, nil)
		for _, v := range page["value"].([]any) {
			all = append(all, v.(map[string]any)["id"].(string))
		}
		next, _ = page["@odata.nextLink"].(string)
		next = strings.TrimPrefix(next, "https://"+srv.Info().MetadataHost)
	}
	if len(all) != 9 || all[8] != id {
		t.Fatalf("paged ids %v", all)
	}

	c.expect(http.StatusNoContent, "DELETE", pathCAPolicies+"/"+id, nil)
	c.expectError(http.StatusNotFound, "NotFound", "GET", pathCAPolicies+"/"+id, nil)
	c.expectError(http.StatusNotFound, "NotFound", "PATCH", pathCAPolicies+"/"+id, map[string]any{"state": "disabled"})
	c.expectError(http.StatusNotFound, "NotFound", "DELETE", pathCAPolicies+"/"+id, nil)
	c.expectError(http.StatusMethodNotAllowed, "Request_BadRequest", "PUT", pathCAPolicies+"/"+FixtureCAPolicyRequireMFAID, newCAPolicyBody("x"))
}

func TestCAPolicyPatchMergeSemantics(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	before, _ := srv.CAPolicy(FixtureCAPolicyRequireCompliantDeviceID)
	mine := "3ae50d7b-8dc1-4ce9-afc7-c590eccb5ee3"

	// The provider's PATCH: only conditions.users, nothing else.
	users := copyObject(caUsers(t, before))
	users["excludeUsers"] = append(users["excludeUsers"].([]any), mine)
	users["@odata.type"] = "#microsoft.graph.conditionalAccessUsers" // as kiota serializes it
	c.expect(http.StatusNoContent, "PATCH", pathCAPolicies+"/"+FixtureCAPolicyRequireCompliantDeviceID,
		map[string]any{"conditions": map[string]any{"@odata.type": "#microsoft.graph.conditionalAccessConditionSet", "users": users}})
	after, _ := srv.CAPolicy(FixtureCAPolicyRequireCompliantDeviceID)
	wantExcludes := []string{FixtureCAOtherBreakGlassUserID, FixtureDisabledUserID, mine}
	if got := strs(caUsers(t, after)["excludeUsers"]); !slices.Equal(got, wantExcludes) {
		t.Fatalf("excludeUsers %v, want %v", got, wantExcludes)
	}
	if _, annotated := caUsers(t, after)["@odata.type"]; annotated {
		t.Fatal("@odata.type of a non-derived type stored")
	}
	for _, name := range []string{"grantControls", "sessionControls", "state", "displayName", "createdDateTime"} {
		if !reflect.DeepEqual(before[name], after[name]) {
			t.Errorf("%s changed: %v -> %v", name, before[name], after[name])
		}
	}
	bc, ac := before["conditions"].(map[string]any), after["conditions"].(map[string]any)
	for _, name := range []string{"applications", "clientAppTypes", "locations", "platforms", "signInRiskLevels"} {
		if !reflect.DeepEqual(bc[name], ac[name]) {
			t.Errorf("conditions.%s changed: %v -> %v", name, bc[name], ac[name])
		}
	}
	if after["modifiedDateTime"] == before["modifiedDateTime"] {
		t.Error("modifiedDateTime did not move")
	}

	// A partial users object merges: excludeUsers is replaced, the other lists stay.
	c.expect(http.StatusNoContent, "PATCH", pathCAPolicies+"/"+FixtureCAPolicyRequireCompliantDeviceID,
		map[string]any{"conditions": map[string]any{"users": map[string]any{"excludeUsers": []any{mine}}}})
	after, _ = srv.CAPolicy(FixtureCAPolicyRequireCompliantDeviceID)
	u := caUsers(t, after)
	if !slices.Equal(strs(u["excludeUsers"]), []string{mine}) || !slices.Equal(strs(u["includeUsers"]), []string{"All"}) ||
		!slices.Equal(strs(u["excludeGroups"]), []string{FixtureCAServiceAccountsGroupID, FixtureCAPilotExclusionsGroupID}) {
		t.Fatalf("partial users merge %v", u)
	}

	// Nested complex values merge member by member; collections inside them are replaced.
	c.expect(http.StatusNoContent, "PATCH", pathCAPolicies+"/"+FixtureCAPolicyRequireCompliantDeviceID, map[string]any{
		"sessionControls": map[string]any{"signInFrequency": map[string]any{"value": 4}},
		"grantControls":   map[string]any{"builtInControls": []any{"compliantDevice", "domainJoinedDevice"}},
	})
	after, _ = srv.CAPolicy(FixtureCAPolicyRequireCompliantDeviceID)
	sif := after["sessionControls"].(map[string]any)["signInFrequency"].(map[string]any)
	if sif["value"] != float64(4) || sif["type"] != "hours" || sif["isEnabled"] != true {
		t.Fatalf("signInFrequency merge %v", sif)
	}
	grant := after["grantControls"].(map[string]any)
	if !slices.Equal(strs(grant["builtInControls"]), []string{"compliantDevice", "domainJoinedDevice"}) || grant["operator"] != "OR" {
		t.Fatalf("grantControls merge %v", grant)
	}
	// null replaces a nullable complex value.
	c.expect(http.StatusNoContent, "PATCH", pathCAPolicies+"/"+FixtureCAPolicyRequireCompliantDeviceID, map[string]any{"sessionControls": nil})
	if after, _ = srv.CAPolicy(FixtureCAPolicyRequireCompliantDeviceID); after["sessionControls"] != nil {
		t.Fatalf("sessionControls %v", after["sessionControls"])
	}
	// authenticationStrength is a navigation property: {"id"} is replaced by the strength it names.
	c.expect(http.StatusNoContent, "PATCH", pathCAPolicies+"/"+FixtureCAPolicyPhishingResistantAdminsID,
		map[string]any{"grantControls": map[string]any{"authenticationStrength": map[string]any{"id": AuthStrengthMFAID}}})
	after, _ = srv.CAPolicy(FixtureCAPolicyPhishingResistantAdminsID)
	if as := after["grantControls"].(map[string]any)["authenticationStrength"].(map[string]any); as["displayName"] != "Multifactor authentication" {
		t.Fatalf("authenticationStrength %v", as)
	}
}

func TestCAPolicyValidation(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	target := pathCAPolicies + "/" + FixtureCAPolicyRequireMFAID
	before, _ := srv.CAPolicy(FixtureCAPolicyRequireMFAID)
	schemaMsg := func(doc string) string { return fmt.Sprintf(msgCASchemaMismatch, doc) }

	// ca_patch_bad.json: every one of its five schema errors alone answers 1007.
	bad := fidelityExample(t, "graph", "ca_patch_bad.json")
	inner := func(method, path string, body any, code string, status int) (string, string) {
		t.Helper()
		out := c.expect(status, method, path, body)
		e, _ := out["error"].(map[string]any)
		if e["code"] != code {
			t.Fatalf("%s %s: %v", method, path, out)
		}
		ie, _ := e["innerError"].(map[string]any)
		msg, _ := ie["message"].(string)
		return e["message"].(string), msg
	}
	if msg, _ := inner("PATCH", target, bad, "BadRequest", http.StatusBadRequest); msg != schemaMsg(docCAUpdate) {
		t.Fatalf("ca_patch_bad.json: %q", msg)
	}
	for _, body := range []map[string]any{
		{"state": "reportOnly"},
		{"conditions": map[string]any{"users": map[string]any{"includeUsers": "All"}}},
		{"conditions": map[string]any{"users": map[string]any{"excludedUsers": []any{FixtureCAOtherBreakGlassUserID}}}},
		{"conditions": map[string]any{"clientAppTypes": []any{"everything"}}},
		{"grantControls": map[string]any{"builtInControls": []any{"MFA"}}},
		{"conditions": map[string]any{"applications": map[string]any{"includeauthenticationContextClassReferences": []any{}}}},
		{"conditions": nil},
		{"conditions": map[string]any{"users": map[string]any{"excludeUsers": nil}}},
		{"conditions": map[string]any{"users": map[string]any{"excludeUsers": []any{nil}}}},
		{"sessionControls": map[string]any{"signInFrequency": map[string]any{"value": "12"}}},
		{"sessionControls": map[string]any{"signInFrequency": map[string]any{"value": 1.5}}},
		{"conditions": map[string]any{"users": map[string]any{"@odata.type": "#microsoft.graph.user"}}},
		{"conditions": map[string]any{"devices": map[string]any{"deviceFilter": map[string]any{"rule": "device.isCompliant -eq True"}}}},
		{"conditions": map[string]any{"users": map[string]any{"excludeGuestsOrExternalUsers": map[string]any{
			"guestOrExternalUserTypes": "internalGuest", "externalTenants": map[string]any{"membershipKind": "all"}}}}},
		{"displayName": nil},
	} {
		msg, detail := inner("PATCH", target, body, "BadRequest", http.StatusBadRequest)
		if msg != schemaMsg(docCAUpdate) || !strings.HasPrefix(detail, "tenantsim: ") {
			t.Errorf("PATCH %v: %q / %q", body, msg, detail)
		}
	}
	// On create the message points at the create page.
	body := newCAPolicyBody("bad")
	body["state"] = "on"
	if msg, _ := inner("POST", pathCAPolicies, body, "BadRequest", http.StatusBadRequest); msg != schemaMsg(docCACreate) {
		t.Fatalf("POST: %q", msg)
	}
	body = newCAPolicyBody("no state")
	delete(body, "state")
	if msg, detail := inner("POST", pathCAPolicies, body, "BadRequest", http.StatusBadRequest); msg != schemaMsg(docCACreate) || !strings.Contains(detail, "state is required") {
		t.Fatalf("POST without state: %q %q", msg, detail)
	}
	c.expectError(http.StatusBadRequest, "BadRequest", "PATCH", target, "{not json")

	// Well-formed bodies that break a policy rule.
	for name, patch := range map[string]map[string]any{
		"no user include": {"conditions": map[string]any{"users": map[string]any{"includeUsers": []any{}}}},
		"users null":      {"conditions": map[string]any{"users": nil}},
		"exclude not a GUID": {"conditions": map[string]any{"users": map[string]any{
			"excludeUsers": []any{FixtureCAOtherBreakGlassUserID, "alice@contoso.com"}}}},
		"group not a GUID":    {"conditions": map[string]any{"users": map[string]any{"excludeGroups": []any{"All"}}}},
		"role not a GUID":     {"conditions": map[string]any{"users": map[string]any{"excludeRoles": []any{"Global Administrator"}}}},
		"include not special": {"conditions": map[string]any{"users": map[string]any{"includeUsers": []any{"Everyone"}}}},
		"no application":      {"conditions": map[string]any{"applications": map[string]any{"includeApplications": []any{}}}},
		"no control":          {"grantControls": nil},
		"empty grant":         {"grantControls": map[string]any{"builtInControls": []any{}}},
		"bad operator":        {"grantControls": map[string]any{"operator": "XOR"}},
		"unknown strength":    {"grantControls": map[string]any{"authenticationStrength": map[string]any{"id": uuid.NewString()}}},
		"empty display name":  {"displayName": " "},
	} {
		msg, detail := inner("PATCH", target, patch, "BadRequest", http.StatusBadRequest)
		if msg != msgCAMalformed || detail == "" || strings.HasPrefix(detail, "tenantsim") {
			t.Errorf("%s: %q / %q", name, msg, detail)
		}
	}
	if after, _ := srv.CAPolicy(FixtureCAPolicyRequireMFAID); !reflect.DeepEqual(before, after) {
		t.Fatal("a rejected PATCH changed the policy")
	}

	// ca_patch_ok.json passes the schema; its placeholder ids "u1", "u2" are not object ids, which the rules reject.
	ok := fidelityExample(t, "graph", "ca_patch_ok.json")
	if _, detail := inner("PATCH", target, ok, "BadRequest", http.StatusBadRequest); !strings.Contains(detail, "'u1'") {
		t.Fatalf("ca_patch_ok.json: %q", detail)
	}
	caUsers(t, ok)["excludeUsers"] = []any{FixtureCAOtherBreakGlassUserID, uuid.NewString()}
	c.expect(http.StatusNoContent, "PATCH", target, ok)
	// GUIDs that name no object, and the documented special values, are accepted.
	c.expect(http.StatusNoContent, "PATCH", target, map[string]any{"conditions": map[string]any{"users": map[string]any{
		"includeUsers": []any{"None"}, "includeGroups": []any{uuid.NewString()},
		"excludeUsers": []any{"GuestsOrExternalUsers", uuid.NewString()}, "excludeRoles": []any{GlobalAdministratorRoleID}}}})
	// Read-only properties and annotations sent back with a read policy are ignored.
	read := c.expect(http.StatusOK, "GET", target, nil)
	c.expect(http.StatusNoContent, "PATCH", target, read)
	// A session-only policy needs no grant controls.
	sessionOnly := newCAPolicyBody("session only")
	sessionOnly["grantControls"] = nil
	sessionOnly["sessionControls"] = map[string]any{"persistentBrowser": map[string]any{"isEnabled": true, "mode": "never"}}
	c.expect(http.StatusCreated, "POST", pathCAPolicies, sessionOnly)
	// Derived types keep their @odata.type.
	guests := newCAPolicyBody("guests")
	caUsers(t, guests)["excludeGuestsOrExternalUsers"] = map[string]any{"guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest",
		"externalTenants": map[string]any{"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
			"membershipKind": "enumerated", "members": []any{uuid.NewString()}}}
	created := c.expect(http.StatusCreated, "POST", pathCAPolicies, guests)
	tenants := caUsers(t, created)["excludeGuestsOrExternalUsers"].(map[string]any)["externalTenants"].(map[string]any)
	if tenants["@odata.type"] != "#microsoft.graph.conditionalAccessEnumeratedExternalTenants" {
		t.Fatalf("externalTenants %v", tenants)
	}
}

func TestCAPolicyMicrosoftManaged(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	target := pathCAPolicies + "/" + FixtureCAPolicyMicrosoftManagedAdminMFAID
	p := c.expect(http.StatusOK, "GET", target, nil)
	if p["displayName"] != "Multifactor authentication for admins accessing Microsoft Admin Portals" {
		t.Fatalf("displayName %v", p["displayName"])
	}
	// Exclusions may change, also when the whole users object is sent back.
	users := copyObject(caUsers(t, p))
	users["excludeUsers"] = append(users["excludeUsers"].([]any), "3ae50d7b-8dc1-4ce9-afc7-c590eccb5ee3")
	users["excludeGroups"] = []any{FixtureCAServiceAccountsGroupID}
	c.expect(http.StatusNoContent, "PATCH", target, map[string]any{"conditions": map[string]any{"users": users}})
	// So may the state, which Microsoft lets administrators set.
	c.expect(http.StatusNoContent, "PATCH", target, map[string]any{"state": "disabled"})
	after, _ := srv.CAPolicy(FixtureCAPolicyMicrosoftManagedAdminMFAID)
	if len(strs(caUsers(t, after)["excludeUsers"])) != 2 || after["state"] != "disabled" {
		t.Fatalf("after allowed changes %v", after)
	}
	for name, patch := range map[string]map[string]any{
		"rename":         {"displayName": "Our admin MFA"},
		"grant controls": {"grantControls": map[string]any{"builtInControls": []any{"block"}}},
		"include roles":  {"conditions": map[string]any{"users": map[string]any{"includeRoles": []any{GlobalAdministratorRoleID}}}},
		"applications":   {"conditions": map[string]any{"applications": map[string]any{"includeApplications": []any{"All"}}}},
	} {
		c.expectError(http.StatusBadRequest, "BadRequest", "PATCH", target, patch)
		if now, _ := srv.CAPolicy(FixtureCAPolicyMicrosoftManagedAdminMFAID); !reflect.DeepEqual(now, after) {
			t.Fatalf("%s changed the policy", name)
		}
	}
	resp, out := c.do("DELETE", target, nil)
	if resp.StatusCode != http.StatusBadRequest || out["error"].(map[string]any)["message"] != msgCAMalformed {
		t.Fatalf("DELETE: %d %v", resp.StatusCode, out)
	}
	if _, ok := srv.CAPolicy(FixtureCAPolicyMicrosoftManagedAdminMFAID); !ok {
		t.Fatal("Microsoft-managed policy deleted")
	}
	// A policy the tenant creates with a Microsoft-managed policy's name is an ordinary policy.
	created := c.expect(http.StatusCreated, "POST", pathCAPolicies, newCAPolicyBody("Multifactor authentication for admins accessing Microsoft Admin Portals"))
	c.expect(http.StatusNoContent, "PATCH", pathCAPolicies+"/"+created["id"].(string), map[string]any{"displayName": "renamed"})
	c.expect(http.StatusNoContent, "DELETE", pathCAPolicies+"/"+created["id"].(string), nil)
}

func TestCAPolicyPermissions(t *testing.T) {
	srv := startSim(t, Config{})
	n := 0
	client := func(roles ...string) *graphClient {
		n++
		id := fmt.Sprintf("7d0c2a41-5e3b-4c8f-9a6d-%012d", n)
		if err := srv.RegisterApp(App{ClientID: id, Secret: "ca-secret", Roles: roles}); err != nil {
			t.Fatal(err)
		}
		return newGraphClient(t, srv, clientSecretToken(t, srv, id, "ca-secret", GraphResourceID+".default"))
	}
	target := pathCAPolicies + "/" + FixtureCAPolicyRequireMFAID
	patch := map[string]any{"state": "enabledForReportingButNotEnforced"}
	denied := func(c *graphClient, method, path string, body any) {
		t.Helper()
		if msg := c.expectError(http.StatusForbidden, "AccessDenied", method, path, body); msg != "You cannot perform the requested operation, required scopes are missing in the token." {
			t.Fatalf("403 message %q", msg)
		}
	}

	reader := client("Policy.Read.All")
	reader.expect(http.StatusOK, "GET", pathCAPolicies, nil)
	reader.expect(http.StatusOK, "GET", target, nil)
	denied(reader, "PATCH", target, patch)
	denied(reader, "POST", pathCAPolicies, newCAPolicyBody("x"))
	denied(reader, "DELETE", target, nil)

	// Writing needs Policy.ReadWrite.ConditionalAccess and Policy.Read.All (or Application.Read.All).
	writerOnly := client("Policy.ReadWrite.ConditionalAccess")
	denied(writerOnly, "GET", pathCAPolicies, nil)
	denied(writerOnly, "GET", target, nil)
	denied(writerOnly, "PATCH", target, patch)
	denied(writerOnly, "POST", pathCAPolicies, newCAPolicyBody("x"))
	denied(writerOnly, "DELETE", target, nil)

	caReader := client("Policy.Read.ConditionalAccess", "Directory.ReadWrite.All")
	denied(caReader, "GET", pathCAPolicies, nil)

	writer := client("Policy.ReadWrite.ConditionalAccess", "Policy.Read.All")
	writer.expect(http.StatusNoContent, "PATCH", target, patch)
	id := writer.expect(http.StatusCreated, "POST", pathCAPolicies, newCAPolicyBody("x"))["id"].(string)
	writer.expect(http.StatusNoContent, "DELETE", pathCAPolicies+"/"+id, nil)

	appWriter := client("Policy.ReadWrite.ConditionalAccess", "Application.Read.All")
	appWriter.expect(http.StatusNoContent, "PATCH", target, patch)
	id = appWriter.expect(http.StatusCreated, "POST", pathCAPolicies, newCAPolicyBody("y"))["id"].(string)
	denied(appWriter, "GET", target, nil)
	denied(appWriter, "DELETE", pathCAPolicies+"/"+id, nil)

	// $batch items are checked the same way.
	out := reader.expect(http.StatusOK, "POST", "/v1.0/$batch", map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "GET", "url": "/identity/conditionalAccess/policies/" + FixtureCAPolicyRequireMFAID},
		map[string]any{"id": "2", "method": "PATCH", "url": "/identity/conditionalAccess/policies/" + FixtureCAPolicyRequireMFAID,
			"headers": map[string]any{"Content-Type": "application/json"}, "body": patch},
	}})
	statuses := map[string]float64{}
	for _, r := range out["responses"].([]any) {
		item := r.(map[string]any)
		statuses[item["id"].(string)] = item["status"].(float64)
	}
	if statuses["1"] != 200 || statuses["2"] != 403 {
		t.Fatalf("batch statuses %v", statuses)
	}
}

func TestCAWriteThrottle(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	target := pathCAPolicies + "/" + FixtureCAPolicyRequireMFAID
	patch := map[string]any{"state": "enabled"}
	const rate = 20 // one write per 50 ms keeps the test fast; Graph's limit is 1 per second
	srv.SetKnobs(Knobs{CAWriteRate: rate})

	c.expect(http.StatusNoContent, "PATCH", target, patch)
	resp, out := c.do("PATCH", target, patch)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("second write: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if e := out["error"].(map[string]any); e["code"] != "TooManyRequests" || e["message"] != "Too many requests." {
		t.Fatalf("429 body %v", out)
	}
	for _, req := range []struct {
		method, path string
		body         any
	}{{"POST", pathCAPolicies, newCAPolicyBody("throttled")}, {"DELETE", target, nil}} {
		if resp, _ := c.do(req.method, req.path, req.body); resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("%s: %d, want 429", req.method, resp.StatusCode)
		}
	}
	// Reads are not throttled.
	for i := 0; i < 5; i++ {
		c.expect(http.StatusOK, "GET", target, nil)
	}
	// After the bucket refills, writes pass again, one per interval.
	passed := 0
	deadline := time.Now().Add(2 * time.Second)
	for passed < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Second / rate)
		if resp, _ := c.do("PATCH", target, patch); resp.StatusCode == http.StatusNoContent {
			passed++
		}
	}
	if passed < 3 {
		t.Fatalf("only %d writes passed after waiting", passed)
	}

	// N writes in quick succession: one passes per bucket refill.
	statuses := map[int]int{}
	for i := 0; i < 5; i++ {
		resp, _ := c.do("PATCH", target, patch)
		statuses[resp.StatusCode]++
	}
	if statuses[http.StatusTooManyRequests] < 3 {
		t.Fatalf("burst statuses %v", statuses)
	}

	// The Retry-After is the wait for the next token, in whole seconds (at 0.25/s up to 4).
	srv.SetKnobs(Knobs{CAWriteRate: 0.25})
	if resp, _ := c.do("PATCH", target, patch); resp.StatusCode != http.StatusTooManyRequests ||
		!slices.Contains([]string{"1", "2", "3", "4"}, resp.Header.Get("Retry-After")) {
		t.Fatalf("Retry-After at 0.25/s: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	// Graph documents no Retry-After for these resources; the knob reproduces that.
	srv.SetKnobs(Knobs{CAWriteRate: 0.25, CAOmitRetryAfter: true})
	if resp, _ := c.do("PATCH", target, patch); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "" {
		t.Fatalf("omit Retry-After: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	// Reads are free unless CAThrottleReads counts them against the same bucket ("any request").
	srv.SetKnobs(Knobs{CAWriteRate: 0.25})
	for range 3 {
		c.expect(http.StatusOK, "GET", target, nil)
	}
	c.expect(http.StatusOK, "GET", "/v1.0/identity/conditionalAccess/policies", nil)
	srv.SetKnobs(Knobs{CAWriteRate: 0.25, CAThrottleReads: true})
	statuses = map[int]int{}
	for _, path := range []string{target, "/v1.0/identity/conditionalAccess/policies", target} {
		resp, _ := c.do("GET", path, nil)
		statuses[resp.StatusCode]++
	}
	if statuses[http.StatusTooManyRequests] < 2 {
		t.Fatalf("reads counted against the bucket: statuses %v", statuses)
	}

	// Batch items are throttled one by one, with Retry-After in the item's headers.
	srv.SetKnobs(Knobs{CAWriteRate: 0.25})
	out = c.expect(http.StatusOK, "POST", "/v1.0/$batch", map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "PATCH", "url": "/identity/conditionalAccess/policies/" + FixtureCAPolicyRequireMFAID,
			"headers": map[string]any{"Content-Type": "application/json"}, "body": patch},
	}})
	item := out["responses"].([]any)[0].(map[string]any)
	if item["status"] != float64(429) || item["headers"].(map[string]any)["Retry-After"] == nil {
		t.Fatalf("batch item %v", item)
	}

	// 0 turns the throttle off.
	srv.SetKnobs(Knobs{})
	for i := 0; i < 5; i++ {
		c.expect(http.StatusNoContent, "PATCH", target, patch)
	}
}

func TestCAThrottleBucket(t *testing.T) {
	var b caThrottle
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	if _, ok := b.take(1, at(0)); !ok {
		t.Fatal("first write throttled")
	}
	if wait, ok := b.take(1, at(300*time.Millisecond)); ok || wait != 700*time.Millisecond {
		t.Fatalf("second write: %v %v", wait, ok)
	}
	if _, ok := b.take(1, at(time.Second)); !ok {
		t.Fatal("write after a second throttled")
	}
	if wait, ok := b.take(0.25, at(time.Second)); ok || wait != 4*time.Second {
		t.Fatalf("at 0.25/s: %v %v", wait, ok)
	}
	// The bucket holds one write: a long pause does not allow a burst.
	if _, ok := b.take(1, at(time.Hour)); !ok {
		t.Fatal("write after an hour throttled")
	}
	if _, ok := b.take(1, at(time.Hour)); ok {
		t.Fatal("burst allowed")
	}
	for i := 0; i < 3; i++ {
		if _, ok := b.take(0, at(time.Hour)); !ok {
			t.Fatal("rate 0 throttled")
		}
	}
}

// rawClient is a goroutine-safe client for concurrency tests: it returns errors instead of failing the test.
type rawClient struct {
	http  *http.Client
	base  string
	token string
}

func (c *rawClient) call(method, path string, body any) (int, map[string]any, error) {
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, reader)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out, nil
}

// addExclusion is what breakglass_ca_policy_exclusion does for one policy: read, add the missing ids, PATCH all of
// conditions.users, re-read and verify, retry on a lost race.
func addExclusion(c *rawClient, policyID string, ids ...string) error {
	for attempt := 0; attempt < 20; attempt++ {
		status, p, err := c.call("GET", pathCAPolicies+"/"+policyID, nil)
		if err != nil || status != http.StatusOK {
			return fmt.Errorf("read: %d %v", status, err)
		}
		conditions, _ := p["conditions"].(map[string]any)
		users, _ := conditions["users"].(map[string]any)
		current := strs(users["excludeUsers"])
		missing := false
		for _, id := range ids {
			if !slices.Contains(current, id) {
				current = append(current, id)
				missing = true
			}
		}
		if !missing {
			return nil // verified
		}
		list := make([]any, len(current))
		for i, id := range current {
			list[i] = id
		}
		users["excludeUsers"] = list
		status, out, err := c.call("PATCH", pathCAPolicies+"/"+policyID, map[string]any{"conditions": map[string]any{"users": users}})
		if err != nil || status != http.StatusNoContent {
			return fmt.Errorf("write: %d %v %v", status, out, err)
		}
	}
	return fmt.Errorf("policy %s: no convergence", policyID)
}

func TestCAOutsideWriterConverges(t *testing.T) {
	srv := startSim(t, Config{Knobs: Knobs{CAOutsideWriterRate: 1}})
	main := mainGraphClient(t, srv)
	c := &rawClient{http: main.http, base: "https://" + srv.Info().MetadataHost, token: main.token}
	policies := []string{FixtureCAPolicyRequireMFAID, FixtureCAPolicyBlockLegacyAuthID, FixtureCAPolicyMicrosoftManagedAdminMFAID}
	before := map[string][]string{}
	for _, id := range policies {
		p, _ := srv.CAPolicy(id)
		before[id] = strs(caUsers(t, p)["excludeUsers"])
	}

	// Four resources over overlapping policies, in parallel; like the provider they serialize per policy.
	locks := map[string]*sync.Mutex{}
	for _, id := range policies {
		locks[id] = &sync.Mutex{}
	}
	resources := map[string][]string{
		"a1e0a5c2-1b7f-4d3e-9c8a-000000000001": policies,
		"a1e0a5c2-1b7f-4d3e-9c8a-000000000002": policies[:2],
		"a1e0a5c2-1b7f-4d3e-9c8a-000000000003": policies[1:],
		"a1e0a5c2-1b7f-4d3e-9c8a-000000000004": {policies[0], policies[2]},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for account, targets := range resources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, id := range targets {
				locks[id].Lock()
				err := addExclusion(c, id, account)
				locks[id].Unlock()
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// Quiescence: one more read lets the outside writer verify once more.
	srv.SetKnobs(Knobs{})
	for _, id := range policies {
		main.expect(http.StatusOK, "GET", pathCAPolicies+"/"+id, nil)
		p, _ := srv.CAPolicy(id)
		got := strs(caUsers(t, p)["excludeUsers"])
		outsider := srv.OutsideWriterExclusions(id)
		if len(outsider) == 0 {
			t.Fatalf("%s: the outside writer never wrote", id)
		}
		want := append(append([]string{}, before[id]...), outsider...)
		for account, targets := range resources {
			if slices.Contains(targets, id) {
				want = append(want, account)
			}
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s lost %s: %v", id, w, got)
			}
		}
		if len(got) != len(want) {
			sort.Strings(got)
			sort.Strings(want)
			t.Errorf("%s: excludeUsers %v, want %v", id, got, want)
		}
	}
}

func TestCAOutsideWriterPersistence(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	target := pathCAPolicies + "/" + FixtureCAPolicyBlockLegacyAuthID
	p := c.expect(http.StatusOK, "GET", target, nil)
	original := strs(caUsers(t, p)["excludeUsers"])

	srv.SetKnobs(Knobs{CAOutsideWriterRate: 1})
	c.expect(http.StatusOK, "GET", target, nil)
	srv.SetKnobs(Knobs{})
	added := srv.OutsideWriterExclusions(FixtureCAPolicyBlockLegacyAuthID)
	if len(added) != 1 || uuid.Validate(added[0]) != nil {
		t.Fatalf("outside writer added %v", added)
	}
	stored, _ := srv.CAPolicy(FixtureCAPolicyBlockLegacyAuthID)
	if got := strs(caUsers(t, stored)["excludeUsers"]); !slices.Equal(got, append(original, added[0])) {
		t.Fatalf("after the outside write %v", got)
	}
	// The answer the caller got was read before the outside write.
	if got := strs(caUsers(t, p)["excludeUsers"]); slices.Contains(got, added[0]) {
		t.Fatal("the outside write leaked into the answer it follows")
	}

	// A caller that writes back what it read removes the id; the writer puts it back before the next answer.
	c.expect(http.StatusNoContent, "PATCH", target, map[string]any{"conditions": map[string]any{"users": map[string]any{"excludeUsers": toAny(original)}}})
	if got := strs(caUsers(t, c.expect(http.StatusOK, "GET", target, nil))["excludeUsers"]); !slices.Contains(got, added[0]) {
		t.Fatalf("not re-added: %v", got)
	}
	// Lists touch every policy too.
	if err := srv.SetCAPolicyFields(FixtureCAPolicyBlockLegacyAuthID, map[string]any{"conditions": map[string]any{"users": map[string]any{"excludeUsers": original}}}); err != nil {
		t.Fatal(err)
	}
	c.expect(http.StatusOK, "GET", pathCAPolicies, nil)
	if stored, _ = srv.CAPolicy(FixtureCAPolicyBlockLegacyAuthID); !slices.Contains(strs(caUsers(t, stored)["excludeUsers"]), added[0]) {
		t.Fatal("a list did not let the outside writer verify")
	}
	// It gives up after outsiderPersistence requests.
	for i := 0; i < outsiderPersistence; i++ {
		c.expect(http.StatusOK, "GET", target, nil)
	}
	if err := srv.SetCAPolicyFields(FixtureCAPolicyBlockLegacyAuthID, map[string]any{"conditions": map[string]any{"users": map[string]any{"excludeUsers": original}}}); err != nil {
		t.Fatal(err)
	}
	if got := strs(caUsers(t, c.expect(http.StatusOK, "GET", target, nil))["excludeUsers"]); !slices.Equal(got, original) {
		t.Fatalf("re-added after giving up: %v", got)
	}
	if srv.OutsideWriterExclusions(FixtureCAPolicyRequireMFAID) != nil {
		t.Fatal("exclusions reported for an untouched policy")
	}
}

func toAny(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

func TestCAPolicyGoAPI(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	// Fifty policies appear at once, bypassing the throttle.
	srv.SetKnobs(Knobs{CAWriteRate: 1})
	var ids []string
	for i := 0; i < 50; i++ {
		id, err := srv.AddCAPolicy(newCAPolicyBody(fmt.Sprintf("Team policy %02d", i)))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if len(srv.CAPolicies()) != 58 {
		t.Fatalf("%d policies", len(srv.CAPolicies()))
	}
	if got := c.expect(http.StatusOK, "GET", pathCAPolicies+"?$top=999&$select=id", nil)["value"].([]any); len(got) != 58 {
		t.Fatalf("listed %d", len(got))
	}
	// Without $top the list pages: a client must follow @odata.nextLink.
	first := c.expect(http.StatusOK, "GET", pathCAPolicies, nil)
	next, _ := first["@odata.nextLink"].(string)
	if len(first["value"].([]any)) != caDefaultPage || next == "" {
		t.Fatalf("first page: %d policies, nextLink %q", len(first["value"].([]any)), next)
	}
	second := c.expect(http.StatusOK, "GET", strings.TrimPrefix(next, "https://"+srv.Info().MetadataHost), nil)
	if len(second["value"].([]any)) != 58-caDefaultPage || second["@odata.nextLink"] != nil {
		t.Fatalf("second page %d", len(second["value"].([]any)))
	}
	fixed := "4f890878-e4c6-47d5-96be-484949879e7a"
	body := newCAPolicyBody("Block legacy authentication")
	body["id"] = fixed
	body["createdDateTime"] = "2024-01-01T00:00:00Z"
	if id, err := srv.AddMicrosoftManagedCAPolicy(body); err != nil || id != fixed {
		t.Fatalf("AddCAPolicy with id: %q %v", id, err)
	}
	if p, _ := srv.CAPolicy(fixed); p["createdDateTime"] != "2024-01-01T00:00:00Z" {
		t.Fatalf("createdDateTime %v", p["createdDateTime"])
	}
	c.expect(http.StatusNoContent, "PATCH", pathCAPolicies+"/"+fixed, map[string]any{"state": "enabled"}) // first write passes
	srv.SetKnobs(Knobs{})
	c.expectError(http.StatusBadRequest, "BadRequest", "DELETE", pathCAPolicies+"/"+fixed, nil) // Microsoft-managed
	if _, err := srv.AddCAPolicy(body); err == nil {
		t.Fatal("duplicate id accepted")
	}
	bad := newCAPolicyBody("bad")
	caUsers(t, bad)["excludeUsers"] = []any{"not-a-guid"}
	if _, err := srv.AddCAPolicy(bad); err == nil || !strings.Contains(err.Error(), "not-a-guid") {
		t.Fatalf("invalid policy: %v", err)
	}
	bad = newCAPolicyBody("bad")
	bad["state"] = "on"
	if _, err := srv.AddCAPolicy(bad); err == nil || !strings.Contains(err.Error(), "state") {
		t.Fatalf("invalid state: %v", err)
	}

	// SetCAPolicyFields: drift that bypasses every rule (here: someone removed our exclusion).
	if err := srv.SetCAPolicyFields(ids[0], map[string]any{"conditions": map[string]any{"users": map[string]any{"excludeUsers": []string{}}}}); err != nil {
		t.Fatal(err)
	}
	p, _ := srv.CAPolicy(ids[0])
	if len(strs(caUsers(t, p)["excludeUsers"])) != 0 || !slices.Equal(strs(caUsers(t, p)["includeUsers"]), []string{"All"}) || p["modifiedDateTime"] == nil {
		t.Fatalf("SetCAPolicyFields %v", p)
	}
	if err := srv.SetCAPolicyFields(uuid.NewString(), map[string]any{"state": "disabled"}); err == nil {
		t.Fatal("unknown policy accepted")
	}
	if err := srv.SetCAPolicyFields(ids[0], map[string]any{"id": uuid.NewString()}); err == nil {
		t.Fatal("id change accepted")
	}
	// The returned maps are copies.
	p["displayName"] = "mutated"
	if again, _ := srv.CAPolicy(ids[0]); again["displayName"] == "mutated" {
		t.Fatal("CAPolicy shares the store's map")
	}
	if _, ok := srv.CAPolicy(uuid.NewString()); ok {
		t.Fatal("unknown policy found")
	}
}

func TestCAControlRoutesAndKnobs(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	c.expect(http.StatusOK, "PUT", "/_sim/knobs", `{"ca_write_rate": 1, "ca_outside_writer_rate": 0.5, "ca_omit_retry_after": true}`)
	if k := srv.Knobs(); k.CAWriteRate != 1 || k.CAOutsideWriterRate != 0.5 || !k.CAOmitRetryAfter {
		t.Fatalf("knobs %+v", k)
	}
	if out := c.expect(http.StatusOK, "GET", "/_sim/knobs", nil); out["ca_write_rate"] != float64(1) || out["ca_outside_writer_rate"] != 0.5 {
		t.Fatalf("GET knobs %v", out)
	}
	c.expect(http.StatusBadRequest, "PUT", "/_sim/knobs", `{"ca_outside_writer_rate": 1.5}`)
	c.expect(http.StatusBadRequest, "PUT", "/_sim/knobs", `{"ca_write_rate": -1}`)
	if _, err := Start(Config{Knobs: Knobs{CAWriteRate: -2}}); err == nil {
		t.Fatal("Start accepted a negative write rate")
	}
	srv.SetKnobs(Knobs{})

	created := c.expect(http.StatusCreated, "POST", "/_sim/caPolicies", newCAPolicyBody("via control route"))
	id := created["id"].(string)
	c.expect(http.StatusBadRequest, "POST", "/_sim/caPolicies", map[string]any{"displayName": "incomplete"})
	patched := c.expect(http.StatusOK, "PATCH", "/_sim/caPolicies/"+id, map[string]any{"state": "disabled"})
	if patched["state"] != "disabled" {
		t.Fatalf("PATCH %v", patched)
	}
	c.expect(http.StatusNotFound, "PATCH", "/_sim/caPolicies/"+uuid.NewString(), map[string]any{"state": "disabled"})
	if list := c.expect(http.StatusOK, "GET", "/_sim/caPolicies", nil)["value"].([]any); len(list) != 9 {
		t.Fatalf("%d policies", len(list))
	}
	if v := c.expect(http.StatusOK, "GET", "/_sim/caPolicies/"+id+"/outsideWriterExclusions", nil)["value"].([]any); len(v) != 0 {
		t.Fatalf("outside writer %v", v)
	}
}

func TestCASeedFile(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.json")
	policy := newCAPolicyBody("Seeded policy")
	policy["id"] = "1d2fa256-1270-4d2e-bafb-f64d326d946e"
	raw, _ := json.Marshal(map[string]any{"ca_policies": []any{policy}})
	if err := os.WriteFile(seed, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startSim(t, Config{SeedFile: seed})
	if p, ok := srv.CAPolicy("1d2fa256-1270-4d2e-bafb-f64d326d946e"); !ok || p["displayName"] != "Seeded policy" {
		t.Fatalf("seeded policy %v", p)
	}
	policy["state"] = "sometimes"
	raw, _ = json.Marshal(map[string]any{"ca_policies": []any{policy}})
	if err := os.WriteFile(seed, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Start(Config{SeedFile: seed}); err == nil || !strings.Contains(err.Error(), "state") {
		t.Fatalf("invalid seeded policy: %v", err)
	}
}

// TestCASchemaMatchesCSDL compares caTypes with the types of the v1.0 CSDL.
func TestCASchemaMatchesCSDL(t *testing.T) {
	g, err := fidelity.LoadGraph()
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for name, ours := range caTypes {
		if name == "authenticationStrengthPolicy" {
			continue // kept flat (id inline, no combinationConfigurations); the response checks cover its answers
		}
		theirs, ok := g.Type("microsoft.graph." + name)
		if !ok {
			t.Errorf("%s is not a type of the CSDL", name)
			continue
		}
		compared++
		if ours.kind == caEnum {
			if theirs.Kind != "EnumType" || ours.flags != theirs.IsFlags || !slices.Equal(ours.members, theirs.Members) {
				t.Errorf("enum %s: %+v vs %+v", name, ours, theirs)
			}
			continue
		}
		props := maps(ours.props)
		if name == "conditionalAccessPolicy" {
			delete(props, "deletedDateTime") // inherited from policyDeletableItem
		}
		if theirs.BaseType == "microsoft.graph.entity" && name != "authenticationStrengthPolicy" {
			delete(props, "id") // entity's id, folded into the authentication methods entity types
		}
		if len(props) != len(theirs.Properties) {
			t.Errorf("%s: %d properties, the CSDL has %d", name, len(props), len(theirs.Properties))
		}
		for pname, theirProp := range theirs.Properties {
			ourProp, ok := props[pname]
			coll := strings.HasPrefix(theirProp.Type, "Collection(")
			typ := strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(theirProp.Type, "Collection("), ")"), "microsoft.graph.")
			if !ok || ourProp.typ != typ || ourProp.coll != coll || ourProp.nullable != theirProp.Nullable {
				t.Errorf("%s.%s: ours %+v, CSDL %s nullable=%v", name, pname, ourProp, theirProp.Type, theirProp.Nullable)
			}
		}
		for nav, theirNav := range theirs.Navigation {
			if ours.navs[nav] != strings.ReplaceAll(theirNav, "microsoft.graph.", "") {
				t.Errorf("%s: navigation %s", name, nav)
			}
		}
		base := strings.TrimPrefix(theirs.BaseType, "microsoft.graph.")
		if base == "policyDeletableItem" || base == "entity" {
			base = ""
		}
		if ours.base != base || ours.abstract != theirs.Abstract {
			t.Errorf("%s: base %q abstract %v, CSDL %q %v", name, ours.base, ours.abstract, base, theirs.Abstract)
		}
	}
	if compared < 30 {
		t.Fatalf("compared only %d types", compared)
	}
}

func maps(m map[string]caProp) map[string]caProp {
	out := make(map[string]caProp, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestCAResponsesMatchGraphSchema checks list and single-policy answers against the v1.0 CSDL.
func TestCAResponsesMatchGraphSchema(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	guests := newCAPolicyBody("Guests")
	caUsers(t, guests)["excludeGuestsOrExternalUsers"] = map[string]any{"guestOrExternalUserTypes": "b2bCollaborationGuest",
		"externalTenants": map[string]any{"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
			"membershipKind": "enumerated", "members": []any{uuid.NewString()}}}
	guests["sessionControls"] = map[string]any{"cloudAppSecurity": map[string]any{"isEnabled": true, "cloudAppSecurityType": "blockDownloads"}}
	created := c.expect(http.StatusCreated, "POST", pathCAPolicies, guests)
	delete(created, "@odata.context")

	checks := []responseCheck{
		{schemaPath: pathCAPolicies + "/x", body: created},
		{pathCAPolicies, pathCAPolicies, nil},
		{pathCAPolicies, pathCAPolicies + "?$select=id,displayName,state,description,deletedDateTime&$top=2", nil},
		{pathCAPolicies, pathCAPolicies + "?$filter=" + url.QueryEscape("state eq 'enabledForReportingButNotEnforced'"), nil},
	}
	// The lists hold every fixture; single answers add only their context, so three of them suffice.
	for _, id := range []string{FixtureCAPolicyPhishingResistantAdminsID, FixtureCAPolicyRequireCompliantDeviceID, FixtureCAPolicySessionLifetimeID} {
		checks = append(checks, responseCheck{pathCAPolicies + "/x", pathCAPolicies + "/" + id, nil})
	}
	checkGraphResponses(t, c, checks)
}

// runCASession makes the Conditional Access requests the provider makes, all valid.
func runCASession(t *testing.T, srv *Server) {
	t.Helper()
	c := mainGraphClient(t, srv)
	c.expect(http.StatusOK, "GET", pathCAPolicies, nil)
	c.expect(http.StatusOK, "GET", pathCAPolicies+"?$select=id,displayName,state,grantControls&$filter="+url.QueryEscape("state eq 'enabled'"), nil)
	p := c.expect(http.StatusOK, "GET", pathCAPolicies+"/"+FixtureCAPolicyRequireMFAID, nil)
	users := caUsers(t, p)
	users["excludeUsers"] = append(users["excludeUsers"].([]any), "3ae50d7b-8dc1-4ce9-afc7-c590eccb5ee3")
	c.expect(http.StatusNoContent, "PATCH", pathCAPolicies+"/"+FixtureCAPolicyRequireMFAID, map[string]any{"conditions": map[string]any{"users": users}})
	ok := fidelityExample(t, "graph", "ca_patch_ok.json")
	caUsers(t, ok)["excludeUsers"] = []any{FixtureCAOtherBreakGlassUserID}
	c.expect(http.StatusNoContent, "PATCH", pathCAPolicies+"/"+FixtureCAPolicyBlockLegacyAuthID, ok)
	created := c.expect(http.StatusCreated, "POST", pathCAPolicies, newCAPolicyBody("logged"))
	c.expect(http.StatusNoContent, "PATCH", pathCAPolicies+"/"+created["id"].(string), map[string]any{"state": "disabled"})
	c.expect(http.StatusOK, "POST", "/v1.0/$batch", map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "GET", "url": "/identity/conditionalAccess/policies/" + FixtureCAPolicyAdminMFAReportOnlyID},
		map[string]any{"id": "2", "method": "PATCH", "url": "/identity/conditionalAccess/policies/" + FixtureCAPolicyAdminMFAReportOnlyID,
			"headers": map[string]any{"Content-Type": "application/json"},
			"body":    map[string]any{"conditions": map[string]any{"users": map[string]any{"excludeUsers": []any{FixtureCAOtherBreakGlassUserID}}}}},
	}})
	c.expect(http.StatusNoContent, "DELETE", pathCAPolicies+"/"+created["id"].(string), nil)
}

// TestCARequestLogPassesFidelityCheck checks every Conditional Access request against the v1.0 CSDL.
func TestCARequestLogPassesFidelityCheck(t *testing.T) {
	checkSessionLog(t, runCASession)
}

// TestCAPolicyWorkloadIdentity: a policy for workload identities takes no users: creating one that excludes a user,
// or adding a user exclusion to one, is refused.
func TestCAPolicyWorkloadIdentity(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	policy := func(users map[string]any) map[string]any {
		return map[string]any{
			"displayName": "Block service principals", "state": "disabled",
			"conditions": map[string]any{
				"users": users, "applications": map[string]any{"includeApplications": []any{"All"}},
				"clientApplications": map[string]any{"includeServicePrincipals": []any{"ServicePrincipalsInMyTenant"}},
				"clientAppTypes":     []any{"all"},
			},
			"grantControls": map[string]any{"operator": "OR", "builtInControls": []any{"block"}},
		}
	}
	created := c.expect(http.StatusCreated, "POST", pathCAPolicies, policy(map[string]any{"includeUsers": []any{"None"}}))
	id := created["id"].(string)
	c.expectError(http.StatusBadRequest, "BadRequest", "PATCH", pathCAPolicies+"/"+id, map[string]any{
		"conditions": map[string]any{"users": map[string]any{"includeUsers": []any{"None"}, "excludeUsers": []any{FixtureLicensedUserID}}},
	})
	c.expectError(http.StatusBadRequest, "BadRequest", "POST", pathCAPolicies,
		policy(map[string]any{"includeUsers": []any{"All"}, "excludeUsers": []any{FixtureLicensedUserID}}))
}

// TestCAPolicyStaleReads: within the replica window a GET or a list shows a policy as it was before its last write
// (missing, if the write created it); each read is drawn on its own.
func TestCAPolicyStaleReads(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	target := pathCAPolicies + "/" + FixtureCAPolicyRequireMFAID
	added := uuid.NewString()
	srv.SetKnobs(Knobs{StaleReadWindow: time.Hour, StaleReadRate: 1})
	c.expect(http.StatusNoContent, "PATCH", target, map[string]any{"conditions": map[string]any{"users": map[string]any{
		"includeUsers": []any{"All"}, "excludeUsers": []any{added}}}})
	if got := ExcludedUsers(c.expect(http.StatusOK, "GET", target, nil)); slices.Contains(got, added) {
		t.Errorf("a stale read shows the write: %v", got)
	}
	created := c.expect(http.StatusCreated, "POST", pathCAPolicies, newCAPolicyBody("Replica lag"))["id"].(string)
	c.expectError(http.StatusNotFound, "NotFound", "GET", pathCAPolicies+"/"+created, nil)
	for _, p := range c.expect(http.StatusOK, "GET", pathCAPolicies, nil)["value"].([]any) {
		if p.(map[string]any)["id"] == created {
			t.Error("a stale list shows the policy just created")
		}
	}
	srv.SetKnobs(Knobs{})
	if got := ExcludedUsers(c.expect(http.StatusOK, "GET", target, nil)); !slices.Contains(got, added) {
		t.Errorf("after the window the read misses the write: %v", got)
	}
}
