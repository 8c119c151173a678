package tenantsim

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Privileged targets (Knobs.PrivilegedTargetRules). For a user who holds a privileged directory role, Entra lets
// only a caller that itself holds a directory role high enough change the properties that take over an account,
// whatever Graph application permissions the caller has:
//   - Graph "Update user" (v1.0): passwordProfile, in application-only access, needs User.ReadWrite.All "and at
//     least the User Administrator Microsoft Entra role", and Privileged Authentication Administrator for a user in
//     an admin role; accountEnabled (and the other sensitive properties) of "users with privileged administrator
//     roles" needs the app to be "assigned a higher privileged administrator role as indicated in Who can perform
//     sensitive actions" (Entra "Privileged roles and permissions").
//   - Graph "certificateUserIds" (authorizationInfo, Microsoft Entra CBA "certificate user IDs"): the same rule
//     for the CBA binding.
// The simulator applies the strictest reading: a target holding any privileged role in force (isPrivileged) can
// have passwordProfile, accountEnabled and authorizationInfo changed only by a caller holding Privileged
// Authentication Administrator or Global Administrator in force, as a direct assignment at tenant scope. The
// refusal is Graph's usual 403 Authorization_RequestDenied "Insufficient privileges to complete the operation."
// (techcommunity "Permissions required to update password", 2023; Microsoft Q&A 360090).

// privilegedTargetProperties are the user properties the rule guards.
var privilegedTargetProperties = []string{"passwordProfile", "accountEnabled", "authorizationInfo"}

// privilegedTargetCallerRoles may change them on a privileged target.
var privilegedTargetCallerRoles = []string{PrivilegedAuthenticationAdministratorRoleID, GlobalAdministratorRoleID}

// checkPrivilegedTarget refuses a change of a guarded property of a privileged user by a caller without a
// privileged authentication role; touchesPassword says the request had a passwordProfile (taken out of body
// already). The caller holds the directory lock.
func (s *Server) checkPrivilegedTarget(body map[string]any, touchesPassword bool, targetID string, claims *accessClaims, now time.Time) *graphError {
	if !s.Knobs().PrivilegedTargetRules {
		return nil
	}
	guarded := touchesPassword
	for _, p := range privilegedTargetProperties {
		if _, ok := body[p]; ok {
			guarded = true
		}
	}
	if !guarded || !s.dir.holdsPrivilegedRole(targetID, now) {
		return nil
	}
	if claims != nil && s.dir.holdsAnyRole(claims.ObjectID, privilegedTargetCallerRoles, now) {
		return nil
	}
	return accessDenied()
}

// holdsPrivilegedRole reports whether the principal holds a role labelled privileged, in force now.
func (d *directory) holdsPrivilegedRole(principalID string, now time.Time) bool {
	for _, g := range d.rbac.live(activeGrant, now, true) {
		if strings.EqualFold(g.principalID, principalID) {
			for _, role := range builtInRoles {
				if role.privileged && strings.EqualFold(role.id, g.roleDefinitionID) {
					return true
				}
			}
		}
	}
	return false
}

// holdsAnyRole reports whether the principal holds one of the roles at tenant scope, in force now.
func (d *directory) holdsAnyRole(principalID string, roleIDs []string, now time.Time) bool {
	for _, g := range d.rbac.live(activeGrant, now, true) {
		if strings.EqualFold(g.principalID, principalID) && g.directoryScopeID == "/" {
			for _, id := range roleIDs {
				if strings.EqualFold(id, g.roleDefinitionID) {
					return true
				}
			}
		}
	}
	return false
}

// AssignDirectoryRole gives a principal (a user, or an app's service principal: see ServicePrincipalID) a
// permanent active assignment of a directory role at tenant scope, made outside PIM, as an administrator would
// for the provider's identity. It returns a function that removes it.
func (s *Server) AssignDirectoryRole(principalID, roleDefinitionID string) (remove func(), err error) {
	if uuid.Validate(principalID) != nil || uuid.Validate(roleDefinitionID) != nil {
		return nil, fmt.Errorf("principal %q and role %q must be GUIDs", principalID, roleDefinitionID)
	}
	now := time.Now().UTC().Truncate(time.Second)
	g := &roleGrant{kind: activeGrant, principalID: strings.ToLower(principalID), roleDefinitionID: strings.ToLower(roleDefinitionID),
		directoryScopeID: "/", created: now, start: now, expirationType: "noExpiration"}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	s.dir.rbac.grants = append(s.dir.rbac.grants, g)
	return func() {
		s.dir.mu.Lock()
		defer s.dir.mu.Unlock()
		s.dir.rbac.remove(g)
	}, nil
}
