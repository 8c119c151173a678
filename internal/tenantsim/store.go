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
	organization   map[string]any   // graph_organization.go
	domains        []map[string]any // graph_domains.go; organization.verifiedDomains follows them

	// One state per area, defined in the area's file.
	users    *userState   // users, their FIDO2 methods and AutoLicense rules (graph_users.go)
	groups   *groupState  // groups (graph_groups.go)
	apps     *appState    // app registrations, applications, service principals, app role assignments (graph_applications.go)
	rbac     *rbacState   // role definitions, assignments, PIM schedules and policies (graph_rolemanagement.go)
	ca       *caState     // Conditional Access policies and the outside writer's memory (graph_conditionalaccess.go)
	arm      *armState    // ARM resources and FailRequests rules (arm.go, failrules.go)
	fixtures fixtureState // which control-API fixtures have run
}

// fixtureState remembers the control API's fixture loaders (graph_applications_data.go, generator_large.go).
type fixtureState struct {
	audit           bool // AddAuditFixtures has run
	largeTenantRuns int  // GenerateLargeTenant calls so far; numbers generated names
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
	return &directory{users: newUserState(), groups: newGroupState(), apps: newAppState(), rbac: &rbacState{}, ca: newCAState()}
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
