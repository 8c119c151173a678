package tenantsim

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

const pathAUs = "/v1.0/directory/administrativeUnits"

func memberRef(id string) map[string]any {
	return map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + id}
}

func TestAdministrativeUnits(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	au := c.expect(http.StatusCreated, "POST", pathAUs, map[string]any{"displayName": "Paris", "description": "Paris office", "visibility": "HiddenMembership"})
	id := au["id"].(string)
	if au["isMemberManagementRestricted"] != false || au["visibility"] != "HiddenMembership" {
		t.Fatalf("created: %v", au)
	}
	for _, tc := range []struct {
		name   string
		method string
		path   string
		body   map[string]any
		status int
		code   string
	}{
		{"no displayName", "POST", pathAUs, map[string]any{"description": "x"}, http.StatusBadRequest, "BadRequest"},
		{"unknown property", "POST", pathAUs, map[string]any{"displayName": "x", "isRestricted": true}, http.StatusBadRequest, "BadRequest"},
		{"visibility outside the documented values", "POST", pathAUs, map[string]any{"displayName": "x", "visibility": "Private"}, http.StatusBadRequest, "Request_BadRequest"},
		{"restricted set after creation", "PATCH", pathAUs + "/" + id, map[string]any{"isMemberManagementRestricted": true}, http.StatusBadRequest, "Request_BadRequest"},
		{"unknown member", "POST", pathAUs + "/" + id + "/members/$ref", memberRef("00000000-0000-4000-8000-000000000001"), http.StatusNotFound, "Request_ResourceNotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) { c.expectError(tc.status, tc.code, tc.method, tc.path, tc.body) })
	}
	c.expect(http.StatusNoContent, "PATCH", pathAUs+"/"+id, map[string]any{"description": "Paris and Lyon", "isMemberManagementRestricted": false})
	user := createUser(t, c, "auparis")
	c.expect(http.StatusNoContent, "POST", pathAUs+"/"+id+"/members/$ref", memberRef(user))
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "POST", pathAUs+"/"+id+"/members/$ref", memberRef(user))
	if members := valueList(c.expect(http.StatusOK, "GET", pathAUs+"/"+id+"/members", nil)); len(members) != 1 || members[0]["id"] != user {
		t.Fatalf("members: %v", members)
	}
	// An unrestricted unit protects nothing.
	c.expect(http.StatusNoContent, "PATCH", "/v1.0/users/"+user, map[string]any{"jobTitle": "Paris"})

	reader, _ := appClient(t, srv, "AdministrativeUnit.Read.All")
	reader.expect(http.StatusOK, "GET", pathAUs, nil)
	reader.expectError(http.StatusForbidden, "Authorization_RequestDenied", "POST", pathAUs, map[string]any{"displayName": "x"})

	checkGraphResponses(t, c, []responseCheck{
		{schemaPath: pathAUs + "/x", body: au},
		{pathAUs, pathAUs, nil},
		{pathAUs + "/x", pathAUs + "/" + id, nil},
		{pathAUs + "/x/members", pathAUs + "/" + id + "/members", nil},
	})
	c.expect(http.StatusNoContent, "DELETE", pathAUs+"/"+id+"/members/"+user+"/$ref", nil)
	c.expect(http.StatusNoContent, "DELETE", pathAUs+"/"+id, nil)
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "GET", pathAUs+"/"+id, nil)
}

// TestRestrictedManagementUnit: members of a restricted unit can be modified only by a caller holding a
// user-managing role scoped to that unit; tenant-scoped Global Administrator and Graph permissions do not count.
// Membership of the unit is managed by Global or Privileged Role Administrators at tenant scope.
func TestRestrictedManagementUnit(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	sp, _ := srv.ServicePrincipalID(srv.Info().ClientID)
	rmau := c.expect(http.StatusCreated, "POST", pathAUs, map[string]any{"displayName": "Break glass", "isMemberManagementRestricted": true})["id"].(string)
	other := c.expect(http.StatusCreated, "POST", pathAUs, map[string]any{"displayName": "Helpdesk"})["id"].(string)
	user := createUser(t, c, "rmauuser")
	c.expect(http.StatusNoContent, "PATCH", pathAuthConfig+"TemporaryAccessPass", map[string]any{
		"includeTargets": []any{map[string]any{"targetType": "group", "id": "all_users"}}})
	tapPath := "/v1.0/users/" + user + "/authentication/temporaryAccessPassMethods"
	tap := c.expect(http.StatusCreated, "POST", tapPath, map[string]any{})["id"].(string)
	key, err := srv.AddFIDO2Method(user, FIDO2Method{DisplayName: "Key", AAGUID: "2fc0579f-8113-47ea-b116-bb5a8db9202a"})
	if err != nil {
		t.Fatal(err)
	}

	// Membership changes need Global or Privileged Role Administrator at tenant scope.
	c.expectError(http.StatusForbidden, "Authorization_RequestDenied", "POST", pathAUs+"/"+rmau+"/members/$ref", memberRef(user))
	removePRA, err := srv.AssignDirectoryRole(sp, PrivilegedRoleAdministratorRoleID)
	if err != nil {
		t.Fatal(err)
	}
	c.expect(http.StatusNoContent, "POST", pathAUs+"/"+rmau+"/members/$ref", memberRef(user))
	c.expect(http.StatusNoContent, "POST", pathAUs+"/"+other+"/members/$ref", memberRef(user))
	m365, err := srv.AddGroup(Group{DisplayName: "Team site", MailEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "POST", pathAUs+"/"+rmau+"/members/$ref", memberRef(m365))
	removePRA()

	// Every write to the member is refused, even with Global Administrator at tenant scope.
	removeGA, err := srv.AssignDirectoryRole(sp, GlobalAdministratorRoleID)
	if err != nil {
		t.Fatal(err)
	}
	writes := []struct {
		method, path string
		body         map[string]any
		status       int
	}{
		{"PATCH", "/v1.0/users/" + user, map[string]any{"accountEnabled": false}, http.StatusNoContent},
		{"PATCH", "/v1.0/users/" + user, map[string]any{"passwordProfile": map[string]any{"password": "Correct-Horse-Battery-Staple-42!"}}, http.StatusNoContent},
		{"DELETE", tapPath + "/" + tap, nil, http.StatusNoContent},
		{"POST", tapPath, map[string]any{}, http.StatusCreated},
		{"DELETE", "/v1.0/users/" + user + "/authentication/fido2Methods/" + key, nil, http.StatusNoContent},
	}
	for _, wr := range writes {
		msg := c.expectError(http.StatusForbidden, "Authorization_RequestDenied", wr.method, wr.path, wr.body)
		if !strings.HasPrefix(msg, "Target object is a member of a restricted management administrative unit") {
			t.Fatalf("%s %s: %s", wr.method, wr.path, msg)
		}
	}
	c.expectError(http.StatusForbidden, "Authorization_RequestDenied", "DELETE", "/v1.0/users/"+user, nil)
	removeGA()

	// A role scoped to another, unrestricted unit does not help; a user-managing role scoped to the restricted one does.
	assign := func(scope string) string {
		return c.expect(http.StatusCreated, "POST", "/v1.0/roleManagement/directory/roleAssignments", map[string]any{
			"principalId": sp, "roleDefinitionId": UserAdministratorRoleID, "directoryScopeId": scope})["id"].(string)
	}
	assign("/administrativeUnits/" + other)
	c.expectError(http.StatusForbidden, "Authorization_RequestDenied", "PATCH", "/v1.0/users/"+user, map[string]any{"jobTitle": "x"})
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "POST", "/v1.0/roleManagement/directory/roleAssignments", map[string]any{
		"principalId": sp, "roleDefinitionId": UserAdministratorRoleID, "directoryScopeId": "/administrativeUnits/00000000-0000-4000-8000-000000000002"})
	scoped := assign("/administrativeUnits/" + rmau)
	for _, wr := range writes {
		c.expect(wr.status, wr.method, wr.path, wr.body)
	}
	c.expect(http.StatusNoContent, "DELETE", "/v1.0/roleManagement/directory/roleAssignments/"+scoped, nil)
	c.expectError(http.StatusForbidden, "Authorization_RequestDenied", "PATCH", "/v1.0/users/"+user, map[string]any{"jobTitle": "y"})

	// The same role through a PIM request scoped to the unit.
	req := pimRequest("adminAssign", sp, UserAdministratorRoleID, permanent())
	req["directoryScopeId"] = "/administrativeUnits/" + rmau
	c.expect(http.StatusCreated, "POST", pathAssignmentRequests, req)
	c.expect(http.StatusNoContent, "PATCH", "/v1.0/users/"+user, map[string]any{"jobTitle": "via PIM"})
	req["directoryScopeId"] = "/administrativeUnits/" + user // a user is not a scope served here
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "POST", pathAssignmentRequests, req)

	// Removing the member (a manager's task) lifts the protection.
	removeGA, _ = srv.AssignDirectoryRole(sp, GlobalAdministratorRoleID)
	c.expect(http.StatusNoContent, "DELETE", pathAUs+"/"+rmau+"/members/"+user+"/$ref", nil)
	removeGA()
	c.expect(http.StatusNoContent, "PATCH", "/v1.0/users/"+user, map[string]any{"jobTitle": "free"})

	// At most 100 restricted units in a tenant; unrestricted ones are not counted.
	for i := 1; i < maxRestrictedAUs; i++ {
		c.expect(http.StatusCreated, "POST", pathAUs, map[string]any{"displayName": "r", "isMemberManagementRestricted": true})
	}
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "POST", pathAUs, map[string]any{"displayName": "r", "isMemberManagementRestricted": true})
	c.expect(http.StatusCreated, "POST", pathAUs, map[string]any{"displayName": "plain"})
}

// TestUserMemberOf: a user's direct groups and administrative units, one collection with @odata.type; an identity
// without Directory.Read.All is refused, and units read without an administrative unit permission are limited.
func TestUserMemberOf(t *testing.T) {
	srv := startSim(t, Config{})
	if err := srv.AddAuditFixtures(); err != nil {
		t.Fatal(err)
	}
	unit, err := srv.AddAdministrativeUnit(AdministrativeUnit{DisplayName: "Emergency", Restricted: true, Members: []string{FixtureTier0MemberID}})
	if err != nil {
		t.Fatal(err)
	}
	c := mainGraphClient(t, srv)
	kinds := map[string]map[string]any{}
	for _, o := range values(c.expect(http.StatusOK, "GET", pathTier0Member+"/memberOf", nil)) {
		kinds[o["@odata.type"].(string)] = o
	}
	au := kinds["#microsoft.graph.administrativeUnit"]
	if au["id"] != unit || au["isMemberManagementRestricted"] != true || kinds["#microsoft.graph.group"] == nil {
		t.Fatalf("memberOf %v", kinds)
	}
	if units := srv.AdministrativeUnits(); len(units) != 1 || units[0]["id"] != unit ||
		!slices.Equal(units[0]["members"].([]string), []string{strings.ToLower(FixtureTier0MemberID)}) {
		t.Fatalf("AdministrativeUnits() = %v", units)
	}
	if err := srv.RemoveAdministrativeUnitMember(unit, FixtureTier0MemberID); err != nil {
		t.Fatal(err)
	}
	for _, o := range values(c.expect(http.StatusOK, "GET", pathTier0Member+"/memberOf", nil)) {
		if o["id"] == unit {
			t.Fatal("removed member still lists the unit")
		}
	}
	reader, _ := appClient(t, srv, "User.Read.All", "GroupMember.Read.All")
	expectDenied(t, reader, "Authorization_RequestDenied", "GET", pathTier0Member+"/memberOf", nil)
	if _, err := srv.AddAdministrativeUnit(AdministrativeUnit{DisplayName: "x", Members: []string{uuid.NewString()}}); err == nil {
		t.Fatal("a unit with an unknown member was created")
	}
}

// TestAddAuthMethod: planted methods are listed with their CSDL shapes; bad ones are refused; RemoveAuthMethod
// deletes any method.
func TestAddAuthMethod(t *testing.T) {
	srv := startSim(t, Config{})
	if err := srv.AddAuditFixtures(); err != nil {
		t.Fatal(err)
	}
	phone, err := srv.AddAuthMethod(FixtureTier0MemberID, AuthMethod{Type: "phoneAuthenticationMethod",
		Properties: map[string]any{"phoneNumber": "+1 2065550100", "phoneType": "mobile"}})
	if err != nil || phone != "3179e48a-750b-4051-897c-87b9720928f7" {
		t.Fatalf("phone %q %v", phone, err)
	}
	oath, err := srv.AddAuthMethod(FixtureTier0MemberID, AuthMethod{Type: "softwareOathAuthenticationMethod", Properties: map[string]any{"secretKey": "JBSWY3DP"}})
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]AuthMethod{
		"unknown type":     {Type: "smsAuthenticationMethod"},
		"unknown property": {Type: "emailAuthenticationMethod", Properties: map[string]any{"address": "a@b.c"}},
		"enum":             {Type: "windowsHelloForBusinessAuthenticationMethod", Properties: map[string]any{"keyStrength": "strong"}},
		"second mobile":    {Type: "phoneAuthenticationMethod", Properties: map[string]any{"phoneNumber": "+1 2065550101", "phoneType": "mobile"}},
		"phone type":       {Type: "phoneAuthenticationMethod", Properties: map[string]any{"phoneNumber": "+1 2065550101"}},
	} {
		if _, err := srv.AddAuthMethod(FixtureTier0MemberID, bad); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	c := mainGraphClient(t, srv)
	types := map[string]map[string]any{}
	for _, m := range values(c.expect(http.StatusOK, "GET", pathTier0Member+"/authentication/methods", nil)) {
		types[m["@odata.type"].(string)] = m
	}
	if types["#microsoft.graph.phoneAuthenticationMethod"]["phoneType"] != "mobile" ||
		types["#microsoft.graph.softwareOathAuthenticationMethod"]["secretKey"] != nil {
		t.Fatalf("methods %v", types)
	}
	if err := srv.RemoveAuthMethod(FixtureTier0MemberID, oath); err != nil {
		t.Fatal(err)
	}
	if err := srv.RemoveAuthMethod(FixtureTier0MemberID, oath); err == nil {
		t.Fatal("removed twice")
	}
}

// TestAdministrativeUnitReplication: a new unit is unknown until Knobs.ReplicationDelay has passed, to reads,
// updates, members and role assignments scoped to it, as azuread's administrative unit resource waits out.
func TestAdministrativeUnitReplication(t *testing.T) {
	srv := startSim(t, Config{Knobs: Knobs{ReplicationDelay: time.Hour}})
	c := mainGraphClient(t, srv)
	sp, _ := srv.ServicePrincipalID(srv.Info().ClientID)
	id := c.expect(http.StatusCreated, "POST", pathAUs, map[string]any{"displayName": "Region"})["id"].(string)
	user := uuid.NewString()
	if err := srv.AddUsers([]map[string]any{{"id": user, "displayName": "Ops", "userPrincipalName": "opsrepl@contoso.onmicrosoft.com",
		"mailNickname": "opsrepl", "accountEnabled": true, "password": GeneratedUserPassword}}); err != nil {
		t.Fatal(err)
	}
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "GET", pathAUs+"/"+id, nil)
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "PATCH", pathAUs+"/"+id, map[string]any{"description": "x"})
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "POST", pathAUs+"/"+id+"/members/$ref", memberRef(user))
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "POST", "/v1.0/roleManagement/directory/roleAssignments", map[string]any{
		"principalId": sp, "roleDefinitionId": PrivilegedAuthenticationAdministratorRoleID, "directoryScopeId": "/administrativeUnits/" + id})
	if slices.ContainsFunc(valueList(c.expect(http.StatusOK, "GET", pathAUs, nil)), func(m map[string]any) bool { return m["id"] == id }) {
		t.Error("the list shows a unit that has not replicated")
	}

	srv.SetKnobs(Knobs{})
	srv.dir.mu.Lock()
	srv.dir.aus.unit(id).visibleAt = time.Time{} // replicated
	srv.dir.mu.Unlock()
	c.expect(http.StatusOK, "GET", pathAUs+"/"+id, nil)
	c.expect(http.StatusNoContent, "POST", pathAUs+"/"+id+"/members/$ref", memberRef(user))
}
