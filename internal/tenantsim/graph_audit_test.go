package tenantsim

import (
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/fidelity"
)

const (
	pathGroups      = "/v1.0/groups"
	pathGetByIds    = "/v1.0/directoryObjects/getByIds"
	pathTier0Group  = pathGroups + "/" + FixtureTier0GroupID
	yubiKey5AAGUID  = "2fc0579f-8113-47ea-b116-bb5a8db9202a"
	pathTier0Member = "/v1.0/users/" + FixtureTier0MemberID
)

func auditSim(t *testing.T) (*Server, *graphClient) {
	t.Helper()
	srv := startSim(t, Config{})
	if err := srv.AddAuditFixtures(); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddAuditFixtures(); err != nil { // idempotent
		t.Fatal(err)
	}
	return srv, mainGraphClient(t, srv)
}

func TestAuditFixtures(t *testing.T) {
	srv, c := auditSim(t)
	if n := len(srv.Users()); n != 5 {
		t.Fatalf("users %d", n)
	}

	// Contoso HR Sync: User.ReadWrite.All, an expired secret.
	hr := c.expect(http.StatusOK, "GET", pathApplications+"/"+FixtureHRSyncApplicationID, nil)
	secret := hr["passwordCredentials"].([]any)[0].(map[string]any)
	end, _ := time.Parse(time.RFC3339, secret["endDateTime"].(string))
	if hr["appId"] != FixtureHRSyncAppID || secret["keyId"] != FixtureHRSyncSecretKeyID || !end.Before(time.Now()) {
		t.Fatalf("HR Sync %v", hr)
	}
	hrGrants := values(c.expect(http.StatusOK, "GET", pathServicePrincipals+"/"+FixtureHRSyncServicePrincipalID+"/appRoleAssignments", nil))
	if len(hrGrants) != 1 || hrGrants[0]["appRoleId"] != "741f803b-c850-494e-b5df-cde7c675a1ca" {
		t.Fatalf("HR Sync grants %v", hrGrants)
	}

	// Legacy Automation: tier-0 permissions, an active certificate, an owner.
	legacy := c.expect(http.StatusOK, "GET", pathApplications+"/"+FixtureLegacyAutomationApplicationID, nil)
	cert := legacy["keyCredentials"].([]any)[0].(map[string]any)
	end, _ = time.Parse(time.RFC3339, cert["endDateTime"].(string))
	if cert["keyId"] != FixtureLegacyAutomationCertKeyID || !end.After(time.Now()) || cert["displayName"] != "CN=legacy-automation.contoso.com" {
		t.Fatalf("Legacy Automation certificate %v", cert)
	}
	var granted []string
	for _, a := range values(c.expect(http.StatusOK, "GET", pathServicePrincipals+"/"+FixtureLegacyAutomationServicePrincipalID+"/appRoleAssignments", nil)) {
		granted = append(granted, a["appRoleId"].(string))
	}
	slices.Sort(granted)
	if !slices.Equal(granted, []string{"19dbc75e-c2e2-444c-a770-ec69d8559fc7", "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8"}) {
		t.Fatalf("Legacy Automation grants %v", granted)
	}
	withOwners := values(c.expect(http.StatusOK, "GET", pathApplications+filterQuery("appId eq '"+FixtureLegacyAutomationAppID+"'")+"&$expand=owners", nil))
	if len(withOwners) != 1 || withOwners[0]["owners"].([]any)[0].(map[string]any)["id"] != FixtureLegacyAutomationOwnerID {
		t.Fatalf("$expand=owners %v", withOwners)
	}
	for _, path := range []string{pathApplications + "/" + FixtureLegacyAutomationApplicationID + "/owners", pathServicePrincipals + "/" + FixtureLegacyAutomationServicePrincipalID + "/owners"} {
		owners := values(c.expect(http.StatusOK, "GET", path, nil))
		if len(owners) != 1 || owners[0]["id"] != FixtureLegacyAutomationOwnerID || owners[0]["userPrincipalName"] != "lee.gu@contoso.com" || owners[0]["@odata.type"] != "#microsoft.graph.user" {
			t.Fatalf("owners %v", owners)
		}
	}

	// Directory roles of service principals: first party (Intune) and another tenant's app (Bridge), outside PIM.
	assigned := values(c.expect(http.StatusOK, "GET", pathRoleAssignments+filterQuery("principalId eq '"+FixtureBridgeServicePrincipalID+"'")+"&$expand=principal", nil))
	if len(assigned) != 1 || assigned[0]["roleDefinitionId"] != PrivilegedRoleAdministratorRoleID {
		t.Fatalf("Bridge role %v", assigned)
	}
	p := assigned[0]["principal"].(map[string]any)
	if p["@odata.type"] != "#microsoft.graph.servicePrincipal" || p["appOwnerOrganizationId"] != FixtureFabrikamTenantID || p["appId"] != FixtureBridgeAppID {
		t.Fatalf("Bridge principal %v", p)
	}
	sched := expectCount(t, c, pathAssignmentSchedules+filterQuery("principalId eq '"+FixtureBridgeServicePrincipalID+"'"), 1)[0]
	if sched["createdUsing"] != nil || sched["id"] != assigned[0]["id"] {
		t.Fatalf("Bridge schedule (outside PIM) %v", sched)
	}
	intune := values(c.expect(http.StatusOK, "GET", pathRoleAssignments+filterQuery("principalId eq '"+FixtureIntuneServicePrincipalID+"'")+"&$expand=principal", nil))
	if len(intune) != 1 || intune[0]["principal"].(map[string]any)["appOwnerOrganizationId"] != MicrosoftTenantID {
		t.Fatalf("Intune %v", intune)
	}
	c.expect(http.StatusOK, "GET", pathServicePrincipals+filterQuery("appId eq '"+MicrosoftIntuneAppID+"'"), nil)
}

func TestGroupsAndRolesThroughGroups(t *testing.T) {
	_, c := auditSim(t)
	groups := values(c.expect(http.StatusOK, "GET", pathGroups+filterQuery("isAssignableToRole eq true"), nil))
	if len(groups) != 1 || groups[0]["displayName"] != "Tier0 Admins" || groups[0]["securityEnabled"] != true || groups[0]["mailEnabled"] != false {
		t.Fatalf("groups %v", groups)
	}
	g := c.expect(http.StatusOK, "GET", pathTier0Group+"?$select=id,isAssignableToRole", nil)
	if len(g) != 3 || !strings.HasSuffix(g["@odata.context"].(string), "#groups(id,isAssignableToRole)/$entity") {
		t.Fatalf("group %v", g)
	}
	members := values(c.expect(http.StatusOK, "GET", pathTier0Group+"/members", nil))
	if len(members) != 1 || members[0]["id"] != FixtureTier0MemberID || members[0]["@odata.type"] != "#microsoft.graph.user" || members[0]["displayName"] != "Isaiah Langer" {
		t.Fatalf("members %v", members)
	}
	users := c.expect(http.StatusOK, "GET", pathTier0Group+"/members/microsoft.graph.user?$select=id,userPrincipalName", nil)
	if list := values(users); len(list) != 1 || list[0]["userPrincipalName"] != "isaiah.langer@contoso.com" || list[0]["@odata.type"] != nil {
		t.Fatalf("user members %v", users)
	}
	expanded := c.expect(http.StatusOK, "GET", pathTier0Group+"?$expand=members&$select=id", nil)
	if m := expanded["members"].([]any); len(m) != 1 || m[0].(map[string]any)["id"] != FixtureTier0MemberID ||
		!strings.HasSuffix(expanded["@odata.context"].(string), "#groups(id,members())/$entity") {
		t.Fatalf("$expand=members %v", expanded)
	}
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "GET", pathGroups+"?$expand=calendar", nil)
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "GET", pathGroups+"/"+uuid.NewString(), nil)
	c.expectError(http.StatusBadRequest, "Request_UnsupportedQuery", "GET", pathGroups+filterQuery("visibility eq 'Private'"), nil)

	// GroupMember.Read.All without a user permission: members come back with limited information.
	limited, _ := appClient(t, c.srv, "GroupMember.Read.All")
	m := values(limited.expect(http.StatusOK, "GET", pathTier0Group+"/members", nil))[0]
	if m["id"] != FixtureTier0MemberID || m["@odata.type"] != "#microsoft.graph.user" || m["displayName"] != nil {
		t.Fatalf("limited member %v", m)
	}
	none, _ := appClient(t, c.srv, "User.Read.All")
	expectDenied(t, none, "Authorization_RequestDenied", "GET", pathGroups, nil)
	expectDenied(t, none, "Authorization_RequestDenied", "GET", pathTier0Group+"/members", nil)

	// The group holds the role; its member holds it through the group (memberType "Group").
	expectCount(t, c, pathRoleAssignments+filterQuery("principalId eq '"+FixtureTier0MemberID+"'"), 0)
	ra := expectCount(t, c, pathRoleAssignments+filterQuery("principalId eq '"+FixtureTier0GroupID+"'")+"&$expand=principal", 1)[0]
	if ra["principal"].(map[string]any)["@odata.type"] != "#microsoft.graph.group" {
		t.Fatalf("group principal %v", ra)
	}
	direct := expectCount(t, c, pathAssignmentInstances+filterQuery("principalId eq '"+FixtureTier0GroupID+"'"), 1)[0]
	inherited := expectCount(t, c, pathAssignmentInstances+filterQuery("principalId eq '"+FixtureTier0MemberID+"'")+"&$expand=principal", 1)[0]
	if direct["memberType"] != "Direct" || inherited["memberType"] != "Group" || inherited["roleAssignmentOriginId"] != ra["id"] ||
		inherited["roleAssignmentScheduleId"] != FixtureTier0AssignmentRequestID || inherited["assignmentType"] != "Assigned" ||
		inherited["roleDefinitionId"] != PrivilegedAuthenticationAdministratorRoleID || inherited["startDateTime"] == nil ||
		inherited["principal"].(map[string]any)["userPrincipalName"] != "isaiah.langer@contoso.com" {
		t.Fatalf("instances %v / %v", direct, inherited)
	}
	expectCount(t, c, pathAssignmentInstances+filterQuery("memberType eq 'Group'"), 1)
	c.expect(http.StatusOK, "GET", pathAssignmentInstances+"/"+inherited["id"].(string), nil)
	// Made through PIM: the schedule names its request, and the request lists it as target.
	sched := expectCount(t, c, pathAssignmentSchedules+filterQuery("principalId eq '"+FixtureTier0GroupID+"'"), 1)[0]
	if sched["createdUsing"] != FixtureTier0AssignmentRequestID {
		t.Fatalf("schedule %v", sched)
	}
	expectCount(t, c, pathAssignmentRequests+filterQuery("targetScheduleId eq '"+FixtureTier0AssignmentRequestID+"'"), 1)
	// A role-assignable group is a principal PIM knows; another group is not.
	plain, err := c.srv.AddGroup(Group{DisplayName: "Plain", SecurityEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "POST", pathRoleAssignments, map[string]any{"principalId": plain, "roleDefinitionId": UserAdministratorRoleID, "directoryScopeId": "/"})
	c.expect(http.StatusCreated, "POST", pathAssignmentRequests, pimRequest("adminAssign", FixtureTier0GroupID, UserAdministratorRoleID, permanent()))
	if _, err := c.srv.AddGroup(Group{DisplayName: "Bad", IsAssignableToRole: true, MailEnabled: true}); err == nil {
		t.Fatal("a mail-enabled role-assignable group was accepted")
	}
	if err := c.srv.AddGroupMember(FixtureTier0GroupID, plain); err == nil {
		t.Fatal("a group joined a role-assignable group")
	}
}

func TestGetByIds(t *testing.T) {
	_, c := auditSim(t)
	ids := []any{FixtureTier0MemberID, FixtureTier0GroupID, FixtureBridgeServicePrincipalID, uuid.NewString(), FixtureLegacyAutomationApplicationID}
	got := values(c.expect(http.StatusOK, "POST", pathGetByIds, map[string]any{"ids": ids}))
	var types []string
	for _, o := range got {
		types = append(types, o["@odata.type"].(string))
	}
	if !slices.Equal(types, []string{"#microsoft.graph.user", "#microsoft.graph.group", "#microsoft.graph.servicePrincipal", "#microsoft.graph.application"}) {
		t.Fatalf("types %v", types)
	}
	if got[0]["userPrincipalName"] != "isaiah.langer@contoso.com" || got[2]["appOwnerOrganizationId"] != FixtureFabrikamTenantID {
		t.Fatalf("objects %v", got)
	}
	only := values(c.expect(http.StatusOK, "POST", pathGetByIds, map[string]any{"ids": ids, "types": []any{"servicePrincipal", "Group"}}))
	if len(only) != 2 || only[0]["id"] != FixtureTier0GroupID {
		t.Fatalf("types filter %v", only)
	}
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "POST", pathGetByIds, map[string]any{"ids": []any{"nope"}})
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "POST", pathGetByIds, map[string]any{"ids": ids, "types": []any{"spaceship"}})
	c.expectError(http.StatusBadRequest, "BadRequest", "POST", pathGetByIds, map[string]any{})
	many := make([]any, maxGetByIds+1)
	for i := range many {
		many[i] = uuid.NewString()
	}
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "POST", pathGetByIds, map[string]any{"ids": many})
	c.expect(http.StatusOK, "POST", pathGetByIds, map[string]any{"ids": many[:maxGetByIds]})
}

func TestAuthenticationMethodsAndLicenses(t *testing.T) {
	srv, c := auditSim(t)
	id, err := srv.AddFIDO2Method("isaiah.langer@contoso.com", FIDO2Method{DisplayName: "YubiKey 5 NFC", Model: "YubiKey 5 Series with NFC", AAGUID: yubiKey5AAGUID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddFIDO2Method("nobody@contoso.com", FIDO2Method{}); err == nil {
		t.Fatal("FIDO2 method for an unknown user")
	}
	if _, err := srv.AddFIDO2Method(FixtureTier0MemberID, FIDO2Method{PasskeyType: "cloud"}); err == nil {
		t.Fatal("bad passkey type accepted")
	}
	fido := values(c.expect(http.StatusOK, "GET", pathTier0Member+"/authentication/fido2Methods", nil))
	if len(fido) != 1 || fido[0]["id"] != id || fido[0]["aaGuid"] != yubiKey5AAGUID || fido[0]["attestationLevel"] != "attested" || fido[0]["passkeyType"] != "deviceBound" {
		t.Fatalf("fido2Methods %v", fido)
	}
	c.expect(http.StatusOK, "GET", pathTier0Member+"/authentication/fido2Methods/"+id, nil)
	// Neither method supports query options (Graph v1.0 reference).
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "GET", pathTier0Member+"/authentication/fido2Methods/"+id+"?$select=id,model", nil)
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "GET", pathTier0Member+"/authentication/fido2Methods?$select=id", nil)
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "GET", pathTier0Member+"/authentication/fido2Methods/nope", nil)
	methods := values(c.expect(http.StatusOK, "GET", pathTier0Member+"/authentication/methods", nil))
	if len(methods) != 2 || methods[0]["@odata.type"] != "#microsoft.graph.passwordAuthenticationMethod" || methods[0]["id"] != passwordMethodID ||
		methods[0]["password"] != nil || methods[1]["@odata.type"] != "#microsoft.graph.fido2AuthenticationMethod" {
		t.Fatalf("methods %v", methods)
	}
	expectCount(t, c, "/v1.0/users/"+FixtureLicensedUserID+"/authentication/fido2Methods", 0)
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "GET", "/v1.0/users/"+uuid.NewString()+"/authentication/methods", nil)
	reader, _ := appClient(t, srv, "User.Read.All")
	expectDenied(t, reader, "accessDenied", "GET", pathTier0Member+"/authentication/methods", nil)
	expectDenied(t, reader, "accessDenied", "GET", pathTier0Member+"/authentication/fido2Methods", nil)
	passkey, _ := appClient(t, srv, "UserAuthMethod-Passkey.Read.All")
	passkey.expect(http.StatusOK, "GET", pathTier0Member+"/authentication/fido2Methods", nil)
	expectDenied(t, passkey, "accessDenied", "GET", pathTier0Member+"/authentication/methods", nil)

	// licenseDetails from assignedLicenses.
	lic := values(c.expect(http.StatusOK, "GET", "/v1.0/users/megan.bowen@contoso.com/licenseDetails", nil))
	if len(lic) != 1 || lic[0]["skuId"] != microsoft365E5SkuID || lic[0]["skuPartNumber"] != "SPE_E5" || len(lic[0]["servicePlans"].([]any)) == 0 ||
		lic[0]["id"] != guidBase64(srv.Info().TenantID)+guidBase64(microsoft365E5SkuID) {
		t.Fatalf("licenseDetails %v", lic)
	}
	if err := srv.SetUserLicenses(FixtureTier0MemberID, "c7df2760-2c81-4ef7-b578-5b5392b571df", "84a661c4-e949-4bd2-a560-ed7766fcaf2b"); err != nil {
		t.Fatal(err)
	}
	lic = values(c.expect(http.StatusOK, "GET", pathTier0Member+"/licenseDetails?$select=skuPartNumber", nil))
	if len(lic) != 2 || lic[0]["skuPartNumber"] != "ENTERPRISEPREMIUM" || lic[1]["skuPartNumber"] != "AAD_PREMIUM_P2" || len(lic[0]) != 1 {
		t.Fatalf("licenses %v", lic)
	}
	if err := srv.SetUserFields(FixtureTier0MemberID, map[string]any{"assignedLicenses": []any{map[string]any{"skuId": microsoft365E5SkuID,
		"disabledPlans": []any{planAADPremiumP2.id}}}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range values(c.expect(http.StatusOK, "GET", pathTier0Member+"/licenseDetails", nil))[0]["servicePlans"].([]any) {
		plan := p.(map[string]any)
		if disabled := plan["servicePlanId"] == planAADPremiumP2.id; disabled != (plan["provisioningStatus"] == "Disabled") {
			t.Fatalf("disabled plan %v", plan)
		}
	}
	if err := srv.SetUserLicenses(FixtureTier0MemberID, "nope"); err == nil {
		t.Fatal("bad skuId accepted")
	}
	expectDenied(t, passkey, "Authorization_RequestDenied", "GET", pathTier0Member+"/licenseDetails", nil)
}

// runAuditSession makes the requests the audit data sources make, all valid, for the request log checker.
func runAuditSession(t *testing.T, srv *Server) {
	t.Helper()
	if err := srv.AddAuditFixtures(); err != nil {
		t.Fatal(err)
	}
	c := mainGraphClient(t, srv)
	writer, _ := appClient(t, srv, "Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All")
	c.expect(http.StatusOK, "GET", pathGroups+filterQuery("isAssignableToRole eq true")+"&$select=id,displayName,isAssignableToRole", nil)
	c.expect(http.StatusOK, "GET", pathTier0Group+"/members/microsoft.graph.user?$select=id,userPrincipalName", nil)
	c.expect(http.StatusOK, "GET", pathTier0Group+"/members?$top=999", nil)
	c.expect(http.StatusOK, "GET", pathApplications+"?$select=id,appId,displayName,passwordCredentials,keyCredentials", nil)
	c.expect(http.StatusOK, "GET", pathApplications+"/"+FixtureLegacyAutomationApplicationID+"/owners", nil)
	c.expect(http.StatusOK, "GET", pathServicePrincipals+filterQuery("appId eq '"+MicrosoftGraphAppID+"'")+"&$select=id,appRoles", nil)
	c.expect(http.StatusOK, "GET", pathServicePrincipals+"?$top=999&$expand=appRoleAssignments", nil)
	c.expect(http.StatusOK, "GET", pathGraphSP+"/appRoleAssignedTo?$top=999", nil)
	c.expect(http.StatusOK, "GET", pathServicePrincipals+"/"+FixtureLegacyAutomationServicePrincipalID+"/owners", nil)
	c.expect(http.StatusOK, "GET", pathTier0Member+"/licenseDetails", nil)
	c.expect(http.StatusOK, "GET", pathTier0Member+"/authentication/methods", nil)
	c.expect(http.StatusOK, "GET", pathTier0Member+"/authentication/fido2Methods", nil)
	c.expect(http.StatusOK, "GET", pathTier0Member+"/memberOf", nil) // breakglass_posture's restricted_management
	c.expect(http.StatusOK, "GET", pathAssignmentInstances+"?$expand=principal", nil)
	app := writer.expect(http.StatusCreated, "POST", pathApplications, map[string]any{"displayName": "logged app", "signInAudience": "AzureADMyOrg"})
	id := app["id"].(string)
	// addPassword, removePassword and getByIds are left out: the log check validates an action's body against the
	// type the action returns instead of its parameters; TestActionBodiesMatchCSDL checks those bodies.
	writer.expect(http.StatusNoContent, "PATCH", pathApplications+"/"+id, map[string]any{"displayName": "logged app 2", "notes": "audit"})
	sp := writer.expect(http.StatusCreated, "POST", pathServicePrincipals, map[string]any{"appId": app["appId"]})
	roleID, _ := GraphAppRoleID("User.Read.All")
	writer.expect(http.StatusCreated, "POST", pathGraphSP+"/appRoleAssignedTo", map[string]any{"principalId": sp["id"], "resourceId": MicrosoftGraphServicePrincipalID, "appRoleId": roleID})
	writer.expect(http.StatusNoContent, "DELETE", pathServicePrincipals+"/"+sp["id"].(string), nil)
	writer.expect(http.StatusNoContent, "DELETE", pathApplications+"/"+id, nil)
}

// TestAuditRequestLogPassesFidelityCheck checks every request of the audit session against the v1.0 CSDL, and that
// the log never holds a secret addPassword returned.
func TestAuditRequestLogPassesFidelityCheck(t *testing.T) {
	logPath := checkSessionLog(t, runAuditSession)
	raw, _ := os.ReadFile(logPath)
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(line, "Q~") {
			t.Fatalf("the request log holds a client secret: %s", line)
		}
	}
}

// TestActionBodiesMatchCSDL checks that the action bodies the simulator accepts use the CSDL's parameter names
// (the log check cannot: it checks an action's body against the action's return type).
func TestActionBodiesMatchCSDL(t *testing.T) {
	g, err := fidelity.LoadGraph()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		name, binding string
		params        []string
	}{
		{"addPassword", "microsoft.graph.application", []string{"passwordCredential"}},
		{"removePassword", "microsoft.graph.application", []string{"keyId"}},
		{"getByIds", "Collection(microsoft.graph.directoryObject)", []string{"ids", "types"}},
	} {
		if got := g.ActionParameters(want.name, want.binding); !slices.Equal(got, want.params) {
			t.Fatalf("CSDL parameters of %s: %v, the simulator reads %v", want.name, got, want.params)
		}
	}
	srv, c := auditSim(t)
	writer, _ := appClient(t, srv, "Application.ReadWrite.All")
	pw := writer.expect(http.StatusOK, "POST", pathApplications+"/"+FixtureHRSyncApplicationID+"/addPassword",
		map[string]any{"passwordCredential": map[string]any{"displayName": "ci", "endDateTime": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)}})
	writer.expect(http.StatusNoContent, "POST", pathApplications+"/"+FixtureHRSyncApplicationID+"/removePassword", map[string]any{"keyId": pw["keyId"]})
	c.expect(http.StatusOK, "POST", pathGetByIds, map[string]any{"ids": []any{FixtureTier0MemberID}, "types": []any{"user"}})
	// Names that are not parameters are refused.
	writer.expectError(http.StatusBadRequest, "BadRequest", "POST", pathApplications+"/"+FixtureHRSyncApplicationID+"/addPassword", map[string]any{"displayName": "x"})
	writer.expectError(http.StatusBadRequest, "BadRequest", "POST", pathApplications+"/"+FixtureHRSyncApplicationID+"/removePassword", map[string]any{"id": pw["keyId"]})
	c.expectError(http.StatusBadRequest, "BadRequest", "POST", pathGetByIds, map[string]any{"ids": []any{FixtureTier0MemberID}, "type": []any{"user"}})
}
