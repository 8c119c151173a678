package tenantsim

import (
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // certificate thumbprints are SHA-1 by definition
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Microsoft Graph v1.0 applications, service principals and app role assignments.
//
// Every app registered with the simulator (RegisterApp, the main app, seed apps) has an application object and a
// service principal whose object id is the one tokens carry in oid; the managed identity has only a service
// principal (servicePrincipalType "ManagedIdentity"). An app's Graph application permissions are
// appRoleAssignments from its service principal to the Microsoft Graph service principal, and they stay in step
// with the roles claim of its tokens: RegisterApp creates one assignment per role the Graph service principal
// declares, and granting a Graph role through Graph adds it to the app's next tokens.
//
// Page sizes: applications, servicePrincipals, owners, appRoleAssignments and appRoleAssignedTo page at 100 by
// default and at most 999 ("The default and maximum page sizes are 100 and 999 service principal objects"). With
// $expand a directory object list returns at most 100 objects per page and at most 20 expanded objects per
// navigation property (Microsoft Graph known issue: "$expand on directory objects returns a maximum of 100
// objects"; query parameters documentation).
//
// Not modelled: the appId alternate key (applications(appId='...'), servicePrincipals(appId='...')), soft deletion
// of applications (deleting one removes it and its service principal at once), and secrets added through
// addPassword are not accepted at the token endpoint (registered apps keep their own credentials). publisherName
// is a beta-only property; v1.0 shows a publisher through verifiedPublisher and appOwnerOrganizationId.

// ---- permissions ----
//
// Rules are the union of the delegated (work or school) and application rows of each API's permissions table.
// Directory.ReadWrite.All is accepted wherever Directory.Read.All is: the tables list it inconsistently, but it is a
// strict superset.
var (
	// applicationReadRoles: List applications / Get application / List owners.
	applicationReadRoles = anyOf{"Application.Read.All", "Application.ReadWrite.OwnedBy", "Application.ReadWrite.All",
		"Directory.Read.All", "Directory.ReadWrite.All"}
	// applicationCreateRoles: Create application (AppRegistration.Create is the least privileged).
	applicationCreateRoles = anyOf{"AppRegistration.Create", "Application.ReadWrite.OwnedBy", "Application.ReadWrite.All"}
	// applicationWriteRoles: Update application, addPassword, removePassword, Delete application. With only
	// Application.ReadWrite.OwnedBy the caller must own the object (checked in the handlers).
	applicationWriteRoles = anyOf{"Application.ReadWrite.OwnedBy", "Application.ReadWrite.All"}
	// servicePrincipalReadRoles: List/Get servicePrincipals, owners, appRoleAssignments, appRoleAssignedTo.
	servicePrincipalReadRoles = anyOf{"Application.Read.All", "Application.ReadWrite.OwnedBy", "Application.ReadWrite.All",
		"Directory.Read.All", "Directory.ReadWrite.All"}
	// servicePrincipalCreateRoles: Create servicePrincipal.
	servicePrincipalCreateRoles = anyOf{"Application.ReadWrite.OwnedBy", "Application.ReadWrite.All", "Directory.ReadWrite.All"}
	// servicePrincipalDeleteRoles: Delete servicePrincipal.
	servicePrincipalDeleteRoles = anyOf{"Application.ReadWrite.OwnedBy", "Application.ReadWrite.All"}
	// appRoleAssignmentWriteRoles: Grant an appRoleAssignment (to or for a service principal) needs
	// "AppRoleAssignment.ReadWrite.All and Application.Read.All" (or Directory.Read.All).
	appRoleAssignmentWriteRoles = allOf{anyOf{"AppRoleAssignment.ReadWrite.All"},
		anyOf{"Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}}
)

// ---- schemas (v1.0 CSDL) ----

var informationalURLDefault = map[string]any{"logoUrl": nil, "marketingUrl": nil, "privacyStatementUrl": nil, "supportUrl": nil, "termsOfServiceUrl": nil}

var applicationSchema = (&entitySchema{
	typeName: "microsoft.graph.application", resourceName: "Application",
	properties: map[string]propKind{
		"addIns": propCollection, "api": propComplex, "appId": propText, "applicationTemplateId": propText,
		"appRoles": propCollection, "authenticationBehaviors": propComplex, "certification": propComplex,
		"createdByAppId": propText, "createdDateTime": propText, "defaultRedirectUri": propText, "description": propText,
		"disabledByMicrosoftStatus": propText, "displayName": propText, "groupMembershipClaims": propText,
		"identifierUris": propCollection, "info": propComplex, "isDeviceOnlyAuthSupported": propBoolean,
		"isDisabled": propBoolean, "isFallbackPublicClient": propBoolean, "keyCredentials": propCollection,
		"logo": propText, "managerApplications": propCollection, "nativeAuthenticationApisEnabled": propText,
		"notes": propText, "oauth2RequirePostResponse": propBoolean, "optionalClaims": propComplex,
		"parentalControlSettings": propComplex, "passwordCredentials": propCollection, "publicClient": propComplex,
		"publisherDomain": propText, "requestSignatureVerification": propComplex, "requiredResourceAccess": propCollection,
		"samlMetadataUrl": propText, "serviceManagementReference": propText,
		"servicePrincipalLockConfiguration": propComplex, "signInAudience": propText, "spa": propComplex,
		"tags": propCollection, "tokenEncryptionKeyId": propText, "uniqueName": propText, "verifiedPublisher": propComplex,
		"web": propComplex, "deletedDateTime": propText, "id": propText,
	},
	// Returned without $select: everything but the logo stream and the properties Graph serves only on $select.
	defaultSelect: []string{"id", "deletedDateTime", "appId", "applicationTemplateId", "disabledByMicrosoftStatus",
		"createdDateTime", "displayName", "description", "groupMembershipClaims", "identifierUris",
		"isDeviceOnlyAuthSupported", "isFallbackPublicClient", "nativeAuthenticationApisEnabled", "notes",
		"publisherDomain", "serviceManagementReference", "signInAudience", "tags", "tokenEncryptionKeyId",
		"samlMetadataUrl", "defaultRedirectUri", "certification", "optionalClaims", "servicePrincipalLockConfiguration",
		"requestSignatureVerification", "addIns", "api", "appRoles", "info", "keyCredentials", "parentalControlSettings",
		"passwordCredentials", "publicClient", "requiredResourceAccess", "spa", "verifiedPublisher", "web"},
	filterable: map[string]bool{"id": true, "appId": true, "displayName": true, "signInAudience": true,
		"publisherDomain": true, "createdDateTime": true},
	zeroValues: map[string]any{"oauth2RequirePostResponse": false},
}).init()

var servicePrincipalSchema = (&entitySchema{
	typeName: "microsoft.graph.servicePrincipal", resourceName: "ServicePrincipal",
	properties: map[string]propKind{
		"accountEnabled": propBoolean, "addIns": propCollection, "alternativeNames": propCollection,
		"appDescription": propText, "appDisplayName": propText, "appId": propText, "applicationTemplateId": propText,
		"appOwnerOrganizationId": propText, "appRoleAssignmentRequired": propBoolean, "appRoles": propCollection,
		"createdByAppId": propText, "customSecurityAttributes": propComplex, "description": propText,
		"disabledByMicrosoftStatus": propText, "displayName": propText, "homepage": propText, "info": propComplex,
		"isDisabled": propBoolean, "keyCredentials": propCollection, "loginUrl": propText, "logoutUrl": propText,
		"notes": propText, "notificationEmailAddresses": propCollection, "oauth2PermissionScopes": propCollection,
		"passwordCredentials": propCollection, "preferredSingleSignOnMode": propText,
		"preferredTokenSigningKeyThumbprint": propText, "replyUrls": propCollection,
		"resourceSpecificApplicationPermissions": propCollection, "samlSingleSignOnSettings": propComplex,
		"servicePrincipalNames": propCollection, "servicePrincipalType": propText, "signInAudience": propText,
		"tags": propCollection, "tokenEncryptionKeyId": propText, "verifiedPublisher": propComplex,
		"deletedDateTime": propText, "id": propText,
	},
	defaultSelect: []string{"id", "deletedDateTime", "accountEnabled", "alternativeNames", "appDisplayName",
		"appDescription", "appId", "applicationTemplateId", "appOwnerOrganizationId", "appRoleAssignmentRequired",
		"description", "disabledByMicrosoftStatus", "displayName", "homepage", "loginUrl", "logoutUrl", "notes",
		"notificationEmailAddresses", "preferredSingleSignOnMode", "preferredTokenSigningKeyThumbprint", "replyUrls",
		"servicePrincipalNames", "servicePrincipalType", "signInAudience", "tags", "tokenEncryptionKeyId",
		"samlSingleSignOnSettings", "addIns", "appRoles", "info", "keyCredentials", "oauth2PermissionScopes",
		"passwordCredentials", "resourceSpecificApplicationPermissions", "verifiedPublisher"},
	filterable: map[string]bool{"id": true, "appId": true, "displayName": true, "servicePrincipalType": true,
		"accountEnabled": true, "appOwnerOrganizationId": true, "appDisplayName": true,
		"appRoleAssignmentRequired": true},
	zeroValues: map[string]any{"appRoleAssignmentRequired": false},
}).init()

var appRoleAssignmentSchema = (&entitySchema{
	typeName: "microsoft.graph.appRoleAssignment", resourceName: "AppRoleAssignment",
	properties: map[string]propKind{
		"appRoleId": propText, "createdDateTime": propText, "principalDisplayName": propText, "principalId": propText,
		"principalType": propText, "resourceDisplayName": propText, "resourceId": propText, "deletedDateTime": propText,
		"id": propText,
	},
	// The resource type documents $filter on resourceId (eq) and principalDisplayName (eq, startswith).
	filterable: map[string]bool{"resourceId": true, "principalDisplayName": true},
}).init()

var (
	servicePrincipalNavs = navTree{"appRoleAssignments": nil, "appRoleAssignedTo": nil, "owners": nil}
	applicationNavs      = navTree{"owners": nil}
)

// ---- records ----

// appState is the applications area of the store. Every registered app (registered, the token service's clients)
// also has an application object (except managed identities) and a service principal here.
type appState struct {
	registered  map[string]*registeredApp     // key: lower-case client id
	byID        map[string]*applicationRecord // key: lower-case object id
	order       []string                      // object ids in creation order
	byAppID     map[string]*applicationRecord // key: lower-case appId
	sps         map[string]*spRecord          // key: lower-case object id
	spOrder     []string
	spsByAppID  map[string]*spRecord
	roleGrants  *appRoleAssignmentIndex
	msiClientID string // the managed identity's client id: a service principal without application
}

func newAppState() *appState {
	return &appState{
		registered: map[string]*registeredApp{}, byID: map[string]*applicationRecord{},
		byAppID: map[string]*applicationRecord{}, sps: map[string]*spRecord{}, spsByAppID: map[string]*spRecord{},
		roleGrants: newAppRoleAssignmentIndex(),
	}
}

// registeredApp is an app registration with its service principal.
type registeredApp struct {
	App
	servicePrincipalID string
}

func (d *directory) app(clientID string) *registeredApp {
	return d.apps.registered[strings.ToLower(clientID)]
}

func (d *directory) addApp(app App) *registeredApp {
	ra := &registeredApp{
		App:                app,
		servicePrincipalID: uuid.NewSHA1(uuid.NameSpaceOID, []byte("servicePrincipal:"+strings.ToLower(app.ClientID))).String(),
	}
	d.apps.registered[strings.ToLower(app.ClientID)] = ra
	d.registerAppObjects(ra)
	return ra
}

// applicationRecord is one application object. Its passwordCredentials hold only what Graph returns (hint, dates,
// keyId); the secret itself is kept as a salted digest and was returned once, by addPassword.
type applicationRecord struct {
	data      map[string]any
	secrets   map[string]*passwordHash // keyId -> digest of secretText
	owners    []string                 // object ids of users and service principals
	visibleAt time.Time
}

func (a *applicationRecord) id() string                 { s, _ := a.data["id"].(string); return s }
func (a *applicationRecord) appID() string              { s, _ := a.data["appId"].(string); return s }
func (a *applicationRecord) visible(now time.Time) bool { return !now.Before(a.visibleAt) }

// spRecord is one service principal.
type spRecord struct {
	data      map[string]any
	owners    []string
	visibleAt time.Time
}

func (sp *spRecord) id() string                 { s, _ := sp.data["id"].(string); return s }
func (sp *spRecord) appID() string              { s, _ := sp.data["appId"].(string); return s }
func (sp *spRecord) displayName() string        { s, _ := sp.data["displayName"].(string); return s }
func (sp *spRecord) visible(now time.Time) bool { return !now.Before(sp.visibleAt) }

// appRoleAssignmentIndex holds app role assignments (Graph JSON) by id, by resource and by principal, so that a
// resource with tens of thousands of grants pages in time proportional to its own grants.
type appRoleAssignmentIndex struct {
	byID        map[string]map[string]any
	byResource  map[string][]map[string]any // key: lower-case resource service principal id; creation order
	byPrincipal map[string][]map[string]any // key: lower-case principal id
}

func newAppRoleAssignmentIndex() *appRoleAssignmentIndex {
	return &appRoleAssignmentIndex{byID: map[string]map[string]any{}, byResource: map[string][]map[string]any{},
		byPrincipal: map[string][]map[string]any{}}
}

func (ix *appRoleAssignmentIndex) add(a map[string]any) {
	id, _ := a["id"].(string)
	resource, _ := a["resourceId"].(string)
	principal, _ := a["principalId"].(string)
	ix.byID[id] = a
	ix.byResource[strings.ToLower(resource)] = append(ix.byResource[strings.ToLower(resource)], a)
	ix.byPrincipal[strings.ToLower(principal)] = append(ix.byPrincipal[strings.ToLower(principal)], a)
}

func (ix *appRoleAssignmentIndex) remove(a map[string]any) {
	id, _ := a["id"].(string)
	resource, _ := a["resourceId"].(string)
	principal, _ := a["principalId"].(string)
	delete(ix.byID, id)
	drop := func(m map[string][]map[string]any, key string) {
		key = strings.ToLower(key)
		list := m[key]
		for i, item := range list {
			if item["id"] == id {
				m[key] = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(m[key]) == 0 {
			delete(m, key)
		}
	}
	drop(ix.byResource, resource)
	drop(ix.byPrincipal, principal)
}

// find returns the assignment of a role of a resource to a principal.
func (ix *appRoleAssignmentIndex) find(principalID, resourceID, appRoleID string) map[string]any {
	for _, a := range ix.byPrincipal[strings.ToLower(principalID)] {
		if strings.EqualFold(fmt.Sprint(a["resourceId"]), resourceID) && strings.EqualFold(fmt.Sprint(a["appRoleId"]), appRoleID) {
			return a
		}
	}
	return nil
}

// removeAllOf drops every assignment held by or granted on an object.
func (ix *appRoleAssignmentIndex) removeAllOf(objectID string) {
	for _, a := range slices.Clone(ix.byPrincipal[strings.ToLower(objectID)]) {
		ix.remove(a)
	}
	for _, a := range slices.Clone(ix.byResource[strings.ToLower(objectID)]) {
		ix.remove(a)
	}
}

// appRoleAssignmentID builds an id the way the directory does: the principal's object id (GUID bytes in .NET
// order) followed by 16 more bytes, base64url without padding (43 characters), as in every documented example.
func appRoleAssignmentID(principalID string, tail []byte) string {
	u, err := uuid.Parse(principalID)
	if err != nil {
		u = uuid.NewSHA1(uuid.NameSpaceOID, []byte(principalID))
	}
	b := u[:]
	buf := []byte{b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6]}
	buf = append(buf, b[8:]...)
	buf = append(buf, tail[:16]...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

func deterministicTail(parts ...string) []byte {
	sum := sha1.Sum([]byte(strings.ToLower(strings.Join(parts, "|")))) //nolint:gosec // an identifier, not a secret
	return sum[:]
}

// ---- object construction ----

// applicationObjectID is the object id of a registered app's application object (it differs from the appId).
func applicationObjectID(appID string) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte("application:"+strings.ToLower(appID))).String()
}

func newApplicationData(id, appID, displayName, publisherDomain string, created time.Time) map[string]any {
	return map[string]any{
		"id": id, "appId": appID, "displayName": displayName, "deletedDateTime": nil, "createdDateTime": timestamp(created),
		"applicationTemplateId": nil, "disabledByMicrosoftStatus": nil, "description": nil, "groupMembershipClaims": nil,
		"identifierUris": []any{}, "isDeviceOnlyAuthSupported": nil, "isFallbackPublicClient": nil,
		"nativeAuthenticationApisEnabled": nil, "notes": nil, "publisherDomain": publisherDomain,
		"serviceManagementReference": nil, "signInAudience": "AzureADMyOrg", "tags": []any{}, "tokenEncryptionKeyId": nil,
		"samlMetadataUrl": nil, "defaultRedirectUri": nil, "certification": nil, "optionalClaims": nil,
		"servicePrincipalLockConfiguration": nil, "requestSignatureVerification": nil, "addIns": []any{},
		"api": map[string]any{"acceptMappedClaims": nil, "knownClientApplications": []any{}, "requestedAccessTokenVersion": nil,
			"oauth2PermissionScopes": []any{}, "preAuthorizedApplications": []any{}},
		"appRoles": []any{}, "info": copyObject(informationalURLDefault), "keyCredentials": []any{},
		"parentalControlSettings": map[string]any{"countriesBlockedForMinors": []any{}, "legalAgeGroupRule": "Allow"},
		"passwordCredentials":     []any{}, "publicClient": map[string]any{"redirectUris": []any{}},
		"requiredResourceAccess": []any{}, "spa": map[string]any{"redirectUris": []any{}},
		"verifiedPublisher": map[string]any{"displayName": nil, "verifiedPublisherId": nil, "addedDateTime": nil},
		"web": map[string]any{"homePageUrl": nil, "logoutUrl": nil, "redirectUris": []any{}, "redirectUriSettings": []any{},
			"implicitGrantSettings": map[string]any{"enableAccessTokenIssuance": false, "enableIdTokenIssuance": false}},
	}
}

func newServicePrincipalData(id, appID, displayName, ownerTenantID string) map[string]any {
	return map[string]any{
		"id": id, "deletedDateTime": nil, "accountEnabled": true, "alternativeNames": []any{}, "appDisplayName": displayName,
		"appDescription": nil, "appId": appID, "applicationTemplateId": nil, "appOwnerOrganizationId": ownerTenantID,
		"appRoleAssignmentRequired": false, "description": nil, "disabledByMicrosoftStatus": nil, "displayName": displayName,
		"homepage": nil, "loginUrl": nil, "logoutUrl": nil, "notes": nil, "notificationEmailAddresses": []any{},
		"preferredSingleSignOnMode": nil, "preferredTokenSigningKeyThumbprint": nil, "replyUrls": []any{},
		"servicePrincipalNames": []any{appID}, "servicePrincipalType": "Application", "signInAudience": "AzureADMyOrg",
		"tags": []any{}, "tokenEncryptionKeyId": nil, "samlSingleSignOnSettings": nil, "addIns": []any{},
		"appRoles": []any{}, "info": copyObject(informationalURLDefault), "keyCredentials": []any{},
		"oauth2PermissionScopes": []any{}, "passwordCredentials": []any{}, "resourceSpecificApplicationPermissions": []any{},
		"verifiedPublisher": map[string]any{"displayName": nil, "verifiedPublisherId": nil, "addedDateTime": nil},
	}
}

// passwordCredentialJSON is a passwordCredential as reads return it: never the secret.
func passwordCredentialJSON(keyID, displayName, hint string, start, end time.Time) map[string]any {
	return map[string]any{"customKeyIdentifier": nil, "displayName": nullableString(displayName), "endDateTime": graphTime(end),
		"hint": hint, "keyId": keyID, "secretText": nil, "startDateTime": graphTime(start)}
}

// keyCredentialJSON describes an X.509 certificate as Graph does: the SHA-1 thumbprint as customKeyIdentifier, the
// subject as displayName, the certificate's validity as start and end, and the DER certificate as key.
func keyCredentialJSON(keyID string, cert *x509.Certificate) map[string]any {
	thumb := sha1.Sum(cert.Raw) //nolint:gosec // certificate thumbprint
	return map[string]any{
		"customKeyIdentifier": base64.StdEncoding.EncodeToString(thumb[:]), "displayName": cert.Subject.String(),
		"endDateTime": graphTime(cert.NotAfter), "key": base64.StdEncoding.EncodeToString(cert.Raw), "keyId": keyID,
		"startDateTime": graphTime(cert.NotBefore), "type": "AsymmetricX509Cert", "usage": "Verify",
	}
}

func (d *directory) insertApplication(a *applicationRecord) {
	key := strings.ToLower(a.id())
	if _, ok := d.apps.byID[key]; !ok {
		d.apps.order = append(d.apps.order, key)
	}
	d.apps.byID[key] = a
	d.apps.byAppID[strings.ToLower(a.appID())] = a
}

func (d *directory) insertServicePrincipal(sp *spRecord) {
	key := strings.ToLower(sp.id())
	if _, ok := d.apps.sps[key]; !ok {
		d.apps.spOrder = append(d.apps.spOrder, key)
	}
	d.apps.sps[key] = sp
	d.apps.spsByAppID[strings.ToLower(sp.appID())] = sp
}

func removeKey(order []string, key string) []string {
	for i, k := range order {
		if k == key {
			return append(order[:i:i], order[i+1:]...)
		}
	}
	return order
}

// removeServicePrincipal deletes a service principal with its app role assignments, its directory role
// assignments and, for a registered app, its credentials (tokens can no longer be issued for it).
func (d *directory) removeServicePrincipal(sp *spRecord) {
	key := strings.ToLower(sp.id())
	delete(d.apps.sps, key)
	d.apps.spOrder = removeKey(d.apps.spOrder, key)
	if cur := d.apps.spsByAppID[strings.ToLower(sp.appID())]; cur == sp {
		delete(d.apps.spsByAppID, strings.ToLower(sp.appID()))
	}
	d.apps.roleGrants.removeAllOf(sp.id())
	kept := d.rbac.grants[:0]
	for _, g := range d.rbac.grants {
		if !strings.EqualFold(g.principalID, sp.id()) {
			kept = append(kept, g)
		}
	}
	clear(d.rbac.grants[len(kept):])
	d.rbac.grants = kept
	if ra := d.app(sp.appID()); ra != nil && strings.EqualFold(ra.servicePrincipalID, sp.id()) {
		delete(d.apps.registered, strings.ToLower(sp.appID()))
	}
}

func (d *directory) removeApplication(a *applicationRecord) {
	key := strings.ToLower(a.id())
	delete(d.apps.byID, key)
	d.apps.order = removeKey(d.apps.order, key)
	delete(d.apps.byAppID, strings.ToLower(a.appID()))
	if sp := d.apps.spsByAppID[strings.ToLower(a.appID())]; sp != nil {
		d.removeServicePrincipal(sp)
	}
}

// liveApplication finds an application by object id, replicated.
func (d *directory) liveApplication(id string, now time.Time) *applicationRecord {
	if a := d.apps.byID[strings.ToLower(id)]; a != nil && a.visible(now) {
		return a
	}
	return nil
}

// liveServicePrincipal finds a service principal by object id, replicated.
func (d *directory) liveServicePrincipal(id string, now time.Time) *spRecord {
	if sp := d.apps.sps[strings.ToLower(id)]; sp != nil && sp.visible(now) {
		return sp
	}
	return nil
}

// graphSP returns the Microsoft Graph service principal, creating it in a directory that has none yet.
func (d *directory) graphSP() *spRecord {
	if sp := d.apps.spsByAppID[MicrosoftGraphAppID]; sp != nil {
		return sp
	}
	sp := &spRecord{data: microsoftGraphServicePrincipal()}
	d.insertServicePrincipal(sp)
	return sp
}

// newAppRoleAssignment renders an appRoleAssignment of a role of resource to principal.
func newAppRoleAssignment(id, appRoleID string, principalID, principalType, principalName string, resource *spRecord, created time.Time) map[string]any {
	return map[string]any{
		"id": id, "deletedDateTime": nil, "appRoleId": appRoleID, "createdDateTime": graphTime(created),
		"principalDisplayName": principalName, "principalId": strings.ToLower(principalID), "principalType": principalType,
		"resourceDisplayName": resource.displayName(), "resourceId": resource.id(),
	}
}

// registerAppObjects gives a registered app its application object (not for the managed identity) and service
// principal, and makes its Graph application permissions appRoleAssignments on the Microsoft Graph service
// principal. It is idempotent: a re-registered app keeps its objects and gets its assignments replaced. The caller
// holds the lock.
func (d *directory) registerAppObjects(ra *registeredApp) {
	now := time.Now()
	graph := d.graphSP()
	appKey := strings.ToLower(ra.ClientID)
	managed := d.apps.msiClientID != "" && strings.EqualFold(ra.ClientID, d.apps.msiClientID)
	if !managed {
		app := d.apps.byAppID[appKey]
		if app == nil {
			app = &applicationRecord{data: newApplicationData(applicationObjectID(ra.ClientID), appKey, ra.DisplayName, d.initialDomain(), now),
				secrets: map[string]*passwordHash{}}
			d.insertApplication(app)
		}
		app.data["displayName"] = ra.DisplayName
		var secrets, keys []any
		if ra.Secret != "" {
			keyID := uuid.NewSHA1(uuid.NameSpaceOID, []byte("secret:"+appKey)).String()
			secrets = append(secrets, passwordCredentialJSON(keyID, "tenantsim", secretHint(ra.Secret), fixtureMainSecretStart, fixtureMainSecretEnd))
			app.secrets[keyID] = hashPassword(ra.Secret)
		}
		if ra.Certificate != nil {
			keys = append(keys, keyCredentialJSON(uuid.NewSHA1(uuid.NameSpaceOID, ra.Certificate.Raw).String(), ra.Certificate))
		}
		app.data["passwordCredentials"], app.data["keyCredentials"] = orEmpty(secrets), orEmpty(keys)
		var access []any
		for _, role := range ra.Roles {
			if r, ok := graphAppRoleByValue[strings.ToLower(role)]; ok {
				access = append(access, map[string]any{"id": r.id, "type": "Role"})
			}
		}
		var required []any
		if len(access) > 0 {
			required = []any{map[string]any{"resourceAppId": MicrosoftGraphAppID, "resourceAccess": access}}
		}
		app.data["requiredResourceAccess"] = orEmpty(required)
	}
	sp := d.apps.spsByAppID[appKey]
	if sp == nil {
		sp = &spRecord{data: newServicePrincipalData(ra.servicePrincipalID, appKey, ra.DisplayName, d.tenantID)}
		d.insertServicePrincipal(sp)
	}
	sp.data["displayName"], sp.data["appDisplayName"] = ra.DisplayName, ra.DisplayName
	if managed {
		sp.data["servicePrincipalType"] = "ManagedIdentity"
		sp.data["appOwnerOrganizationId"] = nil
		sp.data["alternativeNames"] = []any{"isExplicit=True", "/subscriptions/" + d.subscriptionID +
			"/resourcegroups/tenantsim/providers/Microsoft.ManagedIdentity/userAssignedIdentities/tenantsim-identity"}
		sp.data["servicePrincipalNames"] = []any{appKey, "https://identity.azure.net/" + appKey}
	}
	for _, a := range slices.Clone(d.apps.roleGrants.byPrincipal[strings.ToLower(sp.id())]) {
		if strings.EqualFold(fmt.Sprint(a["resourceId"]), graph.id()) {
			d.apps.roleGrants.remove(a)
		}
	}
	for _, role := range ra.Roles {
		r, ok := graphAppRoleByValue[strings.ToLower(role)]
		if !ok || d.apps.roleGrants.find(sp.id(), graph.id(), r.id) != nil {
			continue
		}
		id := appRoleAssignmentID(sp.id(), deterministicTail(sp.id(), graph.id(), r.id))
		d.apps.roleGrants.add(newAppRoleAssignment(id, r.id, sp.id(), "ServicePrincipal", ra.DisplayName, graph, fixtureAppRoleGrantCreated))
	}
}

func orEmpty(list []any) []any {
	if list == nil {
		return []any{}
	}
	return list
}

// secretHint is what Graph shows of a secret: its first three characters.
func secretHint(secret string) string {
	if len(secret) < 3 {
		return secret
	}
	return secret[:3]
}

// syncTokenRoles keeps a registered app's token roles in step with a Graph app role granted to or removed from
// its service principal. The caller holds the lock.
func (d *directory) syncTokenRoles(spID, appRoleID string, granted bool) {
	sp := d.apps.sps[strings.ToLower(spID)]
	role, ok := graphAppRoleByID[strings.ToLower(appRoleID)]
	if sp == nil || !ok {
		return
	}
	ra := d.app(sp.appID())
	if ra == nil || !strings.EqualFold(ra.servicePrincipalID, sp.id()) {
		return
	}
	idx := slices.IndexFunc(ra.Roles, func(v string) bool { return strings.EqualFold(v, role.value) })
	roles := slices.Clone(ra.Roles)
	switch {
	case granted && idx < 0:
		roles = append(roles, role.value)
	case !granted && idx >= 0:
		roles = slices.Delete(roles, idx, idx+1)
	default:
		return
	}
	// Copy on write: the token endpoint reads a registration after releasing the lock.
	updated := *ra
	updated.Roles = roles
	d.apps.registered[strings.ToLower(updated.ClientID)] = &updated
}

// ---- caller helpers ----

// ownedByOnly reports whether the caller may write applications only as their owner (it holds
// Application.ReadWrite.OwnedBy but not Application.ReadWrite.All).
func ownedByOnly(c *accessClaims) bool {
	return !c.hasAny([]string{"Application.ReadWrite.All"})
}

func isOwner(owners []string, c *accessClaims) bool {
	return slices.ContainsFunc(owners, func(o string) bool { return strings.EqualFold(o, c.ObjectID) })
}

// ---- projection ----

// projectCredentialed projects an application or service principal; like Graph it returns a key credential's
// key only when keyCredentials is named in $select.
func projectCredentialed(sc *entitySchema, data map[string]any, selected []string) map[string]any {
	out := sc.project(data, selected)
	if !slices.Contains(selected, "keyCredentials") {
		nullCredentialKeys(out)
	}
	return out
}

func nullCredentialKeys(item map[string]any) {
	if creds, ok := item["keyCredentials"].([]any); ok {
		for _, c := range creds {
			if m, ok := c.(map[string]any); ok {
				m["key"] = nil
			}
		}
	}
}

// pageNullingKeys is listQuery.page for applications and service principals.
func (q *listQuery) pageNullingKeys(r *http.Request, sc *entitySchema, baseURL, context string, items []map[string]any) map[string]any {
	resp := q.page(r, sc, baseURL, context, items)
	if !slices.Contains(q.selected, "keyCredentials") {
		for _, v := range valueList(resp) {
			nullCredentialKeys(v)
		}
	}
	return resp
}

// ---- body checks ----

var readOnlyApplicationProperties = map[string]bool{"id": true, "appId": true, "createdDateTime": true,
	"deletedDateTime": true, "publisherDomain": true, "createdByAppId": true, "disabledByMicrosoftStatus": true,
	"verifiedPublisher": true, "applicationTemplateId": true, "certification": true, "isDisabled": true}

// checkApplicationBody rejects unknown and read-only properties and wrong JSON kinds, and rewrites keys to their
// CSDL spelling.
func checkApplicationBody(body map[string]any) *graphError {
	for key, value := range body {
		name, ok := applicationSchema.lookup(key)
		if !ok {
			return unknownProperty(key, applicationSchema.typeName)
		}
		if readOnlyApplicationProperties[name] {
			return badRequest(fmt.Sprintf("Property '%s' is read-only and cannot be set.", name))
		}
		if name == "passwordCredentials" {
			return badRequest("Updates to passwordCredentials are not supported through PATCH or POST; use addPassword and removePassword.")
		}
		if name != key {
			delete(body, key)
			body[name] = value
		}
		if value == nil {
			if applicationSchema.properties[name] == propCollection {
				return invalidValue(name)
			}
			continue
		}
		switch kind := applicationSchema.properties[name]; {
		case kind == propBoolean && !isKind[bool](value):
			return primitiveMismatch("Edm.Boolean")
		case kind == propText && !isKind[string](value):
			return primitiveMismatch("Edm.String")
		case kind == propCollection && !isKind[[]any](value), kind == propComplex && !isKind[map[string]any](value):
			return invalidValue(name)
		}
	}
	if v, ok := body["displayName"]; ok {
		if s, _ := v.(string); strings.TrimSpace(s) == "" || len(s) > 256 {
			return invalidValue("displayName")
		}
	}
	if v, ok := body["signInAudience"]; ok {
		switch v {
		case "AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount":
		default:
			return invalidValue("signInAudience")
		}
	}
	return nil
}

// invalidValue is Graph's answer to a bad property value of an application.
func invalidValue(property string) *graphError {
	return badRequest(fmt.Sprintf("Invalid value specified for property '%s' of resource 'Application'.", property))
}

// applyKeyCredentials turns a keyCredentials PATCH into stored credentials: an entry with a key is a new
// certificate (DER, base64), an entry without one must name an existing credential by keyId and keeps it.
func applyKeyCredentials(current []any, sent []any) ([]any, *graphError) {
	existing := map[string]map[string]any{}
	for _, c := range current {
		if m, ok := c.(map[string]any); ok {
			existing[strings.ToLower(fmt.Sprint(m["keyId"]))] = m
		}
	}
	out := make([]any, 0, len(sent))
	for _, item := range sent {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, invalidValue("keyCredentials")
		}
		for key := range m {
			if !strings.HasPrefix(key, "@") && !slices.Contains([]string{"customKeyIdentifier", "displayName", "endDateTime", "key", "keyId", "startDateTime", "type", "usage"}, key) {
				return nil, unknownProperty(key, "microsoft.graph.keyCredential")
			}
		}
		keyID, _ := m["keyId"].(string)
		raw, hasKey := m["key"].(string)
		if !hasKey || raw == "" {
			cur := existing[strings.ToLower(keyID)]
			if cur == nil {
				return nil, invalidValue("keyCredentials")
			}
			out = append(out, copyObject(cur))
			continue
		}
		der, err := base64.StdEncoding.DecodeString(raw)
		if err != nil {
			return nil, invalidValue("keyCredentials")
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, badRequest("Key credential key is not a valid X.509 certificate.")
		}
		if m["type"] != "AsymmetricX509Cert" || (m["usage"] != "Verify" && m["usage"] != "Sign") {
			return nil, invalidValue("keyCredentials")
		}
		if keyID == "" {
			keyID = uuid.NewString()
		} else if uuid.Validate(keyID) != nil {
			return nil, primitiveMismatch("Edm.Guid")
		}
		cred := keyCredentialJSON(strings.ToLower(keyID), cert)
		cred["usage"] = m["usage"]
		if name, ok := m["displayName"].(string); ok && name != "" {
			cred["displayName"] = name
		}
		out = append(out, cred)
	}
	return out, nil
}

// ---- applications ----

// credentialedSet is what the read handlers of applications and service principals differ in: the list
// (directoryList) and find, which looks one up by object id (ok false when it is missing or not yet replicated;
// the caller holds the lock).
type credentialedSet struct {
	directoryList
	find func(d *directory, id string, now time.Time) (data map[string]any, owners []string, ok bool)
}

var (
	applicationSet = credentialedSet{
		directoryList: directoryList{
			name: "applications", schema: applicationSchema, navs: applicationNavs, credentialed: true,
			expand: (*Server).expandApplication,
			visible: func(d *directory, now time.Time) []map[string]any {
				var out []map[string]any
				for _, key := range d.apps.order {
					if a := d.apps.byID[key]; a.visible(now) {
						out = append(out, a.data)
					}
				}
				return out
			},
		},
		find: func(d *directory, id string, now time.Time) (map[string]any, []string, bool) {
			if a := d.liveApplication(id, now); a != nil {
				return a.data, a.owners, true
			}
			return nil, nil, false
		},
	}
	servicePrincipalSet = credentialedSet{
		directoryList: directoryList{
			name: "servicePrincipals", schema: servicePrincipalSchema, navs: servicePrincipalNavs, credentialed: true,
			expand: (*Server).expandServicePrincipal,
			visible: func(d *directory, now time.Time) []map[string]any {
				var out []map[string]any
				for _, key := range d.apps.spOrder {
					if sp := d.apps.sps[key]; sp.visible(now) {
						out = append(out, sp.data)
					}
				}
				return out
			},
		},
		find: func(d *directory, id string, now time.Time) (map[string]any, []string, bool) {
			if sp := d.liveServicePrincipal(id, now); sp != nil {
				return sp.data, sp.owners, true
			}
			return nil, nil, false
		},
	}
)

// getCredentialed answers one application or service principal with $select and $expand.
func (s *Server) getCredentialed(w http.ResponseWriter, r *http.Request, id string, set *credentialedSet) *graphError {
	if gerr := objectKeyError(id); gerr != nil {
		return gerr
	}
	selected, gerr := parseSelect(r, set.schema)
	if gerr != nil {
		return gerr
	}
	opts, gerr := parseExpand(r.URL.Query().Get("$expand"), set.schema.typeName, set.navs)
	if gerr != nil {
		return gerr
	}
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	data, _, ok := set.find(s.dir, id, now)
	if !ok {
		return resourceNotFound(id)
	}
	resp := projectCredentialed(set.schema, data, selected)
	for _, opt := range opts {
		resp[opt.name] = set.expand(s, data, opt, now)
	}
	resp["@odata.context"] = s.baseURL + "/v1.0/$metadata#" + set.name + expandContext(selected, opts) + "/$entity"
	writeJSON(w, http.StatusOK, graphContentType, resp)
	return nil
}

// listCredentialedOwners is GET /{set}/{id}/owners.
func (s *Server) listCredentialedOwners(w http.ResponseWriter, r *http.Request, id string, set *credentialedSet) *graphError {
	if gerr := objectKeyError(id); gerr != nil {
		return gerr
	}
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	_, owners, ok := set.find(s.dir, id, now)
	if !ok {
		return resourceNotFound(id)
	}
	return s.writeDirectoryObjects(w, r, owners, now)
}

// listApplications is GET /applications with $filter, $select and $expand=owners.
func (s *Server) listApplications(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	return s.listDirectorySet(w, r, &applicationSet.directoryList)
}

// expandApplication fills $expand=owners, the only navigation property served. The caller holds the lock.
func (s *Server) expandApplication(src map[string]any, _ expandOption, now time.Time) any {
	id, _ := src["id"].(string)
	return s.dir.expandDirectoryObjects(s.dir.apps.byID[strings.ToLower(id)].owners, now)
}

// getApplication is GET /applications/{id}.
func (s *Server) getApplication(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	return s.getCredentialed(w, r, params[0], &applicationSet)
}

// createApplication is POST /applications. Only the application is created; its service principal is a separate
// POST /servicePrincipals. A caller that may only manage its own apps becomes the owner.
func (s *Server) createApplication(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	body, gerr := decodeBody(r)
	if gerr == nil {
		gerr = checkApplicationBody(body)
	}
	if gerr != nil {
		return gerr
	}
	if v, _ := body["displayName"].(string); v == "" {
		return badRequest("Property displayName value is required but is empty or missing.")
	}
	now := time.Now()
	claims := callerClaims(r)
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	id, appID := uuid.NewString(), uuid.NewString()
	displayName, _ := body["displayName"].(string)
	data := newApplicationData(id, appID, displayName, s.dir.initialDomain(), now)
	data["createdByAppId"] = nullableString(claims.AppID)
	if sent, ok := body["keyCredentials"].([]any); ok {
		creds, gerr := applyKeyCredentials(nil, sent)
		if gerr != nil {
			return gerr
		}
		body["keyCredentials"] = creds
	}
	mergePatch(data, body, applicationSchema.properties)
	a := &applicationRecord{data: data, secrets: map[string]*passwordHash{}, visibleAt: now.Add(s.Knobs().ReplicationDelay)}
	if claims.IDType == "app" && ownedByOnly(claims) {
		a.owners = []string{strings.ToLower(claims.ObjectID)}
	}
	s.dir.insertApplication(a)
	resp := projectCredentialed(applicationSchema, a.data, nil)
	resp["@odata.context"] = contextURL(s.baseURL, "applications", nil, true)
	w.Header().Set("Location", s.baseURL+"/v1.0/directoryObjects/"+id+"/Microsoft.DirectoryServices.Application")
	writeJSON(w, http.StatusCreated, graphContentType, resp)
	return nil
}

// writableApplication finds an application the caller may change. The caller holds the lock.
func (s *Server) writableApplication(r *http.Request, id string) (*applicationRecord, *graphError) {
	if gerr := objectKeyError(id); gerr != nil {
		return nil, gerr
	}
	a := s.dir.liveApplication(id, time.Now())
	if a == nil {
		return nil, resourceNotFound(id)
	}
	if c := callerClaims(r); ownedByOnly(c) && !isOwner(a.owners, c) {
		return nil, accessDenied()
	}
	return a, nil
}

// updateApplication is PATCH /applications/{id}: 204 No Content. keyCredentials replaces the collection: send the
// existing credentials (by keyId) with the new ones to keep them.
func (s *Server) updateApplication(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	body, gerr := decodeBody(r)
	if gerr == nil {
		gerr = checkApplicationBody(body)
	}
	if gerr != nil {
		return gerr
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	a, gerr := s.writableApplication(r, params[0])
	if gerr != nil {
		return gerr
	}
	if sent, ok := body["keyCredentials"].([]any); ok {
		current, _ := a.data["keyCredentials"].([]any)
		creds, gerr := applyKeyCredentials(current, sent)
		if gerr != nil {
			return gerr
		}
		body["keyCredentials"] = creds
	}
	mergePatch(a.data, body, applicationSchema.properties)
	if sp := s.dir.apps.spsByAppID[strings.ToLower(a.appID())]; sp != nil {
		if name, ok := body["displayName"]; ok {
			sp.data["appDisplayName"] = name
		}
		if roles, ok := body["appRoles"]; ok {
			sp.data["appRoles"] = deepCopy(roles)
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteApplication is DELETE /applications/{id}; the service principal goes with it.
func (s *Server) deleteApplication(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	a, gerr := s.writableApplication(r, params[0])
	if gerr != nil {
		return gerr
	}
	s.dir.removeApplication(a)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// secretAlphabet is the character set of generated client secrets.
const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

// newClientSecret makes a 40-character secret shaped like Entra's current ones: three characters, a digit, "Q~",
// then 34 more.
func newClientSecret() string {
	pick := func(alphabet string) byte {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		return alphabet[n.Int64()]
	}
	var b strings.Builder
	for range 3 {
		b.WriteByte(pick(secretAlphabet[:62]))
	}
	b.WriteByte(pick("0123456789"))
	b.WriteString("Q~")
	for range 34 {
		b.WriteByte(pick(secretAlphabet))
	}
	return b.String()
}

// addApplicationPassword is POST /applications/{id}/addPassword: the new passwordCredential, with its secretText
// this one time. The application keeps only a digest and the three-character hint.
func (s *Server) addApplicationPassword(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	var raw map[string]any
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		return newGraphError(http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
	}
	now := time.Now().UTC()
	start, end := now, time.Time{}
	displayName := ""
	for key, value := range raw {
		if key != "passwordCredential" {
			if strings.HasPrefix(key, "@") {
				continue
			}
			return newGraphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("The parameter '%s' in the request payload is not a valid parameter for the operation 'addPassword'.", key))
		}
		cred, ok := value.(map[string]any)
		if value != nil && !ok {
			return invalidValue("passwordCredential")
		}
		for ck, cv := range cred {
			switch ck {
			case "displayName":
				if cv != nil {
					s, ok := cv.(string)
					if !ok {
						return primitiveMismatch("Edm.String")
					}
					displayName = s
				}
			case "startDateTime", "endDateTime":
				if cv == nil {
					continue
				}
				t, gerr := parseDateTime(cv)
				if gerr != nil {
					return gerr
				}
				if ck == "startDateTime" {
					start = t.UTC()
				} else {
					end = t.UTC()
				}
			case "customKeyIdentifier", "hint", "keyId", "secretText":
				// Graph generates these; sent values are ignored.
			default:
				if !strings.HasPrefix(ck, "@") {
					return unknownProperty(ck, "microsoft.graph.passwordCredential")
				}
			}
		}
	}
	if end.IsZero() {
		end = start.AddDate(2, 0, 0) // "The default value is startDateTime + 2 years."
	}
	if !end.After(start) {
		return badRequest("Invalid value specified for property 'endDateTime' of resource 'PasswordCredential'.")
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	a, gerr := s.writableApplication(r, params[0])
	if gerr != nil {
		return gerr
	}
	secret := newClientSecret()
	s.noteClientSecret(secret)
	keyID := uuid.NewString()
	stored := passwordCredentialJSON(keyID, displayName, secretHint(secret), start, end)
	creds, _ := a.data["passwordCredentials"].([]any)
	a.data["passwordCredentials"] = append(slices.Clone(creds), stored)
	a.secrets[keyID] = hashPassword(secret)
	resp := copyObject(stored)
	resp["secretText"] = secret
	resp["@odata.context"] = s.baseURL + "/v1.0/$metadata#microsoft.graph.passwordCredential"
	writeJSON(w, http.StatusOK, graphContentType, resp)
	return nil
}

// removeApplicationPassword is POST /applications/{id}/removePassword {"keyId": "..."}: 204 No Content.
func (s *Server) removeApplicationPassword(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	body, gerr := decodeBody(r)
	if gerr != nil {
		return gerr
	}
	keyID, _ := body["keyId"].(string)
	for key := range body {
		if key != "keyId" {
			return newGraphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("The parameter '%s' in the request payload is not a valid parameter for the operation 'removePassword'.", key))
		}
	}
	if keyID == "" {
		return valueRequired("keyId")
	}
	if uuid.Validate(keyID) != nil {
		return badRequest(fmt.Sprintf("Cannot convert the literal '%s' to the expected type 'Edm.Guid'.", keyID))
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	a, gerr := s.writableApplication(r, params[0])
	if gerr != nil {
		return gerr
	}
	creds, _ := a.data["passwordCredentials"].([]any)
	idx := slices.IndexFunc(creds, func(c any) bool {
		m, _ := c.(map[string]any)
		return strings.EqualFold(fmt.Sprint(m["keyId"]), keyID)
	})
	if idx < 0 {
		return badRequest(fmt.Sprintf("No password credential with keyId '%s' exists on the application.", keyID))
	}
	a.data["passwordCredentials"] = slices.Delete(slices.Clone(creds), idx, idx+1)
	delete(a.secrets, strings.ToLower(keyID))
	delete(a.secrets, keyID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listApplicationOwners is GET /applications/{id}/owners.
func (s *Server) listApplicationOwners(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	return s.listCredentialedOwners(w, r, params[0], &applicationSet)
}

// ---- service principals ----

// listServicePrincipals is GET /servicePrincipals with $filter (e.g. appId eq '...'), $select and $expand of
// appRoleAssignments, appRoleAssignedTo and owners.
func (s *Server) listServicePrincipals(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	return s.listDirectorySet(w, r, &servicePrincipalSet.directoryList)
}

// expandServicePrincipal fills an expanded navigation property, at most expandMaxItems objects. The caller holds
// the lock.
func (s *Server) expandServicePrincipal(src map[string]any, opt expandOption, now time.Time) any {
	id, _ := src["id"].(string)
	var out []any
	switch opt.name {
	case "appRoleAssignments", "appRoleAssignedTo":
		list := s.dir.apps.roleGrants.byPrincipal[strings.ToLower(id)]
		if opt.name == "appRoleAssignedTo" {
			list = s.dir.apps.roleGrants.byResource[strings.ToLower(id)]
		}
		for _, a := range list[:min(len(list), expandMaxItems)] {
			out = append(out, appRoleAssignmentSchema.project(a, nil))
		}
	case "owners":
		return s.dir.expandDirectoryObjects(s.dir.apps.sps[strings.ToLower(id)].owners, now)
	}
	return orEmpty(out)
}

// getServicePrincipal is GET /servicePrincipals/{id}.
func (s *Server) getServicePrincipal(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	return s.getCredentialed(w, r, params[0], &servicePrincipalSet)
}

// createServicePrincipal is POST /servicePrincipals {"appId": "..."}: the service principal of an application of
// this tenant (or of Microsoft Graph).
func (s *Server) createServicePrincipal(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	body, gerr := decodeBody(r)
	if gerr != nil {
		return gerr
	}
	appID, _ := body["appId"].(string)
	for key, value := range body {
		name, ok := servicePrincipalSchema.lookup(key)
		if !ok {
			return unknownProperty(key, servicePrincipalSchema.typeName)
		}
		switch name {
		case "appId", "accountEnabled", "appRoleAssignmentRequired", "description", "notes", "tags", "notificationEmailAddresses",
			"homepage", "loginUrl", "logoutUrl", "preferredSingleSignOnMode", "replyUrls", "alternativeNames", "displayName":
		default:
			return badRequest(fmt.Sprintf("Property '%s' is read-only and cannot be set.", name))
		}
		if name != key {
			delete(body, key)
			body[name] = value
		}
	}
	if appID == "" {
		return badRequest("Property appId value is required but is empty or missing.")
	}
	now := time.Now()
	claims := callerClaims(r)
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	if s.dir.apps.spsByAppID[strings.ToLower(appID)] != nil {
		return newGraphError(http.StatusConflict, "Request_MultipleObjectsWithSameKeyValue",
			fmt.Sprintf("The service principal cannot be created, updated, or restored because the service principal name %s is already in use.", appID))
	}
	app := s.dir.apps.byAppID[strings.ToLower(appID)]
	if app == nil || !app.visible(now) {
		return badRequest(fmt.Sprintf("The appId '%s' of the service principal does not reference a valid application object.", appID))
	}
	if ownedByOnly(claims) && !claims.hasAny([]string{"Directory.ReadWrite.All"}) && !isOwner(app.owners, claims) {
		return accessDenied()
	}
	name, _ := app.data["displayName"].(string)
	data := newServicePrincipalData(uuid.NewString(), app.appID(), name, s.dir.tenantID)
	data["appRoles"] = deepCopy(app.data["appRoles"])
	if aud, ok := app.data["signInAudience"]; ok {
		data["signInAudience"] = aud
	}
	if uris, ok := app.data["identifierUris"].([]any); ok {
		copied, _ := deepCopy(uris).([]any)
		data["servicePrincipalNames"] = append([]any{app.appID()}, copied...)
	}
	delete(body, "appId")
	mergePatch(data, body, servicePrincipalSchema.properties)
	sp := &spRecord{data: data, owners: slices.Clone(app.owners), visibleAt: now.Add(s.Knobs().ReplicationDelay)}
	s.dir.insertServicePrincipal(sp)
	resp := projectCredentialed(servicePrincipalSchema, sp.data, nil)
	resp["@odata.context"] = contextURL(s.baseURL, "servicePrincipals", nil, true)
	w.Header().Set("Location", s.baseURL+"/v1.0/directoryObjects/"+sp.id()+"/Microsoft.DirectoryServices.ServicePrincipal")
	writeJSON(w, http.StatusCreated, graphContentType, resp)
	return nil
}

// deleteServicePrincipal is DELETE /servicePrincipals/{id}. Its app role assignments and directory role
// assignments go with it.
func (s *Server) deleteServicePrincipal(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	if gerr := objectKeyError(params[0]); gerr != nil {
		return gerr
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	sp := s.dir.liveServicePrincipal(params[0], time.Now())
	if sp == nil {
		return resourceNotFound(params[0])
	}
	if c := callerClaims(r); ownedByOnly(c) && !isOwner(sp.owners, c) {
		return accessDenied()
	}
	s.dir.removeServicePrincipal(sp)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listServicePrincipalOwners is GET /servicePrincipals/{id}/owners.
func (s *Server) listServicePrincipalOwners(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	return s.listCredentialedOwners(w, r, params[0], &servicePrincipalSet)
}

// ---- app role assignments ----

// listAppRoleAssignments is GET /servicePrincipals/{id}/appRoleAssignments: the app roles granted to the service
// principal (its application permissions).
func (s *Server) listAppRoleAssignments(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	return s.listAppRoleGrants(w, r, params[0], "appRoleAssignments")
}

// listAppRoleAssignedTo is GET /servicePrincipals/{id}/appRoleAssignedTo: every grant of the resource's app roles,
// e.g. every application permission to Microsoft Graph, paged at up to 999.
func (s *Server) listAppRoleAssignedTo(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	return s.listAppRoleGrants(w, r, params[0], "appRoleAssignedTo")
}

func (s *Server) listAppRoleGrants(w http.ResponseWriter, r *http.Request, id, nav string) *graphError {
	if gerr := objectKeyError(id); gerr != nil {
		return gerr
	}
	q, gerr := parseListQuery(r, appRoleAssignmentSchema, graphDefaultPage, graphMaxPage)
	if gerr != nil {
		return gerr
	}
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	sp := s.dir.liveServicePrincipal(id, now)
	if sp == nil {
		return resourceNotFound(id)
	}
	items := s.dir.apps.roleGrants.byPrincipal[strings.ToLower(sp.id())]
	if nav == "appRoleAssignedTo" {
		items = s.dir.apps.roleGrants.byResource[strings.ToLower(sp.id())]
	}
	resp := q.page(r, appRoleAssignmentSchema, s.baseURL,
		contextURL(s.baseURL, "servicePrincipals('"+sp.id()+"')/"+nav, q.selected, false), items)
	writeJSON(w, http.StatusOK, graphContentType, resp)
	return nil
}

// createAppRoleAssignment is POST /servicePrincipals/{id}/appRoleAssignments (id is the principal).
func (s *Server) createAppRoleAssignment(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	return s.grantAppRole(w, r, params[0], "appRoleAssignments")
}

// createAppRoleAssignedTo is POST /servicePrincipals/{id}/appRoleAssignedTo (id is the resource).
func (s *Server) createAppRoleAssignedTo(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	return s.grantAppRole(w, r, params[0], "appRoleAssignedTo")
}

// grantAppRole creates an appRoleAssignment {principalId, resourceId, appRoleId}. Errors follow the directory:
// "Permission being assigned already exists on the object." for a duplicate and "Permission being assigned was not
// found on application" for a role the resource does not declare.
func (s *Server) grantAppRole(w http.ResponseWriter, r *http.Request, pathID, nav string) *graphError {
	if gerr := objectKeyError(pathID); gerr != nil {
		return gerr
	}
	body, gerr := decodeBody(r)
	if gerr != nil {
		return gerr
	}
	fields := map[string]string{}
	for key, value := range body {
		name, ok := appRoleAssignmentSchema.lookup(key)
		if !ok {
			return unknownProperty(key, appRoleAssignmentSchema.typeName)
		}
		if name != "principalId" && name != "resourceId" && name != "appRoleId" {
			continue // read-only properties are ignored, as the directory does
		}
		str, ok := value.(string)
		if !ok {
			return primitiveMismatch("Edm.Guid")
		}
		if uuid.Validate(str) != nil {
			return badRequest(fmt.Sprintf("Cannot convert the literal '%s' to the expected type 'Edm.Guid'.", str))
		}
		fields[name] = strings.ToLower(str)
	}
	for _, required := range []string{"principalId", "resourceId", "appRoleId"} {
		if fields[required] == "" {
			return badRequest(fmt.Sprintf("Property %s value is required but is empty or missing.", required))
		}
	}
	if nav == "appRoleAssignments" && !strings.EqualFold(fields["principalId"], pathID) {
		return badRequest("The principalId of the appRoleAssignment must be the service principal it is created for.")
	}
	if nav == "appRoleAssignedTo" && !strings.EqualFold(fields["resourceId"], pathID) {
		return badRequest("The resourceId of the appRoleAssignment must be the service principal it is created for.")
	}
	now := time.Now()
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	if s.dir.liveServicePrincipal(pathID, now) == nil {
		return resourceNotFound(pathID)
	}
	resource := s.dir.liveServicePrincipal(fields["resourceId"], now)
	if resource == nil {
		return resourceNotFound(fields["resourceId"])
	}
	principal, ok := s.dir.lookupObject(fields["principalId"], now)
	if !ok || principal.typeName == "application" {
		return resourceNotFound(fields["principalId"])
	}
	principalType := map[string]string{"user": "User", "group": "Group", "servicePrincipal": "ServicePrincipal"}[principal.typeName]
	roleID := fields["appRoleId"]
	if roleID != uuid.Nil.String() {
		roles, _ := resource.data["appRoles"].([]any)
		var role map[string]any
		for _, item := range roles {
			if m, _ := item.(map[string]any); strings.EqualFold(fmt.Sprint(m["id"]), roleID) {
				role = m
			}
		}
		if role == nil {
			return badRequest(fmt.Sprintf("Permission being assigned was not found on application '%s'.", resource.appID()))
		}
		memberType := "Application"
		if principalType != "ServicePrincipal" {
			memberType = "User"
		}
		allowed, _ := role["allowedMemberTypes"].([]any)
		if !slices.Contains(allowed, any(memberType)) {
			return badRequest(fmt.Sprintf("Permission being assigned is not valid for a principal of type '%s'.", principalType))
		}
	}
	if s.dir.apps.roleGrants.find(fields["principalId"], resource.id(), roleID) != nil {
		return badRequest("Permission being assigned already exists on the object")
	}
	name, _ := principal.data["displayName"].(string)
	a := newAppRoleAssignment(appRoleAssignmentID(fields["principalId"], randomBytes(16)), roleID, fields["principalId"],
		principalType, name, resource, now)
	s.dir.apps.roleGrants.add(a)
	if resource.appID() == MicrosoftGraphAppID && principalType == "ServicePrincipal" {
		s.dir.syncTokenRoles(fields["principalId"], roleID, true)
	}
	resp := copyObject(a)
	resp["@odata.context"] = contextURL(s.baseURL, "servicePrincipals('"+pathID+"')/"+nav, nil, true)
	w.Header().Set("Location", s.baseURL+"/v1.0/servicePrincipals/"+pathID+"/"+nav+"/"+fmt.Sprint(a["id"]))
	writeJSON(w, http.StatusCreated, graphContentType, resp)
	return nil
}

// deleteAppRoleGrant is DELETE /servicePrincipals/{id}/appRoleAssignments/{id} and .../appRoleAssignedTo/{id}.
func (s *Server) deleteAppRoleGrant(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	if gerr := objectKeyError(params[0]); gerr != nil {
		return gerr
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	a := s.dir.apps.roleGrants.byID[params[1]]
	if a == nil || (!strings.EqualFold(fmt.Sprint(a["principalId"]), params[0]) && !strings.EqualFold(fmt.Sprint(a["resourceId"]), params[0])) {
		return resourceNotFound(params[1])
	}
	s.dir.apps.roleGrants.remove(a)
	if resource := s.dir.apps.sps[strings.ToLower(fmt.Sprint(a["resourceId"]))]; resource != nil && resource.appID() == MicrosoftGraphAppID {
		s.dir.syncTokenRoles(fmt.Sprint(a["principalId"]), fmt.Sprint(a["appRoleId"]), false)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
