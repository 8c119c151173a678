package tenantsim

import "time"

// builtInRole is one Microsoft Entra built-in role as the directory RBAC provider exposes it.
type builtInRole struct {
	id, name, description string
	privileged            bool
	actions               []string // a short, real subset of the role's allowedResourceActions
}

// builtInRoles are the most privileged Microsoft Entra built-in roles plus the common ones around them. Names,
// descriptions, template ids and the PRIVILEGED label come from "Microsoft Entra built-in roles"
// (MicrosoftDocs/entra-docs docs/identity/role-based-access-control/permissions-reference.md, "All roles", dated
// 2026-01-20). For built-in roles id == templateId. Hybrid Identity Administrator is
// 8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2 there (not ...-a9f2d4d0d1f7).
//
// The label is kept in the store and exposed through Server.RoleDefinitions, but never served: isPrivileged is a
// beta-only property of unifiedRoleDefinition, absent from the v1.0 CSDL, so a v1.0 answer carrying it (or a v1.0
// $select/$filter naming it) would be something the real service never does.
var builtInRoles = []builtInRole{
	{"62e90394-69f5-4237-9190-012177145e10", "Global Administrator", "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.", true,
		[]string{"microsoft.directory/accessReviews/allProperties/allTasks", "microsoft.directory/administrativeUnits/allProperties/allTasks", "microsoft.directory/applications/allProperties/allTasks", "microsoft.directory/conditionalAccessPolicies/allProperties/allTasks", "microsoft.directory/roleAssignments/allProperties/allTasks", "microsoft.directory/users/allProperties/allTasks"}},
	{"e8611ab8-c189-46e8-94e1-60213ab1f814", "Privileged Role Administrator", "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.", true,
		[]string{"microsoft.directory/authorizationPolicy/allProperties/allTasks", "microsoft.directory/privilegedIdentityManagement/allProperties/allTasks", "microsoft.directory/roleAssignments/allProperties/allTasks", "microsoft.directory/roleDefinitions/allProperties/allTasks", "microsoft.directory/servicePrincipals/appRoleAssignedTo/update"}},
	{"7be44c8a-adaf-4e2a-84d6-ab2649e08a13", "Privileged Authentication Administrator", "Can access to view, set and reset authentication method information for any user (admin or non-admin).", true,
		[]string{"microsoft.directory/users/authenticationMethods/create", "microsoft.directory/users/authenticationMethods/delete", "microsoft.directory/users/authenticationMethods/standard/read", "microsoft.directory/users/invalidateAllRefreshTokens", "microsoft.directory/users/password/update"}},
	{"194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator", "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.", true,
		[]string{"microsoft.directory/auditLogs/allProperties/read", "microsoft.directory/conditionalAccessPolicies/create", "microsoft.directory/identityProtection/allProperties/allTasks", "microsoft.directory/namedLocations/create", "microsoft.directory/signInReports/allProperties/read"}},
	{"fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator", "Can manage all aspects of users and groups, including resetting passwords for limited admins.", true,
		[]string{"microsoft.directory/groups/create", "microsoft.directory/users/assignLicense", "microsoft.directory/users/create", "microsoft.directory/users/delete", "microsoft.directory/users/password/update"}},
	{"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "Application Administrator", "Can create and manage all aspects of app registrations and enterprise apps.", true,
		[]string{"microsoft.directory/applications/create", "microsoft.directory/applications/credentials/update", "microsoft.directory/servicePrincipals/create", "microsoft.directory/servicePrincipals/credentials/update"}},
	{"158c047a-c907-4556-b7ef-446551a6b5f7", "Cloud Application Administrator", "Can create and manage all aspects of app registrations and enterprise apps except App Proxy.", true,
		[]string{"microsoft.directory/applications/create", "microsoft.directory/applications/credentials/update", "microsoft.directory/servicePrincipals/create", "microsoft.directory/servicePrincipals/credentials/update"}},
	{"b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", "Conditional Access Administrator", "Can manage Conditional Access capabilities.", true,
		[]string{"microsoft.directory/conditionalAccessPolicies/create", "microsoft.directory/conditionalAccessPolicies/delete", "microsoft.directory/conditionalAccessPolicies/standard/read", "microsoft.directory/namedLocations/create"}},
	{"29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator", "Can manage all aspects of the Exchange product.", false,
		[]string{"microsoft.directory/groups.unified/create", "microsoft.office365.exchange/allEntities/basic/allTasks", "microsoft.office365.serviceHealth/allEntities/allTasks"}},
	{"f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "SharePoint Administrator", "Can manage all aspects of the SharePoint service.", false,
		[]string{"microsoft.directory/groups.unified/create", "microsoft.office365.sharePoint/allEntities/allTasks", "microsoft.office365.serviceHealth/allEntities/allTasks"}},
	{"3a2c62db-5318-420d-8d74-23affee5d9d5", "Intune Administrator", "Can manage all aspects of the Intune product.", true,
		[]string{"microsoft.directory/devices/basic/update", "microsoft.directory/groups/create", "microsoft.intune/allEntities/allTasks"}},
	{"c4e39bd9-1100-46d3-8c65-fb160da0071f", "Authentication Administrator", "Can access to view, set and reset authentication method information for any non-admin user.", true,
		[]string{"microsoft.directory/users/authenticationMethods/create", "microsoft.directory/users/authenticationMethods/delete", "microsoft.directory/users/authenticationMethods/standard/read", "microsoft.directory/users/password/update"}},
	{"729827e3-9c14-49f7-bb1b-9608f156bbb8", "Helpdesk Administrator", "Can reset passwords for non-administrators and Helpdesk Administrators.", true,
		[]string{"microsoft.directory/users/bitLockerRecoveryKeys/read", "microsoft.directory/users/invalidateAllRefreshTokens", "microsoft.directory/users/password/update", "microsoft.office365.supportTickets/allEntities/allTasks"}},
	{"b0f54661-2d74-4c50-afa3-1ec803f12efe", "Billing Administrator", "Can perform common billing related tasks like updating payment information.", false,
		[]string{"microsoft.commerce.billing/allEntities/allTasks", "microsoft.directory/organization/basic/update", "microsoft.office365.supportTickets/allEntities/allTasks"}},
	{"f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader", "Can read everything that a Global Administrator can, but not update anything.", true,
		[]string{"microsoft.directory/accessReviews/allProperties/read", "microsoft.directory/auditLogs/allProperties/read", "microsoft.directory/roleAssignments/standard/read", "microsoft.directory/users/standard/read"}},
	{"8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2", "Hybrid Identity Administrator", "Manage Active Directory to Microsoft Entra cloud provisioning, Microsoft Entra Connect, pass-through authentication (PTA), password hash synchronization (PHS), seamless single sign-on (seamless SSO), and federation settings. Does not have access to manage Microsoft Entra Connect Health.", true,
		[]string{"microsoft.directory/cloudProvisioning/allProperties/allTasks", "microsoft.directory/domains/federation/update", "microsoft.directory/onPremisesSynchronization/standard/read"}},
	{"8329153b-31d0-4727-b945-745eb3bc5f31", "Domain Name Administrator", "Can manage domain names in cloud and on-premises.", true,
		[]string{"microsoft.directory/domains/allProperties/allTasks", "microsoft.office365.serviceHealth/allEntities/allTasks"}},
	{"e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8", "Partner Tier2 Support", "Do not use - not intended for general use.", true,
		[]string{"microsoft.directory/users/password/update", "microsoft.directory/users/delete", "microsoft.directory/groups/create"}},
	{"4ba39ca4-527c-499a-b93d-d9b492c50246", "Partner Tier1 Support", "Do not use - not intended for general use.", true,
		[]string{"microsoft.directory/users/password/update", "microsoft.directory/groups/members/update"}},
	{"5f2222b1-57c3-48ba-8ad5-d4759f1fde6f", "Security Operator", "Creates and manages security events.", true,
		[]string{"microsoft.directory/auditLogs/allProperties/read", "microsoft.directory/identityProtection/allProperties/read", "microsoft.security/allEntities/allProperties/allTasks"}},
	{"5d6b6bb7-de71-4623-b4af-96380a352509", "Security Reader", "Can read security information and reports in Microsoft Entra ID and Office 365.", true,
		[]string{"microsoft.directory/auditLogs/allProperties/read", "microsoft.directory/identityProtection/allProperties/read", "microsoft.directory/signInReports/allProperties/read"}},
	{"9360feb5-f418-4baa-8175-e2a00bac4301", "Directory Writers", "Can read and write basic directory information. For granting access to applications, not intended for users.", true,
		[]string{"microsoft.directory/groups/create", "microsoft.directory/users/create", "microsoft.directory/users/basic/update"}},
	{"88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Directory Readers", "Can read basic directory information. Commonly used to grant directory read access to applications and guests.", false,
		[]string{"microsoft.directory/groups/standard/read", "microsoft.directory/users/standard/read", "microsoft.directory/servicePrincipals/standard/read"}},
	{"0526716b-113d-4c15-b2c8-68e3c22b9f80", "Authentication Policy Administrator", "Can create and manage the authentication methods policy, tenant-wide MFA settings, password protection policy, and verifiable credentials.", false,
		[]string{"microsoft.directory/organization/strongAuthentication/allTasks", "microsoft.directory/userCredentialPolicies/create"}},
	{"69091246-20e8-4a56-aa4d-066075b2a7a8", "Teams Administrator", "Can manage the Microsoft Teams service.", false,
		[]string{"microsoft.directory/groups.unified/create", "microsoft.teams/allEntities/allProperties/allTasks"}},
	{"966707d0-3269-4727-9be2-8c3a10f19b9d", "Password Administrator", "Can reset passwords for non-administrators and Password Administrators.", true,
		[]string{"microsoft.directory/users/password/update"}},
	{"7698a772-787b-4ac8-901f-60d6b08affd2", "Cloud Device Administrator", "Limited access to manage devices in Microsoft Entra ID.", true,
		[]string{"microsoft.directory/devices/delete", "microsoft.directory/devices/disable", "microsoft.directory/devices/enable"}},
	{"cf1c38e5-3621-4004-a7cb-879624dced7c", "Application Developer", "Can create application registrations independent of the 'Users can register applications' setting.", true,
		[]string{"microsoft.directory/applications/createAsOwner", "microsoft.directory/servicePrincipals/createAsOwner"}},
	{"be2f45a1-457d-42af-a067-6ec1fa63bc45", "External Identity Provider Administrator", "Can configure identity providers for use in direct federation.", true,
		[]string{"microsoft.directory/domains/federation/update", "microsoft.directory/identityProviders/allProperties/allTasks"}},
	{"aaf43236-0c0d-4d5f-883a-6955382ac081", "B2C IEF Keyset Administrator", "Can manage secrets for federation and encryption in the Identity Experience Framework (IEF).", true,
		[]string{"microsoft.directory/b2cTrustFrameworkKeySet/allProperties/allTasks"}},
	{"25a516ed-2fa0-40ea-a2d0-12923a21473a", "Authentication Extensibility Administrator", "Customize sign in and sign up experiences for users by creating and managing custom authentication extensions.", true,
		[]string{"microsoft.directory/customAuthenticationExtensions/allProperties/allTasks"}},
	{"59d46f88-662b-457b-bceb-5c3809e5908f", "Lifecycle Workflows Administrator", "Create and manage all aspects of workflows and tasks associated with Lifecycle Workflows in Microsoft Entra ID.", true,
		[]string{"microsoft.directory/lifecycleWorkflows/workflows/allProperties/allTasks"}},
	{"fdd7a751-b60b-444a-984c-02652fe8fa1c", "Groups Administrator", "Members of this role can create/manage groups, create/manage groups settings like naming and expiration policies, and view groups activity and audit reports.", false,
		[]string{"microsoft.directory/groups/create", "microsoft.directory/groups/delete", "microsoft.directory/groups/members/update"}},
	{"d29b2b05-8046-44ba-8758-1e26182fcf32", "Directory Synchronization Accounts", "Only used by Microsoft Entra Connect service.", false,
		[]string{"microsoft.directory/onPremisesSynchronization/standard/read", "microsoft.directory/users/create"}},
	{"4a5d8f65-41da-4de4-8968-e035b65339cf", "Reports Reader", "Can read sign-in and audit reports.", false,
		[]string{"microsoft.directory/auditLogs/allProperties/read", "microsoft.directory/signInReports/allProperties/read"}},
	{"45d8d3c5-c802-45c6-b32a-1d70b5e1e86e", "Identity Governance Administrator", "Manage access using Microsoft Entra ID for identity governance scenarios.", false,
		[]string{"microsoft.directory/accessReviews/definitions/allProperties/allTasks", "microsoft.directory/entitlementManagement/allProperties/allTasks"}},
	{"4d6ac14f-3453-41d0-bef9-a3e0c569773a", "License Administrator", "Can manage product licenses on users and groups.", false,
		[]string{"microsoft.directory/users/assignLicense", "microsoft.directory/groups/assignLicense"}},
}

// Template ids of the roles tests and fixtures use most.
const (
	GlobalAdministratorRoleID         = "62e90394-69f5-4237-9190-012177145e10"
	PrivilegedRoleAdministratorRoleID = "e8611ab8-c189-46e8-94e1-60213ab1f814"
	UserAdministratorRoleID           = "fe930be7-5e62-47db-91af-98c3a49a38b1"
)

// builtInRoleDefinitions renders the table as unifiedRoleDefinition JSON; isPrivileged is stored but not served.
func builtInRoleDefinitions() []map[string]any {
	out := make([]map[string]any, 0, len(builtInRoles))
	for _, role := range builtInRoles {
		actions := make([]any, len(role.actions))
		for i, a := range role.actions {
			actions[i] = a
		}
		out = append(out, map[string]any{
			"id": role.id, "templateId": role.id, "displayName": role.name, "description": role.description,
			"isBuiltIn": true, "isEnabled": true, "version": "1", "resourceScopes": []any{"/"},
			"rolePermissions": []any{map[string]any{"allowedResourceActions": actions, "condition": nil}},
			"isPrivileged":    role.privileged,
		})
	}
	return out
}

// Default PIM policy rules. Every Microsoft Entra role gets its own DirectoryRole policy with these 17 rules, as
// the v1.0 "Get unifiedRoleManagementPolicy" example with $expand=rules shows them for a tenant whose settings
// were never changed (microsoft-graph-docs-contrib api-reference/v1.0/api/unifiedrolemanagementpolicy-get.md):
// eligible assignments may be permanent (Expiration_Admin_Eligibility: not required, P365D), active assignments
// may be permanent (Expiration_Admin_Assignment: isExpirationRequired false, maximumDuration P180D), activation
// lasts at most 8 hours and needs MFA and a justification, and an admin's active assignment needs a justification.
//
// That default is what lets a permanent active Global Administrator assignment succeed out of the box, which is
// what Microsoft recommends for emergency access accounts. Many real tenants have since switched
// Expiration_Admin_Assignment to isExpirationRequired=true ("Allow permanent active assignment" off); tests get
// that with a PATCH of the rule, and then a noExpiration request fails with ExpirationRule.
func defaultPolicyRules() []map[string]any {
	target := func(caller, level string) map[string]any {
		return map[string]any{
			"caller": caller, "operations": []any{"all"}, "level": level,
			"inheritableSettings": []any{}, "enforcedSettings": []any{},
		}
	}
	expiration := func(id string, required bool, maximum, caller, level string) map[string]any {
		return map[string]any{
			"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "id": id,
			"isExpirationRequired": required, "maximumDuration": maximum, "target": target(caller, level),
		}
	}
	enablement := func(id string, rules []any, caller, level string) map[string]any {
		return map[string]any{
			"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule", "id": id,
			"enabledRules": rules, "target": target(caller, level),
		}
	}
	notification := func(recipient, caller, level string) map[string]any {
		return map[string]any{
			"@odata.type":      "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule",
			"id":               "Notification_" + recipient + "_" + caller + "_" + level,
			"notificationType": "Email", "recipientType": recipient, "notificationLevel": "All",
			"isDefaultRecipientsEnabled": true, "notificationRecipients": []any{}, "target": target(caller, level),
		}
	}
	return []map[string]any{
		expiration("Expiration_Admin_Eligibility", false, "P365D", "Admin", "Eligibility"),
		enablement("Enablement_Admin_Eligibility", []any{}, "Admin", "Eligibility"),
		notification("Admin", "Admin", "Eligibility"),
		notification("Requestor", "Admin", "Eligibility"),
		notification("Approver", "Admin", "Eligibility"),
		expiration("Expiration_Admin_Assignment", false, "P180D", "Admin", "Assignment"),
		enablement("Enablement_Admin_Assignment", []any{"Justification"}, "Admin", "Assignment"),
		notification("Admin", "Admin", "Assignment"),
		notification("Requestor", "Admin", "Assignment"),
		notification("Approver", "Admin", "Assignment"),
		expiration("Expiration_EndUser_Assignment", true, "PT8H", "EndUser", "Assignment"),
		enablement("Enablement_EndUser_Assignment", []any{"MultiFactorAuthentication", "Justification"}, "EndUser", "Assignment"),
		{
			"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule", "id": "Approval_EndUser_Assignment",
			"target": target("EndUser", "Assignment"),
			"setting": map[string]any{
				"isApprovalRequired": false, "isApprovalRequiredForExtension": false, "isRequestorJustificationRequired": true,
				"approvalMode": "SingleStage",
				"approvalStages": []any{map[string]any{
					"approvalStageTimeOutInDays": 1, "isApproverJustificationRequired": true, "escalationTimeInMinutes": 0,
					"isEscalationEnabled": false, "primaryApprovers": []any{}, "escalationApprovers": []any{},
				}},
			},
		},
		{
			"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule",
			"id":          "AuthenticationContext_EndUser_Assignment", "isEnabled": false, "claimValue": nil,
			"target": target("EndUser", "Assignment"),
		},
		notification("Admin", "EndUser", "Assignment"),
		notification("Requestor", "EndUser", "Assignment"),
		notification("Approver", "EndUser", "Assignment"),
	}
}

// fixtureGlobalAdminSince is when the synced fixture admin got Global Administrator, outside PIM.
var fixtureGlobalAdminSince = time.Date(2019, 3, 14, 9, 30, 0, 0, time.UTC)
