package tenantsim

import (
	"strings"
	"time"
)

// Conditional Access fixtures of the default tenant: policies owned by "another team", each already excluding
// principals that are not the provider's. Which breakglass_ca_policy_exclusion selector matches each (defaults:
// include_report_only = true, include_disabled = false):
//
//	policy                                     state       all  requires_mfa  blocks_access  grant_controls
//	FixtureCAPolicyRequireMFAID                enabled     yes  yes           -              yes
//	FixtureCAPolicyBlockLegacyAuthID           enabled     yes  -             yes            yes
//	FixtureCAPolicyAdminMFAReportOnlyID        report-only yes  yes           -              yes
//	FixtureCAPolicyBlockUntrustedCountriesID   disabled    only with include_disabled = true: all, blocks_access, grant_controls
//	FixtureCAPolicyPhishingResistantAdminsID   enabled     yes  yes (strength) -             yes
//	FixtureCAPolicyMicrosoftManagedAdminMFAID  report-only yes  yes           -              yes
//	FixtureCAPolicyRequireCompliantDeviceID    enabled     yes  -             -              yes
//	FixtureCAPolicySessionLifetimeID           enabled     yes  -             -              - (session controls only)
//
// With include_report_only = false the two report-only policies drop out of every selector.
const (
	FixtureCAPolicyRequireMFAID               = "d88665f6-f20e-4f3e-bb6e-b78d2f720c79" // "Require MFA for all users": grant mfa
	FixtureCAPolicyBlockLegacyAuthID          = "4cb55a1b-5802-4896-8cd4-56444d4aae03" // "Block legacy authentication": grant block
	FixtureCAPolicyAdminMFAReportOnlyID       = "90c46e01-c2c0-4723-81b4-23148b1e2840" // "Require MFA for admins", report-only
	FixtureCAPolicyBlockUntrustedCountriesID  = "b0b7ccda-fa7a-4d1f-8163-876dd51e57b0" // disabled, locations + block
	FixtureCAPolicyPhishingResistantAdminsID  = "d920a7ea-eade-4011-b00a-7be3e7c16c67" // authentication strength, no built-in control
	FixtureCAPolicyMicrosoftManagedAdminMFAID = "aa6ee5d7-0ae1-41ec-a9c2-28a62b442a6b" // Microsoft-managed, report-only
	FixtureCAPolicyRequireCompliantDeviceID   = "12cf36cb-7c15-471c-ab01-f1426bf5c422" // grant compliantDevice + sign-in frequency
	FixtureCAPolicySessionLifetimeID          = "8fc7159e-e4c8-4b00-a8c1-f82e8862332f" // session controls only, no grant

	// Principals the fixtures exclude. They are not objects of the tenant (Graph accepts such ids too).
	FixtureCAOtherBreakGlassUserID       = "58529ccd-c3fd-47a6-8c85-7020fb4fd4c1" // another team's emergency account
	FixtureCAServiceAccountsGroupID      = "d7d27e5e-304b-45ce-aaf4-fbec18781d0e" // "CA exclusions - service accounts"
	FixtureCAPilotExclusionsGroupID      = "9916a937-f356-4d49-abf2-ca36797bf840" // "CA exclusions - pilot"
	FixtureCAUntrustedCountriesLocID     = "c25b0711-56f2-438c-885c-5ae7af73ba4b" // named location "Untrusted countries"
	directorySynchronizationAccountsRole = "d29b2b05-8046-44ba-8758-1e26182fcf32" // Directory Synchronization Accounts

	// Built-in authentication strengths (ids are the same in every tenant).
	AuthStrengthMFAID               = "00000000-0000-0000-0000-000000000002"
	AuthStrengthPasswordlessMFAID   = "00000000-0000-0000-0000-000000000003"
	AuthStrengthPhishingResistantID = "00000000-0000-0000-0000-000000000004"
)

// adminPortalRoles are the roles of Microsoft's "Multifactor authentication for admins accessing Microsoft Admin
// Portals" policy (a subset of them, all in builtInRoles).
var adminPortalRoles = []any{
	GlobalAdministratorRoleID, PrivilegedRoleAdministratorRoleID, "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
	"194ae4cb-b126-40b2-bd5b-6091b380977d", UserAdministratorRoleID, "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
	"158c047a-c907-4556-b7ef-446551a6b5f7", "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", "29232cdf-9323-42fd-ade2-1d097af3e4de",
	"f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
}

var authStrengthCreated = "2021-12-01T00:00:00Z"

// builtInAuthStrengths are Entra's built-in authentication strength policies as Graph returns them.
var builtInAuthStrengths = map[string]map[string]any{
	AuthStrengthMFAID: {
		"id": AuthStrengthMFAID, "displayName": "Multifactor authentication", "policyType": "builtIn",
		"description":           "Combinations of methods that satisfy strong authentication, such as a password + SMS",
		"requirementsSatisfied": "mfa", "createdDateTime": authStrengthCreated, "modifiedDateTime": authStrengthCreated,
		"allowedCombinations": []any{"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush",
			"temporaryAccessPassOneTime", "temporaryAccessPassMultiUse", "password,microsoftAuthenticatorPush",
			"password,softwareOath", "password,hardwareOath", "password,sms", "password,voice", "federatedMultiFactor",
			"microsoftAuthenticatorPush,federatedSingleFactor", "softwareOath,federatedSingleFactor",
			"hardwareOath,federatedSingleFactor", "sms,federatedSingleFactor", "voice,federatedSingleFactor"},
	},
	AuthStrengthPasswordlessMFAID: {
		"id": AuthStrengthPasswordlessMFAID, "displayName": "Passwordless MFA", "policyType": "builtIn",
		"description":           "Passwordless methods that satisfy strong authentication, such as Passwordless sign-in with the Microsoft Authenticator",
		"requirementsSatisfied": "mfa", "createdDateTime": authStrengthCreated, "modifiedDateTime": authStrengthCreated,
		"allowedCombinations": []any{"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush"},
	},
	AuthStrengthPhishingResistantID: {
		"id": AuthStrengthPhishingResistantID, "displayName": "Phishing-resistant MFA", "policyType": "builtIn",
		"description":           "Phishing-resistant, Passwordless methods for the strongest authentication, such as a FIDO2 security key",
		"requirementsSatisfied": "mfa", "createdDateTime": authStrengthCreated, "modifiedDateTime": authStrengthCreated,
		"allowedCombinations": []any{"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"},
	},
}

// builtInAuthStrength returns a copy of a built-in authentication strength, or nil.
func builtInAuthStrength(id string) map[string]any {
	for key, strength := range builtInAuthStrengths {
		if strings.EqualFold(key, id) {
			return copyObject(strength)
		}
	}
	return nil
}

// caFixture builds a policy in create-body form.
func caFixture(id, name, state, created, modified string, users, apps, grant, session, extra map[string]any) map[string]any {
	conditions := map[string]any{"users": users, "applications": apps, "clientAppTypes": []any{"all"}}
	for k, v := range extra {
		conditions[k] = v
	}
	return map[string]any{
		"id": id, "displayName": name, "state": state, "createdDateTime": created, "modifiedDateTime": modified,
		"conditions": conditions, "grantControls": grant, "sessionControls": session,
	}
}

func grantOR(controls ...any) map[string]any {
	return map[string]any{"operator": "OR", "builtInControls": controls}
}

var allApps = map[string]any{"includeApplications": []any{"All"}}

// defaultCAPolicies are the fixtures in seed form.
func defaultCAPolicies() []map[string]any {
	return []map[string]any{
		caFixture(FixtureCAPolicyRequireMFAID, "Require MFA for all users", "enabled",
			"2023-05-10T09:14:27.3471025Z", "2025-11-03T16:02:11.8820421Z",
			map[string]any{"includeUsers": []any{"All"}, "excludeUsers": []any{FixtureCAOtherBreakGlassUserID},
				"excludeGroups": []any{FixtureCAServiceAccountsGroupID}, "excludeRoles": []any{directorySynchronizationAccountsRole}},
			allApps, grantOR("mfa"), nil, nil),
		caFixture(FixtureCAPolicyBlockLegacyAuthID, "Block legacy authentication", "enabled",
			"2022-09-21T13:40:05.1204377Z", "2024-02-14T08:55:39.6637120Z",
			map[string]any{"includeUsers": []any{"All"}, "excludeUsers": []any{FixtureCAOtherBreakGlassUserID},
				"excludeGroups": []any{FixtureCAServiceAccountsGroupID}},
			allApps, grantOR("block"), nil,
			map[string]any{"clientAppTypes": []any{"exchangeActiveSync", "other"}}),
		caFixture(FixtureCAPolicyAdminMFAReportOnlyID, "Require MFA for admins", "enabledForReportingButNotEnforced",
			"2025-06-30T11:21:48.9018834Z", "2025-06-30T11:21:48.9018834Z",
			map[string]any{"includeRoles": []any{GlobalAdministratorRoleID, PrivilegedRoleAdministratorRoleID},
				"excludeUsers": []any{FixtureCAOtherBreakGlassUserID}},
			allApps, grantOR("mfa"), nil, nil),
		caFixture(FixtureCAPolicyBlockUntrustedCountriesID, "Block access from untrusted countries", "disabled",
			"2024-01-08T07:03:12.0070214Z", "2024-03-19T15:47:50.3309178Z",
			map[string]any{"includeUsers": []any{"All"}, "excludeUsers": []any{FixtureCAOtherBreakGlassUserID},
				"excludeGroups": []any{FixtureCAPilotExclusionsGroupID}},
			allApps, grantOR("block"), nil,
			map[string]any{"locations": map[string]any{"includeLocations": []any{FixtureCAUntrustedCountriesLocID},
				"excludeLocations": []any{"AllTrusted"}}}),
		caFixture(FixtureCAPolicyPhishingResistantAdminsID, "Require phishing-resistant MFA for admins", "enabled",
			"2025-02-17T10:30:00.4410968Z", "2025-09-22T12:12:41.0093317Z",
			map[string]any{"includeRoles": adminPortalRoles, "excludeUsers": []any{FixtureCAOtherBreakGlassUserID}},
			allApps,
			map[string]any{"operator": "OR", "builtInControls": []any{},
				"authenticationStrength": map[string]any{"id": AuthStrengthPhishingResistantID}},
			nil, nil),
		caFixture(FixtureCAPolicyMicrosoftManagedAdminMFAID,
			"Multifactor authentication for admins accessing Microsoft Admin Portals", // the name Microsoft gives it
			"enabledForReportingButNotEnforced", "2023-11-27T03:11:52.5531090Z", "2023-11-27T03:11:52.5531090Z",
			map[string]any{"includeRoles": adminPortalRoles, "excludeUsers": []any{FixtureCAOtherBreakGlassUserID}},
			map[string]any{"includeApplications": []any{"MicrosoftAdminPortals"}}, grantOR("mfa"), nil, nil),
		caFixture(FixtureCAPolicyRequireCompliantDeviceID, "Require compliant device", "enabled",
			"2024-08-05T14:18:26.7789013Z", "2025-12-01T09:41:03.2256601Z",
			map[string]any{"includeUsers": []any{"All"}, "excludeUsers": []any{FixtureCAOtherBreakGlassUserID, FixtureDisabledUserID},
				"excludeGroups": []any{FixtureCAServiceAccountsGroupID, FixtureCAPilotExclusionsGroupID}},
			allApps, grantOR("compliantDevice"),
			map[string]any{"signInFrequency": map[string]any{"isEnabled": true, "value": 12, "type": "hours",
				"authenticationType": "primaryAndSecondaryAuthentication", "frequencyInterval": "timeBased"}},
			map[string]any{"clientAppTypes": []any{"browser", "mobileAppsAndDesktopClients"}}),
		caFixture(FixtureCAPolicySessionLifetimeID, "Limit session lifetime on unmanaged devices", "enabled",
			"2024-10-02T16:45:09.9120045Z", "2024-10-02T16:45:09.9120045Z",
			map[string]any{"includeUsers": []any{"All"}, "excludeUsers": []any{FixtureCAOtherBreakGlassUserID},
				"excludeGroups": []any{FixtureCAServiceAccountsGroupID}},
			allApps, nil,
			map[string]any{
				"signInFrequency":   map[string]any{"isEnabled": true, "value": 1, "type": "days"},
				"persistentBrowser": map[string]any{"isEnabled": true, "mode": "never"},
			},
			map[string]any{"devices": map[string]any{"deviceFilter": map[string]any{"mode": "exclude",
				"rule": `device.isCompliant -eq True -or device.trustType -eq "ServerAD"`}}}),
	}
}

// seedCAPolicies loads the default Conditional Access fixtures, then the seed file's. The caller holds the lock.
func (d *directory) seedCAPolicies(extra []map[string]any) error {
	now := time.Now()
	for _, p := range append(defaultCAPolicies(), extra...) {
		if _, err := d.importCAPolicy(p, now, p["id"] == FixtureCAPolicyMicrosoftManagedAdminMFAID); err != nil {
			return err
		}
	}
	return nil
}
