package tenantsim

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// directory is the tenant's in-memory state. One mutex guards everything: the provider sends parallel requests,
// and Graph's own answers are per-object atomic, which a single lock reproduces without lock ordering concerns.
type directory struct {
	mu             sync.RWMutex
	tenantID       string
	subscriptionID string
	organization   map[string]any
	domains        []map[string]any
	users          map[string]*userRecord // key: lower-case object id
	userOrder      []string               // object ids in creation order; lists keep this order across pages
	apps           map[string]*registeredApp
	rbac           *rbacState // role definitions, assignments, PIM schedules and policies
	ca             *caState   // Conditional Access policies and the outside writer's memory
	arm            *armState  // ARM resources and FailRequests rules (arm.go, failrules.go)

	// Applications, service principals and app role assignments (graph_applications.go). Every registered app
	// (apps) also has an application object (except managed identities) and a service principal here.
	applications   map[string]*applicationRecord // key: lower-case object id
	appOrder       []string                      // object ids in creation order
	appsByAppID    map[string]*applicationRecord // key: lower-case appId
	sps            map[string]*spRecord          // key: lower-case object id
	spOrder        []string
	spsByAppID     map[string]*spRecord
	appRoleGrants  *appRoleAssignmentIndex
	msiClientID    string                  // the managed identity's client id: a service principal without application
	groups         map[string]*groupRecord // key: lower-case object id (graph_groups.go)
	groupOrder     []string
	fido2          map[string][]map[string]any // key: lower-case user id; FIDO2 methods (graph_authmethods.go)
	auditFixtures  bool                        // AddAuditFixtures has run
	largeTenantRun int                         // GenerateLargeTenant calls so far; numbers generated names
	autoLicenses   []autoLicense               // AutoLicense rules (licensing.go)
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

func (u *userRecord) id() string  { s, _ := u.data["id"].(string); return s }
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

// registeredApp is an app registration with its service principal.
type registeredApp struct {
	App
	servicePrincipalID string
}

func newDirectory() *directory {
	return &directory{
		users: map[string]*userRecord{}, apps: map[string]*registeredApp{}, rbac: &rbacState{}, ca: newCAState(),
		applications: map[string]*applicationRecord{}, appsByAppID: map[string]*applicationRecord{},
		sps: map[string]*spRecord{}, spsByAppID: map[string]*spRecord{}, appRoleGrants: newAppRoleAssignmentIndex(),
		groups: map[string]*groupRecord{}, fido2: map[string][]map[string]any{},
	}
}

// user finds a user by object id or UPN (case-insensitive), soft-deleted or not.
func (d *directory) user(idOrUPN string) *userRecord {
	if u, ok := d.users[strings.ToLower(idOrUPN)]; ok {
		return u
	}
	if !strings.Contains(idOrUPN, "@") {
		return nil
	}
	for _, id := range d.userOrder {
		if u := d.users[id]; strings.EqualFold(u.upn(), idOrUPN) {
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
	for _, id := range d.userOrder {
		if u := d.users[id]; keep(u) {
			out = append(out, u)
		}
	}
	return out
}

// upnTaken reports whether another active user holds the UPN (soft-deleted users hold a renamed one).
func (d *directory) upnTaken(upn, exceptID string) bool {
	for _, u := range d.users {
		if !u.deleted && strings.EqualFold(u.upn(), upn) && !strings.EqualFold(u.id(), exceptID) {
			return true
		}
	}
	return false
}

// certificateUserIDTaken reports whether another user holds the value; Entra requires tenant-wide uniqueness.
func (d *directory) certificateUserIDTaken(value, exceptID string) bool {
	for _, u := range d.users {
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
	if _, exists := d.users[key]; !exists {
		d.userOrder = append(d.userOrder, key)
	}
	d.users[key] = u
}

func (d *directory) removeUser(id string) {
	key := strings.ToLower(id)
	delete(d.users, key)
	for i, k := range d.userOrder {
		if k == key {
			d.userOrder = append(d.userOrder[:i:i], d.userOrder[i+1:]...)
			break
		}
	}
}

func (d *directory) domain(name string) map[string]any {
	for _, dom := range d.domains {
		if id, _ := dom["id"].(string); strings.EqualFold(id, name) {
			return dom
		}
	}
	return nil
}

// initialDomain is the tenant's *.onmicrosoft.com domain.
func (d *directory) initialDomain() string {
	for _, dom := range d.domains {
		if initial, _ := dom["isInitial"].(bool); initial {
			id, _ := dom["id"].(string)
			return id
		}
	}
	return ""
}

// knowsTenant reports whether a token request's tenant segment names this tenant (id or any domain).
func (d *directory) knowsTenant(tenant string) bool {
	return strings.EqualFold(tenant, d.tenantID) || d.domain(tenant) != nil
}

// syncVerifiedDomains keeps organization.verifiedDomains in step with the domain list.
func (d *directory) syncVerifiedDomains() {
	var verified []any
	for _, dom := range d.domains {
		if ok, _ := dom["isVerified"].(bool); !ok {
			continue
		}
		isDefault, _ := dom["isDefault"].(bool)
		isInitial, _ := dom["isInitial"].(bool)
		capabilities := "Email, OfficeCommunicationsOnline"
		if isInitial {
			capabilities = "Email, OfficeCommunicationsOnline, MoeraDomain"
		}
		verified = append(verified, map[string]any{
			"capabilities": capabilities, "isDefault": isDefault, "isInitial": isInitial,
			"name": dom["id"], "type": "Managed",
		})
	}
	d.organization["verifiedDomains"] = verified
}

func (d *directory) app(clientID string) *registeredApp {
	return d.apps[strings.ToLower(clientID)]
}

func (d *directory) addApp(app App) *registeredApp {
	ra := &registeredApp{
		App:                app,
		servicePrincipalID: uuid.NewSHA1(uuid.NameSpaceOID, []byte("servicePrincipal:"+strings.ToLower(app.ClientID))).String(),
	}
	d.apps[strings.ToLower(app.ClientID)] = ra
	d.registerAppObjects(ra)
	return ra
}
