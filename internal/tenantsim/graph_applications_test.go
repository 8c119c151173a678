package tenantsim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

const (
	pathApplications      = "/v1.0/applications"
	pathServicePrincipals = "/v1.0/servicePrincipals"
	pathGraphSP           = pathServicePrincipals + "/" + MicrosoftGraphServicePrincipalID
)

// appClient registers an app with the given Graph application permissions and returns a client with its token.
func appClient(t *testing.T, srv *Server, roles ...string) (*graphClient, string) {
	t.Helper()
	clientID, secret := uuid.NewString(), "app-secret-"+uuid.NewString()
	if err := srv.RegisterApp(App{ClientID: clientID, DisplayName: "test app " + clientID[:8], Secret: secret, Roles: roles}); err != nil {
		t.Fatal(err)
	}
	return newGraphClient(t, srv, clientSecretToken(t, srv, clientID, secret, GraphResourceID+".default")), clientID
}

// expectDenied checks a 403 with Graph's error envelope that names no credential of the caller.
func expectDenied(t *testing.T, c *graphClient, code, method, path string, body any) {
	t.Helper()
	resp, out := c.do(method, path, body)
	raw, _ := json.Marshal(out)
	e, _ := out["error"].(map[string]any)
	if resp.StatusCode != http.StatusForbidden || e["code"] != code || strings.Contains(string(raw), c.token) || strings.Contains(string(raw), "secret") {
		t.Fatalf("%s %s: status %d, want 403 %s: %s", method, path, resp.StatusCode, code, raw)
	}
	if inner, _ := e["innerError"].(map[string]any); inner["request-id"] == nil {
		t.Fatalf("%s %s: no innerError request-id: %s", method, path, raw)
	}
}

// pageAll follows @odata.nextLink and returns every item; it checks that no page is larger than maxPage.
func pageAll(t *testing.T, c *graphClient, path string, maxPage int) []map[string]any {
	t.Helper()
	var all []map[string]any
	for path != "" {
		out := c.expect(http.StatusOK, "GET", path, nil)
		page := values(out)
		if len(page) > maxPage {
			t.Fatalf("GET %s: %d items in one page, at most %d expected", path, len(page), maxPage)
		}
		all = append(all, page...)
		next, _ := out["@odata.nextLink"].(string)
		path = ""
		if next != "" {
			u, err := url.Parse(next)
			if err != nil || u.Host != c.srv.Info().MetadataHost {
				t.Fatalf("nextLink %q", next)
			}
			path = u.RequestURI()
		}
	}
	return all
}

func TestRegisteredAppsAreApplicationsAndServicePrincipals(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	info := srv.Info()
	spID, ok := srv.ServicePrincipalID(info.ClientID)
	if !ok {
		t.Fatal("main app has no service principal")
	}

	apps := values(c.expect(http.StatusOK, "GET", pathApplications+filterQuery("appId eq '"+info.ClientID+"'"), nil))
	if len(apps) != 1 || apps[0]["displayName"] != "tenantsim main app" || apps[0]["id"] == info.ClientID {
		t.Fatalf("main application %v", apps)
	}
	secrets := apps[0]["passwordCredentials"].([]any)
	if len(secrets) != 1 || secrets[0].(map[string]any)["hint"] != info.ClientSecret[:3] || secrets[0].(map[string]any)["secretText"] != nil {
		t.Fatalf("main app secret %v", secrets)
	}
	required := apps[0]["requiredResourceAccess"].([]any)[0].(map[string]any)
	if required["resourceAppId"] != MicrosoftGraphAppID || len(required["resourceAccess"].([]any)) != len(mainAppRoles) {
		t.Fatalf("requiredResourceAccess %v", required)
	}

	sp := c.expect(http.StatusOK, "GET", pathServicePrincipals+"/"+spID, nil)
	if sp["appId"] != info.ClientID || sp["appOwnerOrganizationId"] != info.TenantID || sp["servicePrincipalType"] != "Application" {
		t.Fatalf("main service principal %v", sp)
	}
	byAppID := values(c.expect(http.StatusOK, "GET", pathServicePrincipals+filterQuery("appId eq '"+info.ClientID+"'")+"&$select=id,appId", nil))
	if len(byAppID) != 1 || byAppID[0]["id"] != spID || len(byAppID[0]) != 2 {
		t.Fatalf("$filter appId %v", byAppID)
	}
	msi := values(c.expect(http.StatusOK, "GET", pathServicePrincipals+filterQuery("servicePrincipalType eq 'ManagedIdentity'"), nil))
	if len(msi) != 1 || msi[0]["appId"] != managedIdentityID {
		t.Fatalf("managed identity %v", msi)
	}
	expectCount(t, c, pathApplications+filterQuery("appId eq '"+managedIdentityID+"'"), 0)

	// The Microsoft Graph service principal, with its real app role ids.
	graph := c.expect(http.StatusOK, "GET", pathGraphSP, nil)
	if graph["appId"] != MicrosoftGraphAppID || graph["appOwnerOrganizationId"] != MicrosoftTenantID || graph["displayName"] != "Microsoft Graph" {
		t.Fatalf("Graph SP %v", graph)
	}
	want := map[string]string{
		"RoleManagement.ReadWrite.Directory": "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8", "Directory.ReadWrite.All": "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
		"AppRoleAssignment.ReadWrite.All": "06b708a9-e830-4db3-a914-8e69da51d44f", "Application.ReadWrite.All": "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
		"User.ReadWrite.All": "741f803b-c850-494e-b5df-cde7c675a1ca", "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
	}
	roles := map[string]string{}
	for _, r := range graph["appRoles"].([]any) {
		m := r.(map[string]any)
		roles[m["value"].(string)] = m["id"].(string)
		if m["isEnabled"] != true || !slices.Equal(m["allowedMemberTypes"].([]any), []any{"Application"}) {
			t.Fatalf("app role %v", m)
		}
	}
	for value, id := range want {
		if roles[value] != id {
			t.Errorf("app role %s: id %q, want %s", value, roles[value], id)
		}
	}
	for _, value := range []string{"PrivilegedAccess.ReadWrite.AzureAD", "PrivilegedAccess.ReadWrite.AzureADGroup", "PrivilegedAccess.ReadWrite.AzureResources",
		"Policy.ReadWrite.AuthenticationMethod", "Policy.ReadWrite.ConditionalAccess", "Policy.ReadWrite.PermissionGrant", "Policy.ReadWrite.AuthenticationFlows",
		"UserAuthenticationMethod.ReadWrite.All", "Group.ReadWrite.All", "GroupMember.ReadWrite.All", "Mail.ReadWrite", "Mail.Send", "Files.ReadWrite.All",
		"Sites.FullControl.All", "Sites.ReadWrite.All", "Domain.ReadWrite.All", "RoleManagement.Read.Directory", "Directory.Read.All", "AuditLog.Read.All",
		"Policy.Read.All", "UserAuthenticationMethod.Read.All", "Application.Read.All", "Organization.Read.All", "Domain.Read.All", "Group.Read.All"} {
		if uuid.Validate(roles[value]) != nil {
			t.Errorf("app role %s missing", value)
		}
	}

	// The main app's token roles are its appRoleAssignments on the Graph service principal.
	assigned := pageAll(t, c, pathServicePrincipals+"/"+spID+"/appRoleAssignments", 999)
	var values []string
	for _, a := range assigned {
		if a["resourceId"] != MicrosoftGraphServicePrincipalID || a["principalId"] != spID || a["principalType"] != "ServicePrincipal" ||
			a["resourceDisplayName"] != "Microsoft Graph" || len(a["id"].(string)) != 43 {
			t.Fatalf("assignment %v", a)
		}
		for v, id := range roles {
			if id == a["appRoleId"] {
				values = append(values, v)
			}
		}
	}
	slices.Sort(values)
	tokenRoles := slices.Clone(mainAppRoles)
	slices.Sort(tokenRoles)
	if !slices.Equal(values, tokenRoles) {
		t.Fatalf("assigned %v, token roles %v", values, tokenRoles)
	}
	// The id starts with the principal's object id in .NET byte order.
	raw, _ := base64.RawURLEncoding.DecodeString(assigned[0]["id"].(string))
	if len(raw) != 32 || guidBase64(spID) != base64.RawURLEncoding.EncodeToString(raw[:16]) {
		t.Fatalf("assignment id %s", assigned[0]["id"])
	}
}

func TestApplicationLifecycleAndCredentials(t *testing.T) {
	srv := startSim(t, Config{})
	writer, _ := appClient(t, srv, "Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All")

	created := writer.expect(http.StatusCreated, "POST", pathApplications, map[string]any{"displayName": "Breakglass Audit", "tags": []any{"audit"}})
	id, appID := created["id"].(string), created["appId"].(string)
	if created["publisherDomain"] != "contoso.onmicrosoft.com" || created["signInAudience"] != "AzureADMyOrg" || !strings.HasSuffix(created["@odata.context"].(string), "#applications/$entity") {
		t.Fatalf("created %v", created)
	}
	writer.expectError(http.StatusBadRequest, "Request_BadRequest", "POST", pathApplications, map[string]any{"tags": []any{}})
	writer.expectError(http.StatusBadRequest, "BadRequest", "POST", pathApplications, map[string]any{"displayName": "x", "shoeSize": 1})
	writer.expectError(http.StatusBadRequest, "Request_BadRequest", "PATCH", pathApplications+"/"+id, map[string]any{"appId": uuid.NewString()})
	writer.expectError(http.StatusBadRequest, "Request_BadRequest", "PATCH", pathApplications+"/"+id,
		map[string]any{"passwordCredentials": []any{map[string]any{"displayName": "x"}}})

	// addPassword returns the secret once; reads show only its hint, the store only a digest.
	pw := writer.expect(http.StatusOK, "POST", pathApplications+"/"+id+"/addPassword", map[string]any{"passwordCredential": map[string]any{"displayName": "ci"}})
	secret, keyID := pw["secretText"].(string), pw["keyId"].(string)
	if len(secret) != 40 || secret[4:6] != "Q~" || pw["hint"] != secret[:3] || pw["displayName"] != "ci" {
		t.Fatalf("addPassword %v", pw)
	}
	if !srv.CheckApplicationSecret(id, keyID, secret) || srv.CheckApplicationSecret(id, keyID, "wrong") {
		t.Fatal("secret digest")
	}
	got := writer.expect(http.StatusOK, "GET", pathApplications+"/"+id, nil)
	raw, _ := json.Marshal(got)
	cred := got["passwordCredentials"].([]any)[0].(map[string]any)
	if strings.Contains(string(raw), secret) || cred["secretText"] != nil || cred["keyId"] != keyID {
		t.Fatalf("read shows the secret: %s", raw)
	}
	if stored, _ := srv.Application(appID); strings.Contains(toJSON(t, stored), secret) {
		t.Fatal("the store holds the secret")
	}

	// keyCredentials through PATCH: a new certificate, then keeping it by keyId; the key only with $select.
	cert, _ := testCertificate(t)
	writer.expect(http.StatusNoContent, "PATCH", pathApplications+"/"+id, map[string]any{"keyCredentials": []any{map[string]any{
		"type": "AsymmetricX509Cert", "usage": "Verify", "key": base64.StdEncoding.EncodeToString(cert.Raw), "displayName": "CN=breakglass-ci"}}})
	key := writer.expect(http.StatusOK, "GET", pathApplications+"/"+id, nil)["keyCredentials"].([]any)[0].(map[string]any)
	if key["key"] != nil || key["type"] != "AsymmetricX509Cert" || key["endDateTime"] == nil || key["customKeyIdentifier"] == nil {
		t.Fatalf("key credential %v", key)
	}
	selected := writer.expect(http.StatusOK, "GET", pathApplications+"/"+id+"?$select=id,keyCredentials", nil)
	if selected["keyCredentials"].([]any)[0].(map[string]any)["key"] != base64.StdEncoding.EncodeToString(cert.Raw) || len(selected) != 3 {
		t.Fatalf("$select=keyCredentials %v", selected)
	}
	writer.expect(http.StatusNoContent, "PATCH", pathApplications+"/"+id, map[string]any{"displayName": "Breakglass Audit 2",
		"keyCredentials": []any{map[string]any{"keyId": key["keyId"]}}})
	if n := len(writer.expect(http.StatusOK, "GET", pathApplications+"/"+id, nil)["keyCredentials"].([]any)); n != 1 {
		t.Fatalf("kept key credentials: %d", n)
	}
	writer.expectError(http.StatusBadRequest, "Request_BadRequest", "PATCH", pathApplications+"/"+id,
		map[string]any{"keyCredentials": []any{map[string]any{"keyId": uuid.NewString()}}})

	// Its service principal is a separate object, created by appId.
	sp := writer.expect(http.StatusCreated, "POST", pathServicePrincipals, map[string]any{"appId": appID})
	if sp["appDisplayName"] != "Breakglass Audit 2" || sp["appOwnerOrganizationId"] != srv.Info().TenantID {
		t.Fatalf("service principal %v", sp)
	}
	writer.expectError(http.StatusConflict, "Request_MultipleObjectsWithSameKeyValue", "POST", pathServicePrincipals, map[string]any{"appId": appID})
	writer.expectError(http.StatusBadRequest, "Request_BadRequest", "POST", pathServicePrincipals, map[string]any{"appId": uuid.NewString()})

	writer.expect(http.StatusNoContent, "POST", pathApplications+"/"+id+"/removePassword", map[string]any{"keyId": keyID})
	writer.expectError(http.StatusBadRequest, "Request_BadRequest", "POST", pathApplications+"/"+id+"/removePassword", map[string]any{"keyId": keyID})
	if srv.CheckApplicationSecret(id, keyID, secret) {
		t.Fatal("removed secret still accepted")
	}
	writer.expect(http.StatusNoContent, "DELETE", pathApplications+"/"+id, nil)
	writer.expectError(http.StatusNotFound, "Request_ResourceNotFound", "GET", pathApplications+"/"+id, nil)
	writer.expectError(http.StatusNotFound, "Request_ResourceNotFound", "GET", pathServicePrincipals+"/"+sp["id"].(string), nil)
	writer.expectError(http.StatusBadRequest, "Request_BadRequest", "GET", pathApplications+"/not-a-guid", nil)
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func TestApplicationPermissions(t *testing.T) {
	srv := startSim(t, Config{})
	reader, _ := appClient(t, srv, "User.Read.All")
	expectDenied(t, reader, "Authorization_RequestDenied", "GET", pathApplications, nil)
	expectDenied(t, reader, "Authorization_RequestDenied", "GET", pathServicePrincipals, nil)
	expectDenied(t, reader, "Authorization_RequestDenied", "GET", pathGraphSP+"/appRoleAssignedTo", nil)
	expectDenied(t, reader, "Authorization_RequestDenied", "POST", pathApplications, map[string]any{"displayName": "x"})
	expectDenied(t, reader, "Authorization_RequestDenied", "POST", "/v1.0/directoryObjects/getByIds", map[string]any{"ids": []any{FixtureSyncedAdminID}})
	// AppRoleAssignment.ReadWrite.All alone is not enough: Graph documents "AppRoleAssignment.ReadWrite.All and
	// Application.Read.All".
	granter, _ := appClient(t, srv, "AppRoleAssignment.ReadWrite.All")
	expectDenied(t, granter, "Authorization_RequestDenied", "POST", pathGraphSP+"/appRoleAssignedTo", map[string]any{})

	// Application.ReadWrite.OwnedBy: may create, becomes owner, may only change what it owns.
	owned, ownedClientID := appClient(t, srv, "Application.ReadWrite.OwnedBy")
	ownSP, _ := srv.ServicePrincipalID(ownedClientID)
	mine := owned.expect(http.StatusCreated, "POST", pathApplications, map[string]any{"displayName": "owned"})
	owners := values(owned.expect(http.StatusOK, "GET", pathApplications+"/"+mine["id"].(string)+"/owners", nil))
	if len(owners) != 1 || owners[0]["id"] != ownSP || owners[0]["@odata.type"] != "#microsoft.graph.servicePrincipal" {
		t.Fatalf("owners %v", owners)
	}
	owned.expect(http.StatusOK, "POST", pathApplications+"/"+mine["id"].(string)+"/addPassword", map[string]any{})
	mainApp, _ := srv.Application(srv.Info().ClientID)
	expectDenied(t, owned, "Authorization_RequestDenied", "POST", pathApplications+"/"+mainApp["id"].(string)+"/addPassword", map[string]any{})
	expectDenied(t, owned, "Authorization_RequestDenied", "PATCH", pathApplications+"/"+mainApp["id"].(string), map[string]any{"notes": "x"})
}

func TestAppRoleAssignmentsGrantTokenRoles(t *testing.T) {
	srv := startSim(t, Config{})
	admin, _ := appClient(t, srv, "AppRoleAssignment.ReadWrite.All", "Application.Read.All")
	clientID, secret := uuid.NewString(), "grantee-secret"
	if err := srv.RegisterApp(App{ClientID: clientID, DisplayName: "grantee", Secret: secret, Roles: []string{"User.Read.All", "Not.A.Graph.Role"}}); err != nil {
		t.Fatal(err)
	}
	spID, _ := srv.ServicePrincipalID(clientID)
	if got := srv.AppRoleAssignments(spID); len(got) != 1 || got[0]["appRoleId"] != "df021288-bdef-4463-88db-98f22de89214" {
		t.Fatalf("registered roles as assignments %v", got)
	}
	roleID, _ := GraphAppRoleID("RoleManagement.ReadWrite.Directory")
	body := map[string]any{"principalId": spID, "resourceId": MicrosoftGraphServicePrincipalID, "appRoleId": roleID}
	a := admin.expect(http.StatusCreated, "POST", pathServicePrincipals+"/"+spID+"/appRoleAssignments", body)
	if a["principalDisplayName"] != "grantee" || a["principalType"] != "ServicePrincipal" || a["resourceId"] != MicrosoftGraphServicePrincipalID {
		t.Fatalf("assignment %v", a)
	}
	if msg := admin.expectError(http.StatusBadRequest, "Request_BadRequest", "POST", pathGraphSP+"/appRoleAssignedTo", body); !strings.Contains(msg, "already exists") {
		t.Fatalf("duplicate: %s", msg)
	}
	admin.expectError(http.StatusBadRequest, "Request_BadRequest", "POST", pathGraphSP+"/appRoleAssignedTo",
		map[string]any{"principalId": spID, "resourceId": MicrosoftGraphServicePrincipalID, "appRoleId": uuid.NewString()})
	admin.expectError(http.StatusBadRequest, "Request_BadRequest", "POST", pathServicePrincipals+"/"+uuid.NewString()+"/appRoleAssignments", body)
	admin.expectError(http.StatusNotFound, "Request_ResourceNotFound", "POST", pathGraphSP+"/appRoleAssignedTo",
		map[string]any{"principalId": uuid.NewString(), "resourceId": MicrosoftGraphServicePrincipalID, "appRoleId": roleID})

	// The grantee's next token carries the new role.
	claims := decodeClaims(t, clientSecretToken(t, srv, clientID, secret, GraphResourceID+".default"))
	if roles := claims["roles"].([]any); !slices.Contains(roles, any("RoleManagement.ReadWrite.Directory")) || !slices.Contains(roles, any("Not.A.Graph.Role")) {
		t.Fatalf("token roles %v", roles)
	}
	admin.expect(http.StatusNoContent, "DELETE", pathGraphSP+"/appRoleAssignedTo/"+a["id"].(string), nil)
	claims = decodeClaims(t, clientSecretToken(t, srv, clientID, secret, GraphResourceID+".default"))
	if slices.Contains(claims["roles"].([]any), any("RoleManagement.ReadWrite.Directory")) {
		t.Fatalf("revoked role still in token %v", claims["roles"])
	}
	admin.expectError(http.StatusNotFound, "Request_ResourceNotFound", "DELETE", pathGraphSP+"/appRoleAssignedTo/"+a["id"].(string), nil)

	// $filter on appRoleAssignedTo: principalDisplayName (eq, startswith) and resourceId; other properties fail.
	expectCount(t, admin, pathGraphSP+"/appRoleAssignedTo"+filterQuery("principalDisplayName eq 'grantee'"), 1)
	expectCount(t, admin, pathGraphSP+"/appRoleAssignedTo"+filterQuery("startswith(principalDisplayName,'grant')"), 1)
	admin.expectError(http.StatusBadRequest, "Request_UnsupportedQuery", "GET", pathGraphSP+"/appRoleAssignedTo"+filterQuery("appRoleId eq '"+roleID+"'"), nil)

	// Deleting a service principal removes its grants and its credentials' use.
	writer, _ := appClient(t, srv, "Application.ReadWrite.All")
	writer.expect(http.StatusNoContent, "DELETE", pathServicePrincipals+"/"+spID, nil)
	if len(srv.AppRoleAssignments(spID)) != 0 {
		t.Fatal("grants survive their service principal")
	}
	if status, _ := postForm(t, srv, tokenPath(srv), url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID},
		"client_secret": {secret}, "scope": {GraphResourceID + ".default"}}); status == http.StatusOK {
		t.Fatal("a token was issued for a deleted service principal")
	}
}

func TestServicePrincipalListPagingSelectExpand(t *testing.T) {
	srv := startSim(t, Config{})
	if err := srv.AddAuditFixtures(); err != nil {
		t.Fatal(err)
	}
	if err := srv.GenerateLargeTenant(LargeTenant{ServicePrincipals: 250, AppRoleAssignments: 600}); err != nil {
		t.Fatal(err)
	}
	c := mainGraphClient(t, srv)
	all := pageAll(t, c, pathServicePrincipals+"?$select=id,appId,displayName", 100)
	if len(all) != 250+2+5 { // generated, main app and managed identity, Graph + 4 audit fixtures
		t.Fatalf("service principals %d", len(all))
	}
	if len(all[0]) != 3 {
		t.Fatalf("$select %v", all[0])
	}
	big := pageAll(t, c, pathServicePrincipals+"?$top=999", 999)
	if len(big) != len(all) || big[0]["keyCredentials"] == nil {
		t.Fatalf("$top=999: %d", len(big))
	}
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "GET", pathServicePrincipals+"?$top=1000", nil)
	c.expectError(http.StatusBadRequest, "Request_UnsupportedQuery", "GET", pathServicePrincipals+filterQuery("homepage eq 'x'"), nil)
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "GET", pathServicePrincipals+"?$select=shoeSize", nil)
	first := values(c.expect(http.StatusOK, "GET", pathServicePrincipals+filterQuery("appOwnerOrganizationId eq "+MicrosoftTenantID), nil))
	for _, sp := range first {
		if sp["appOwnerOrganizationId"] != MicrosoftTenantID {
			t.Fatalf("filter %v", sp)
		}
	}

	// $expand: at most 100 objects per page and 20 per expanded relationship.
	expanded := c.expect(http.StatusOK, "GET", pathServicePrincipals+"?$top=999&$expand=appRoleAssignments", nil)
	if n := len(values(expanded)); n != 100 || expanded["@odata.nextLink"] == nil {
		t.Fatalf("$expand page of %d", n)
	}
	if !strings.HasSuffix(expanded["@odata.context"].(string), "#servicePrincipals(appRoleAssignments())") {
		t.Fatalf("context %v", expanded["@odata.context"])
	}
	graph := c.expect(http.StatusOK, "GET", pathGraphSP+"?$expand=appRoleAssignedTo&$select=id", nil)
	if n := len(graph["appRoleAssignedTo"].([]any)); n != 20 {
		t.Fatalf("expanded appRoleAssignedTo %d", n)
	}
	legacy := c.expect(http.StatusOK, "GET", pathServicePrincipals+"/"+FixtureLegacyAutomationServicePrincipalID+"?$expand=appRoleAssignments,owners", nil)
	if len(legacy["appRoleAssignments"].([]any)) != 2 || legacy["owners"].([]any)[0].(map[string]any)["id"] != FixtureLegacyAutomationOwnerID {
		t.Fatalf("expanded %v", legacy)
	}
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "GET", pathServicePrincipals+"?$expand=shoeSize", nil)

	// appRoleAssignedTo pages at up to 999 and lists every grant once.
	grants := pageAll(t, c, pathGraphSP+"/appRoleAssignedTo?$top=999", 999)
	seen := map[string]bool{}
	for _, g := range grants {
		seen[g["id"].(string)] = true
	}
	if want := 600 + 3 + len(mainAppRoles)*2; len(grants) != want || len(seen) != want { // + audit fixtures, main app, managed identity
		t.Fatalf("appRoleAssignedTo %d (%d distinct), want %d", len(grants), len(seen), want)
	}
	if def := c.expect(http.StatusOK, "GET", pathGraphSP+"/appRoleAssignedTo", nil); len(values(def)) != 100 {
		t.Fatalf("default page %d", len(values(def)))
	}
}
