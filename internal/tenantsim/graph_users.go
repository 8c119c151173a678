package tenantsim

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
)

// userSchema is microsoft.graph.user as the v1.0 CSDL defines it.
// userState is the users area of the store: users, their FIDO2 methods (graph_authmethods.go) and the
// AutoLicense rules new users get (licensing.go).
type userState struct {
	byID         map[string]*userRecord      // key: lower-case object id
	order        []string                    // object ids in creation order; lists keep this order across pages
	fido2        map[string][]map[string]any // key: lower-case user id
	tap          map[string]map[string]any   // the user's one Temporary Access Pass method (graph_authmethods_tap.go)
	methods      map[string][]map[string]any // the user's other registered methods, each with its @odata.type (AddAuthMethod)
	autoLicenses []autoLicense
}

func newUserState() *userState {
	return &userState{byID: map[string]*userRecord{}, fido2: map[string][]map[string]any{}, tap: map[string]map[string]any{},
		methods: map[string][]map[string]any{}}
}

// userRecord is one user: its Graph JSON plus what Graph never returns.
type userRecord struct {
	data            map[string]any // Graph JSON, never holding passwordProfile
	password        *passwordHash  // nil when the account has no cloud password
	passwordChanges int            // how many times a password was set, kept as the password history count
	forceChange     bool           // passwordProfile.forceChangePasswordNextSignIn
	visibleAt       time.Time      // replication delay: invisible to reads until then
	writtenAt       time.Time      // the last create or change, for Knobs.StaleReadWindow
	before          map[string]any // the version before writtenAt's write; nil after a create
	deleted         bool           // soft-deleted, in deletedItems
	deletedUPN      string         // the UPN before soft deletion, which a restore puts back
}

// wrote records a change at now for stale reads: reads may see the data as it was before (prior, a copy).
func (u *userRecord) wrote(now time.Time, prior map[string]any) {
	u.writtenAt, u.before = now, prior
}

// softDelete moves the user to deletedItems. Entra renames a deleted user's UPN to <object id without dashes><UPN>,
// which frees the UPN for a new user at once; a restore whose UPN was taken meanwhile fails.
func (u *userRecord) softDelete(now time.Time) {
	u.deleted = true
	u.deletedUPN = u.upn()
	u.data["deletedDateTime"] = timestamp(now)
	u.data["userPrincipalName"] = strings.ReplaceAll(u.id(), "-", "") + u.deletedUPN
}

func (u *userRecord) id() string { s, _ := u.data["id"].(string); return s }

func (u *userRecord) upn() string { s, _ := u.data["userPrincipalName"].(string); return s }

func (u *userRecord) visible(now time.Time) bool { return !now.Before(u.visibleAt) }

func (u *userRecord) syncedFromOnPremises() bool {
	synced, _ := u.data["onPremisesSyncEnabled"].(bool)
	return synced
}

// passwordHash keeps only a salted digest; the simulator never stores or logs a plaintext password. A single
// SHA-256 round (not a slow KDF) keeps large generated tenants fast; these are test credentials.
type passwordHash struct {
	salt, sum []byte
}

func hashPassword(password string) *passwordHash {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	return &passwordHash{salt: salt, sum: digest(salt, password)}
}

func digest(salt []byte, password string) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(password))
	return h.Sum(nil)
}

func (p *passwordHash) matches(password string) bool {
	return p != nil && subtle.ConstantTimeCompare(digest(p.salt, password), p.sum) == 1
}

// user finds a user by object id or UPN (case-insensitive), soft-deleted or not.
func (d *directory) user(idOrUPN string) *userRecord {
	if u, ok := d.users.byID[strings.ToLower(idOrUPN)]; ok {
		return u
	}
	if !strings.Contains(idOrUPN, "@") {
		return nil
	}
	for _, id := range d.users.order {
		if u := d.users.byID[id]; strings.EqualFold(u.upn(), idOrUPN) {
			return u
		}
	}
	return nil
}

// liveUser finds an active user that has replicated, as Graph reads by id or UPN see it.
func (d *directory) liveUser(idOrUPN string, now time.Time) *userRecord {
	u := d.user(idOrUPN)
	if u == nil || u.deleted || !u.visible(now) {
		return nil
	}
	return u
}

// usersWhere returns the users in creation order that satisfy keep.
func (d *directory) usersWhere(keep func(*userRecord) bool) []*userRecord {
	var out []*userRecord
	for _, id := range d.users.order {
		if u := d.users.byID[id]; keep(u) {
			out = append(out, u)
		}
	}
	return out
}

// upnTaken reports whether another active user holds the UPN (soft-deleted users hold a renamed one).
func (d *directory) upnTaken(upn, exceptID string) bool {
	for _, u := range d.users.byID {
		if !u.deleted && strings.EqualFold(u.upn(), upn) && !strings.EqualFold(u.id(), exceptID) {
			return true
		}
	}
	return false
}

// certificateUserIDTaken reports whether another user holds the value; Entra requires tenant-wide uniqueness.
func (d *directory) certificateUserIDTaken(value, exceptID string) bool {
	for _, u := range d.users.byID {
		if strings.EqualFold(u.id(), exceptID) {
			continue
		}
		for _, v := range certificateUserIDs(u.data) {
			if v == value {
				return true
			}
		}
	}
	return false
}

func certificateUserIDs(data map[string]any) []string {
	info, _ := data["authorizationInfo"].(map[string]any)
	list, _ := info["certificateUserIds"].([]any)
	var out []string
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func (d *directory) insertUser(u *userRecord) {
	key := strings.ToLower(u.id())
	if _, exists := d.users.byID[key]; !exists {
		d.users.order = append(d.users.order, key)
	}
	d.users.byID[key] = u
}

func (d *directory) removeUser(id string) {
	key := strings.ToLower(id)
	delete(d.users.byID, key)
	for i, k := range d.users.order {
		if k == key {
			d.users.order = append(d.users.order[:i:i], d.users.order[i+1:]...)
			break
		}
	}
}

var userSchema = (&entitySchema{
	typeName:     "microsoft.graph.user",
	resourceName: "User",
	properties: map[string]propKind{
		"aboutMe": propText, "accountEnabled": propBoolean, "ageGroup": propText, "assignedLicenses": propCollection,
		"assignedPlans": propCollection, "authorizationInfo": propComplex, "birthday": propText, "businessPhones": propCollection,
		"city": propText, "companyName": propText, "consentProvidedForMinor": propText, "country": propText,
		"createdDateTime": propText, "creationType": propText, "customSecurityAttributes": propComplex, "department": propText,
		"deviceEnrollmentLimit": propNumber, "displayName": propText, "employeeHireDate": propText, "employeeId": propText,
		"employeeLeaveDateTime": propText, "employeeOrgData": propComplex, "employeeType": propText, "externalUserState": propText,
		"externalUserStateChangeDateTime": propText, "faxNumber": propText, "givenName": propText, "hireDate": propText,
		"identities": propCollection, "identityParentId": propText, "imAddresses": propCollection, "interests": propCollection,
		"isManagementRestricted": propBoolean, "isResourceAccount": propBoolean, "jobTitle": propText,
		"lastPasswordChangeDateTime": propText, "legalAgeGroupClassification": propText, "licenseAssignmentStates": propCollection,
		"mail": propText, "mailboxSettings": propComplex, "mailNickname": propText, "mobilePhone": propText, "mySite": propText,
		"officeLocation": propText, "onPremisesDistinguishedName": propText, "onPremisesDomainName": propText,
		"onPremisesExtensionAttributes": propComplex, "onPremisesImmutableId": propText, "onPremisesLastSyncDateTime": propText,
		"onPremisesProvisioningErrors": propCollection, "onPremisesSamAccountName": propText,
		"onPremisesSecurityIdentifier": propText, "onPremisesSyncEnabled": propBoolean, "onPremisesUserPrincipalName": propText,
		"otherMails": propCollection, "passwordPolicies": propText, "passwordProfile": propComplex, "pastProjects": propCollection,
		"postalCode": propText, "preferredDataLocation": propText, "preferredLanguage": propText, "preferredName": propText,
		"print": propComplex, "provisionedPlans": propCollection, "proxyAddresses": propCollection, "responsibilities": propCollection,
		"schools": propCollection, "securityIdentifier": propText, "serviceProvisioningErrors": propCollection,
		"showInAddressList": propBoolean, "signInActivity": propComplex, "signInSessionsValidFromDateTime": propText,
		"skills": propCollection, "state": propText, "streetAddress": propText, "surname": propText, "usageLocation": propText,
		"userPrincipalName": propText, "userType": propText, "deletedDateTime": propText, "id": propText,
	},
	// Graph v1.0 returns only these without $select; anything else must be asked for.
	defaultSelect: []string{"businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
		"officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"},
	filterable: map[string]bool{"id": true, "userPrincipalName": true, "displayName": true, "mailNickname": true,
		"accountEnabled": true, "onPremisesSyncEnabled": true, "mail": true, "userType": true, "givenName": true, "surname": true},
	writeOnly: map[string]bool{"passwordProfile": true},
	// Unset non-nullable primitives come back as Graph's defaults, not null.
	zeroValues: map[string]any{"birthday": "0001-01-01T00:00:00Z", "hireDate": "0001-01-01T00:00:00Z", "deviceEnrollmentLimit": 5},
}).init()

// deletedUserSchema answers deletedItems: the same type, whose default view also shows when it was deleted.
var deletedUserSchema = func() *entitySchema {
	sc := *userSchema
	sc.defaultSelect = append(append([]string{}, userSchema.defaultSelect...), "deletedDateTime")
	return &sc
}()

// readOnlyUserProperties are set by the directory; Graph refuses them in POST and PATCH bodies.
var readOnlyUserProperties = map[string]bool{
	"id": true, "createdDateTime": true, "creationType": true, "deletedDateTime": true, "assignedLicenses": true,
	"assignedPlans": true, "provisionedPlans": true, "licenseAssignmentStates": true, "lastPasswordChangeDateTime": true,
	"securityIdentifier": true, "signInActivity": true, "signInSessionsValidFromDateTime": true, "proxyAddresses": true,
	"onPremisesSyncEnabled": true, "onPremisesLastSyncDateTime": true, "onPremisesDistinguishedName": true,
	"onPremisesDomainName": true, "onPremisesProvisioningErrors": true, "onPremisesSamAccountName": true,
	"onPremisesSecurityIdentifier": true, "onPremisesUserPrincipalName": true, "serviceProvisioningErrors": true,
	"identityParentId": true, "isManagementRestricted": true, "externalUserStateChangeDateTime": true,
}

// onPremisesMasteredProperties are owned by Entra Connect for synced users; cloud writes are refused.
var onPremisesMasteredProperties = map[string]bool{
	"accountEnabled": true, "displayName": true, "givenName": true, "surname": true, "userPrincipalName": true,
	"mailNickname": true, "jobTitle": true, "department": true, "companyName": true, "city": true, "country": true,
	"state": true, "streetAddress": true, "postalCode": true, "officeLocation": true, "businessPhones": true,
	"mobilePhone": true, "faxNumber": true, "employeeId": true, "employeeType": true, "employeeHireDate": true,
	"mail": true, "otherMails": true, "passwordProfile": true, "authorizationInfo": true, "onPremisesImmutableId": true,
}

const (
	msgOnPremMastered = "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration."
	msgBadPassword    = "The specified password does not comply with password complexity requirements. Please provide a different password."
	msgBadDomain      = "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization."
	msgDuplicateUPN   = "Another object with the same value for property userPrincipalName already exists."
)

func invalidUserValue(property string) *graphError {
	return badRequest(fmt.Sprintf("Invalid value specified for property '%s' of resource 'User'.", property))
}

// AllowedPasswordSymbols are the symbols Microsoft Entra accepts in cloud passwords, from "Password policies and
// account restrictions in Microsoft Entra ID", table "Microsoft Entra password policies", row "Characters allowed"
// (https://learn.microsoft.com/entra/identity/authentication/concept-sspr-policy; MicrosoftDocs/entra-docs
// docs/identity/authentication/concept-sspr-policy.md). The same row also allows a blank space, which is listed
// separately from the symbols and is therefore not part of this set; Unicode characters are not allowed.
var AllowedPasswordSymbols = "@#$%^&*-_!+=[]{}|\\:',.?/`~\"();<>"

// passwordComplies applies Entra's password policy: 8-256 characters of A-Z, a-z, 0-9, the allowed symbols or a
// blank space, and at least three of the four classes. DisableStrongPassword keeps the length and character rules
// but drops the three-of-four rule.
func passwordComplies(password string, strongDisabled bool) bool {
	if len(password) < 8 || len(password) > 256 {
		return false
	}
	var lower, upper, digit, symbol bool
	for _, c := range password {
		switch {
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= '0' && c <= '9':
			digit = true
		case strings.ContainsRune(AllowedPasswordSymbols, c):
			symbol = true
		case c == ' ':
		default:
			return false
		}
	}
	classes := 0
	for _, present := range []bool{lower, upper, digit, symbol} {
		if present {
			classes++
		}
	}
	return strongDisabled || classes >= 3
}

// validPasswordPolicies are the values Graph accepts for passwordPolicies.
func validPasswordPolicies(v string) bool {
	seen := map[string]bool{}
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		switch part {
		case "None":
			if v != "None" {
				return false
			}
		case "DisablePasswordExpiration", "DisableStrongPassword":
			if seen[part] {
				return false
			}
			seen[part] = true
		default:
			return false
		}
	}
	return true
}

// upnPattern follows Entra's username policy: up to 64 characters of A-Z a-z 0-9 ' . - _ ! # ^ ~ before the
// '@', no '.' immediately before it, a domain of up to 48 characters, 113 characters in total.
var upnPattern = regexp.MustCompile(`^[A-Za-z0-9'._!#^~-]{1,64}@[A-Za-z0-9.-]{1,48}$`)

func validUPN(upn string) bool {
	local, _, _ := strings.Cut(upn, "@")
	return len(upn) <= 113 && upnPattern.MatchString(upn) && !strings.HasSuffix(local, ".") && !strings.HasPrefix(local, ".")
}

// validMailNickname follows the user resource's rules: ASCII, at most 64 characters, none of @ ( ) \ [ ] " ; : < > , or space.
func validMailNickname(v string) bool {
	if v == "" || len(v) > 64 {
		return false
	}
	for _, c := range v {
		if c > 127 || c < 33 || strings.ContainsRune("@()\\[]\";:<>,", c) {
			return false
		}
	}
	return true
}

// certificateUserIDPattern lists the mappings of "Mapping to the certificateUserIds attribute in Microsoft Entra
// ID": PrincipalName, RFC822Name, IssuerAndSubject, Subject, SKI, SHA1PublicKey and IssuerAndSerialNumber.
// The X509:<...> prefixes are case-sensitive.
var certificateUserIDPattern = regexp.MustCompile(`^X509:(<PN>.+|<RFC822>.+|<I>.+<S>.+|<S>.+|<SKI>.+|<SHA1-PUKEY>.+|<I>.+<SR>.+)$`)

// maxCertificateUserIDs and maxCertificateUserIDLength are the attribute's documented limits.
const (
	maxCertificateUserIDs      = 10
	maxCertificateUserIDLength = 1024
)

// checkCertificateUserIDs validates authorizationInfo.certificateUserIds; uniqueness is checked under the lock.
func checkCertificateUserIDs(body map[string]any) *graphError {
	info, present := body["authorizationInfo"]
	if !present || info == nil {
		return nil
	}
	infoMap, ok := info.(map[string]any)
	if !ok {
		return invalidUserValue("authorizationInfo")
	}
	raw, present := infoMap["certificateUserIds"]
	if !present || raw == nil {
		return nil
	}
	list, ok := raw.([]any)
	if !ok || len(list) > maxCertificateUserIDs {
		return invalidUserValue("certificateUserIds")
	}
	seen := map[string]bool{}
	for _, v := range list {
		s, ok := v.(string)
		if !ok || len(s) > maxCertificateUserIDLength || !certificateUserIDPattern.MatchString(s) || seen[s] {
			return invalidUserValue("certificateUserIds")
		}
		seen[s] = true
	}
	return nil
}

// checkUserBody rejects what OData deserialization and the directory reject: unknown properties, read-only
// properties and values of the wrong JSON kind. It rewrites keys to their CSDL spelling.
func checkUserBody(body map[string]any) *graphError {
	for key, value := range body {
		name, ok := userSchema.lookup(key)
		if !ok {
			return newGraphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("The property '%s' does not exist on type 'microsoft.graph.user'. Make sure to only use property names that are defined by the type or mark the type as open type.", key))
		}
		if readOnlyUserProperties[name] {
			return badRequest(fmt.Sprintf("Property '%s' is read-only and cannot be set.", name))
		}
		if name != key {
			delete(body, key)
			body[name] = value
		}
		if value == nil {
			continue
		}
		var edm string
		switch kind := userSchema.properties[name]; {
		case kind == propBoolean && !isKind[bool](value):
			edm = "Edm.Boolean"
		case kind == propText && !isKind[string](value):
			edm = "Edm.String"
		case kind == propNumber && !isKind[float64](value):
			edm = "Edm.Int32"
		case kind == propCollection && !isKind[[]any](value), kind == propComplex && !isKind[map[string]any](value):
			return invalidUserValue(name)
		}
		if edm != "" {
			return newGraphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Cannot convert a primitive value to the expected type '%s'. See the inner exception for more details.", edm))
		}
	}
	return nil
}

// passwordChange is the write-only part of a body: passwordProfile.
type passwordChange struct {
	present     bool
	password    string
	hasPassword bool
	forceChange bool
}

func takePasswordProfile(body map[string]any) (passwordChange, *graphError) {
	raw, present := body["passwordProfile"]
	delete(body, "passwordProfile")
	if !present || raw == nil {
		return passwordChange{}, nil
	}
	profile, ok := raw.(map[string]any)
	if !ok {
		return passwordChange{}, invalidUserValue("passwordProfile")
	}
	pc := passwordChange{present: true}
	for key, value := range profile {
		switch key {
		case "password":
			if value != nil {
				s, ok := value.(string)
				if !ok {
					return pc, invalidUserValue("passwordProfile")
				}
				pc.password, pc.hasPassword = s, true
			}
		case "forceChangePasswordNextSignIn", "forceChangePasswordNextSignInWithMfa":
			b, ok := value.(bool)
			if !ok && value != nil {
				return pc, invalidUserValue("passwordProfile")
			}
			if key == "forceChangePasswordNextSignIn" {
				pc.forceChange = b
			}
		default:
			return pc, newGraphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("The property '%s' does not exist on type 'microsoft.graph.passwordProfile'. Make sure to only use property names that are defined by the type or mark the type as open type.", key))
		}
	}
	return pc, nil
}

// checkUserValues validates the properties a POST or PATCH sets; uniqueness and domains are checked under the lock.
func checkUserValues(body map[string]any) *graphError {
	if v, ok := body["userPrincipalName"]; ok {
		if s, _ := v.(string); !validUPN(s) {
			return invalidUserValue("userPrincipalName")
		}
	}
	if v, ok := body["mailNickname"]; ok {
		if s, _ := v.(string); !validMailNickname(s) {
			return invalidUserValue("mailNickname")
		}
	}
	if v, ok := body["displayName"]; ok {
		if s, _ := v.(string); strings.TrimSpace(s) == "" || len(s) > 256 {
			return invalidUserValue("displayName")
		}
	}
	if v, ok := body["accountEnabled"]; ok && v == nil {
		return invalidUserValue("accountEnabled")
	}
	if v, ok := body["passwordPolicies"]; ok && v != nil {
		if s, _ := v.(string); !validPasswordPolicies(s) {
			return invalidUserValue("passwordPolicies")
		}
	}
	return checkCertificateUserIDs(body)
}

func strongPasswordDisabled(policies any) bool {
	s, _ := policies.(string)
	return strings.Contains(s, "DisableStrongPassword")
}

// checkDirectoryConstraints checks what needs the directory: verified domain, unique UPN, unique certificate
// user ids. The caller holds the lock.
func (d *directory) checkDirectoryConstraints(body map[string]any, selfID string) *graphError {
	if upn, ok := body["userPrincipalName"].(string); ok {
		_, domainName, _ := strings.Cut(upn, "@")
		dom := d.domain(domainName)
		if verified, _ := dom["isVerified"].(bool); !verified {
			return badRequest(msgBadDomain)
		}
		if d.upnTaken(upn, selfID) {
			return badRequest(msgDuplicateUPN)
		}
	}
	for _, v := range certificateUserIDs(body) {
		if d.certificateUserIDTaken(v, selfID) {
			return badRequest("Another object with the same value for property certificateUserIds already exists.")
		}
	}
	return nil
}

// newUserData fills in what the directory sets on every new user.
func (d *directory) newUserData(body map[string]any, now time.Time) map[string]any {
	id := uuid.New()
	data := copyObject(body)
	stamp := timestamp(now)
	defaults := map[string]any{
		"userType": "Member", "businessPhones": []any{}, "otherMails": []any{}, "imAddresses": []any{},
		"authorizationInfo": map[string]any{"certificateUserIds": []any{}}, "passwordPolicies": nil, "mail": nil,
	}
	for key, value := range defaults {
		if _, set := data[key]; !set {
			data[key] = value
		}
	}
	for key, value := range map[string]any{
		"id": id.String(), "createdDateTime": stamp, "creationType": nil, "onPremisesSyncEnabled": nil,
		"assignedLicenses": []any{}, "assignedPlans": []any{}, "provisionedPlans": []any{}, "proxyAddresses": []any{},
		"lastPasswordChangeDateTime": stamp, "signInSessionsValidFromDateTime": stamp,
		"securityIdentifier": securityIdentifier(id), "deletedDateTime": nil,
	} {
		data[key] = value
	}
	data["identities"] = []any{map[string]any{
		"signInType": "userPrincipalName", "issuer": d.initialDomain(), "issuerAssignedId": data["userPrincipalName"],
	}}
	return data
}

// createUser is POST /users.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	body, gerr := decodeBody(r)
	if gerr == nil {
		gerr = checkUserBody(body)
	}
	if gerr != nil {
		return gerr
	}
	pw, gerr := takePasswordProfile(body)
	s.notePassword(pw.password)
	if gerr != nil {
		return gerr
	}
	for _, required := range []string{"accountEnabled", "displayName", "mailNickname", "userPrincipalName"} {
		if v, ok := body[required]; !ok || v == nil || v == "" {
			return badRequest(fmt.Sprintf("Property %s value is required but is empty or missing.", required))
		}
	}
	if !pw.hasPassword || pw.password == "" {
		return badRequest("A password must be specified to create a new user.")
	}
	if gerr := checkUserValues(body); gerr != nil {
		return gerr
	}
	if !passwordComplies(pw.password, strongPasswordDisabled(body["passwordPolicies"])) {
		return badRequest(msgBadPassword)
	}

	now := time.Now()
	s.dir.mu.Lock()
	if gerr := s.dir.checkDirectoryConstraints(body, ""); gerr != nil {
		s.dir.mu.Unlock()
		return gerr
	}
	u := &userRecord{
		data: s.dir.newUserData(body, now), password: hashPassword(pw.password), passwordChanges: 1,
		forceChange: pw.forceChange, visibleAt: now.Add(s.Knobs().ReplicationDelay), writtenAt: now,
	}
	s.dir.applyAutoLicenses(u.data)
	s.dir.insertUser(u)
	resp := userSchema.project(u.data, nil)
	s.dir.mu.Unlock()

	resp["@odata.context"] = contextURL(s.baseURL, "users", nil, true)
	w.Header().Set("Location", s.baseURL+"/v1.0/users/"+u.id())
	writeJSON(w, http.StatusCreated, graphContentType, resp)
	return nil
}

// userKeyError answers a key that is neither an object id nor a UPN the way Graph does.
func userKeyError(key string) *graphError {
	if !strings.Contains(key, "@") && uuid.Validate(key) != nil {
		return badRequest(fmt.Sprintf("Invalid object identifier '%s'.", key))
	}
	return nil
}

// checkSignInActivityAccess enforces that signInActivity needs AuditLog.Read.All on top of the user read permission.
func checkSignInActivityAccess(r *http.Request, selected []string) *graphError {
	for _, name := range selected {
		if name == "signInActivity" && !requestInfoFrom(r.Context()).claims.hasAny(signInActivityRole) {
			return accessDenied()
		}
	}
	return nil
}

// getUser is GET /users/{id | userPrincipalName}.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	key := params[0]
	if gerr := userKeyError(key); gerr != nil {
		return gerr
	}
	selected, gerr := parseSelect(r, userSchema)
	if gerr == nil {
		gerr = checkSignInActivityAccess(r, selected)
	}
	if gerr != nil {
		return gerr
	}
	now := time.Now()
	s.dir.mu.RLock()
	u := s.dir.liveUser(key, now)
	var resp map[string]any
	if u != nil {
		data := u.data
		if s.drawStaleRead(u.writtenAt, now) {
			data = u.before // a replica the last write has not reached; nil: it has not seen the user at all
		}
		if data != nil {
			resp = userSchema.project(data, selected)
		}
	}
	s.dir.mu.RUnlock()
	if resp == nil {
		return resourceNotFound(key)
	}
	resp["@odata.context"] = contextURL(s.baseURL, "users", selected, true)
	writeJSON(w, http.StatusOK, graphContentType, resp)
	return nil
}

// listUsers is GET /users.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	q, gerr := parseListQuery(r, userSchema, graphDefaultPage, graphMaxPage)
	if gerr == nil {
		gerr = checkSignInActivityAccess(r, q.selected)
	}
	if gerr != nil {
		return gerr
	}
	now := time.Now()
	s.dir.mu.RLock()
	resp := q.page(r, userSchema, s.baseURL, contextURL(s.baseURL, "users", q.selected, false),
		userData(s.dir.usersWhere(func(u *userRecord) bool { return !u.deleted && u.visible(now) })))
	s.dir.mu.RUnlock()
	writeJSON(w, http.StatusOK, graphContentType, resp)
	return nil
}

func userData(users []*userRecord) []map[string]any {
	out := make([]map[string]any, len(users))
	for i, u := range users {
		out[i] = u.data
	}
	return out
}

// countUsers is GET /users/$count, which Graph serves only with ConsistencyLevel: eventual.
func (s *Server) countUsers(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	if !eventualConsistency(r) {
		return newGraphError(http.StatusBadRequest, "Request_UnsupportedQuery", "Raw count (/$count) is not supported because the 'ConsistencyLevel:eventual' header is missing. Refer to https://aka.ms/graph-docs/advanced-queries for more information")
	}
	var filter filterExpr
	if raw := r.URL.Query().Get("$filter"); raw != "" {
		var gerr *graphError
		if filter, _, gerr = parseFilter(raw, userSchema); gerr != nil {
			return gerr
		}
	}
	now := time.Now()
	s.dir.mu.RLock()
	n := len(s.dir.usersWhere(func(u *userRecord) bool {
		return !u.deleted && u.visible(now) && (filter == nil || filter.match(u.data))
	}))
	s.dir.mu.RUnlock()
	w.Header().Set("Content-Type", "text/plain;charset=utf-8")
	_, _ = fmt.Fprint(w, n)
	return nil
}

// updateUser is PATCH /users/{id | userPrincipalName}: OData merge, 204 No Content.
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	key := params[0]
	if gerr := userKeyError(key); gerr != nil {
		return gerr
	}
	body, gerr := decodeBody(r)
	if gerr == nil {
		gerr = checkUserBody(body)
	}
	if gerr != nil {
		return gerr
	}
	_, touchesPassword := body["passwordProfile"]
	pw, gerr := takePasswordProfile(body)
	s.notePassword(pw.password)
	if gerr == nil {
		gerr = checkUserValues(body)
	}
	if gerr != nil {
		return gerr
	}

	now := time.Now()
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	u := s.dir.liveUser(key, now)
	if u == nil {
		return resourceNotFound(key)
	}
	if u.syncedFromOnPremises() {
		for name := range body {
			if onPremisesMasteredProperties[name] {
				return badRequest(msgOnPremMastered)
			}
		}
		if touchesPassword {
			return badRequest(msgOnPremMastered)
		}
	}
	if gerr := s.dir.checkDirectoryConstraints(body, u.id()); gerr != nil {
		return gerr
	}
	if gerr := s.checkPrivilegedTarget(body, touchesPassword, u.id(), callerClaims(r), now); gerr != nil {
		return gerr
	}
	if gerr := s.checkRestrictedMember(r, u.id(), now); gerr != nil {
		return gerr
	}
	policies := u.data["passwordPolicies"]
	if p, ok := body["passwordPolicies"]; ok {
		policies = p
	}
	if pw.hasPassword && !passwordComplies(pw.password, strongPasswordDisabled(policies)) {
		return badRequest(msgBadPassword)
	}

	oldUPN := u.upn()
	u.wrote(now, copyObject(u.data))
	mergePatch(u.data, body, userSchema.properties)
	if pw.present {
		u.forceChange = pw.forceChange
	}
	if pw.hasPassword {
		u.password = hashPassword(pw.password)
		u.passwordChanges++
		u.data["lastPasswordChangeDateTime"] = timestamp(now)
	}
	if newUPN := u.upn(); newUPN != oldUPN {
		renameIdentity(u.data, oldUPN, newUPN)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// renameIdentity keeps the userPrincipalName sign-in identity in step with the UPN, as the directory does.
func renameIdentity(data map[string]any, oldUPN, newUPN string) {
	identities, _ := data["identities"].([]any)
	for _, item := range identities {
		if id, ok := item.(map[string]any); ok && id["signInType"] == "userPrincipalName" && id["issuerAssignedId"] == oldUPN {
			id["issuerAssignedId"] = newUPN
		}
	}
}

// deleteUser is DELETE /users/{id | userPrincipalName}: a soft delete into deletedItems.
func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	key := params[0]
	if gerr := userKeyError(key); gerr != nil {
		return gerr
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	u := s.dir.liveUser(key, time.Now())
	switch {
	case u == nil:
		return resourceNotFound(key)
	case u.syncedFromOnPremises():
		return badRequest(msgOnPremMastered)
	}
	if gerr := s.checkRestrictedMember(r, u.id(), time.Now()); gerr != nil {
		return gerr
	}
	u.softDelete(time.Now())
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ---- licenseDetails ----

// licenseDetailsReadRoles: "List licenseDetails" lists LicenseAssignment.Read.All (least privileged) and
// User.Read.All, User.ReadWrite.All, Directory.Read.All, Directory.ReadWrite.All. Its table marks application
// permissions "Not supported"; app-only tooling (e.g. Get-MgUserLicenseDetail with client credentials) reads it
// with the same permissions, so app tokens with them are accepted too.
var licenseDetailsReadRoles = anyOf{"LicenseAssignment.Read.All", "User.Read.All", "User.ReadWrite.All",
	"Directory.Read.All", "Directory.ReadWrite.All"}

type servicePlan struct{ id, name string }

// Service plans of the SKUs below, from "Product names and service plan identifiers for licensing".
var (
	planAADPremium    = servicePlan{"41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM"}
	planAADPremiumP2  = servicePlan{"eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2"}
	planMFAPremium    = servicePlan{"8a256a2b-b617-496d-b51b-e76466e88db0", "MFA_PREMIUM"}
	planExchangeEnt   = servicePlan{"efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE"}
	planSharePointEnt = servicePlan{"5dbe027f-2339-4123-9542-606e4d348a72", "SHAREPOINTENTERPRISE"}
	planIntuneA       = servicePlan{"c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "INTUNE_A"}
)

// knownSKUs maps skuId to skuPartNumber and (a subset of) its service plans. 06ebc4ee-... is Microsoft 365 E5
// (SPE_E5); ENTERPRISEPREMIUM is Office 365 E5 (c7df2760-..., as the List licenseDetails example shows it).
var knownSKUs = map[string]struct {
	partNumber string
	plans      []servicePlan
}{
	microsoft365E5SkuID:                    {"SPE_E5", []servicePlan{planAADPremium, planAADPremiumP2, planMFAPremium, planExchangeEnt, planSharePointEnt, planIntuneA}},
	"05e9a617-0261-4cee-bb44-138d3ef5d965": {"SPE_E3", []servicePlan{planAADPremium, planMFAPremium, planExchangeEnt, planSharePointEnt, planIntuneA}},
	"c7df2760-2c81-4ef7-b578-5b5392b571df": {"ENTERPRISEPREMIUM", []servicePlan{planExchangeEnt, planSharePointEnt,
		{"cd31b152-6326-4d1b-ae1b-997b625182e6", "MIP_S_Exchange"}, {"8e0c0a52-6a6c-4d40-8370-dd62790dcd70", "THREAT_INTELLIGENCE"},
		{"9c0dab89-a30c-4117-86e7-97bda240acd2", "POWERAPPS_O365_P3"}, {"8c098270-9dd4-4350-9b30-ba4703f3b36b", "ADALLOM_S_O365"}}},
	"078d2b04-f1bd-4111-bbd4-b4b1b354cef4": {"AAD_PREMIUM", []servicePlan{planAADPremium, planMFAPremium}},
	"84a661c4-e949-4bd2-a560-ed7766fcaf2b": {"AAD_PREMIUM_P2", []servicePlan{planAADPremium, planAADPremiumP2, planMFAPremium}},
}

var licenseDetailsSchema = (&entitySchema{
	typeName: "microsoft.graph.licenseDetails", resourceName: "licenseDetails",
	properties: map[string]propKind{"id": propText, "skuId": propText, "skuPartNumber": propText, "servicePlans": propCollection},
}).init()

// licenseDetailsOf renders a user's assignedLicenses as licenseDetails. The id is the tenant id and the skuId, each
// as base64url of the GUID's .NET bytes, as in the documented example; disabled plans show provisioningStatus
// "Disabled".
func licenseDetailsOf(tenantID string, u *userRecord) []map[string]any {
	licenses, _ := u.data["assignedLicenses"].([]any)
	out := make([]map[string]any, 0, len(licenses))
	for _, item := range licenses {
		license, _ := item.(map[string]any)
		skuID, _ := license["skuId"].(string)
		disabled, _ := license["disabledPlans"].([]any)
		sku := knownSKUs[strings.ToLower(skuID)]
		plans := make([]any, 0, len(sku.plans))
		for _, p := range sku.plans {
			status := "Success"
			for _, d := range disabled {
				if ds, _ := d.(string); strings.EqualFold(ds, p.id) {
					status = "Disabled"
				}
			}
			plans = append(plans, map[string]any{"servicePlanId": p.id, "servicePlanName": p.name, "provisioningStatus": status, "appliesTo": "User"})
		}
		out = append(out, map[string]any{"id": guidBase64(tenantID) + guidBase64(skuID), "skuId": skuID,
			"skuPartNumber": nullableString(sku.partNumber), "servicePlans": plans})
	}
	return out
}

// listLicenseDetails is GET /users/{id | userPrincipalName}/licenseDetails; it supports $select.
func (s *Server) listLicenseDetails(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	key := params[0]
	if gerr := userKeyError(key); gerr != nil {
		return gerr
	}
	selected, gerr := parseSelect(r, licenseDetailsSchema)
	if gerr != nil {
		return gerr
	}
	s.dir.mu.RLock()
	u := s.dir.liveUser(key, time.Now())
	var value []any
	if u != nil {
		value = []any{}
		for _, d := range licenseDetailsOf(s.dir.tenantID, u) {
			value = append(value, licenseDetailsSchema.project(d, selected))
		}
	}
	s.dir.mu.RUnlock()
	if u == nil {
		return resourceNotFound(key)
	}
	writeJSON(w, http.StatusOK, graphContentType, map[string]any{
		"@odata.context": contextURL(s.baseURL, "users('"+u.id()+"')/licenseDetails", selected, false), "value": value,
	})
	return nil
}
