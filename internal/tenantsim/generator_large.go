package tenantsim

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// LargeTenant sizes the objects GenerateLargeTenant adds.
type LargeTenant struct {
	Users               int // users: every tenth synced, every third licensed, every twentieth disabled
	RoleAssignments     int // active directory role assignments (a tenth of them activations of eligible ones)
	EligibleAssignments int // eligible (PIM) directory role assignments
	ServicePrincipals   int // service principals: 60% with an application here, 30% third-party, 10% first-party
	AppRoleAssignments  int // Microsoft Graph application permission grants to the generated service principals
}

// ParseLargeTenant reads "users,roleAssignments,eligible,servicePrincipals,appRoleAssignments", e.g.
// "10000,5000,500,3000,30000" (the tenantsim --large-tenant flag).
func ParseLargeTenant(spec string) (LargeTenant, error) {
	parts := strings.Split(spec, ",")
	if len(parts) != 5 {
		return LargeTenant{}, fmt.Errorf("large tenant %q: want users,roleAssignments,eligible,servicePrincipals,appRoleAssignments", spec)
	}
	n := make([]int, 5)
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 0 {
			return LargeTenant{}, fmt.Errorf("large tenant %q: %q is not a count", spec, p)
		}
		n[i] = v
	}
	return LargeTenant{Users: n[0], RoleAssignments: n[1], EligibleAssignments: n[2], ServicePrincipals: n[3], AppRoleAssignments: n[4]}, nil
}

// vendorTenants publish the generated third-party applications.
var vendorTenants = []string{FixtureFabrikamTenantID, "3b9c1d7e-4a2f-4f6b-9c8d-0e1f2a3b4c5d", "8e7d6c5b-4a39-4281-9f0e-1d2c3b4a5f6e"}

// GenerateLargeTenant adds a large tenant for benchmarks, in one step under the directory lock: no HTTP, no
// replication delay, no per-object validation beyond uniqueness. It is deterministic for a given Config.RandSeed
// (it draws its own generator from the simulator's) and can be called more than once; each call adds new objects
// with names numbered by the call ("large.user00001@contoso.com", then "large2.user00001@...").
//
// Role assignments go to the generated users (one in ten to generated service principals), spread over the
// privileged built-in roles; a quarter are made outside PIM, the rest through PIM (some time-bound), and a tenth
// are activations of eligible assignments (assignmentType "Activated", eight hours). App role assignments spread
// each generated service principal over the Microsoft Graph application permissions the simulator serves.
func (s *Server) GenerateLargeTenant(spec LargeTenant) error {
	if spec.Users < 0 || spec.RoleAssignments < 0 || spec.EligibleAssignments < 0 || spec.ServicePrincipals < 0 || spec.AppRoleAssignments < 0 {
		return errors.New("large tenant: counts must not be negative")
	}
	if spec.AppRoleAssignments > spec.ServicePrincipals*len(graphAppRoles) {
		return fmt.Errorf("large tenant: %d app role assignments need at least %d service principals (%d Graph app roles each)",
			spec.AppRoleAssignments, (spec.AppRoleAssignments+len(graphAppRoles)-1)/len(graphAppRoles), len(graphAppRoles))
	}
	s.knobsMu.Lock()
	rng := mrand.New(mrand.NewPCG(s.rng.Uint64(), s.rng.Uint64()))
	s.knobsMu.Unlock()
	g := &largeGen{s: s, d: s.dir, rng: rng, now: time.Now().UTC()}

	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	g.d.fixtures.largeTenantRuns++
	g.prefix = "large"
	if g.d.fixtures.largeTenantRuns > 1 {
		g.prefix = fmt.Sprintf("large%d", g.d.fixtures.largeTenantRuns)
	}
	g.users(spec.Users)
	g.servicePrincipals(spec.ServicePrincipals)
	g.appRoleAssignments(spec.AppRoleAssignments)
	return g.roleAssignments(spec.RoleAssignments, spec.EligibleAssignments)
}

type largeGen struct {
	s       *Server
	d       *directory
	rng     *mrand.Rand
	now     time.Time
	prefix  string
	userIDs []string // generated user ids
	sps     []*spRecord
}

func (g *largeGen) guid() string {
	var u uuid.UUID
	binary.LittleEndian.PutUint64(u[:8], g.rng.Uint64())
	binary.LittleEndian.PutUint64(u[8:], g.rng.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u.String()
}

func (g *largeGen) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.rng.Uint32())
	}
	return b
}

// past is a time up to maxDays days ago.
func (g *largeGen) past(maxDays int) time.Time {
	return g.now.Add(-time.Duration(g.rng.Int64N(int64(maxDays)*24*int64(time.Hour)) + int64(time.Hour))).Truncate(time.Second)
}

func (g *largeGen) users(n int) {
	password := hashPassword(GeneratedUserPassword) // shared: a digest is immutable, SetUserFields replaces it
	for i := 1; i <= n; i++ {
		nick := fmt.Sprintf("%s.user%05d", g.prefix, i)
		created := g.past(6 * 365)
		fields := map[string]any{
			"displayName": fmt.Sprintf("Large User %05d", i), "givenName": "Large", "surname": fmt.Sprintf("User %05d", i),
			"userPrincipalName": nick + "@contoso.com", "mailNickname": nick, "accountEnabled": i%20 != 0,
			"jobTitle": generatedJobTitles[i%len(generatedJobTitles)], "department": generatedDepartment[i%len(generatedDepartment)],
			"usageLocation": "US",
		}
		data := g.d.newUserData(fields, created)
		id := g.guid()
		data["id"] = id
		data["securityIdentifier"] = securityIdentifier(uuid.MustParse(id))
		if i%10 == 0 {
			data["onPremisesSyncEnabled"] = true
			data["onPremisesSamAccountName"] = fmt.Sprintf("%suser%05d", g.prefix, i)
			data["onPremisesDomainName"] = "contoso.local"
		}
		if i%3 == 0 {
			data["assignedLicenses"] = []any{map[string]any{"disabledPlans": []any{}, "skuId": microsoft365E5SkuID}}
		}
		if i%7 != 0 { // every seventh user never signed in
			last := timestamp(g.past(120))
			data["signInActivity"] = map[string]any{
				"lastSignInDateTime": last, "lastSignInRequestId": g.guid(), "lastSuccessfulSignInDateTime": last,
				"lastSuccessfulSignInRequestId": g.guid(), "lastNonInteractiveSignInDateTime": nil, "lastNonInteractiveSignInRequestId": nil,
			}
		}
		g.d.insertUser(&userRecord{data: data, password: password, passwordChanges: 1})
		g.userIDs = append(g.userIDs, id)
	}
}

func (g *largeGen) servicePrincipals(n int) {
	domain := g.d.initialDomain()
	for i := 1; i <= n; i++ {
		appID, spID := g.guid(), g.guid()
		var name, owner string
		switch i % 10 {
		case 6, 7, 8:
			name = fmt.Sprintf("Vendor App %05d", i)
			owner = vendorTenants[i%len(vendorTenants)]
		case 9:
			name = fmt.Sprintf("Microsoft Service %05d", i)
			owner = MicrosoftTenantID
		default:
			name = fmt.Sprintf("%s App %05d", strings.ToUpper(g.prefix[:1])+g.prefix[1:], i)
			owner = g.d.tenantID
		}
		data := newServicePrincipalData(spID, appID, name, owner)
		data["tags"] = []any{"WindowsAzureActiveDirectoryIntegratedApp"}
		if owner != g.d.tenantID {
			data["signInAudience"] = "AzureADMultipleOrgs"
		}
		sp := &spRecord{data: data}
		if owner == g.d.tenantID {
			created := g.past(5 * 365)
			app := &applicationRecord{data: newApplicationData(g.guid(), appID, name, domain, created), secrets: map[string]*passwordHash{}}
			switch i % 4 {
			case 0, 1: // a client secret; every other one expired
				start := g.past(3 * 365)
				end := start.AddDate(2, 0, 0)
				app.data["passwordCredentials"] = []any{passwordCredentialJSON(g.guid(), "generated", base64.RawURLEncoding.EncodeToString(g.bytes(3))[:3], start, end)}
			case 2: // a certificate
				start := g.past(365)
				thumb := g.bytes(20)
				app.data["keyCredentials"] = []any{map[string]any{
					"customKeyIdentifier": base64.StdEncoding.EncodeToString(thumb), "displayName": "CN=" + strings.ToLower(strings.ReplaceAll(name, " ", "-")),
					"endDateTime": graphTime(start.AddDate(1, 0, 0)), "key": nil, "keyId": g.guid(), "startDateTime": graphTime(start),
					"type": "AsymmetricX509Cert", "usage": "Verify",
				}}
			}
			if i%5 == 0 && len(g.userIDs) > 0 {
				o := g.userIDs[g.rng.IntN(len(g.userIDs))]
				app.owners, sp.owners = []string{o}, []string{o}
			}
			g.d.insertApplication(app)
		}
		g.d.insertServicePrincipal(sp)
		g.sps = append(g.sps, sp)
	}
}

func (g *largeGen) appRoleAssignments(n int) {
	if n == 0 {
		return
	}
	graph := g.d.graphSP()
	offsets := make([]int, len(g.sps))
	for i := range offsets {
		offsets[i] = g.rng.IntN(len(graphAppRoles))
	}
	for k := 0; k < n; k++ {
		p := k % len(g.sps)
		role := graphAppRoles[(offsets[p]+k/len(g.sps))%len(graphAppRoles)]
		sp := g.sps[p]
		g.d.apps.roleGrants.add(newAppRoleAssignment(appRoleAssignmentID(sp.id(), g.bytes(16)), role.id, sp.id(),
			"ServicePrincipal", sp.displayName(), graph, g.past(3*365)))
	}
}

// roleAssignments adds active and eligible directory role assignments over distinct (principal, role) pairs.
func (g *largeGen) roleAssignments(active, eligible int) error {
	if active == 0 && eligible == 0 {
		return nil
	}
	var roles []string
	for _, r := range builtInRoles {
		if r.privileged {
			roles = append(roles, r.id)
		}
	}
	principals := append([]string{}, g.userIDs...)
	for i, sp := range g.sps {
		if i%10 == 0 { // some workloads hold directory roles too
			principals = append(principals, strings.ToLower(sp.id()))
		}
	}
	if len(principals) == 0 {
		for _, key := range g.d.users.order {
			if u := g.d.users.byID[key]; !u.deleted {
				principals = append(principals, key)
			}
		}
	}
	if capacity := len(principals) * len(roles); active > capacity || eligible > capacity {
		return fmt.Errorf("large tenant: %d principals hold at most %d assignments of each kind", len(principals), capacity)
	}
	taken := [2]map[string]bool{{}, {}}
	for _, gr := range g.d.rbac.grants {
		taken[gr.kind][gr.key()] = true
	}
	// pairs yields distinct (principal, role) pairs: principal k mod P, role shifted by a per-principal offset.
	pairs := func(kind grantKind, want int, yield func(principal, role string)) {
		offsets := make([]int, len(principals))
		for i := range offsets {
			offsets[i] = g.rng.IntN(len(roles))
		}
		made := 0
		for k := 0; made < want && k < len(principals)*len(roles); k++ {
			p := k % len(principals)
			role := roles[(offsets[p]+k/len(principals))%len(roles)]
			key := roleAssignmentID(role, principals[p], "/")
			if taken[kind][key] {
				continue
			}
			taken[kind][key] = true
			yield(principals[p], role)
			made++
		}
	}
	claims := &accessClaims{AppID: mainClientID, IDType: "app"}
	pim := func(gr *roleGrant) {
		id := g.guid()
		gr.scheduleID, gr.createdUsing, gr.created = id, id, gr.start
		req := &scheduleRequest{action: "adminAssign", principalID: gr.principalID, roleDefinitionID: gr.roleDefinitionID,
			directoryScopeID: "/", justification: "Generated assignment.", hasSchedule: true, start: gr.start,
			expirationType: gr.expirationType, end: gr.end}
		g.d.rbac.requests[gr.kind] = append(g.d.rbac.requests[gr.kind],
			g.s.requestJSON(id, "Provisioned", req, gr.roleDefinitionID, gr.principalID, claims, gr.start))
	}
	var eligibleGrants []*roleGrant
	n := 0
	pairs(eligibleGrant, eligible, func(principal, role string) {
		gr := &roleGrant{kind: eligibleGrant, principalID: principal, roleDefinitionID: role, directoryScopeID: "/",
			start: g.past(2 * 365), expirationType: "noExpiration"}
		if n%3 == 0 {
			gr.expirationType, gr.end = "afterDateTime", g.now.AddDate(0, 0, 30+g.rng.IntN(335)).Truncate(time.Second)
		}
		pim(gr)
		g.d.rbac.grants = append(g.d.rbac.grants, gr)
		eligibleGrants = append(eligibleGrants, gr)
		n++
	})
	// A tenth of the active assignments are current activations of eligible ones.
	activations := min(active/10, len(eligibleGrants))
	for i := 0; i < activations; i++ {
		e := eligibleGrants[i]
		gr := &roleGrant{kind: activeGrant, principalID: e.principalID, roleDefinitionID: e.roleDefinitionID, directoryScopeID: "/",
			activated: true, start: g.now.Add(-time.Duration(1+g.rng.IntN(7)) * time.Hour).Truncate(time.Second),
			expirationType: "afterDuration", duration: "PT8H"}
		gr.end = gr.start.Add(8 * time.Hour)
		taken[activeGrant][gr.key()] = true
		pim(gr)
		g.d.rbac.grants = append(g.d.rbac.grants, gr)
	}
	n = 0
	pairs(activeGrant, active-activations, func(principal, role string) {
		gr := &roleGrant{kind: activeGrant, principalID: principal, roleDefinitionID: role, directoryScopeID: "/",
			start: g.past(4 * 365), expirationType: "noExpiration"}
		switch n % 4 {
		case 0: // made outside PIM
			gr.scheduleID = gr.key()
		case 2: // time-bound
			gr.expirationType, gr.end = "afterDateTime", g.now.AddDate(0, 0, 7+g.rng.IntN(358)).Truncate(time.Second)
			pim(gr)
		default:
			pim(gr)
		}
		g.d.rbac.grants = append(g.d.rbac.grants, gr)
		n++
	})
	return nil
}
