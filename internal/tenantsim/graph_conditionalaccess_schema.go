package tenantsim

// The Conditional Access types of the Microsoft Graph v1.0 CSDL (internal/fidelity/spec/graph): every complex and
// enum type reachable from microsoft.graph.conditionalAccessPolicy, the derived types of its abstract ones, and
// microsoft.graph.authenticationStrengthPolicy (grantControls.authenticationStrength, a contained navigation property
// Graph returns inline). Names drop the "microsoft.graph." prefix. Inherited properties are listed on the base type
// only; entity's id and policyDeletableItem's deletedDateTime are folded into the two entity types.
// TestCASchemaMatchesCSDL compares this table with the CSDL.

type caKind int

const (
	caComplex caKind = iota
	caEnum
	caEntity
)

// caProp is a structural property: its type (an Edm primitive or a type of caTypes), whether it is a collection,
// and whether it may be null.
type caProp struct {
	typ      string
	coll     bool
	nullable bool
}

type caType struct {
	kind     caKind
	base     string
	abstract bool
	flags    bool     // enum: a comma-separated set of members
	members  []string // enum members
	props    map[string]caProp
	navs     map[string]string // navigation properties Graph serves inline
}

var caTypes = map[string]*caType{
	"applicationEnforcedRestrictionsSessionControl":  {kind: caComplex, base: "conditionalAccessSessionControl", props: map[string]caProp{}},
	"authenticationMethodModes":                      {kind: caEnum, flags: true, members: []string{"password", "voice", "hardwareOath", "softwareOath", "sms", "fido2", "windowsHelloForBusiness", "microsoftAuthenticatorPush", "deviceBasedPush", "temporaryAccessPassOneTime", "temporaryAccessPassMultiUse", "email", "x509CertificateSingleFactor", "x509CertificateMultiFactor", "federatedSingleFactor", "federatedMultiFactor", "unknownFutureValue", "qrCodePin"}},
	"authenticationStrengthPolicy":                   {kind: caEntity, props: map[string]caProp{"id": {"Edm.String", false, false}, "allowedCombinations": {"authenticationMethodModes", true, false}, "createdDateTime": {"Edm.DateTimeOffset", false, false}, "description": {"Edm.String", false, true}, "displayName": {"Edm.String", false, false}, "modifiedDateTime": {"Edm.DateTimeOffset", false, false}, "policyType": {"authenticationStrengthPolicyType", false, false}, "requirementsSatisfied": {"authenticationStrengthRequirements", false, false}}},
	"authenticationStrengthPolicyType":               {kind: caEnum, flags: false, members: []string{"builtIn", "custom", "unknownFutureValue"}},
	"authenticationStrengthRequirements":             {kind: caEnum, flags: true, members: []string{"none", "mfa", "unknownFutureValue"}},
	"cloudAppSecuritySessionControl":                 {kind: caComplex, base: "conditionalAccessSessionControl", props: map[string]caProp{"cloudAppSecurityType": {"cloudAppSecuritySessionControlType", false, true}}},
	"cloudAppSecuritySessionControlType":             {kind: caEnum, flags: false, members: []string{"mcasConfigured", "monitorOnly", "blockDownloads", "unknownFutureValue"}},
	"conditionalAccessAllExternalTenants":            {kind: caComplex, base: "conditionalAccessExternalTenants", props: map[string]caProp{}},
	"conditionalAccessApplications":                  {kind: caComplex, props: map[string]caProp{"applicationFilter": {"conditionalAccessFilter", false, true}, "excludeApplications": {"Edm.String", true, false}, "includeApplications": {"Edm.String", true, false}, "includeAuthenticationContextClassReferences": {"Edm.String", true, false}, "includeUserActions": {"Edm.String", true, false}}},
	"conditionalAccessAuthenticationFlows":           {kind: caComplex, props: map[string]caProp{"transferMethods": {"conditionalAccessTransferMethods", false, false}}},
	"conditionalAccessClientApp":                     {kind: caEnum, flags: false, members: []string{"all", "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other", "unknownFutureValue"}},
	"conditionalAccessClientApplications":            {kind: caComplex, props: map[string]caProp{"excludeServicePrincipals": {"Edm.String", true, false}, "includeServicePrincipals": {"Edm.String", true, false}, "servicePrincipalFilter": {"conditionalAccessFilter", false, true}}},
	"conditionalAccessConditionSet":                  {kind: caComplex, props: map[string]caProp{"applications": {"conditionalAccessApplications", false, true}, "authenticationFlows": {"conditionalAccessAuthenticationFlows", false, true}, "clientAppTypes": {"conditionalAccessClientApp", true, false}, "clientApplications": {"conditionalAccessClientApplications", false, true}, "devices": {"conditionalAccessDevices", false, true}, "insiderRiskLevels": {"conditionalAccessInsiderRiskLevels", false, true}, "locations": {"conditionalAccessLocations", false, true}, "platforms": {"conditionalAccessPlatforms", false, true}, "servicePrincipalRiskLevels": {"riskLevel", true, false}, "signInRiskLevels": {"riskLevel", true, false}, "userRiskLevels": {"riskLevel", true, false}, "users": {"conditionalAccessUsers", false, true}}},
	"conditionalAccessDevicePlatform":                {kind: caEnum, flags: false, members: []string{"android", "iOS", "windows", "windowsPhone", "macOS", "all", "unknownFutureValue", "linux"}},
	"conditionalAccessDevices":                       {kind: caComplex, props: map[string]caProp{"deviceFilter": {"conditionalAccessFilter", false, true}}},
	"conditionalAccessEnumeratedExternalTenants":     {kind: caComplex, base: "conditionalAccessExternalTenants", props: map[string]caProp{"members": {"Edm.String", true, false}}},
	"conditionalAccessExternalTenants":               {kind: caComplex, abstract: true, props: map[string]caProp{"membershipKind": {"conditionalAccessExternalTenantsMembershipKind", false, true}}},
	"conditionalAccessExternalTenantsMembershipKind": {kind: caEnum, flags: false, members: []string{"all", "enumerated", "unknownFutureValue"}},
	"conditionalAccessFilter":                        {kind: caComplex, props: map[string]caProp{"mode": {"filterMode", false, false}, "rule": {"Edm.String", false, false}}},
	"conditionalAccessGrantControl":                  {kind: caEnum, flags: false, members: []string{"block", "mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication", "compliantApplication", "passwordChange", "unknownFutureValue", "riskRemediation"}},
	"conditionalAccessGrantControls":                 {kind: caComplex, props: map[string]caProp{"builtInControls": {"conditionalAccessGrantControl", true, false}, "customAuthenticationFactors": {"Edm.String", true, false}, "operator": {"Edm.String", false, true}, "termsOfUse": {"Edm.String", true, false}}, navs: map[string]string{"authenticationStrength": "authenticationStrengthPolicy"}},
	"conditionalAccessGuestOrExternalUserTypes":      {kind: caEnum, flags: true, members: []string{"none", "internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember", "b2bDirectConnectUser", "otherExternalUser", "serviceProvider", "unknownFutureValue"}},
	"conditionalAccessGuestsOrExternalUsers":         {kind: caComplex, props: map[string]caProp{"externalTenants": {"conditionalAccessExternalTenants", false, true}, "guestOrExternalUserTypes": {"conditionalAccessGuestOrExternalUserTypes", false, false}}},
	"conditionalAccessInsiderRiskLevels":             {kind: caEnum, flags: true, members: []string{"minor", "moderate", "elevated", "unknownFutureValue"}},
	"conditionalAccessLocations":                     {kind: caComplex, props: map[string]caProp{"excludeLocations": {"Edm.String", true, false}, "includeLocations": {"Edm.String", true, false}}},
	"conditionalAccessPlatforms":                     {kind: caComplex, props: map[string]caProp{"excludePlatforms": {"conditionalAccessDevicePlatform", true, false}, "includePlatforms": {"conditionalAccessDevicePlatform", true, false}}},
	"conditionalAccessPolicy":                        {kind: caEntity, props: map[string]caProp{"deletedDateTime": {"Edm.DateTimeOffset", false, true}, "conditions": {"conditionalAccessConditionSet", false, false}, "createdDateTime": {"Edm.DateTimeOffset", false, true}, "description": {"Edm.String", false, true}, "displayName": {"Edm.String", false, false}, "grantControls": {"conditionalAccessGrantControls", false, true}, "id": {"Edm.String", false, false}, "modifiedDateTime": {"Edm.DateTimeOffset", false, true}, "sessionControls": {"conditionalAccessSessionControls", false, true}, "state": {"conditionalAccessPolicyState", false, false}, "templateId": {"Edm.String", false, true}}},
	"conditionalAccessPolicyState":                   {kind: caEnum, flags: false, members: []string{"enabled", "disabled", "enabledForReportingButNotEnforced"}},
	"conditionalAccessSessionControl":                {kind: caComplex, abstract: true, props: map[string]caProp{"isEnabled": {"Edm.Boolean", false, true}}},
	"conditionalAccessSessionControls":               {kind: caComplex, props: map[string]caProp{"applicationEnforcedRestrictions": {"applicationEnforcedRestrictionsSessionControl", false, true}, "cloudAppSecurity": {"cloudAppSecuritySessionControl", false, true}, "disableResilienceDefaults": {"Edm.Boolean", false, true}, "persistentBrowser": {"persistentBrowserSessionControl", false, true}, "secureSignInSession": {"secureSignInSessionControl", false, true}, "signInFrequency": {"signInFrequencySessionControl", false, true}}},
	"conditionalAccessTransferMethods":               {kind: caEnum, flags: true, members: []string{"none", "deviceCodeFlow", "authenticationTransfer", "unknownFutureValue"}},
	"conditionalAccessUsers":                         {kind: caComplex, props: map[string]caProp{"excludeGroups": {"Edm.String", true, false}, "excludeGuestsOrExternalUsers": {"conditionalAccessGuestsOrExternalUsers", false, true}, "excludeRoles": {"Edm.String", true, false}, "excludeUsers": {"Edm.String", true, false}, "includeGroups": {"Edm.String", true, false}, "includeGuestsOrExternalUsers": {"conditionalAccessGuestsOrExternalUsers", false, true}, "includeRoles": {"Edm.String", true, false}, "includeUsers": {"Edm.String", true, false}}},
	"filterMode":                                     {kind: caEnum, flags: false, members: []string{"include", "exclude"}},
	"persistentBrowserSessionControl":                {kind: caComplex, base: "conditionalAccessSessionControl", props: map[string]caProp{"mode": {"persistentBrowserSessionMode", false, true}}},
	"persistentBrowserSessionMode":                   {kind: caEnum, flags: false, members: []string{"always", "never"}},
	"riskLevel":                                      {kind: caEnum, flags: false, members: []string{"low", "medium", "high", "hidden", "none", "unknownFutureValue"}},
	"secureSignInSessionControl":                     {kind: caComplex, base: "conditionalAccessSessionControl", props: map[string]caProp{}},
	"signInFrequencyAuthenticationType":              {kind: caEnum, flags: false, members: []string{"primaryAndSecondaryAuthentication", "secondaryAuthentication", "unknownFutureValue"}},
	"signInFrequencyInterval":                        {kind: caEnum, flags: false, members: []string{"timeBased", "everyTime", "unknownFutureValue"}},
	"signInFrequencySessionControl":                  {kind: caComplex, base: "conditionalAccessSessionControl", props: map[string]caProp{"authenticationType": {"signInFrequencyAuthenticationType", false, true}, "frequencyInterval": {"signInFrequencyInterval", false, true}, "type": {"signinFrequencyType", false, true}, "value": {"Edm.Int32", false, true}}},
	"signinFrequencyType":                            {kind: caEnum, flags: false, members: []string{"days", "hours"}},
}
