package tenantsim

import (
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestResponsesMatchGraphSchema checks real answers against the v1.0 CSDL.
func TestResponsesMatchGraphSchema(t *testing.T) {
	srv := startSim(t, Config{})
	if err := srv.AddUsers(GenerateUsers(5)); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddAuditFixtures(); err != nil {
		t.Fatal(err)
	}
	fido, err := srv.AddFIDO2Method(FixtureTier0MemberID, FIDO2Method{DisplayName: "YubiKey 5 NFC", Model: "YubiKey 5 Series with NFC", AAGUID: yubiKey5AAGUID})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []AuthMethod{
		{Type: "phoneAuthenticationMethod", Properties: map[string]any{"phoneNumber": "+1 2065550100", "phoneType": "mobile", "smsSignInState": "notEnabled"}},
		{Type: "emailAuthenticationMethod", Properties: map[string]any{"emailAddress": "isaiah@fabrikam.com"}},
		{Type: "microsoftAuthenticatorAuthenticationMethod", Properties: map[string]any{"displayName": "iPhone 15", "deviceTag": "SoftwareTokenActivated", "phoneAppVersion": "6.8.7"}},
		{Type: "softwareOathAuthenticationMethod"},
		{Type: "windowsHelloForBusinessAuthenticationMethod", Properties: map[string]any{"displayName": "WIN-LAPTOP", "keyStrength": "normal"}},
	} {
		if _, err := srv.AddAuthMethod(FixtureTier0MemberID, m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := srv.AddAdministrativeUnit(AdministrativeUnit{DisplayName: "Tier 0", Restricted: true, Members: []string{FixtureTier0MemberID}}); err != nil {
		t.Fatal(err)
	}
	if err := srv.GenerateLargeTenant(LargeTenant{Users: 20, RoleAssignments: 40, EligibleAssignments: 10, ServicePrincipals: 20, AppRoleAssignments: 60}); err != nil {
		t.Fatal(err)
	}
	c := mainGraphClient(t, srv)
	body := newUserBody("schema")
	body["authorizationInfo"] = map[string]any{"certificateUserIds": []any{"X509:<PN>schema@contoso.com"}}
	id := c.expect(http.StatusCreated, "POST", "/v1.0/users", body)["id"].(string)

	var every []string
	for name := range userSchema.properties {
		every = append(every, name)
	}
	sort.Strings(every)
	selectAll := "?$select=" + strings.Join(every, ",")
	deleted := createUser(t, c, "schema-deleted")
	c.expect(http.StatusNoContent, "DELETE", "/v1.0/users/"+deleted, nil)

	// Answers of writes and actions, checked as they came back.
	writer, _ := appClient(t, srv, "Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All")
	app := writer.expect(http.StatusCreated, "POST", pathApplications, map[string]any{"displayName": "schema app"})
	password := writer.expect(http.StatusOK, "POST", pathApplications+"/"+app["id"].(string)+"/addPassword", map[string]any{})
	sp := writer.expect(http.StatusCreated, "POST", pathServicePrincipals, map[string]any{"appId": app["appId"]})
	roleID, _ := GraphAppRoleID("Mail.Send")
	grant := writer.expect(http.StatusCreated, "POST", pathGraphSP+"/appRoleAssignedTo",
		map[string]any{"principalId": sp["id"], "resourceId": MicrosoftGraphServicePrincipalID, "appRoleId": roleID})
	byIDs := c.expect(http.StatusOK, "POST", pathGetByIds, map[string]any{"ids": []any{FixtureTier0MemberID, FixtureTier0GroupID,
		FixtureLegacyAutomationServicePrincipalID, FixtureLegacyAutomationApplicationID}})
	for _, m := range []map[string]any{app, password, sp, grant} {
		delete(m, "@odata.context")
	}
	legacySP := pathServicePrincipals + "/" + FixtureLegacyAutomationServicePrincipalID

	checks := []responseCheck{
		{"/v1.0/users/" + id, "/v1.0/users/" + id, nil},
		{"/v1.0/users/" + id, "/v1.0/users/" + id + selectAll, nil},
		{"/v1.0/users/" + FixtureLicensedUserID, "/v1.0/users/" + FixtureLicensedUserID + selectAll, nil},
		{"/v1.0/users/" + FixtureSyncedAdminID, "/v1.0/users/" + FixtureSyncedAdminID + selectAll, nil},
		{"/v1.0/users", "/v1.0/users", nil},
		{"/v1.0/users", "/v1.0/users?$top=3&$select=id,accountEnabled,signInActivity,onPremisesSyncEnabled,assignedLicenses,authorizationInfo", nil},
		{"/v1.0/directory/deletedItems/microsoft.graph.user", "/v1.0/directory/deletedItems/microsoft.graph.user", nil},
		{"/v1.0/directory/deletedItems/" + deleted, "/v1.0/directory/deletedItems/" + deleted, nil},
		{"/v1.0/domains", "/v1.0/domains", nil},
		{"/v1.0/domains/contoso.com", "/v1.0/domains/contoso.com", nil},
		{"/v1.0/organization", "/v1.0/organization", nil},

		// Groups, applications, service principals, app role assignments, directory objects.
		{pathGroups, pathGroups, nil},
		{pathGroups + "/x", pathTier0Group, nil},
		{pathGroups, pathGroups + "?$expand=members,owners", nil},
		{pathApplications, pathApplications + "?$expand=owners", nil},
		{pathGroups + "/x/members", pathTier0Group + "/members", nil},
		{pathGroups + "/x/members/microsoft.graph.user", pathTier0Group + "/members/microsoft.graph.user", nil},
		{pathApplications, pathApplications + "?$top=999", nil},
		{pathApplications + "/x", pathApplications + "/" + FixtureLegacyAutomationApplicationID + "?$select=id,appId,keyCredentials,passwordCredentials", nil},
		{pathApplications + "/x", pathApplications + "/" + FixtureHRSyncApplicationID, nil},
		{pathApplications + "/x/owners", pathApplications + "/" + FixtureLegacyAutomationApplicationID + "/owners", nil},
		{schemaPath: pathApplications + "/x", body: app},
		{schemaPath: pathApplications + "/x/addPassword", body: password},
		{pathServicePrincipals, pathServicePrincipals + "?$top=999", nil},
		{pathServicePrincipals, pathServicePrincipals + "?$top=50&$expand=appRoleAssignments,owners", nil},
		{pathServicePrincipals + "/x", pathGraphSP, nil},
		{pathServicePrincipals + "/x", legacySP + "?$expand=appRoleAssignments,owners,appRoleAssignedTo", nil},
		{schemaPath: pathServicePrincipals + "/x", body: sp},
		{pathServicePrincipals + "/x/owners", legacySP + "/owners", nil},
		{pathServicePrincipals + "/x/appRoleAssignments", legacySP + "/appRoleAssignments", nil},
		{pathServicePrincipals + "/x/appRoleAssignedTo", pathGraphSP + "/appRoleAssignedTo?$top=999", nil},
		{schemaPath: pathServicePrincipals + "/x/appRoleAssignedTo/y", body: grant},
		{schemaPath: pathGetByIds, body: byIDs},

		// Licenses and authentication methods.
		{"/v1.0/users/x/licenseDetails", "/v1.0/users/" + FixtureLicensedUserID + "/licenseDetails", nil},
		{"/v1.0/users/x/authentication/methods", pathTier0Member + "/authentication/methods", nil},
		{"/v1.0/users/x/authentication/fido2Methods", pathTier0Member + "/authentication/fido2Methods", nil},
		{"/v1.0/users/x/memberOf", pathTier0Member + "/memberOf", nil},
		{"/v1.0/users/x/authentication/fido2Methods/y", pathTier0Member + "/authentication/fido2Methods/" + fido, nil},

		// Role assignments with the principals $expand resolves (users, groups, service principals), schedules of
		// assignments made outside PIM, activations and roles held through a group.
		{pathRoleAssignments, pathRoleAssignments + "?$expand=principal&$top=999", nil},
		{pathAssignmentSchedules, pathAssignmentSchedules + "?$expand=principal&$top=999", nil},
		{pathAssignmentInstances, pathAssignmentInstances + "?$expand=principal&$top=999", nil},
		{pathEligibilitySchedules, pathEligibilitySchedules + "?$expand=principal", nil},
		{pathEligibilityInstances, pathEligibilityInstances + "?$expand=principal", nil},
		{pathAssignmentRequests, pathAssignmentRequests + "?$top=999", nil},
	}
	start := time.Now()
	checkGraphResponses(t, c, checks)
	t.Logf("%d answers checked in %s", len(checks), time.Since(start).Round(time.Millisecond))
}
