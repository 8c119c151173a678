package tenantsim

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Fixed identifiers of the default tenant, so that runs, logs and golden files are reproducible.
const (
	defaultTenantID       = "7f3c9a2e-5b41-4d8e-a6f0-2c9e1b7d4a35"
	defaultSubscriptionID = "3d8e6f1a-92c4-4b7e-8a15-e0f6c2d9b471"
	mainClientID          = "5e2b8c71-0d4f-4a63-9b8e-1f7a3c6d2e94"
	mainClientSecret      = "tSm8Q~Xr4vN2pL7kW9qZ3hB6yD1fG5jT0cA8eU2i" // a test credential of the simulated tenant only
	managedIdentityID     = "9a4c1e7b-3f28-4d6a-b05e-7c2d8f1a6e53"

	// FixturePassword is the password of every default fixture user, for password-grant tests.
	FixturePassword = "Fixture-Passw0rd!"
	// GeneratedUserPassword is the password GenerateUsers gives every user.
	GeneratedUserPassword = "Generated-Passw0rd!"
)

// Fixture users of the default tenant.
const (
	FixtureSyncedAdminID  = "4f1d2c8e-6b3a-4e9f-8a7d-2c5b9e0f1a36" // alex.wilber@contoso.com, synced from on-premises
	FixtureLicensedUserID = "8b2e7d41-93c5-4a0f-b6e8-5d1c3f9a2e70" // megan.bowen@contoso.com, cloud-only, licensed
	FixtureDisabledUserID = "c6a9f3e2-1b7d-4c58-9e04-a3f8d2b6c1e9" // diego.siciliani@contoso.com, disabled
)

// mainAppRoles are the Graph application permissions of the main app and the managed identity.
var mainAppRoles = []string{
	"User.ReadWrite.All", "Directory.ReadWrite.All", "Domain.Read.All", "Organization.Read.All", "AuditLog.Read.All",
	"User.DeleteRestore.All", "RoleManagement.ReadWrite.Directory", "RoleManagementPolicy.ReadWrite.Directory", "Policy.Read.All",
	"Policy.ReadWrite.ConditionalAccess", "Application.Read.All", "UserAuthenticationMethod.Read.All",
	"Policy.ReadWrite.AuthenticationMethod", "UserAuthenticationMethod.ReadWrite.All", "AdministrativeUnit.ReadWrite.All",
}

// seedFile is the format of Config.SeedFile. Every part is optional and merged over the default fixtures:
//
//	{
//	  "tenant_id": "GUID",                  // replaces the default tenant id
//	  "subscription_id": "GUID",            // replaces the default subscription id
//	  "organization": {Graph organization JSON},     // merged into the organization
//	  "domains": [{Graph domain JSON}],     // merged by "id" (the domain name); new ids are added
//	  "users": [{Graph user JSON, "password": "..."}], // merged by "id" or "userPrincipalName"; new users are added
//	  "generate_users": 5000,               // adds GenerateUsers(n)
//	  "ca_policies": [{Graph conditionalAccessPolicy JSON}], // added after the default CA fixtures (see AddCAPolicy)
//	  "apps": [{"client_id": "GUID", "display_name": "...", "secret": "...",
//	            "certificate_pem": "-----BEGIN CERTIFICATE-----...",
//	            "federated": [{"issuer": "...", "subject": "...", "audience": "..."}],
//	            "roles": ["User.Read.All"]}], // added; an existing client id is replaced
//	  "audit_fixtures": true                // adds the audit fixtures (see AddAuditFixtures)
//	}
type seedFile struct {
	TenantID       string           `json:"tenant_id"`
	SubscriptionID string           `json:"subscription_id"`
	Organization   map[string]any   `json:"organization"`
	Domains        []map[string]any `json:"domains"`
	Users          []map[string]any `json:"users"`
	GenerateUsers  int              `json:"generate_users"`
	CAPolicies     []map[string]any `json:"ca_policies"`
	Apps           []seedApp        `json:"apps"`
	AuditFixtures  bool             `json:"audit_fixtures"`
}

type seedApp struct {
	ClientID       string   `json:"client_id"`
	DisplayName    string   `json:"display_name"`
	Secret         string   `json:"secret"`
	CertificatePEM string   `json:"certificate_pem"`
	Roles          []string `json:"roles"`
	Federated      []struct {
		Issuer   string `json:"issuer"`
		Subject  string `json:"subject"`
		Audience string `json:"audience"`
	} `json:"federated"`
}

// loadFixtures builds the default tenant, merges the seed file and registers the apps.
func (s *Server) loadFixtures(seedPath string) error {
	var seed seedFile
	if seedPath != "" {
		raw, err := os.ReadFile(seedPath)
		if err != nil {
			return fmt.Errorf("reading seed file: %w", err)
		}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&seed); err != nil {
			return fmt.Errorf("parsing seed file %s: %w", seedPath, err)
		}
	}
	d := s.dir
	d.tenantID, d.subscriptionID = defaultTenantID, defaultSubscriptionID
	if seed.TenantID != "" {
		d.tenantID = seed.TenantID
	}
	if seed.SubscriptionID != "" {
		d.subscriptionID = seed.SubscriptionID
	}
	d.domains = defaultDomains()
	for _, dom := range seed.Domains {
		dom, err := normalizeJSON(dom)
		if err != nil {
			return err
		}
		if existing := d.domain(fmt.Sprint(dom["id"])); existing != nil {
			mergePatch(existing, dom, domainSchema.properties)
		} else {
			d.domains = append(d.domains, dom)
		}
	}
	d.organization = defaultOrganization(d.tenantID)
	if seed.Organization != nil {
		org, err := normalizeJSON(seed.Organization)
		if err != nil {
			return err
		}
		mergePatch(d.organization, org, organizationSchema.properties)
	}
	d.syncVerifiedDomains()

	users := append(defaultUsers(), seed.Users...)
	users = append(users, GenerateUsers(seed.GenerateUsers)...)
	for _, u := range users {
		if err := d.seedUser(u); err != nil {
			return err
		}
	}
	d.rbac = newRBACState(d.tenantID)
	d.seedRoleAssignments()
	d.ca = newCAState()
	if err := d.seedCAPolicies(seed.CAPolicies); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if err := d.seedAuthMethodsPolicy(); err != nil {
		return fmt.Errorf("seed: %w", err)
	}

	s.mainApp = App{
		ClientID: mainClientID, DisplayName: "tenantsim main app", Secret: mainClientSecret, Roles: mainAppRoles,
		Federated: []FederatedCredential{{Issuer: s.OIDCIssuer(), Subject: githubDemoSubject}},
		ARMRoles:  defaultARMRoles(d.subscriptionID),
	}
	d.arm = newARMState(d.subscriptionID) // ARM fixtures (arm_resources.go)
	s.msiClientID = managedIdentityID
	d.apps.msiClientID = managedIdentityID
	d.graphSP() // every tenant holds the Microsoft Graph service principal; app permissions are grants on it
	apps := []App{s.mainApp, {ClientID: managedIdentityID, DisplayName: "tenantsim managed identity", Roles: mainAppRoles,
		ARMRoles: defaultARMRoles(d.subscriptionID)}}
	for _, sa := range seed.Apps {
		app, err := sa.app()
		if err != nil {
			return err
		}
		apps = append(apps, app)
	}
	for _, app := range apps {
		if err := s.RegisterApp(app); err != nil {
			// A seed app may replace a default registration.
			s.dir.mu.Lock()
			delete(s.dir.apps.registered, strings.ToLower(app.ClientID))
			s.dir.mu.Unlock()
			if err := s.RegisterApp(app); err != nil {
				return err
			}
		}
	}
	if seed.AuditFixtures {
		return s.AddAuditFixtures()
	}
	return nil
}

// seedRoleAssignments adds the default tenant's role assignments: the synced admin fixture holds Global
// Administrator, assigned outside PIM years ago (a common finding in real tenants, and what the
// breakglass_posture checks look for).
func (d *directory) seedRoleAssignments() {
	if u := d.user(FixtureSyncedAdminID); u == nil || u.deleted {
		return
	}
	g := &roleGrant{
		kind: activeGrant, principalID: FixtureSyncedAdminID, roleDefinitionID: GlobalAdministratorRoleID,
		directoryScopeID: "/", start: fixtureGlobalAdminSince, expirationType: "noExpiration",
	}
	g.scheduleID = g.key()
	d.rbac.grants = append(d.rbac.grants, g)
}

func (sa seedApp) app() (App, error) {
	app := App{ClientID: sa.ClientID, DisplayName: sa.DisplayName, Secret: sa.Secret, Roles: sa.Roles}
	if sa.CertificatePEM != "" {
		block, _ := pem.Decode([]byte(sa.CertificatePEM))
		if block == nil {
			return App{}, fmt.Errorf("app %s: certificate_pem holds no PEM block", sa.ClientID)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return App{}, fmt.Errorf("app %s: %w", sa.ClientID, err)
		}
		app.Certificate = cert
	}
	for _, f := range sa.Federated {
		app.Federated = append(app.Federated, FederatedCredential{Issuer: f.Issuer, Subject: f.Subject, Audience: f.Audience})
	}
	return app, nil
}

// seedUser adds a user in seed format, or merges it into the user with the same id or UPN. Unlike POST /users it
// may set read-only properties (onPremisesSyncEnabled, assignedLicenses, signInActivity, ...). The caller holds
// the lock.
func (d *directory) seedUser(raw map[string]any) error {
	data, err := normalizeJSON(raw)
	if err != nil {
		return err
	}
	password, hasPassword := data["password"].(string)
	delete(data, "password")
	delete(data, "passwordProfile")
	for name := range data {
		if _, ok := userSchema.properties[name]; !ok {
			return fmt.Errorf("seed user: %q is not a property of microsoft.graph.user", name)
		}
	}
	existing := d.user(fmt.Sprint(data["id"]))
	if existing == nil {
		if upn, ok := data["userPrincipalName"].(string); ok {
			existing = d.user(upn)
		}
	}
	if existing != nil {
		mergePatch(existing.data, data, userSchema.properties)
		if hasPassword {
			existing.password = hashPassword(password)
		}
		return nil
	}
	upn, _ := data["userPrincipalName"].(string)
	if !validUPN(upn) {
		return fmt.Errorf("seed user %v: invalid userPrincipalName %q", data["id"], upn)
	}
	full := d.newUserData(data, time.Now())
	for key, value := range data {
		full[key] = value
	}
	if id, err := uuid.Parse(fmt.Sprint(full["id"])); err != nil {
		return fmt.Errorf("seed user %s: id is not a GUID", upn)
	} else if _, set := data["securityIdentifier"]; !set {
		full["securityIdentifier"] = securityIdentifier(id)
	}
	u := &userRecord{data: full}
	if hasPassword {
		u.password, u.passwordChanges = hashPassword(password), 1
	}
	d.insertUser(u)
	return nil
}

func defaultDomains() []map[string]any {
	domain := func(name string, isDefault, isInitial, isVerified bool) map[string]any {
		services := []any{}
		var validity, notification any
		if isVerified {
			services = []any{"Email", "OfficeCommunicationsOnline"}
			validity, notification = 2147483647, 14
		}
		return map[string]any{
			"id": name, "authenticationType": "Managed", "availabilityStatus": nil, "isAdminManaged": true,
			"isDefault": isDefault, "isInitial": isInitial, "isRoot": true, "isVerified": isVerified,
			"manufacturer": nil, "model": nil, "passwordNotificationWindowInDays": notification,
			"passwordValidityPeriodInDays": validity, "state": nil, "supportedServices": services,
		}
	}
	return []map[string]any{
		domain("contoso.onmicrosoft.com", false, true, true),
		domain("contoso.com", true, false, true),
		domain("contoso-unverified.com", false, false, false),
	}
}

func defaultOrganization(tenantID string) map[string]any {
	return map[string]any{
		"id": tenantID, "deletedDateTime": nil, "displayName": "Contoso (simulated)", "tenantType": "AAD",
		"createdDateTime": "2019-03-12T08:41:27Z", "countryLetterCode": "US", "country": nil, "city": "Redmond",
		"state": "WA", "street": "1 Microsoft Way", "postalCode": "98052", "preferredLanguage": "en",
		"defaultUsageLocation": "US", "businessPhones": []any{"+1 425 555 0100"},
		"marketingNotificationEmails": []any{}, "securityComplianceNotificationMails": []any{},
		"securityComplianceNotificationPhones": []any{}, "technicalNotificationMails": []any{"it-admins@contoso.com"},
		"assignedPlans": []any{}, "provisionedPlans": []any{}, "privacyProfile": nil, "partnerTenantType": nil,
		"mobileDeviceManagementAuthority": "unknown",
		"onPremisesSyncEnabled":           true, "onPremisesLastSyncDateTime": "2026-01-05T06:30:00Z",
	}
}

// microsoft365E5SkuID is the skuId of Microsoft 365 E5, the license of the licensed fixture user.
const microsoft365E5SkuID = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"

func defaultUsers() []map[string]any {
	return []map[string]any{
		{
			"id": FixtureSyncedAdminID, "displayName": "Alex Wilber (admin)", "givenName": "Alex", "surname": "Wilber",
			"userPrincipalName": "alex.wilber@contoso.com", "mailNickname": "alex.wilber", "mail": "alex.wilber@contoso.com",
			"accountEnabled": true, "jobTitle": "IT Administrator", "department": "IT", "usageLocation": "US",
			"createdDateTime": "2019-03-14T09:12:03Z", "password": FixturePassword,
			"onPremisesSyncEnabled": true, "onPremisesImmutableId": "q2s3HbZ0fU2g7n5mW8kXzQ==",
			"onPremisesSamAccountName": "alexw", "onPremisesDomainName": "contoso.local",
			"onPremisesDistinguishedName":  "CN=Alex Wilber,OU=Admins,DC=contoso,DC=local",
			"onPremisesUserPrincipalName":  "alex.wilber@contoso.com",
			"onPremisesSecurityIdentifier": "S-1-5-21-1004336348-1177238915-682003330-1107",
			"onPremisesLastSyncDateTime":   "2026-01-05T06:30:00Z",
			"proxyAddresses":               []any{"SMTP:alex.wilber@contoso.com"},
		},
		{
			"id": FixtureLicensedUserID, "displayName": "Megan Bowen", "givenName": "Megan", "surname": "Bowen",
			"userPrincipalName": "megan.bowen@contoso.com", "mailNickname": "megan.bowen", "mail": "megan.bowen@contoso.com",
			"accountEnabled": true, "jobTitle": "Marketing Manager", "department": "Marketing", "usageLocation": "US",
			"createdDateTime": "2020-06-02T14:45:51Z", "password": FixturePassword,
			"proxyAddresses":   []any{"SMTP:megan.bowen@contoso.com"},
			"assignedLicenses": []any{map[string]any{"disabledPlans": []any{}, "skuId": microsoft365E5SkuID}},
			"signInActivity": map[string]any{
				"lastSignInDateTime": "2026-01-04T16:20:11Z", "lastSignInRequestId": "3c1f9a7e-52d4-4b8e-9f06-7a2d1c4e8b30",
				"lastSuccessfulSignInDateTime": "2026-01-04T16:20:11Z", "lastSuccessfulSignInRequestId": "3c1f9a7e-52d4-4b8e-9f06-7a2d1c4e8b30",
				"lastNonInteractiveSignInDateTime": "2026-01-05T07:02:45Z", "lastNonInteractiveSignInRequestId": "b84e2d19-6c7a-4f3e-a1d5-0e9c8b7a6f52",
			},
		},
		{
			"id": FixtureDisabledUserID, "displayName": "Diego Siciliani", "givenName": "Diego", "surname": "Siciliani",
			"userPrincipalName": "diego.siciliani@contoso.com", "mailNickname": "diego.siciliani",
			"accountEnabled": false, "jobTitle": "HR Manager", "department": "HR", "usageLocation": "US",
			"createdDateTime": "2021-01-19T10:03:27Z", "password": FixturePassword,
		},
	}
}

var (
	generatedJobTitles  = []string{"Engineer", "Analyst", "Designer", "Sales Representative", "Support Specialist", "Manager"}
	generatedDepartment = []string{"Engineering", "Finance", "Marketing", "Sales", "Support", "Operations"}
)

// GenerateUsers returns n deterministic users in seed format for large-tenant tests: every tenth is synced from
// on-premises, every third is licensed, every twentieth is disabled. All have GeneratedUserPassword.
func GenerateUsers(n int) []map[string]any {
	users := make([]map[string]any, 0, max(n, 0))
	for i := 1; i <= n; i++ {
		nick := fmt.Sprintf("gen.user%05d", i)
		u := map[string]any{
			"id":          uuid.NewSHA1(uuid.NameSpaceOID, []byte("tenantsim-generated-user-"+fmt.Sprint(i))).String(),
			"displayName": fmt.Sprintf("Generated User %05d", i), "givenName": "Generated", "surname": fmt.Sprintf("User %05d", i),
			"userPrincipalName": nick + "@contoso.com", "mailNickname": nick, "accountEnabled": i%20 != 0,
			"jobTitle": generatedJobTitles[i%len(generatedJobTitles)], "department": generatedDepartment[i%len(generatedDepartment)],
			"usageLocation": "US", "password": GeneratedUserPassword,
		}
		if i%10 == 0 {
			u["onPremisesSyncEnabled"] = true
			u["onPremisesSamAccountName"] = fmt.Sprintf("genuser%05d", i)
			u["onPremisesDomainName"] = "contoso.local"
		}
		if i%3 == 0 {
			u["assignedLicenses"] = []any{map[string]any{"disabledPlans": []any{}, "skuId": microsoft365E5SkuID}}
		}
		users = append(users, u)
	}
	return users
}
