package tenantsim

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

const (
	pathAuthPolicy = "/v1.0/policies/authenticationMethodsPolicy"
	pathAuthConfig = pathAuthPolicy + "/authenticationMethodConfigurations/"
)

func targetIDs(config map[string]any) []string {
	var out []string
	targets, _ := config["includeTargets"].([]any)
	for _, v := range targets {
		m, _ := v.(map[string]any)
		id, _ := m["id"].(string)
		out = append(out, id)
	}
	return out
}

func TestAuthMethodsPolicyReadAndPermissions(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	policy := c.expect(http.StatusOK, "GET", pathAuthPolicy, nil)
	configs, _ := policy["authenticationMethodConfigurations"].([]any)
	if len(configs) != 3 {
		t.Fatalf("configurations: %v", configs)
	}
	fido2 := c.expect(http.StatusOK, "GET", pathAuthConfig+"fido2", nil) // ids are case-insensitive, as in the docs' URLs
	if fido2["@odata.type"] != "#microsoft.graph.fido2AuthenticationMethodConfiguration" || fido2["state"] != "enabled" ||
		!slices.Equal(targetIDs(fido2), []string{FixtureAuthMethodsOtherTeamGroupID}) {
		t.Fatalf("fido2: %v", fido2)
	}
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "GET", pathAuthConfig+"Sms", nil)
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "GET", pathAuthConfig+"Fido2?$select=state", nil)

	// Policy.Read.All is not in the table; Policy.Read.AuthenticationMethod reads but does not write.
	broad, _ := appClient(t, srv, "Policy.Read.All")
	broad.expectError(http.StatusForbidden, "Authorization_RequestDenied", "GET", pathAuthPolicy, nil)
	reader, _ := appClient(t, srv, "Policy.Read.AuthenticationMethod")
	reader.expect(http.StatusOK, "GET", pathAuthConfig+"TemporaryAccessPass", nil)
	reader.expectError(http.StatusForbidden, "Authorization_RequestDenied", "PATCH", pathAuthConfig+"Fido2", map[string]any{"state": "disabled"})

	checkGraphResponses(t, c, []responseCheck{
		{pathAuthPolicy, pathAuthPolicy, nil},
		{pathAuthConfig + "Fido2", pathAuthConfig + "Fido2", nil},
		{pathAuthConfig + "X509Certificate", pathAuthConfig + "X509Certificate", nil},
		{pathAuthConfig + "TemporaryAccessPass", pathAuthConfig + "TemporaryAccessPass", nil},
	})
}

// TestAuthMethodConfigPatch: merge at the top level and in complex values, but a collection sent replaces the
// whole collection, so only a read-modify-write keeps other teams' targets.
func TestAuthMethodConfigPatch(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	ours := uuid.NewString()
	aaguid := "2fc0579f-8113-47ea-b116-bb5a8db9202a"

	// Read-modify-write: the other team's target survives, keyRestrictions merges member by member.
	fido2 := c.expect(http.StatusOK, "GET", pathAuthConfig+"Fido2", nil)
	targets, _ := fido2["includeTargets"].([]any)
	targets = append(targets, map[string]any{"targetType": "user", "id": ours})
	c.expect(http.StatusNoContent, "PATCH", pathAuthConfig+"Fido2", map[string]any{
		"@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration", "includeTargets": targets,
		"keyRestrictions": map[string]any{"isEnforced": true, "enforcementType": "allow", "aaGuids": []any{aaguid}},
	})
	got, _ := srv.AuthMethodConfig("Fido2")
	if ids := targetIDs(got); !slices.Equal(ids, []string{FixtureAuthMethodsOtherTeamGroupID, ours}) {
		t.Fatalf("includeTargets after read-modify-write: %v", ids)
	}
	if got["isAttestationEnforced"] != true || got["state"] != "enabled" {
		t.Fatalf("top-level members not kept: %v", got)
	}

	// Sending only our target replaces the collection: the other team's target is gone.
	c.expect(http.StatusNoContent, "PATCH", pathAuthConfig+"Fido2", map[string]any{
		"includeTargets": []any{map[string]any{"targetType": "user", "id": ours}}})
	got, _ = srv.AuthMethodConfig("Fido2")
	if ids := targetIDs(got); !slices.Equal(ids, []string{ours}) {
		t.Fatalf("a sent collection must replace: %v", ids)
	}

	for _, tc := range []struct {
		name, config string
		body         map[string]any
		code         string
	}{
		{"unknown property", "Fido2", map[string]any{"isAttestationEnforcedd": true}, "BadRequest"},
		{"enum outside the type", "Fido2", map[string]any{"state": "on"}, "BadRequest"},
		{"wrong kind", "TemporaryAccessPass", map[string]any{"defaultLength": "8"}, "BadRequest"},
		{"non-nullable target member", "Fido2", map[string]any{"includeTargets": []any{map[string]any{"targetType": nil, "id": ours}}}, "BadRequest"},
		{"target id not a GUID", "Fido2", map[string]any{"includeTargets": []any{map[string]any{"targetType": "group", "id": "helpdesk"}}}, "Request_BadRequest"},
		{"all_users as a user", "Fido2", map[string]any{"includeTargets": []any{map[string]any{"targetType": "user", "id": "all_users"}}}, "Request_BadRequest"},
		{"AAGUID not a GUID", "Fido2", map[string]any{"keyRestrictions": map[string]any{"aaGuids": []any{"yubikey"}}}, "Request_BadRequest"},
		{"TAP minimum above maximum", "TemporaryAccessPass", map[string]any{"minimumLifetimeInMinutes": 600}, "Request_BadRequest"},
		{"TAP maximum above 30 days", "TemporaryAccessPass", map[string]any{"maximumLifetimeInMinutes": 43201}, "Request_BadRequest"},
		{"TAP default outside the range", "TemporaryAccessPass", map[string]any{"defaultLifetimeInMinutes": 30}, "Request_BadRequest"},
		{"TAP length", "TemporaryAccessPass", map[string]any{"defaultLength": 49}, "Request_BadRequest"},
		{"another id", "Fido2", map[string]any{"id": "Sms"}, "Request_BadRequest"},
		{"a Fido2 member on X509Certificate", "X509Certificate", map[string]any{"keyRestrictions": map[string]any{}}, "BadRequest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := srv.AuthMethodConfig(tc.config)
			c.expectError(http.StatusBadRequest, tc.code, "PATCH", pathAuthConfig+tc.config, tc.body)
			after, _ := srv.AuthMethodConfig(tc.config)
			if !slices.Equal(targetIDs(before), targetIDs(after)) || before["state"] != after["state"] {
				t.Fatal("a refused PATCH changed the configuration")
			}
		})
	}
	c.expect(http.StatusNoContent, "PATCH", pathAuthConfig+"TemporaryAccessPass", map[string]any{
		"minimumLifetimeInMinutes": 10, "defaultLifetimeInMinutes": 15, "maximumLifetimeInMinutes": 43200, "isUsableOnce": true})
	c.expect(http.StatusNoContent, "PATCH", pathAuthConfig+"X509Certificate", map[string]any{
		"state": "enabled", "authenticationModeConfiguration": map[string]any{"x509CertificateAuthenticationDefaultMode": "x509CertificateMultiFactor"}})
	x509, _ := srv.AuthMethodConfig("X509Certificate")
	mode, _ := x509["authenticationModeConfiguration"].(map[string]any)
	if mode["x509CertificateDefaultRequiredAffinityLevel"] != "low" || mode["x509CertificateAuthenticationDefaultMode"] != "x509CertificateMultiFactor" {
		t.Fatalf("complex values merge member by member: %v", mode)
	}
	if bindings, _ := x509["certificateUserBindings"].([]any); len(bindings) != 3 {
		t.Fatalf("bindings: %v", bindings)
	}
}

// TestAuthMethodConfigStaleReads: with the replica knobs a read right after a write may see the version before.
func TestAuthMethodConfigStaleReads(t *testing.T) {
	srv := startSim(t, Config{RandSeed: 1})
	c := mainGraphClient(t, srv)
	srv.SetKnobs(Knobs{StaleReadWindow: time.Minute, StaleReadRate: 1})
	c.expect(http.StatusNoContent, "PATCH", pathAuthConfig+"X509Certificate", map[string]any{"state": "enabled"})
	if got := c.expect(http.StatusOK, "GET", pathAuthConfig+"X509Certificate", nil); got["state"] != "disabled" {
		t.Fatalf("a read within the window saw %v", got["state"])
	}
	srv.SetKnobs(Knobs{})
	if got := c.expect(http.StatusOK, "GET", pathAuthConfig+"X509Certificate", nil); got["state"] != "enabled" {
		t.Fatalf("a read without the knob saw %v", got["state"])
	}
}

func TestTAPMethods(t *testing.T) {
	srv := startSim(t, Config{})
	srv.RecordSecrets()
	c := mainGraphClient(t, srv)
	id := createUser(t, c, "tapuser")
	path := "/v1.0/users/" + id + "/authentication/temporaryAccessPassMethods"

	// The seeded TAP configuration targets the helpdesk group only.
	msg := c.expectError(http.StatusBadRequest, "badRequest", "POST", path, map[string]any{})
	if !strings.Contains(msg, "Converged UserCredentialPolicy does not allow") {
		t.Fatal(msg)
	}
	if err := srv.AddGroupMember(FixtureTAPHelpdeskGroupID, id); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		body map[string]any
		code string
	}{
		{"below the minimum", map[string]any{"lifetimeInMinutes": 59}, "Request_BadRequest"},
		{"above the maximum", map[string]any{"lifetimeInMinutes": 481}, "Request_BadRequest"},
		{"the pass chosen by the caller", map[string]any{"temporaryAccessPass": "Chosen-123"}, "Request_BadRequest"},
		{"unknown property", map[string]any{"lifetime": 60}, "BadRequest"},
		{"wrong kind", map[string]any{"isUsableOnce": "yes"}, "BadRequest"},
	} {
		t.Run(tc.name, func(t *testing.T) { c.expectError(http.StatusBadRequest, tc.code, "POST", path, tc.body) })
	}

	created := c.expect(http.StatusCreated, "POST", path, map[string]any{"lifetimeInMinutes": 120, "isUsableOnce": true})
	pass, _ := created["temporaryAccessPass"].(string)
	if len(pass) != 8 || created["isUsable"] != true || created["methodUsabilityReason"] != "EnabledByPolicy" {
		t.Fatalf("created: %v", created)
	}
	if !slices.Contains(srv.IssuedSecrets().Passwords, pass) {
		t.Fatal("the pass is not in the leak scan's list")
	}
	list := c.expect(http.StatusOK, "GET", path, nil)
	items := valueList(list)
	if len(items) != 1 || items[0]["temporaryAccessPass"] != nil || items[0]["lifetimeInMinutes"] != 120.0 {
		t.Fatalf("list: %v", list)
	}
	// A second pass replaces the first.
	later := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	second := c.expect(http.StatusCreated, "POST", path, map[string]any{"startDateTime": later})
	if items := valueList(c.expect(http.StatusOK, "GET", path, nil)); len(items) != 1 || items[0]["id"] != second["id"] ||
		items[0]["methodUsabilityReason"] != "NotYetValid" || items[0]["isUsable"] != false {
		t.Fatalf("after a second POST: %v", items)
	}
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "GET", path+"/"+created["id"].(string), nil)
	methods := valueList(c.expect(http.StatusOK, "GET", "/v1.0/users/"+id+"/authentication/methods", nil))
	if !slices.ContainsFunc(methods, func(m map[string]any) bool { return m["id"] == second["id"] }) {
		t.Fatalf("methods: %v", methods)
	}

	// Permissions: reading does not allow writing.
	reader, _ := appClient(t, srv, "UserAuthenticationMethod.Read.All")
	reader.expect(http.StatusOK, "GET", path, nil)
	reader.expectError(http.StatusForbidden, "accessDenied", "POST", path, map[string]any{})
	reader.expectError(http.StatusForbidden, "accessDenied", "DELETE", path+"/"+second["id"].(string), nil)

	// A policy that makes passes one-time overrides the request; a user excluded is refused.
	c.expect(http.StatusNoContent, "PATCH", pathAuthConfig+"TemporaryAccessPass", map[string]any{"isUsableOnce": true})
	if once := c.expect(http.StatusCreated, "POST", path, map[string]any{"isUsableOnce": false}); once["isUsableOnce"] != true {
		t.Fatalf("policy one-time not applied: %v", once)
	}
	c.expect(http.StatusNoContent, "PATCH", pathAuthConfig+"TemporaryAccessPass", map[string]any{
		"excludeTargets": []any{map[string]any{"targetType": "user", "id": id}}})
	c.expectError(http.StatusBadRequest, "badRequest", "POST", path, map[string]any{})
	c.expect(http.StatusNoContent, "PATCH", pathAuthConfig+"TemporaryAccessPass", map[string]any{"excludeTargets": []any{}})

	current := valueList(c.expect(http.StatusOK, "GET", path, nil))[0]["id"].(string)
	checkGraphResponses(t, c, []responseCheck{
		{schemaPath: path + "/x", body: created},
		{path, path, nil},
		{path + "/x", path + "/" + current, nil},
	})
	c.expect(http.StatusNoContent, "DELETE", path+"/"+current, nil)
	if items := valueList(c.expect(http.StatusOK, "GET", path, nil)); len(items) != 0 {
		t.Fatalf("after DELETE: %v", items)
	}
}

// TestTAPPrivilegedTarget: with Knobs.PrivilegedTargetRules a TAP for an administrator needs Privileged
// Authentication Administrator (or Global Administrator) on the caller.
func TestTAPPrivilegedTarget(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	admin := createUser(t, c, "tapadmin")
	path := "/v1.0/users/" + admin + "/authentication/temporaryAccessPassMethods"
	c.expect(http.StatusNoContent, "PATCH", pathAuthConfig+"TemporaryAccessPass", map[string]any{
		"includeTargets": []any{map[string]any{"targetType": "group", "id": "all_users"}}})
	srv.SetKnobs(Knobs{PrivilegedTargetRules: true})
	srv.ActivateRole(admin, GlobalAdministratorRoleID, time.Hour)
	c.expectError(http.StatusForbidden, "Authorization_RequestDenied", "POST", path, map[string]any{})
	sp, _ := srv.ServicePrincipalID(srv.Info().ClientID)
	remove, err := srv.AssignDirectoryRole(sp, PrivilegedAuthenticationAdministratorRoleID)
	if err != nil {
		t.Fatal(err)
	}
	created := c.expect(http.StatusCreated, "POST", path, map[string]any{})
	remove()
	c.expectError(http.StatusForbidden, "Authorization_RequestDenied", "DELETE", path+"/"+created["id"].(string), nil)
}

// TestFIDO2KeyRestrictionsAndDelete: registration follows the Fido2 key restrictions; DELETE removes one method
// and needs a write permission.
func TestFIDO2KeyRestrictionsAndDelete(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	id := createUser(t, c, "fido2user")
	yubikey := FIDO2Method{DisplayName: "YubiKey 5 NFC", Model: "YubiKey 5 Series with NFC", AAGUID: "2fc0579f-8113-47ea-b116-bb5a8db9202a"}
	other := FIDO2Method{DisplayName: "Other key", Model: "Other vendor", AAGUID: "ee882879-721c-4913-9775-3dfcce97072a"}
	c.expect(http.StatusNoContent, "PATCH", pathAuthConfig+"Fido2", map[string]any{
		"keyRestrictions": map[string]any{"isEnforced": true, "enforcementType": "allow", "aaGuids": []any{yubikey.AAGUID}}})
	if _, err := srv.AddFIDO2Method(id, other); err == nil {
		t.Fatal("a key outside the allow list was registered")
	}
	methodID, err := srv.AddFIDO2Method(id, yubikey)
	if err != nil {
		t.Fatal(err)
	}
	c.expect(http.StatusNoContent, "PATCH", pathAuthConfig+"Fido2", map[string]any{"keyRestrictions": map[string]any{"enforcementType": "block"}})
	if _, err := srv.AddFIDO2Method(id, yubikey); err == nil {
		t.Fatal("a blocked key was registered")
	}
	second, err := srv.AddFIDO2Method(id, other)
	if err != nil {
		t.Fatal(err)
	}
	path := "/v1.0/users/" + id + "/authentication/fido2Methods/"
	got := c.expect(http.StatusOK, "GET", path+methodID, nil)
	if got["aaGuid"] != yubikey.AAGUID || got["model"] != yubikey.Model {
		t.Fatalf("method: %v", got)
	}
	reader, _ := appClient(t, srv, "UserAuthenticationMethod.Read.All")
	reader.expectError(http.StatusForbidden, "accessDenied", "DELETE", path+methodID, nil)
	c.expect(http.StatusNoContent, "DELETE", path+methodID, nil)
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "DELETE", path+methodID, nil)
	if left := valueList(c.expect(http.StatusOK, "GET", "/v1.0/users/"+id+"/authentication/fido2Methods", nil)); len(left) != 1 || left[0]["id"] != second {
		t.Fatalf("left: %v", left)
	}
}
