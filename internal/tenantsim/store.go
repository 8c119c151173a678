package tenantsim

import "sync"

// directory is the tenant's in-memory state. One mutex guards everything: the provider sends parallel requests,
// and Graph's own answers are per-object atomic, which a single lock reproduces without lock ordering concerns.
type directory struct {
	mu             sync.RWMutex
	tenantID       string
	subscriptionID string
	organization   map[string]any   // graph_organization.go
	domains        []map[string]any // graph_domains.go; organization.verifiedDomains follows them

	// One state per area, defined in the area's file.
	users      *userState       // users, their FIDO2 methods and AutoLicense rules (graph_users.go)
	groups     *groupState      // groups (graph_groups.go)
	apps       *appState        // app registrations, applications, service principals, app role assignments (graph_applications.go)
	rbac       *rbacState       // role definitions, assignments, PIM schedules and policies (graph_rolemanagement.go)
	ca         *caState         // Conditional Access policies and the outside writer's memory (graph_conditionalaccess.go)
	authPolicy *authPolicyState // the authentication methods policy (graph_authmethods_policy.go)
	aus        *auState         // administrative units (graph_administrativeunits.go)
	arm        *armState        // ARM resources and FailRequests rules (arm.go, failrules.go)
	fixtures   fixtureState     // which control-API fixtures have run
}

// fixtureState remembers the control API's fixture loaders (graph_applications_data.go, generator_large.go).
type fixtureState struct {
	audit           bool // AddAuditFixtures has run
	largeTenantRuns int  // GenerateLargeTenant calls so far; numbers generated names
}

func newDirectory() *directory {
	return &directory{users: newUserState(), groups: newGroupState(), apps: newAppState(), rbac: &rbacState{}, ca: newCAState(), authPolicy: newAuthPolicyState(),
		aus: &auState{byID: map[string]*auRecord{}}}
}
