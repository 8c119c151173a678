package tenantsim

import (
	"net/http"
	"strings"
)

// Graph permission checks: the rules a route names in its table row (server.go), and the answer a caller
// without them gets, which differs by workload.

// permissionRule says which Graph permissions a route needs: anyOf (one of a set) or allOf (every rule of a list),
// because some APIs document "A and B" (Conditional Access writes need Policy.ReadWrite.ConditionalAccess and
// Policy.Read.All).
type permissionRule interface {
	allows(c *accessClaims) bool
	String() string
}

// anyOf is satisfied by any one of its permissions.
type anyOf []string

func (p anyOf) allows(c *accessClaims) bool { return c.hasAny(p) }
func (p anyOf) String() string              { return strings.Join(p, " or ") }

// allOf is satisfied when every one of its rules is.
type allOf []permissionRule

func (p allOf) allows(c *accessClaims) bool {
	for _, rule := range p {
		if !rule.allows(c) {
			return false
		}
	}
	return true
}

func (p allOf) String() string {
	parts := make([]string, len(p))
	for i, rule := range p {
		parts[i] = "(" + rule.String() + ")"
	}
	return strings.Join(parts, " and ")
}

// pimRoutePrefixes are the routes served by PIM rather than the directory; PIM words its errors differently.
var pimRoutePrefixes = []string{
	"/roleManagement/directory/roleAssignmentSchedule", "/roleManagement/directory/roleEligibilitySchedule",
	"/policies/roleManagementPolic",
}

// accessDenied answers a caller without the route's permissions: PIM routes answer PermissionScopeNotGranted
// wrapped in an UnknownError, Conditional Access AccessDenied, everything else Graph's Authorization_RequestDenied.
func (route *graphRoute) accessDenied() *graphError {
	for _, prefix := range pimRoutePrefixes {
		if strings.HasPrefix(route.pattern, prefix) {
			roles, _ := route.roles.(anyOf)
			return pimPermissionDenied(roles)
		}
	}
	if strings.HasPrefix(route.pattern, caRoutePrefix) {
		return caAccessDenied()
	}
	if strings.HasPrefix(route.pattern, authMethodRoutePrefix) {
		return authMethodsDenied()
	}
	return accessDenied()
}

// callerClaims is the validated access token of the request being served.
func callerClaims(r *http.Request) *accessClaims { return requestInfoFrom(r.Context()).claims }
