package tenantsim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"time"
)

// Well-known identifiers of Microsoft's own applications. The appId and the publishing tenant are the same in
// every tenant; the service principal's object id differs per tenant, so the simulator fixes one.
const (
	// MicrosoftGraphAppID is the appId of the Microsoft Graph resource application.
	MicrosoftGraphAppID = "00000003-0000-0000-c000-000000000000"
	// MicrosoftTenantID is the appOwnerOrganizationId of Microsoft's first-party applications.
	MicrosoftTenantID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
	// MicrosoftGraphServicePrincipalID is the object id of the Microsoft Graph service principal in the simulated
	// tenant: the resourceId of every Graph application permission grant.
	MicrosoftGraphServicePrincipalID = "01b4d10e-e90a-45ec-a13b-d8af661d04a2"
	// MicrosoftIntuneAppID is the appId of Microsoft Intune, a first-party application (audit fixture).
	MicrosoftIntuneAppID = "0000000a-0000-0000-c000-000000000000"
)

// graphAppRole is one application permission (appRole) of the Microsoft Graph service principal.
type graphAppRole struct{ id, value, displayName, description string }

// graphAppRoles is the subset of Microsoft Graph's application permissions the simulator serves: every
// permission its routes check plus the ones audits rank. Ids and values are the real ones, as the Microsoft Graph
// service principal's appRoles list them in every tenant (cross-checked between a 2022 dump of the service
// principal's appRoles, the permissions reference's "All permissions and IDs" table and live-tenant role maps in
// public scripts; e.g. 9e3f62cf-... RoleManagement.ReadWrite.Directory, 19dbc75e-... Directory.ReadWrite.All).
// Display strings and descriptions are the service principal's, shortened where Microsoft's text is long. The real
// service principal has several hundred more roles; a grant of an unlisted role value is kept in the token but has
// no appRoleAssignment here.
var graphAppRoles = []graphAppRole{
	{"9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8", "RoleManagement.ReadWrite.Directory", "Read and write all directory RBAC settings", "Allows the app to read and manage the role-based access control (RBAC) settings for your company's directory, without a signed-in user. This includes instantiating directory roles and managing directory role membership, and reading directory role templates, directory roles and memberships."},
	{"483bed4a-2ad3-4361-a73b-c83ccdbdc53c", "RoleManagement.Read.Directory", "Read all directory RBAC settings", "Allows the app to read the role-based access control (RBAC) settings for your company's directory, without a signed-in user. This includes reading directory role templates, directory roles and memberships."},
	{"c7fbd983-d9aa-4fa7-84b8-17382c103bc4", "RoleManagement.Read.All", "Read role management data for all RBAC providers", "Allows the app to read role-based access control (RBAC) settings for all RBAC providers without a signed-in user. This includes reading role definitions and role assignments."},
	{"dd199f4a-f148-40a4-a2ec-f0069cc799ec", "RoleAssignmentSchedule.ReadWrite.Directory", "Read, update, and delete all active role assignments for your company's directory", "Allows the app to read and manage the active role-based access control (RBAC) assignments for your company's directory, without a signed-in user. This includes managing active directory role membership, and reading directory role templates, directory roles and active memberships."},
	{"d5fe8ce8-684c-4c83-a52c-46e882ce4be1", "RoleAssignmentSchedule.Read.Directory", "Read all active role assignments for your company's directory", "Allows the app to read the active role-based access control (RBAC) assignments for your company's directory, without a signed-in user. This includes reading directory role templates, and directory roles."},
	{"d3495511-98b7-4df3-b317-4e35c19f6129", "RoleAssignmentSchedule.Remove.Directory", "Delete all active role assignments of your company's directory", "Allows the app to delete active privileged role-based access control (RBAC) assignments of your company's directory, without a signed-in user."},
	{"fee28b28-e1f3-4841-818e-2704dc62245f", "RoleEligibilitySchedule.ReadWrite.Directory", "Read, update, and delete all eligible role assignments and schedules for your company's directory", "Allows the app to read and manage the eligible role-based access control (RBAC) assignments and schedules for your company's directory, without a signed-in user. This includes managing eligible directory role membership, and reading directory role templates, directory roles and eligible memberships."},
	{"ff278e11-4a33-4d0c-83d2-d01dc58929a5", "RoleEligibilitySchedule.Read.Directory", "Read all eligible role assignments and role schedules for your company's directory", "Allows the app to read the eligible role-based access control (RBAC) assignments and schedules for your company's directory, without a signed-in user. This includes reading directory role templates, and directory roles."},
	{"79c7e69c-0d9f-4eff-97a8-49170a5a08ba", "RoleEligibilitySchedule.Remove.Directory", "Delete all eligible role assignments of your company's directory", "Allows the app to delete eligible privileged role-based access control (RBAC) assignments of your company's directory, without a signed-in user."},
	{"31e08e0a-d3f7-4ca2-ac39-7343fb83e8ad", "RoleManagementPolicy.ReadWrite.Directory", "Read, update, and delete all policies for privileged role assignments of your company's directory", "Allows the app to read, update, and delete policies for privileged role-based access control (RBAC) assignments of your company's directory, without a signed-in user."},
	{"fdc4c997-9942-4479-bfcb-75a36d1138df", "RoleManagementPolicy.Read.Directory", "Read all policies for privileged role assignments of your company's directory", "Allows the app to read policies for privileged role-based access control (RBAC) assignments of your company's directory, without a signed-in user."},
	{"06b708a9-e830-4db3-a914-8e69da51d44f", "AppRoleAssignment.ReadWrite.All", "Manage app permission grants and app role assignments", "Allows the app to manage permission grants for application permissions to any API (including Microsoft Graph) and application assignments for any app, without a signed-in user."},
	{"1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9", "Application.ReadWrite.All", "Read and write all applications", "Allows the app to create, read, update and delete applications and service principals without a signed-in user. Does not allow management of consent grants."},
	{"18a4783c-866b-4cc7-a460-3d5e5662c884", "Application.ReadWrite.OwnedBy", "Manage apps that this app creates or owns", "Allows the app to create other applications, and fully manage those applications (read, update, update application secrets and delete), without a signed-in user. It cannot update any apps that it is not an owner of."},
	{"9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30", "Application.Read.All", "Read all applications", "Allows the app to read all applications and service principals without a signed-in user."},
	{"19dbc75e-c2e2-444c-a770-ec69d8559fc7", "Directory.ReadWrite.All", "Read and write directory data", "Allows the app to read and write data in your organization's directory, such as users, and groups, without a signed-in user. Does not allow user or group deletion."},
	{"7ab1d382-f21e-4acd-a863-ba3e13f7da61", "Directory.Read.All", "Read directory data", "Allows the app to read data in your organization's directory, such as users, groups and apps, without a signed-in user."},
	{"854d9ab1-6657-4ec8-be45-823027bcd009", "PrivilegedAccess.ReadWrite.AzureAD", "Read and write privileged access to Azure AD roles", "Allows the app to request and manage time-based assignment and just-in-time elevation (including scheduled elevation) of Azure AD built-in and custom administrative roles in your organization, without a signed-in user."},
	{"4cdc2547-9148-4295-8d11-be0db1391d6b", "PrivilegedAccess.Read.AzureAD", "Read privileged access to Azure AD roles", "Allows the app to read time-based assignment and just-in-time elevation (including scheduled elevation) of Azure AD built-in and custom administrative roles in your organization, without a signed-in user."},
	{"2f6817f8-7b12-4f0f-bc18-eeaf60705a9e", "PrivilegedAccess.ReadWrite.AzureADGroup", "Read and write privileged access to Azure AD groups", "Allows the app to request and manage time-based assignment and just-in-time elevation (including scheduled elevation) of Azure AD groups in your organization, without a signed-in user."},
	{"6f9d5abc-2db6-400b-a267-7de22a40fb87", "PrivilegedAccess.ReadWrite.AzureResources", "Read and write privileged access to Azure resources", "Allows the app to request and manage time-based assignment and just-in-time elevation of Azure resources (like your subscriptions, resource groups, storage, compute) in your organization, without a signed-in user."},
	{"5eb59dd3-1da2-4329-8733-9dabdc435916", "AdministrativeUnit.ReadWrite.All", "Read and write all administrative units", "Allows the app to create, read, update, and delete administrative units and manage administrative unit membership without a signed-in user."},
	{"134fd756-38ce-4afd-ba33-e9623dbe66c2", "AdministrativeUnit.Read.All", "Read all administrative units", "Allows the app to read administrative units and administrative unit membership without a signed-in user."},
	{"29c18626-4985-4dcd-85c0-193eef327366", "Policy.ReadWrite.AuthenticationMethod", "Read and write all authentication method policies", "Allows the app to read and write all authentication method policies for the tenant, without a signed-in user."},
	{"01c0a623-fc9b-48e9-b794-0756f8e8f067", "Policy.ReadWrite.ConditionalAccess", "Read and write your organization's conditional access policies", "Allows the app to read and write your organization's conditional access policies, without a signed-in user."},
	{"a402ca1c-2696-4531-972d-6e5ee4aa11ea", "Policy.ReadWrite.PermissionGrant", "Manage consent and permission grant policies", "Allows the app to manage policies related to consent and permission grants for applications, without a signed-in user."},
	{"25f85f3c-f66c-4205-8cd5-de92dd7f0cec", "Policy.ReadWrite.AuthenticationFlows", "Read and write authentication flow policies", "Allows the app to read and write all authentication flow policies for the tenant, without a signed-in user."},
	{"fb221be6-99f2-473f-bd32-01c6a0e9ca3b", "Policy.ReadWrite.Authorization", "Read and write your organization's authorization policy", "Allows the app to read and write your organization's authorization policy without a signed in user. For example, authorization policies can control some of the permissions that the out-of-the-box user role has by default."},
	{"246dd0d5-5bd0-4def-940b-0421030a5b68", "Policy.Read.All", "Read your organization's policies", "Allows the app to read all your organization's policies without a signed in user."},
	{"37730810-e9ba-4e46-b07e-8ca78d182097", "Policy.Read.ConditionalAccess", "Read your organization's conditional access policies", "Allows the app to read your organization's conditional access policies, without a signed-in user."},
	{"50483e42-d915-4231-9639-7fdb7fd190e5", "UserAuthenticationMethod.ReadWrite.All", "Read and write all users' authentication methods", "Allows the application to read and write authentication methods of all users in your organization, without a signed-in user. Authentication methods include things like a user's phone numbers and Authenticator app settings. This does not allow the app to see secret information like passwords, or to sign-in or otherwise use the authentication methods."},
	{"38d9df27-64da-44fd-b7c5-a6fbac20248f", "UserAuthenticationMethod.Read.All", "Read all users' authentication methods", "Allows the app to read authentication methods of all users in your organization, without a signed-in user. Authentication methods include things like a user's phone numbers and Authenticator app settings. This does not allow the app to see secret information like passwords, or to sign-in or otherwise use the authentication methods."},
	{"741f803b-c850-494e-b5df-cde7c675a1ca", "User.ReadWrite.All", "Read and write all users' full profiles", "Allows the app to read and update user profiles without a signed in user."},
	{"df021288-bdef-4463-88db-98f22de89214", "User.Read.All", "Read all users' full profiles", "Allows the app to read user profiles without a signed in user."},
	{"eccc023d-eccf-4e7b-9683-8813ab36cecc", "User.DeleteRestore.All", "Delete and restore all users", "Allows the app to delete and restore all users, without a signed-in user."},
	{"62a82d76-70ea-41e2-9197-370581804d09", "Group.ReadWrite.All", "Read and write all groups", "Allows the app to create groups, read all group properties and memberships, update group properties and memberships, and delete groups. Also allows the app to read and write group calendar and conversations. All of these operations can be performed by the app without a signed-in user."},
	{"5b567255-7703-4780-807c-7be8301ae99b", "Group.Read.All", "Read all groups", "Allows the app to read group properties and memberships, and read the calendar and conversations for all groups, without a signed-in user."},
	{"dbaae8cf-10b5-4b86-a4a1-f871c94c6695", "GroupMember.ReadWrite.All", "Read and write all group memberships", "Allows the app to list groups, read basic properties, read and update the membership of the groups this app has access to without a signed-in user. Group properties and owners cannot be updated and groups cannot be deleted."},
	{"98830695-27a2-44f7-8c18-0c3ebc9698f6", "GroupMember.Read.All", "Read all group memberships", "Allows the app to read memberships and basic group properties for all groups without a signed-in user."},
	{"e2a3a72e-5f79-4c64-b1b1-878b674786c9", "Mail.ReadWrite", "Read and write mail in all mailboxes", "Allows the app to create, read, update, and delete mail in all mailboxes without a signed-in user. Does not include permission to send mail."},
	{"810c84a8-4a9e-49e6-bf7d-12d183f40d01", "Mail.Read", "Read mail in all mailboxes", "Allows the app to read mail in all mailboxes without a signed-in user."},
	{"b633e1c5-b582-4048-a93e-9f11b44c7e96", "Mail.Send", "Send mail as any user", "Allows the app to send mail as any user without a signed-in user."},
	{"75359482-378d-4052-8f01-80520e7db3cd", "Files.ReadWrite.All", "Read and write files in all site collections", "Allows the app to read, create, update and delete all files in all site collections without a signed in user."},
	{"01d4889c-1287-42c6-ac1f-5d1e02578ef6", "Files.Read.All", "Read files in all site collections", "Allows the app to read all files in all site collections without a signed in user."},
	{"a82116e5-55eb-4c41-a434-62fe8a61c773", "Sites.FullControl.All", "Have full control of all site collections", "Allows the app to have full control of all site collections without a signed in user."},
	{"9492366f-7969-46a4-8d15-ed1a20078fff", "Sites.ReadWrite.All", "Read and write items in all site collections", "Allows the app to create, read, update, and delete documents and list items in all site collections without a signed in user."},
	{"332a536c-c7ef-4017-ab91-336970924f0d", "Sites.Read.All", "Read items in all site collections", "Allows the app to read documents and list items in all site collections without a signed in user."},
	{"7e05723c-0bb0-42da-be95-ae9f08a6e53c", "Domain.ReadWrite.All", "Read and write domains", "Allows the app to read and write all domain properties without a signed in user. Also allows the app to add, verify and remove domains."},
	{"dbb9058a-0e50-45d7-ae91-66909b5d4664", "Domain.Read.All", "Read domains", "Allows the app to read all domain properties without a signed-in user."},
	{"292d869f-3427-49a8-9dab-8c70152b74e9", "Organization.ReadWrite.All", "Read and write organization information", "Allows the app to read and write the organization and related resources, without a signed-in user. Related resources include things like subscribed skus and tenant branding information."},
	{"498476ce-e0fe-48b0-b801-37ba7e2685c6", "Organization.Read.All", "Read organization information", "Allows the app to read the organization and related resources, without a signed-in user. Related resources include things like subscribed skus and tenant branding information."},
	{"b0afded3-3588-46d8-8b3d-9842eff778da", "AuditLog.Read.All", "Read all audit log data", "Allows the app to read and query your audit log activities, without a signed-in user."},
	{"8e8e4742-1d95-4f68-9d56-6ee75648c72a", "DelegatedPermissionGrant.ReadWrite.All", "Manage all delegated permission grants", "Allows the app to manage permission grants for delegated permissions exposed by any API (including Microsoft Graph), without a signed-in user."},
}

var (
	graphAppRoleByValue = map[string]graphAppRole{}
	graphAppRoleByID    = map[string]graphAppRole{}
)

func init() {
	for _, role := range graphAppRoles {
		graphAppRoleByValue[strings.ToLower(role.value)] = role
		graphAppRoleByID[role.id] = role
	}
}

// GraphAppRoleID returns the id of a Microsoft Graph application permission by its value, e.g.
// "RoleManagement.ReadWrite.Directory"; ok is false for a permission the simulator does not serve.
func GraphAppRoleID(value string) (string, bool) {
	role, ok := graphAppRoleByValue[strings.ToLower(value)]
	return role.id, ok
}

// GraphAppRoleIDs returns every Microsoft Graph application permission the simulator serves, value -> id.
func GraphAppRoleIDs() map[string]string {
	out := make(map[string]string, len(graphAppRoles))
	for _, role := range graphAppRoles {
		out[role.value] = role.id
	}
	return out
}

func (r graphAppRole) json() map[string]any {
	return map[string]any{
		"allowedMemberTypes": []any{"Application"}, "description": r.description, "displayName": r.displayName,
		"id": r.id, "isEnabled": true, "origin": "Application", "value": r.value,
	}
}

func graphAppRolesJSON() []any {
	out := make([]any, len(graphAppRoles))
	for i, role := range graphAppRoles {
		out[i] = role.json()
	}
	return out
}

// microsoftGraphServicePrincipal is the Microsoft Graph service principal as every tenant holds it.
func microsoftGraphServicePrincipal() map[string]any {
	sp := newServicePrincipalData(MicrosoftGraphServicePrincipalID, MicrosoftGraphAppID, "Microsoft Graph", MicrosoftTenantID)
	sp["appRoles"] = graphAppRolesJSON()
	sp["signInAudience"] = "AzureADMultipleOrgs"
	sp["servicePrincipalNames"] = []any{
		"https://canary.graph.microsoft.com/", "https://graph.microsoft.us/", "https://dod-graph.microsoft.us/",
		MicrosoftGraphAppID + "/ags.windows.net", MicrosoftGraphAppID, "https://canary.graph.microsoft.com",
		"https://graph.microsoft.com", "https://ags.windows.net", "https://graph.microsoft.us",
		"https://graph.microsoft.com/", "https://dod-graph.microsoft.us",
	}
	return sp
}

// ---- audit fixtures (AddAuditFixtures) ----

// Audit fixtures: what the breakglass_role_assignments, breakglass_privileged_applications and breakglass_posture
// data sources look for. They exist only after Server.AddAuditFixtures (or "audit_fixtures": true in the seed
// file, or tenantsim --audit-fixtures), because they add role assignments and users that the default tenant's
// count-based tests and acceptance tests do not expect.
const (
	// FixtureTier0GroupID is "Tier0 Admins", a role-assignable security group holding Privileged Authentication
	// Administrator (active, permanent, assigned through PIM), with one member, FixtureTier0MemberID.
	FixtureTier0GroupID = "d3462df1-32af-4cf6-85d7-43ba959b48e3"
	// FixtureTier0MemberID is isaiah.langer@contoso.com, member of Tier0 Admins: its role shows in
	// roleAssignmentScheduleInstances with memberType "Group".
	FixtureTier0MemberID = "2bbf7300-cb73-4d96-9d75-e33a26113ea0"
	// FixtureTier0AssignmentRequestID is the PIM request (and schedule id) of the group's assignment.
	FixtureTier0AssignmentRequestID = "9151a7e1-ede7-4c0b-aad4-8284e9b982df"

	// FixtureHRSyncAppID is "Contoso HR Sync": User.ReadWrite.All (tier 1) and one expired client secret.
	FixtureHRSyncAppID              = "e5375037-b4b9-41bb-82bf-76bf4ac248f6"
	FixtureHRSyncApplicationID      = "b23db258-9833-4963-9649-5d994a039538" // its application object
	FixtureHRSyncServicePrincipalID = "2e2c6c9b-2307-4b40-a2b1-23ad9abb08f5"
	FixtureHRSyncSecretKeyID        = "d4024c03-9093-4a47-80b9-97f91863abd7" // the expired passwordCredential

	// FixtureLegacyAutomationAppID is "Legacy Automation": RoleManagement.ReadWrite.Directory and
	// Directory.ReadWrite.All (tier 0), an active certificate and one owner, FixtureLegacyAutomationOwnerID.
	FixtureLegacyAutomationAppID              = "4eb3687f-5428-423f-880e-cd62fda18511"
	FixtureLegacyAutomationApplicationID      = "0bbbd832-c697-4164-a395-fa66ac6f7e13"
	FixtureLegacyAutomationServicePrincipalID = "fbdde25f-e284-4ec5-a3fa-b27c5c485e91"
	FixtureLegacyAutomationCertKeyID          = "fd32f1a6-509f-4384-b478-ac605cece5cf"
	// FixtureLegacyAutomationOwnerID is lee.gu@contoso.com, owner of Legacy Automation's application and service
	// principal.
	FixtureLegacyAutomationOwnerID = "11007846-dcb4-4deb-b6a3-4afb5607aac6"

	// FixtureIntuneServicePrincipalID is Microsoft Intune's service principal (first party, appOwnerOrganizationId
	// MicrosoftTenantID), holding Intune Administrator through a direct roleAssignment.
	FixtureIntuneServicePrincipalID = "81b3e33c-21f3-40c4-bed6-984239272350"

	// FixtureBridgeAppID is "Fabrikam Identity Bridge", a multi-tenant app published by another tenant
	// (FixtureFabrikamTenantID): only its service principal lives here. It holds Privileged Role Administrator
	// through a direct roleAssignment made outside PIM, years ago.
	FixtureBridgeAppID              = "68653d29-0b71-4ecc-abca-a562bc65c45d"
	FixtureBridgeServicePrincipalID = "7f025bb9-3e17-46f5-9e5a-d364dd1ae571"
	FixtureFabrikamTenantID         = "c026cebe-7dd3-4a56-b54e-16c9f4084fcd"

	// IntuneAdministratorRoleID and PrivilegedAuthenticationAdministratorRoleID are built-in role template ids
	// the audit fixtures use.
	IntuneAdministratorRoleID                   = "3a2c62db-5318-420d-8d74-23affee5d9d5"
	PrivilegedAuthenticationAdministratorRoleID = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"
)

// Fixed dates of the audit fixtures, so that answers are reproducible.
var (
	fixtureHRSyncCreated       = time.Date(2021, 4, 12, 9, 15, 0, 0, time.UTC)
	fixtureHRSyncSecretEnd     = time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC) // expired
	fixtureLegacyCreated       = time.Date(2018, 11, 5, 14, 2, 0, 0, time.UTC)
	fixtureLegacyCertStart     = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	fixtureLegacyCertEnd       = time.Date(2030, 6, 30, 0, 0, 0, 0, time.UTC) // active
	fixtureBridgeRoleSince     = time.Date(2020, 2, 3, 11, 40, 0, 0, time.UTC)
	fixtureIntuneRoleSince     = time.Date(2019, 3, 12, 8, 45, 0, 0, time.UTC)
	fixtureTier0AssignedAt     = time.Date(2024, 9, 2, 13, 20, 0, 0, time.UTC)
	fixtureMainSecretStart     = time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)
	fixtureMainSecretEnd       = time.Date(2030, 1, 15, 0, 0, 0, 0, time.UTC)
	fixtureAppRoleGrantCreated = time.Date(2025, 1, 15, 0, 5, 0, 0, time.UTC)
)

// auditFixtureUsers are the two users the audit fixtures add, in seed format.
func auditFixtureUsers() []map[string]any {
	return []map[string]any{
		{
			"id": FixtureTier0MemberID, "displayName": "Isaiah Langer", "givenName": "Isaiah", "surname": "Langer",
			"userPrincipalName": "isaiah.langer@contoso.com", "mailNickname": "isaiah.langer", "mail": "isaiah.langer@contoso.com",
			"accountEnabled": true, "jobTitle": "Identity Engineer", "department": "IT", "usageLocation": "US",
			"createdDateTime": "2022-05-09T08:00:00Z", "password": FixturePassword,
		},
		{
			"id": FixtureLegacyAutomationOwnerID, "displayName": "Lee Gu", "givenName": "Lee", "surname": "Gu",
			"userPrincipalName": "lee.gu@contoso.com", "mailNickname": "lee.gu", "mail": "lee.gu@contoso.com",
			"accountEnabled": true, "jobTitle": "Automation Engineer", "department": "IT", "usageLocation": "US",
			"createdDateTime": "2018-10-22T10:30:00Z", "password": FixturePassword,
		},
	}
}

// auditCertificate makes the self-signed certificate of Legacy Automation's key credential (ECDSA P-256, so that it
// is cheap to generate at every start).
func auditCertificate(commonName string, notBefore, notAfter time.Time) (*x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(notBefore.Unix()), Subject: pkix.Name{CommonName: commonName},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// addAuditFixtures loads the audit fixtures once (see the Fixture* constants above). The caller holds the lock.
func (s *Server) addAuditFixtures() error {
	d := s.dir
	if d.fixtures.audit {
		return nil
	}
	for _, u := range auditFixtureUsers() {
		if err := d.seedUser(u); err != nil {
			return err
		}
	}
	graph := d.graphSP()
	grant := func(sp *spRecord, roleValue string, created time.Time) {
		role := graphAppRoleByValue[strings.ToLower(roleValue)]
		id := appRoleAssignmentID(sp.id(), deterministicTail(sp.id(), graph.id(), role.id))
		d.apps.roleGrants.add(newAppRoleAssignment(id, role.id, sp.id(), "ServicePrincipal", sp.displayName(), graph, created))
	}
	directRole := func(principalID, roleID string, since time.Time) {
		g := &roleGrant{kind: activeGrant, principalID: principalID, roleDefinitionID: roleID, directoryScopeID: "/",
			start: since, expirationType: "noExpiration"}
		g.scheduleID = g.key()
		d.rbac.grants = append(d.rbac.grants, g)
	}

	// Tier0 Admins: a role-assignable group holding Privileged Authentication Administrator through PIM.
	if _, err := d.addGroup(Group{
		ID: FixtureTier0GroupID, DisplayName: "Tier0 Admins", Description: "Tier-0 administrators (role-assignable)",
		MailNickname: "tier0-admins", SecurityEnabled: true, IsAssignableToRole: true, Members: []string{FixtureTier0MemberID},
		Created: fixtureTier0AssignedAt.Add(-24 * time.Hour),
	}); err != nil {
		return err
	}
	tier0 := &roleGrant{kind: activeGrant, scheduleID: FixtureTier0AssignmentRequestID, principalID: FixtureTier0GroupID,
		roleDefinitionID: PrivilegedAuthenticationAdministratorRoleID, directoryScopeID: "/",
		createdUsing: FixtureTier0AssignmentRequestID, created: fixtureTier0AssignedAt, start: fixtureTier0AssignedAt,
		expirationType: "noExpiration"}
	d.rbac.grants = append(d.rbac.grants, tier0)
	req := &scheduleRequest{action: "adminAssign", principalID: FixtureTier0GroupID, roleDefinitionID: tier0.roleDefinitionID,
		directoryScopeID: "/", justification: "Tier-0 administrators hold Privileged Authentication Administrator.",
		hasSchedule: true, start: fixtureTier0AssignedAt, expirationType: "noExpiration"}
	d.rbac.requests[activeGrant] = append(d.rbac.requests[activeGrant], s.requestJSON(FixtureTier0AssignmentRequestID, "Provisioned", req,
		tier0.roleDefinitionID, FixtureTier0GroupID, &accessClaims{AppID: mainClientID, IDType: "app"}, fixtureTier0AssignedAt))

	// Contoso HR Sync: a line-of-business app with User.ReadWrite.All and a client secret that expired.
	hr := &applicationRecord{data: newApplicationData(FixtureHRSyncApplicationID, FixtureHRSyncAppID, "Contoso HR Sync", d.initialDomain(), fixtureHRSyncCreated),
		secrets: map[string]*passwordHash{FixtureHRSyncSecretKeyID: hashPassword(newClientSecret())}}
	hr.data["passwordCredentials"] = []any{passwordCredentialJSON(FixtureHRSyncSecretKeyID, "hr-sync-2023", "Hr4",
		fixtureHRSyncSecretEnd.AddDate(-2, 0, 0), fixtureHRSyncSecretEnd)}
	hr.data["requiredResourceAccess"] = []any{map[string]any{"resourceAppId": MicrosoftGraphAppID,
		"resourceAccess": []any{map[string]any{"id": graphAppRoleByValue["user.readwrite.all"].id, "type": "Role"}}}}
	d.insertApplication(hr)
	hrSP := &spRecord{data: newServicePrincipalData(FixtureHRSyncServicePrincipalID, FixtureHRSyncAppID, "Contoso HR Sync", d.tenantID)}
	hrSP.data["tags"] = []any{"WindowsAzureActiveDirectoryIntegratedApp"}
	d.insertServicePrincipal(hrSP)
	grant(hrSP, "User.ReadWrite.All", fixtureHRSyncCreated)

	// Legacy Automation: tier-0 application permissions, an active certificate and an owner.
	cert, err := auditCertificate("legacy-automation.contoso.com", fixtureLegacyCertStart, fixtureLegacyCertEnd)
	if err != nil {
		return err
	}
	legacy := &applicationRecord{data: newApplicationData(FixtureLegacyAutomationApplicationID, FixtureLegacyAutomationAppID, "Legacy Automation", d.initialDomain(), fixtureLegacyCreated),
		secrets: map[string]*passwordHash{}, owners: []string{FixtureLegacyAutomationOwnerID}}
	legacy.data["keyCredentials"] = []any{keyCredentialJSON(FixtureLegacyAutomationCertKeyID, cert)}
	legacy.data["requiredResourceAccess"] = []any{map[string]any{"resourceAppId": MicrosoftGraphAppID, "resourceAccess": []any{
		map[string]any{"id": graphAppRoleByValue["rolemanagement.readwrite.directory"].id, "type": "Role"},
		map[string]any{"id": graphAppRoleByValue["directory.readwrite.all"].id, "type": "Role"},
	}}}
	d.insertApplication(legacy)
	legacySP := &spRecord{data: newServicePrincipalData(FixtureLegacyAutomationServicePrincipalID, FixtureLegacyAutomationAppID, "Legacy Automation", d.tenantID),
		owners: []string{FixtureLegacyAutomationOwnerID}}
	legacySP.data["tags"] = []any{"WindowsAzureActiveDirectoryIntegratedApp"}
	d.insertServicePrincipal(legacySP)
	grant(legacySP, "RoleManagement.ReadWrite.Directory", fixtureLegacyCreated)
	grant(legacySP, "Directory.ReadWrite.All", fixtureLegacyCreated)

	// Microsoft Intune: a first-party service principal holding a directory role.
	intune := &spRecord{data: newServicePrincipalData(FixtureIntuneServicePrincipalID, MicrosoftIntuneAppID, "Microsoft Intune", MicrosoftTenantID)}
	intune.data["signInAudience"] = "AzureADMultipleOrgs"
	intune.data["servicePrincipalNames"] = []any{MicrosoftIntuneAppID, "https://api.manage.microsoft.com/"}
	d.insertServicePrincipal(intune)
	directRole(FixtureIntuneServicePrincipalID, IntuneAdministratorRoleID, fixtureIntuneRoleSince)

	// Fabrikam Identity Bridge: another tenant's multi-tenant app holding Privileged Role Administrator, assigned
	// outside PIM.
	bridge := &spRecord{data: newServicePrincipalData(FixtureBridgeServicePrincipalID, FixtureBridgeAppID, "Fabrikam Identity Bridge", FixtureFabrikamTenantID)}
	bridge.data["signInAudience"] = "AzureADMultipleOrgs"
	bridge.data["tags"] = []any{"WindowsAzureActiveDirectoryIntegratedApp"}
	bridge.data["verifiedPublisher"] = map[string]any{"displayName": "Fabrikam, Inc.", "verifiedPublisherId": "6284113",
		"addedDateTime": "2019-11-20T16:02:11Z"}
	d.insertServicePrincipal(bridge)
	directRole(FixtureBridgeServicePrincipalID, PrivilegedRoleAdministratorRoleID, fixtureBridgeRoleSince)

	d.fixtures.audit = true
	return nil
}
