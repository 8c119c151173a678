package tenantsim

// The authentication methods policy types of the Microsoft Graph v1.0 CSDL (internal/fidelity/spec/graph): every
// type reachable from microsoft.graph.authenticationMethodsPolicy and the FIDO2, X.509 certificate and Temporary
// Access Pass method configurations the simulator serves, in the format of caTypes (entity's id folded into the
// entity types, base entity dropped). init adds them to caTypes so that the Conditional Access body checker
// (caCheckObject) validates these bodies too; TestCASchemaMatchesCSDL compares the merged table with the CSDL.
// Generated from the CSDL; keep it in step by regenerating, not by hand.
var authMethodTypes = map[string]*caType{
	"advancedConfigState":                                    {kind: caEnum, flags: false, members: []string{"default", "enabled", "disabled", "unknownFutureValue"}},
	"attestationEnforcement":                                 {kind: caEnum, flags: false, members: []string{"disabled", "registrationOnly", "unknownFutureValue"}},
	"authenticationMethodConfiguration":                      {kind: caEntity, abstract: true, props: map[string]caProp{"excludeTargets": {"excludeTarget", true, true}, "id": {"Edm.String", false, false}, "state": {"authenticationMethodState", false, true}}},
	"authenticationMethodState":                              {kind: caEnum, flags: false, members: []string{"enabled", "disabled"}},
	"authenticationMethodTarget":                             {kind: caEntity, props: map[string]caProp{"id": {"Edm.String", false, false}, "isRegistrationRequired": {"Edm.Boolean", false, false}, "targetType": {"authenticationMethodTargetType", false, false}}},
	"authenticationMethodTargetType":                         {kind: caEnum, flags: false, members: []string{"user", "group", "unknownFutureValue"}},
	"authenticationMethodsPolicy":                            {kind: caEntity, props: map[string]caProp{"description": {"Edm.String", false, true}, "displayName": {"Edm.String", false, true}, "id": {"Edm.String", false, false}, "lastModifiedDateTime": {"Edm.DateTimeOffset", false, true}, "policyMigrationState": {"authenticationMethodsPolicyMigrationState", false, true}, "policyVersion": {"Edm.String", false, true}, "reconfirmationInDays": {"Edm.Int32", false, true}, "registrationEnforcement": {"registrationEnforcement", false, true}}, navs: map[string]string{"authenticationMethodConfigurations": "Collection(authenticationMethodConfiguration)"}},
	"authenticationMethodsPolicyMigrationState":              {kind: caEnum, flags: false, members: []string{"preMigration", "migrationInProgress", "migrationComplete", "unknownFutureValue"}},
	"authenticationMethodsRegistrationCampaign":              {kind: caComplex, props: map[string]caProp{"excludeTargets": {"excludeTarget", true, false}, "includeTargets": {"authenticationMethodsRegistrationCampaignIncludeTarget", true, false}, "snoozeDurationInDays": {"Edm.Int32", false, false}, "state": {"advancedConfigState", false, false}}},
	"authenticationMethodsRegistrationCampaignIncludeTarget": {kind: caComplex, props: map[string]caProp{"id": {"Edm.String", false, false}, "targetType": {"authenticationMethodTargetType", false, false}, "targetedAuthenticationMethod": {"Edm.String", false, true}}},
	"excludeTarget":                                          {kind: caComplex, props: map[string]caProp{"id": {"Edm.String", false, false}, "targetType": {"authenticationMethodTargetType", false, false}}},
	"fido2AuthenticationMethodConfiguration":                 {kind: caEntity, base: "authenticationMethodConfiguration", props: map[string]caProp{"defaultPasskeyProfile": {"Edm.String", false, true}, "isAttestationEnforced": {"Edm.Boolean", false, true}, "isSelfServiceRegistrationAllowed": {"Edm.Boolean", false, true}, "keyRestrictions": {"fido2KeyRestrictions", false, true}}, navs: map[string]string{"includeTargets": "Collection(passkeyAuthenticationMethodTarget)", "passkeyProfiles": "Collection(passkeyProfile)"}},
	"fido2KeyRestrictions":                                   {kind: caComplex, props: map[string]caProp{"aaGuids": {"Edm.String", true, true}, "enforcementType": {"fido2RestrictionEnforcementType", false, true}, "isEnforced": {"Edm.Boolean", false, true}}},
	"fido2RestrictionEnforcementType":                        {kind: caEnum, flags: false, members: []string{"allow", "block", "unknownFutureValue"}},
	"includeTarget":                                          {kind: caComplex, props: map[string]caProp{"id": {"Edm.String", false, false}, "targetType": {"authenticationMethodTargetType", false, false}}},
	"passkeyAuthenticationMethodTarget":                      {kind: caEntity, base: "authenticationMethodTarget", props: map[string]caProp{"allowedPasskeyProfiles": {"Edm.Guid", true, true}}},
	"passkeyProfile":                                         {kind: caEntity, props: map[string]caProp{"attestationEnforcement": {"attestationEnforcement", false, false}, "id": {"Edm.String", false, false}, "keyRestrictions": {"fido2KeyRestrictions", false, true}, "name": {"Edm.String", false, true}, "passkeyTypes": {"passkeyTypes", false, true}}},
	"passkeyTypes":                                           {kind: caEnum, flags: true, members: []string{"deviceBound", "synced", "unknownFutureValue"}},
	"registrationEnforcement":                                {kind: caComplex, props: map[string]caProp{"authenticationMethodsRegistrationCampaign": {"authenticationMethodsRegistrationCampaign", false, true}}},
	"temporaryAccessPassAuthenticationMethodConfiguration":   {kind: caEntity, base: "authenticationMethodConfiguration", props: map[string]caProp{"defaultLength": {"Edm.Int32", false, true}, "defaultLifetimeInMinutes": {"Edm.Int32", false, true}, "isUsableOnce": {"Edm.Boolean", false, true}, "maximumLifetimeInMinutes": {"Edm.Int32", false, true}, "minimumLifetimeInMinutes": {"Edm.Int32", false, true}}, navs: map[string]string{"includeTargets": "Collection(authenticationMethodTarget)"}},
	"x509CertificateAffinityLevel":                           {kind: caEnum, flags: false, members: []string{"low", "high", "unknownFutureValue"}},
	"x509CertificateAuthenticationMethodConfiguration":       {kind: caEntity, base: "authenticationMethodConfiguration", props: map[string]caProp{"authenticationModeConfiguration": {"x509CertificateAuthenticationModeConfiguration", false, true}, "certificateAuthorityScopes": {"x509CertificateAuthorityScope", true, true}, "certificateUserBindings": {"x509CertificateUserBinding", true, true}, "crlValidationConfiguration": {"x509CertificateCRLValidationConfiguration", false, false}, "issuerHintsConfiguration": {"x509CertificateIssuerHintsConfiguration", false, true}}, navs: map[string]string{"includeTargets": "Collection(authenticationMethodTarget)"}},
	"x509CertificateAuthenticationMode":                      {kind: caEnum, flags: false, members: []string{"x509CertificateSingleFactor", "x509CertificateMultiFactor", "unknownFutureValue"}},
	"x509CertificateAuthenticationModeConfiguration":         {kind: caComplex, props: map[string]caProp{"rules": {"x509CertificateRule", true, true}, "x509CertificateAuthenticationDefaultMode": {"x509CertificateAuthenticationMode", false, true}, "x509CertificateDefaultRequiredAffinityLevel": {"x509CertificateAffinityLevel", false, true}}},
	"x509CertificateAuthorityScope":                          {kind: caComplex, props: map[string]caProp{"includeTargets": {"includeTarget", true, true}, "publicKeyInfrastructureIdentifier": {"Edm.String", false, true}, "subjectKeyIdentifier": {"Edm.String", false, true}}},
	"x509CertificateCRLValidationConfiguration":              {kind: caComplex, props: map[string]caProp{"exemptedCertificateAuthoritiesSubjectKeyIdentifiers": {"Edm.String", true, true}, "state": {"x509CertificateCRLValidationConfigurationState", false, false}}},
	"x509CertificateCRLValidationConfigurationState":         {kind: caEnum, flags: false, members: []string{"disabled", "enabled", "unknownFutureValue"}},
	"x509CertificateIssuerHintsConfiguration":                {kind: caComplex, props: map[string]caProp{"state": {"x509CertificateIssuerHintsState", false, true}}},
	"x509CertificateIssuerHintsState":                        {kind: caEnum, flags: false, members: []string{"disabled", "enabled", "unknownFutureValue"}},
	"x509CertificateRule":                                    {kind: caComplex, props: map[string]caProp{"identifier": {"Edm.String", false, true}, "issuerSubjectIdentifier": {"Edm.String", false, true}, "policyOidIdentifier": {"Edm.String", false, true}, "x509CertificateAuthenticationMode": {"x509CertificateAuthenticationMode", false, true}, "x509CertificateRequiredAffinityLevel": {"x509CertificateAffinityLevel", false, true}, "x509CertificateRuleType": {"x509CertificateRuleType", false, true}}},
	"x509CertificateRuleType":                                {kind: caEnum, flags: false, members: []string{"issuerSubject", "policyOID", "unknownFutureValue", "issuerSubjectAndPolicyOID"}},
	"x509CertificateUserBinding":                             {kind: caComplex, props: map[string]caProp{"priority": {"Edm.Int32", false, false}, "trustAffinityLevel": {"x509CertificateAffinityLevel", false, true}, "userProperty": {"Edm.String", false, true}, "x509CertificateField": {"Edm.String", false, true}}},
}

func init() {
	for name, t := range authMethodTypes {
		caTypes[name] = t
	}
}
