package tenantsim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Microsoft Graph v1.0 authentication methods policy: GET /policies/authenticationMethodsPolicy (the method
// configurations inline) and GET and PATCH /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}
// for Fido2, X509Certificate and TemporaryAccessPass, with the CSDL's shapes (graph_authmethods_schema.go).
//
// Permissions: "Get fido2AuthenticationMethodConfiguration" (and the X.509 and TAP pages) name
// Policy.Read.AuthenticationMethod, higher Policy.ReadWrite.AuthenticationMethod, for delegated and application
// access; Policy.Read.All is not in the table, so it does not grant reads here. "Update
// fido2AuthenticationMethodConfiguration" names Policy.ReadWrite.AuthenticationMethod only.
//
// PATCH is OData merge at the top level and in complex values (caMerge), but a collection sent replaces the whole
// collection: includeTargets and excludeTargets are not merged item by item (OData v4.01 Protocol, 11.4.3 "Update
// an Entity": a collection-valued property in the payload replaces the collection; the "Update
// fido2AuthenticationMethodConfiguration" example sends the complete includeTargets). A client that adds its own
// target must read the configuration, add to the list it read and send the whole list, or it removes every other
// team's targets; the seeded configurations carry such targets (FixtureAuthMethodsOtherTeamGroupID) so tests can
// prove none is lost.
//
// Error answers: an unknown property at the top level is OData's "does not exist on type" 400; anything else the
// CSDL refuses (wrong JSON kind, an enum value outside the type, null where Nullable=false), and the service's own
// rules below, answer 400 BadRequest with the simulator's wording (Graph's own texts for these were not found in
// public sources). An unknown configuration id is 404.
//
// Eventual consistency: the policy is a directory-replicated object (Microsoft Entra blog "Designing for
// Eventual Consistency for Microsoft Entra", 2026-03), so reads of a configuration within Knobs.StaleReadWindow of
// a write see the version before it with Knobs.StaleReadRate, like Conditional Access policies.

const authMethodsPolicyPath = "policies/authenticationMethodsPolicy"

// Fixture groups targeted by the seeded configurations: other teams' targets that must survive the provider's writes.
const (
	FixtureAuthMethodsOtherTeamGroupID = "0d3b5c7e-2f41-4a8b-9c6d-7e1f2a3b4c5d" // "Passkey pilot", included in Fido2
	FixtureTAPHelpdeskGroupID          = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d" // "Helpdesk onboarding", included in TemporaryAccessPass
	FixtureFido2ExcludedGroupID        = "9f8e7d6c-5b4a-4c3d-9e2f-1a0b9c8d7e6f" // "Shared kiosks", excluded from Fido2
)

var (
	authPolicyReadRoles  = anyOf{"Policy.Read.AuthenticationMethod", "Policy.ReadWrite.AuthenticationMethod"}
	authPolicyWriteRoles = anyOf{"Policy.ReadWrite.AuthenticationMethod"}
)

// authMethodConfigTypes maps the configuration ids served here to their CSDL types.
var authMethodConfigTypes = map[string]string{
	"fido2":               "fido2AuthenticationMethodConfiguration",
	"x509certificate":     "x509CertificateAuthenticationMethodConfiguration",
	"temporaryaccesspass": "temporaryAccessPassAuthenticationMethodConfiguration",
}

// authPolicyState is the tenant's authentication methods policy; the directory lock guards it.
type authPolicyState struct {
	policy  map[string]any        // the policy's own properties
	configs map[string]*versioned // key: lower-case configuration id
	order   []string
}

func (st *authPolicyState) config(id string) *versioned { return st.configs[strings.ToLower(id)] }

// tap returns the TemporaryAccessPass configuration as stored now.
func (st *authPolicyState) tap() map[string]any { return st.config("TemporaryAccessPass").data }

func target(typ, id string) map[string]any {
	return map[string]any{"targetType": typ, "id": id, "isRegistrationRequired": false}
}

// newAuthPolicyState seeds the policy of an established tenant, the harsher plausible default: FIDO2 enabled for
// another team's pilot group only (not all users) with one group excluded, TAP enabled for the helpdesk's group only,
// so the break-glass account is targeted by neither until the provider adds it, and X.509 certificate
// authentication disabled. TAP's numbers are the documented defaults (Microsoft Entra "Configure Temporary Access
// Pass": minimum and default lifetime 1 hour, maximum 8 hours, length 8, not one-time); the X.509 bindings are the
// documented default username bindings (Microsoft Entra "Configure certificate-based authentication").
func newAuthPolicyState() *authPolicyState {
	fido2Target := target("group", FixtureAuthMethodsOtherTeamGroupID)
	fido2Target["allowedPasskeyProfiles"] = []any{}
	configs := []map[string]any{
		{"id": "Fido2", "state": "enabled", "isAttestationEnforced": true, "isSelfServiceRegistrationAllowed": true,
			"defaultPasskeyProfile": nil,
			"keyRestrictions":       map[string]any{"isEnforced": false, "enforcementType": "block", "aaGuids": []any{}},
			"includeTargets":        []any{fido2Target},
			"excludeTargets":        []any{map[string]any{"targetType": "group", "id": FixtureFido2ExcludedGroupID}}},
		{"id": "TemporaryAccessPass", "state": "enabled", "defaultLifetimeInMinutes": 60.0, "defaultLength": 8.0,
			"minimumLifetimeInMinutes": 60.0, "maximumLifetimeInMinutes": 480.0, "isUsableOnce": false,
			"includeTargets": []any{target("group", FixtureTAPHelpdeskGroupID)}, "excludeTargets": []any{}},
		{"id": "X509Certificate", "state": "disabled", "certificateAuthorityScopes": []any{},
			"certificateUserBindings": []any{
				map[string]any{"x509CertificateField": "PrincipalName", "userProperty": "userPrincipalName", "priority": 1.0, "trustAffinityLevel": "low"},
				map[string]any{"x509CertificateField": "RFC822Name", "userProperty": "userPrincipalName", "priority": 2.0, "trustAffinityLevel": "low"},
				map[string]any{"x509CertificateField": "SubjectKeyIdentifier", "userProperty": "certificateUserIds", "priority": 3.0, "trustAffinityLevel": "high"},
			},
			"authenticationModeConfiguration": map[string]any{"x509CertificateAuthenticationDefaultMode": "x509CertificateSingleFactor",
				"x509CertificateDefaultRequiredAffinityLevel": "low", "rules": []any{}},
			"crlValidationConfiguration": map[string]any{"state": "disabled", "exemptedCertificateAuthoritiesSubjectKeyIdentifiers": []any{}},
			"issuerHintsConfiguration":   map[string]any{"state": "disabled"},
			"includeTargets":             []any{target("group", "all_users")}, "excludeTargets": []any{}},
	}
	st := &authPolicyState{configs: map[string]*versioned{}, policy: map[string]any{
		"id": "authenticationMethodsPolicy", "displayName": "Authentication Methods Policy",
		"description":          "The tenant-wide policy that controls which authentication methods are allowed in the tenant, authentication method registration requirements, and self-service password reset settings",
		"lastModifiedDateTime": nil, "policyVersion": "1.5", "reconfirmationInDays": 0.0, "policyMigrationState": "migrationComplete",
		"registrationEnforcement": map[string]any{"authenticationMethodsRegistrationCampaign": map[string]any{
			"snoozeDurationInDays": 1.0, "state": "default", "excludeTargets": []any{},
			"includeTargets": []any{map[string]any{"id": "all_users", "targetType": "group", "targetedAuthenticationMethod": "microsoftAuthenticator"}},
		}},
	}}
	for _, c := range configs {
		id, _ := c["id"].(string)
		key := strings.ToLower(id)
		caNormalize(c, authMethodConfigTypes[key])
		st.configs[key] = &versioned{data: c}
		st.order = append(st.order, key)
	}
	return st
}

// authConfigView is a configuration as Graph serves it: its @odata.type first.
func (s *Server) authConfigView(data map[string]any) map[string]any {
	out := copyObject(data)
	id, _ := data["id"].(string)
	out["@odata.type"] = "#microsoft.graph." + authMethodConfigTypes[strings.ToLower(id)]
	out["includeTargets@odata.context"] = fmt.Sprintf("%s/v1.0/$metadata#%s/authenticationMethodConfigurations('%s')/%s/includeTargets",
		s.baseURL, authMethodsPolicyPath, id, authMethodConfigTypes[strings.ToLower(id)])
	return out
}

// getAuthMethodsPolicy is GET /policies/authenticationMethodsPolicy.
func (s *Server) getAuthMethodsPolicy(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	if gerr := noQueryOptions(r, "authenticationMethodsPolicy"); gerr != nil {
		return gerr
	}
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	st := s.dir.authPolicy
	out := copyObject(st.policy)
	configs := make([]any, 0, len(st.order))
	for _, key := range st.order {
		configs = append(configs, s.authConfigView(s.replica(st.configs[key], now)))
	}
	out["authenticationMethodConfigurations"] = configs
	out["authenticationMethodConfigurations@odata.context"] = s.baseURL + "/v1.0/$metadata#" + authMethodsPolicyPath + "/authenticationMethodConfigurations"
	out["@odata.context"] = s.baseURL + "/v1.0/$metadata#authenticationMethodsPolicy"
	writeJSON(w, http.StatusOK, graphContentType, out)
	return nil
}

// getAuthMethodConfig is GET .../authenticationMethodConfigurations/{id}.
func (s *Server) getAuthMethodConfig(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	if gerr := noQueryOptions(r, "authenticationMethodsPolicy"); gerr != nil {
		return gerr
	}
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	c := s.dir.authPolicy.config(params[0])
	if c == nil {
		return resourceNotFound(params[0])
	}
	out := s.authConfigView(s.replica(c, now))
	out["@odata.context"] = s.baseURL + "/v1.0/$metadata#" + authMethodsPolicyPath + "/authenticationMethodConfigurations/$entity"
	writeJSON(w, http.StatusOK, graphContentType, out)
	return nil
}

// updateAuthMethodConfig is PATCH .../authenticationMethodConfigurations/{id}: 204 No Content.
func (s *Server) updateAuthMethodConfig(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	body, gerr := decodeBody(r)
	if gerr != nil {
		return gerr
	}
	typ := authMethodConfigTypes[strings.ToLower(params[0])]
	if typ == "" {
		return resourceNotFound(params[0])
	}
	if gerr := checkAuthConfigBody(body, typ); gerr != nil {
		return gerr
	}
	now := time.Now()
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	c := s.dir.authPolicy.config(params[0])
	merged := copyObject(c.data)
	caMerge(merged, body, typ)
	caNormalize(merged, typ)
	normalizeTargets(merged, typ)
	if gerr := checkAuthConfig(merged, typ); gerr != nil {
		return gerr
	}
	c.write(merged, now)
	s.dir.authPolicy.policy["lastModifiedDateTime"] = graphTime(now)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkAuthConfigBody validates a PATCH body against the configuration's CSDL type. The id may be sent back
// unchanged (a read sent back); another id is refused.
func checkAuthConfigBody(body map[string]any, typ string) *graphError {
	props := caPropsOf(typ)
	for key := range body {
		_, isProp := props[key]
		_, isNav := caTypes[typ].navs[key]
		if !isProp && !isNav && !strings.HasPrefix(key, "@") && !strings.Contains(key, "@odata.") {
			return unknownProperty(key, "microsoft.graph."+typ)
		}
	}
	if id, ok := body["id"]; ok {
		if s, _ := id.(string); !strings.EqualFold(s, authConfigID(typ)) {
			return badRequest("The id of an authentication method configuration cannot be changed.")
		}
		delete(body, "id")
	}
	if msg := caCheckObject(typ, body, typ); msg != "" {
		return newGraphError(http.StatusBadRequest, "BadRequest", "tenantsim: "+msg)
	}
	return nil
}

func authConfigID(typ string) string {
	for id, t := range authMethodConfigTypes {
		if t == typ {
			return id
		}
	}
	return ""
}

// normalizeTargets gives every include target the members Graph returns: isRegistrationRequired (non-nullable;
// false when not sent) and, for FIDO2, allowedPasskeyProfiles.
func normalizeTargets(c map[string]any, typ string) {
	targets, _ := c["includeTargets"].([]any)
	for _, t := range targets {
		m, _ := t.(map[string]any)
		if m["isRegistrationRequired"] == nil {
			m["isRegistrationRequired"] = false
		}
		if _, ok := m["allowedPasskeyProfiles"]; !ok && typ == "fido2AuthenticationMethodConfiguration" {
			m["allowedPasskeyProfiles"] = []any{}
		}
	}
}

// TAP lifetime bounds and lengths (Microsoft Entra "Configure Temporary Access Pass": lifetimes 10 to 43,200
// minutes, 30 days; length 8 to 48 characters; the default lifetime lies between the minimum and the maximum).
const (
	tapMinLifetime = 10
	tapMaxLifetime = 43200
	tapMinLength   = 8
	tapMaxLength   = 48
)

// checkAuthConfig applies the service's rules to a merged configuration.
func checkAuthConfig(c map[string]any, typ string) *graphError {
	for _, list := range []string{"includeTargets", "excludeTargets"} {
		targets, _ := c[list].([]any)
		for _, t := range targets {
			m, _ := t.(map[string]any)
			id, _ := m["id"].(string)
			kind, _ := m["targetType"].(string)
			// Targets name users or groups by object id; "all_users" (a group target) is the documented special value
			// ("Update fido2AuthenticationMethodConfiguration" example).
			if kind != "user" && kind != "group" {
				return badRequest(fmt.Sprintf("%s: targetType must be user or group, not '%s'.", list, kind))
			}
			if uuid.Validate(id) != nil && !(id == "all_users" && kind == "group") {
				return badRequest(fmt.Sprintf("%s: '%s' is not an object id or all_users.", list, id))
			}
		}
	}
	switch typ {
	case "fido2AuthenticationMethodConfiguration":
		kr, _ := c["keyRestrictions"].(map[string]any)
		for _, v := range stringList(kr, "aaGuids") {
			if uuid.Validate(v) != nil {
				return badRequest(fmt.Sprintf("keyRestrictions.aaGuids: '%s' is not an AAGUID.", v))
			}
		}
	case "temporaryAccessPassAuthenticationMethodConfiguration":
		minimum, maximum, def := intProp(c, "minimumLifetimeInMinutes"), intProp(c, "maximumLifetimeInMinutes"), intProp(c, "defaultLifetimeInMinutes")
		switch {
		case minimum < tapMinLifetime || maximum > tapMaxLifetime || minimum > maximum:
			return badRequest(fmt.Sprintf("Temporary Access Pass lifetimes must lie between %d and %d minutes, the minimum not above the maximum.", tapMinLifetime, tapMaxLifetime))
		case def < minimum || def > maximum:
			return badRequest("defaultLifetimeInMinutes must lie between minimumLifetimeInMinutes and maximumLifetimeInMinutes.")
		case intProp(c, "defaultLength") < tapMinLength || intProp(c, "defaultLength") > tapMaxLength:
			return badRequest(fmt.Sprintf("defaultLength must lie between %d and %d.", tapMinLength, tapMaxLength))
		}
	}
	return nil
}

func intProp(m map[string]any, name string) int { f, _ := m[name].(float64); return int(f) }

// targets reports whether a configuration applies to the user: enabled, the user or one of the groups is included
// (or all_users), and neither is excluded. The caller holds the lock.
func (d *directory) targets(c map[string]any, userID string) bool {
	if c["state"] != "enabled" {
		return false
	}
	principals := append([]string{strings.ToLower(userID)}, d.groupsOf(userID)...)
	matches := func(list string) bool {
		targets, _ := c[list].([]any)
		return slices.ContainsFunc(targets, func(t any) bool {
			m, _ := t.(map[string]any)
			id, _ := m["id"].(string)
			return (list == "includeTargets" && id == "all_users") || slices.Contains(principals, strings.ToLower(id))
		})
	}
	return matches("includeTargets") && !matches("excludeTargets")
}

// AuthMethodConfig returns the stored Graph JSON of an authentication method configuration (Fido2,
// X509Certificate or TemporaryAccessPass).
func (s *Server) AuthMethodConfig(id string) (map[string]any, bool) {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	c := s.dir.authPolicy.config(id)
	if c == nil {
		return nil, false
	}
	return copyObject(c.data), true
}

// SetAuthMethodConfigFields merges fields into a configuration with Graph's PATCH semantics but without
// validation, as another administrator's write would (the replica model sees it as a write).
func (s *Server) SetAuthMethodConfigFields(id string, fields map[string]any) error {
	fields, err := normalizeJSON(fields)
	if err != nil {
		return err
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	c := s.dir.authPolicy.config(id)
	if c == nil {
		return fmt.Errorf("no authentication method configuration %q", id)
	}
	typ := authMethodConfigTypes[strings.ToLower(id)]
	merged := copyObject(c.data)
	caMerge(merged, fields, typ)
	caNormalize(merged, typ)
	normalizeTargets(merged, typ)
	c.write(merged, time.Now())
	return nil
}

// groupsOf lists the groups the user is a direct member of (lower-case ids). The caller holds the lock.
func (d *directory) groupsOf(userID string) []string {
	var out []string
	for id, g := range d.groups.byID {
		if g.hasMember(userID) {
			out = append(out, id)
		}
	}
	return out
}

// seedAuthMethodsPolicy resets the policy and adds the other teams' groups its configurations target.
func (d *directory) seedAuthMethodsPolicy() error {
	d.authPolicy = newAuthPolicyState()
	for _, g := range []Group{
		{ID: FixtureAuthMethodsOtherTeamGroupID, DisplayName: "Passkey pilot", SecurityEnabled: true},
		{ID: FixtureTAPHelpdeskGroupID, DisplayName: "Helpdesk onboarding", SecurityEnabled: true},
		{ID: FixtureFido2ExcludedGroupID, DisplayName: "Shared kiosks", SecurityEnabled: true},
	} {
		if _, err := d.addGroup(g); err != nil {
			return err
		}
	}
	return nil
}
