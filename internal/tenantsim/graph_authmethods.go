package tenantsim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Microsoft Graph v1.0 authentication methods of users: /users/{id}/authentication/methods (every registered
// method, the password, a Temporary Access Pass and the methods AddAuthMethod plants included) and /users/{id}/authentication/fido2Methods (read and
// delete; Temporary Access Passes are in graph_authmethods_tap.go). FIDO2 security keys and
// passkeys are added with the control API (AddFIDO2Method); Graph cannot register one for another user.
//
// The authentication methods workload answers a caller without the permission with 403 accessDenied "Request
// Authorization failed", not with the directory's Authorization_RequestDenied.

// Permission rules ("List methods" for another user and "List fido2AuthenticationMethods", delegated and
// application rows).
var (
	authMethodReadRoles = anyOf{"UserAuthenticationMethod.Read.All", "UserAuthenticationMethod.ReadWrite.All"}
	fido2ReadRoles      = anyOf{"UserAuthMethod-Passkey.Read.All", "UserAuthMethod-Passkey.ReadWrite.All",
		"UserAuthenticationMethod.Read.All", "UserAuthenticationMethod.ReadWrite.All"}
	// "Delete fido2AuthenticationMethod", application row.
	fido2WriteRoles = anyOf{"UserAuthMethod-Passkey.ReadWrite.All", "UserAuthenticationMethod.ReadWrite.All"}
)

// passwordMethodID is the fixed id of every user's passwordAuthenticationMethod.
const passwordMethodID = "28c10230-6103-485e-b985-444c60001490"

var fido2Schema = (&entitySchema{
	typeName: "microsoft.graph.fido2AuthenticationMethod", resourceName: "fido2AuthenticationMethod",
	properties: map[string]propKind{
		"aaGuid": propText, "attestationCertificates": propCollection, "attestationLevel": propText, "displayName": propText,
		"model": propText, "passkeyType": propText, "publicKeyCredential": propComplex, "createdDateTime": propText, "id": propText,
	},
	defaultSelect: []string{"id", "displayName", "createdDateTime", "aaGuid", "model", "attestationCertificates",
		"attestationLevel", "passkeyType"},
}).init()

func authMethodsDenied() *graphError {
	e := newGraphError(http.StatusForbidden, "accessDenied", "Request Authorization failed")
	e.inner = "Request Authorization failed"
	return e
}

// authMethodRoutePrefix: routes under it answer permission errors the authentication methods way.
const authMethodRoutePrefix = "/users/{}/authentication/"

// FIDO2Method describes a FIDO2 security key or passkey for AddFIDO2Method.
type FIDO2Method struct {
	DisplayName      string    // e.g. "YubiKey 5 NFC"
	Model            string    // e.g. "YubiKey 5 Series with NFC"
	AAGUID           string    // authenticator attestation GUID, e.g. "2fc0579f-8113-47ea-b116-bb5a8db9202a"
	AttestationLevel string    // "attested" (default) or "notAttested"
	PasskeyType      string    // "deviceBound" (default) or "synced"
	Created          time.Time // default: now
}

// fido2MethodJSON renders a FIDO2 method as Graph does; id is opaque (base64url).
func fido2MethodJSON(id string, m FIDO2Method) map[string]any {
	return map[string]any{
		"id": id, "displayName": nullableString(m.DisplayName), "createdDateTime": graphTime(m.Created),
		"aaGuid": nullableString(m.AAGUID), "model": nullableString(m.Model), "attestationCertificates": []any{},
		"attestationLevel": m.AttestationLevel, "passkeyType": m.PasskeyType, "publicKeyCredential": nil,
	}
}

func (m *FIDO2Method) normalize() error {
	if m.AttestationLevel == "" {
		m.AttestationLevel = "attested"
	}
	if m.PasskeyType == "" {
		m.PasskeyType = "deviceBound"
	}
	if m.Created.IsZero() {
		m.Created = time.Now()
	}
	switch {
	case m.AttestationLevel != "attested" && m.AttestationLevel != "notAttested":
		return fmt.Errorf("attestation level %q is not attested or notAttested", m.AttestationLevel)
	case m.PasskeyType != "deviceBound" && m.PasskeyType != "synced":
		return fmt.Errorf("passkey type %q is not deviceBound or synced", m.PasskeyType)
	case m.AAGUID != "" && uuid.Validate(m.AAGUID) != nil:
		return fmt.Errorf("AAGUID %q is not a GUID", m.AAGUID)
	}
	return nil
}

// addFIDO2 stores a method for a user; the caller holds the lock. The Fido2 configuration's key restrictions
// apply to registration (Microsoft Entra "Enable passkeys (FIDO2)": with enforcement type Allow only the listed
// AAGUIDs can be registered, with Block the listed ones cannot; a key without an AAGUID fails an Allow list).
func (d *directory) addFIDO2(u *userRecord, m FIDO2Method) (string, error) {
	if err := m.normalize(); err != nil {
		return "", err
	}
	kr, _ := d.authPolicy.config("Fido2").data["keyRestrictions"].(map[string]any)
	if enforced, _ := kr["isEnforced"].(bool); enforced {
		listed := slices.ContainsFunc(stringList(kr, "aaGuids"), func(g string) bool { return strings.EqualFold(g, m.AAGUID) })
		if allow := kr["enforcementType"] == "allow"; allow != listed {
			return "", fmt.Errorf("the Fido2 key restrictions (%v, %v) do not allow AAGUID %q", kr["enforcementType"], stringList(kr, "aaGuids"), m.AAGUID)
		}
	}
	id := base64.RawURLEncoding.EncodeToString(randomBytes(18))
	key := strings.ToLower(u.id())
	d.users.fido2[key] = append(d.users.fido2[key], fido2MethodJSON(id, m))
	return id, nil
}

// passwordMethodJSON is the user's password method; Graph never returns the password.
func passwordMethodJSON(u *userRecord) map[string]any {
	created := u.data["lastPasswordChangeDateTime"]
	if created == nil {
		created = u.data["createdDateTime"]
	}
	return map[string]any{"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": passwordMethodID,
		"createdDateTime": created, "password": nil}
}

// authUser finds the user of an authentication methods route. The caller holds the lock.
func (s *Server) authUser(key string, now time.Time) (*userRecord, *graphError) {
	if gerr := userKeyError(key); gerr != nil {
		return nil, gerr
	}
	u := s.dir.liveUser(key, now)
	if u == nil {
		return nil, resourceNotFound(key)
	}
	return u, nil
}

// listAuthMethods is GET /users/{id}/authentication/methods.
func (s *Server) listAuthMethods(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	u, gerr := s.authUser(params[0], now)
	if gerr != nil {
		return gerr
	}
	value := []any{}
	if u.password != nil || u.syncedFromOnPremises() {
		value = append(value, passwordMethodJSON(u))
	}
	for _, m := range s.dir.users.fido2[strings.ToLower(u.id())] {
		item := fido2Schema.project(m, nil)
		item["@odata.type"] = "#microsoft.graph.fido2AuthenticationMethod"
		value = append(value, item)
	}
	for _, m := range s.dir.users.methods[strings.ToLower(u.id())] {
		value = append(value, copyObject(m))
	}
	if m := s.dir.users.tap[strings.ToLower(u.id())]; m != nil {
		item := tapView(m, now)
		item["@odata.type"] = "#microsoft.graph.temporaryAccessPassAuthenticationMethod"
		value = append(value, item)
	}
	writeJSON(w, http.StatusOK, graphContentType, map[string]any{
		"@odata.context": s.baseURL + "/v1.0/$metadata#users('" + u.id() + "')/authentication/methods", "value": value,
	})
	return nil
}

// noQueryOptions refuses every OData query option: "List fido2AuthenticationMethods" and "Get
// fido2AuthenticationMethod" (Graph v1.0 reference) say the methods do not support optional query parameters.
// Graph may ignore one instead of refusing it; refusing is the harsher of the two, so a client that relies on
// $select or $top there fails here first.
// The authentication methods policy pages ("Get authenticationMethodsPolicy", "Get
// fido2AuthenticationMethodConfiguration") say the same; what names the resource in the message.
func noQueryOptions(r *http.Request, what string) *graphError {
	for name := range r.URL.Query() {
		if strings.HasPrefix(name, "$") {
			return badRequest(fmt.Sprintf("Query option '%s' is not supported for %s.", name, what))
		}
	}
	return nil
}

// listFIDO2Methods is GET /users/{id}/authentication/fido2Methods.
func (s *Server) listFIDO2Methods(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	if gerr := noQueryOptions(r, "fido2Methods"); gerr != nil {
		return gerr
	}
	q, gerr := parseListQuery(r, fido2Schema, graphDefaultPage, graphMaxPage)
	if gerr != nil {
		return gerr
	}
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	u, gerr := s.authUser(params[0], now)
	if gerr != nil {
		return gerr
	}
	resp := q.page(r, fido2Schema, s.baseURL,
		contextURL(s.baseURL, "users('"+u.id()+"')/authentication/fido2Methods", q.selected, false), s.dir.users.fido2[strings.ToLower(u.id())])
	writeJSON(w, http.StatusOK, graphContentType, resp)
	return nil
}

// getFIDO2Method is GET /users/{id}/authentication/fido2Methods/{methodId}.
func (s *Server) getFIDO2Method(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	if gerr := noQueryOptions(r, "fido2Methods"); gerr != nil {
		return gerr
	}
	selected, gerr := parseSelect(r, fido2Schema)
	if gerr != nil {
		return gerr
	}
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	u, gerr := s.authUser(params[0], now)
	if gerr != nil {
		return gerr
	}
	for _, m := range s.dir.users.fido2[strings.ToLower(u.id())] {
		if m["id"] == params[1] {
			resp := fido2Schema.project(m, selected)
			resp["@odata.context"] = contextURL(s.baseURL, "users('"+u.id()+"')/authentication/fido2Methods", selected, true)
			writeJSON(w, http.StatusOK, graphContentType, resp)
			return nil
		}
	}
	return resourceNotFound(params[1])
}

// deleteFIDO2Method is DELETE /users/{id}/authentication/fido2Methods/{methodId}: 204, under the same
// privileged-target and restricted management rules as TAP writes.
func (s *Server) deleteFIDO2Method(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	now := time.Now()
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	u, gerr := s.authUser(params[0], now)
	if gerr != nil {
		return gerr
	}
	key := strings.ToLower(u.id())
	i := slices.IndexFunc(s.dir.users.fido2[key], func(m map[string]any) bool { return m["id"] == params[1] })
	if i < 0 {
		return resourceNotFound(params[1])
	}
	if gerr := s.checkAuthMethodWrite(r, u, now); gerr != nil {
		return gerr
	}
	s.dir.users.fido2[key] = slices.Delete(s.dir.users.fido2[key], i, i+1)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// The user's other registered methods ("List methods", v1.0: the collection holds every method registered for
// the user, each with its @odata.type): phone, email, Microsoft Authenticator, software OATH and Windows Hello for
// Business. Graph registers most of them only through the user's own sign-in, so tests plant them with the control
// API (AddAuthMethod); their properties are those of the CSDL entity types, checked like request bodies.

// registeredMethodTypes are the method types AddAuthMethod takes, with their own properties from the v1.0 CSDL
// (authenticationMethod's createdDateTime and id are added by the simulator). Windows Hello for Business and
// Microsoft Authenticator also have a device navigation property, which is not rendered.
var registeredMethodTypes = map[string]map[string]caProp{
	"phoneAuthenticationMethod": {"phoneNumber": {typ: "Edm.String", nullable: true},
		"phoneType": {typ: "authenticationPhoneType", nullable: true}, "smsSignInState": {typ: "authenticationMethodSignInState", nullable: true}},
	"emailAuthenticationMethod": {"emailAddress": {typ: "Edm.String", nullable: true}},
	"microsoftAuthenticatorAuthenticationMethod": {"deviceTag": {typ: "Edm.String", nullable: true},
		"displayName": {typ: "Edm.String", nullable: true}, "phoneAppVersion": {typ: "Edm.String", nullable: true}},
	"softwareOathAuthenticationMethod": {"secretKey": {typ: "Edm.String", nullable: true}},
	"windowsHelloForBusinessAuthenticationMethod": {"displayName": {typ: "Edm.String", nullable: true},
		"keyStrength": {typ: "authenticationMethodKeyStrength", nullable: true}},
}

// The enums of those properties (v1.0 CSDL), added to caTypes so that caCheckValue knows them.
func init() {
	caTypes["authenticationPhoneType"] = &caType{kind: caEnum, members: []string{"mobile", "alternateMobile", "office", "unknownFutureValue"}}
	caTypes["authenticationMethodSignInState"] = &caType{kind: caEnum, members: []string{"notSupported", "notAllowedByPolicy",
		"notEnabled", "phoneNumberNotUnique", "ready", "notConfigured", "unknownFutureValue"}}
	caTypes["authenticationMethodKeyStrength"] = &caType{kind: caEnum, members: []string{"normal", "weak", "unknown"}}
}

// Fixed method ids: "phoneAuthenticationMethod resource type" gives one id per phone type, and
// "emailAuthenticationMethod resource type" the email method's id; a user has at most one of each.
var fixedMethodIDs = map[string]string{
	"mobile": "3179e48a-750b-4051-897c-87b9720928f7", "alternateMobile": "b6332ec1-7057-4abe-9331-3d72feddfe41",
	"office": "e37fc753-ff3b-4958-9484-eaa9425c82bc", "email": "3ddfcfc8-9383-446f-83cc-3ab9be4be18f",
}

// AuthMethod describes a registered method for AddAuthMethod.
type AuthMethod struct {
	// Type is the CSDL entity type without its namespace, e.g. "phoneAuthenticationMethod".
	Type string
	// Properties are the type's own properties; those left out are null. Graph never returns secretKey.
	Properties map[string]any
	Created    time.Time // default: now
}

// AddAuthMethod registers a phone, email, Microsoft Authenticator, software OATH or Windows Hello for Business
// method for a user (by id or UPN), as GET /users/{id}/authentication/methods then lists it, and returns its id.
func (s *Server) AddAuthMethod(idOrUPN string, m AuthMethod) (string, error) {
	props, ok := registeredMethodTypes[m.Type]
	if !ok {
		return "", fmt.Errorf("method type %q is not phone, email, Microsoft Authenticator, software OATH or Windows Hello for Business", m.Type)
	}
	fields, err := normalizeJSON(m.Properties)
	if err != nil {
		return "", err
	}
	item := map[string]any{"@odata.type": "#microsoft.graph." + m.Type}
	for name, prop := range props {
		item[name] = nil
		if v, ok := fields[name]; ok {
			if msg := caCheckValue(prop, v, name); msg != "" {
				return "", fmt.Errorf("%s: %s", m.Type, msg)
			}
			item[name] = v
		}
	}
	for name := range fields {
		if _, ok := props[name]; !ok {
			return "", fmt.Errorf("%s has no property %q", m.Type, name)
		}
	}
	if m.Created.IsZero() {
		m.Created = time.Now()
	}
	item["createdDateTime"] = graphTime(m.Created)
	if _, ok := item["secretKey"]; ok {
		item["secretKey"] = nil // "softwareOathAuthenticationMethod resource type": always returns null
	}
	id := uuid.NewString()
	switch m.Type {
	case "phoneAuthenticationMethod":
		phoneType, _ := item["phoneType"].(string)
		if fixedMethodIDs[phoneType] == "" || item["phoneNumber"] == nil {
			return "", fmt.Errorf("a phone method needs a phoneNumber and a phoneType of mobile, alternateMobile or office")
		}
		id = fixedMethodIDs[phoneType]
	case "emailAuthenticationMethod":
		id = fixedMethodIDs["email"]
	}
	item["id"] = id
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	u := s.dir.user(idOrUPN)
	if u == nil || u.deleted {
		return "", fmt.Errorf("%w: %s", errNoSuchUser, idOrUPN)
	}
	key := strings.ToLower(u.id())
	if slices.ContainsFunc(s.dir.users.methods[key], func(x map[string]any) bool { return x["id"] == id }) {
		return "", fmt.Errorf("the user already has the method %s", id)
	}
	s.dir.users.methods[key] = append(s.dir.users.methods[key], item)
	return id, nil
}

// RemoveAuthMethod deletes any registered method of a user by its id (FIDO2, Temporary Access Pass or one added with
// AddAuthMethod), as the user or another administrator would.
func (s *Server) RemoveAuthMethod(idOrUPN, methodID string) error {
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	u := s.dir.user(idOrUPN)
	if u == nil || u.deleted {
		return fmt.Errorf("%w: %s", errNoSuchUser, idOrUPN)
	}
	key := strings.ToLower(u.id())
	byID := func(m map[string]any) bool { return m["id"] == methodID }
	switch {
	case slices.ContainsFunc(s.dir.users.fido2[key], byID):
		s.dir.users.fido2[key] = slices.DeleteFunc(s.dir.users.fido2[key], byID)
	case slices.ContainsFunc(s.dir.users.methods[key], byID):
		s.dir.users.methods[key] = slices.DeleteFunc(s.dir.users.methods[key], byID)
	case s.dir.users.tap[key] != nil && byID(s.dir.users.tap[key]):
		delete(s.dir.users.tap, key)
	default:
		return fmt.Errorf("user %s has no method %s", idOrUPN, methodID)
	}
	return nil
}
