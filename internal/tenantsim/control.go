package tenantsim

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
)

// errNoSuchUser is returned by the state helpers for an unknown id or UPN.
var errNoSuchUser = errors.New("no such user")

// App is an app registration with its service principal, i.e. a set of test credentials.
type App struct {
	ClientID    string
	DisplayName string
	Secret      string                // optional client secret
	Certificate *x509.Certificate     // optional: client assertions signed by its key are accepted
	Federated   []FederatedCredential // optional federated identity credentials
	Roles       []string              // Graph application permissions, e.g. "User.ReadWrite.All"
	ARMRoles    []ARMRole             // Azure role assignments; ARM authorizes by these, not by token roles
}

// ARMRole is an Azure role assignment: Role is "Owner", "Contributor", "Reader", "Monitoring Contributor" or
// "Monitoring Reader"; Scope is an ARM scope the role applies to and under, e.g. "/subscriptions/{id}",
// "/subscriptions/{id}/resourceGroups/{name}" or "/providers/Microsoft.aadiam".
type ARMRole struct{ Role, Scope string }

// FederatedCredential trusts tokens from Issuer with Subject and Audience (default "api://AzureADTokenExchange").
type FederatedCredential struct{ Issuer, Subject, Audience string }

// RegisterApp adds an app registration and its service principal.
func (s *Server) RegisterApp(app App) error {
	if uuid.Validate(app.ClientID) != nil {
		return fmt.Errorf("client id %q is not a GUID", app.ClientID)
	}
	app.Roles = append([]string{}, app.Roles...)
	app.ARMRoles = append([]ARMRole{}, app.ARMRoles...)
	for _, role := range app.ARMRoles {
		if err := validARMRole(role); err != nil {
			return err
		}
	}
	app.Federated = append([]FederatedCredential{}, app.Federated...)
	for i := range app.Federated {
		if app.Federated[i].Audience == "" {
			app.Federated[i].Audience = defaultFederatedAud
		}
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	if s.dir.app(app.ClientID) != nil {
		return fmt.Errorf("an app with client id %s is already registered", app.ClientID)
	}
	s.dir.addApp(app)
	return nil
}

// User returns the stored Graph JSON of an active user by id or UPN, including signInActivity; ok is false for
// absent and soft-deleted users. It ignores the replication delay.
func (s *Server) User(idOrUPN string) (map[string]any, bool) {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	u := s.dir.user(idOrUPN)
	if u == nil || u.deleted {
		return nil, false
	}
	return copyObject(u.data), true
}

// Users returns the stored Graph JSON of all active users in creation order.
func (s *Server) Users() []map[string]any {
	return s.snapshotUsers(func(u *userRecord) bool { return !u.deleted })
}

// DeletedUsers returns the soft-deleted users (those in deletedItems).
func (s *Server) DeletedUsers() []map[string]any {
	return s.snapshotUsers(func(u *userRecord) bool { return u.deleted })
}

func (s *Server) snapshotUsers(keep func(*userRecord) bool) []map[string]any {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	users := s.dir.usersWhere(keep)
	out := make([]map[string]any, len(users))
	for i, u := range users {
		out[i] = copyObject(u.data)
	}
	return out
}

// SetUserFields merges fields into a user (active or soft-deleted) without Graph's validation, for drift that
// cannot be made through Graph, e.g. onPremisesSyncEnabled, assignedLicenses or signInActivity. Collections are
// replaced and complex values merged, as in a Graph PATCH. The extra key "password" sets the user's password.
func (s *Server) SetUserFields(idOrUPN string, fields map[string]any) error {
	fields, err := normalizeJSON(fields)
	if err != nil {
		return err
	}
	password, setPassword := fields["password"].(string)
	delete(fields, "password")
	for name := range fields {
		if _, ok := userSchema.properties[name]; !ok || userSchema.writeOnly[name] {
			return fmt.Errorf("%q is not a stored property of microsoft.graph.user", name)
		}
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	u := s.dir.user(idOrUPN)
	if u == nil {
		return fmt.Errorf("%w: %s", errNoSuchUser, idOrUPN)
	}
	if id, ok := fields["id"]; ok && id != u.id() {
		return errors.New("the object id cannot be changed")
	}
	oldUPN := u.upn()
	mergePatch(u.data, fields, userSchema.properties)
	if newUPN := u.upn(); newUPN != oldUPN {
		renameIdentity(u.data, oldUPN, newUPN)
	}
	if setPassword {
		u.password = hashPassword(password)
		u.passwordChanges++
	}
	return nil
}

// CheckUserPassword reports whether password is the user's current password.
func (s *Server) CheckUserPassword(idOrUPN, password string) bool {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	u := s.dir.user(idOrUPN)
	return u != nil && u.password.matches(password)
}

// AddUsers loads users in seed format (Graph user JSON plus an optional "password"), e.g. from GenerateUsers.
// Users whose id or UPN exists are merged into the existing user.
func (s *Server) AddUsers(users []map[string]any) error {
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	for _, u := range users {
		if err := s.dir.seedUser(u); err != nil {
			return err
		}
	}
	return nil
}

// ActivateRole records that the principal activated an eligible assignment of the role at the tenant scope for d,
// as a person does in PIM (an application cannot): an active schedule with assignmentType Activated and an
// afterDuration expiration, listed before the principal's other schedules.
func (s *Server) ActivateRole(principalID, roleDefinitionID string, d time.Duration) {
	now := time.Now().UTC().Truncate(time.Second)
	g := &roleGrant{kind: activeGrant, scheduleID: uuid.NewString(), principalID: strings.ToLower(principalID),
		roleDefinitionID: strings.ToLower(roleDefinitionID), directoryScopeID: "/", createdUsing: uuid.NewString(),
		activated: true, created: now, start: now, end: now.Add(d), expirationType: "afterDuration",
		duration: fmt.Sprintf("PT%dS", int(d.Seconds()))}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	s.dir.rbac.grants = append([]*roleGrant{g}, s.dir.rbac.grants...)
}

// RoleAssignmentSchedules returns the active role assignment schedules (unifiedRoleAssignmentSchedule JSON) that
// have not expired, made through PIM or outside it, in creation order.
func (s *Server) RoleAssignmentSchedules() []map[string]any {
	return s.snapshotGrants(activeGrant, false, (*roleGrant).scheduleJSON)
}

// RoleEligibilitySchedules returns the eligible role assignment schedules (unifiedRoleEligibilitySchedule JSON).
func (s *Server) RoleEligibilitySchedules() []map[string]any {
	return s.snapshotGrants(eligibleGrant, false, (*roleGrant).scheduleJSON)
}

// RoleAssignments returns the role assignments in force now (unifiedRoleAssignment JSON), as GET
// /roleManagement/directory/roleAssignments lists them.
func (s *Server) RoleAssignments() []map[string]any {
	return s.snapshotGrants(activeGrant, true, (*roleGrant).assignmentJSON)
}

func (s *Server) snapshotGrants(kind grantKind, inForce bool, render func(*roleGrant) map[string]any) []map[string]any {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	return renderGrants(s.dir.rbac.live(kind, time.Now(), inForce), render)
}

// RoleDefinitions returns the stored role definitions, including "isPrivileged" (the Entra PRIVILEGED label),
// which Graph v1.0 does not serve.
func (s *Server) RoleDefinitions() []map[string]any {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	out := make([]map[string]any, len(s.dir.rbac.definitions))
	for i, def := range s.dir.rbac.definitions {
		out[i] = copyObject(def)
	}
	return out
}

// ServicePrincipalID returns the object id of a registered app's service principal (it differs from the app id),
// which is what role assignments name as principalId.
func (s *Server) ServicePrincipalID(clientID string) (string, bool) {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	if app := s.dir.app(clientID); app != nil {
		return app.servicePrincipalID, true
	}
	return "", false
}

// ---- HTTP control routes (no auth; test use only) ----

func (s *Server) controlRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /_sim/info", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, "application/json", s.Info())
	})
	mux.HandleFunc("GET /_sim/users", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, "application/json", map[string]any{"value": s.Users()})
	})
	mux.HandleFunc("GET /_sim/deletedUsers", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, "application/json", map[string]any{"value": s.DeletedUsers()})
	})
	mux.HandleFunc("PATCH /_sim/users/{id}", s.handleControlPatchUser)
	mux.HandleFunc("GET /_sim/roleAssignmentSchedules", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, "application/json", map[string]any{"value": s.RoleAssignmentSchedules()})
	})
	mux.HandleFunc("GET /_sim/roleEligibilitySchedules", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, "application/json", map[string]any{"value": s.RoleEligibilitySchedules()})
	})
	mux.HandleFunc("GET /_sim/roleAssignments", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, "application/json", map[string]any{"value": s.RoleAssignments()})
	})
	mux.HandleFunc("GET /_sim/caPolicies", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, "application/json", map[string]any{"value": s.CAPolicies()})
	})
	mux.HandleFunc("POST /_sim/caPolicies", s.handleControlAddCAPolicy)
	mux.HandleFunc("PATCH /_sim/caPolicies/{id}", s.handleControlPatchCAPolicy)
	mux.HandleFunc("GET /_sim/caPolicies/{id}/outsideWriterExclusions", func(w http.ResponseWriter, r *http.Request) {
		ids := s.OutsideWriterExclusions(r.PathValue("id"))
		if ids == nil {
			ids = []string{}
		}
		writeJSON(w, http.StatusOK, "application/json", map[string]any{"value": ids})
	})
	mux.HandleFunc("GET /_sim/knobs", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, "application/json", s.Knobs())
	})
	mux.HandleFunc("PUT /_sim/knobs", func(w http.ResponseWriter, r *http.Request) {
		var k Knobs
		if err := json.NewDecoder(r.Body).Decode(&k); err != nil {
			writeControlError(w, http.StatusBadRequest, err)
			return
		}
		s.SetKnobs(k)
		writeJSON(w, http.StatusOK, "application/json", k)
	})
}

func (s *Server) handleControlPatchUser(w http.ResponseWriter, r *http.Request) {
	var fields map[string]any
	if err := json.NewDecoder(r.Body).Decode(&fields); err != nil {
		writeControlError(w, http.StatusBadRequest, err)
		return
	}
	id := r.PathValue("id")
	if err := s.SetUserFields(id, fields); err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, errNoSuchUser) {
			status = http.StatusNotFound
		}
		writeControlError(w, status, err)
		return
	}
	s.dir.mu.RLock()
	var user any
	if u := s.dir.user(id); u != nil {
		user = deepCopy(u.data)
	}
	s.dir.mu.RUnlock()
	writeJSON(w, http.StatusOK, "application/json", user)
}

func (s *Server) handleControlAddCAPolicy(w http.ResponseWriter, r *http.Request) {
	var policy map[string]any
	if err := json.NewDecoder(r.Body).Decode(&policy); err != nil {
		writeControlError(w, http.StatusBadRequest, err)
		return
	}
	id, err := s.AddCAPolicy(policy)
	if err != nil {
		writeControlError(w, http.StatusBadRequest, err)
		return
	}
	created, _ := s.CAPolicy(id)
	writeJSON(w, http.StatusCreated, "application/json", created)
}

func (s *Server) handleControlPatchCAPolicy(w http.ResponseWriter, r *http.Request) {
	var fields map[string]any
	if err := json.NewDecoder(r.Body).Decode(&fields); err != nil {
		writeControlError(w, http.StatusBadRequest, err)
		return
	}
	id := r.PathValue("id")
	if err := s.SetCAPolicyFields(id, fields); err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, errNoSuchCAPolicy) {
			status = http.StatusNotFound
		}
		writeControlError(w, status, err)
		return
	}
	policy, _ := s.CAPolicy(id)
	writeJSON(w, http.StatusOK, "application/json", policy)
}

func writeControlError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, "application/json", map[string]any{"error": strings.TrimSpace(err.Error())})
}

// ---- audit surface: applications, groups, authentication methods, licenses ----

// AddAuditFixtures loads the fixtures of the audit data sources (idempotent): the Tier0 Admins role-assignable group
// and its member, Contoso HR Sync (User.ReadWrite.All, an expired secret), Legacy Automation (tier-0 Graph
// permissions, an active certificate, an owner), Microsoft Intune (first party) holding Intune Administrator and
// Fabrikam Identity Bridge (another tenant's app) holding Privileged Role Administrator outside PIM. Ids are the
// Fixture* constants. The default tenant leaves them out because they add users and role assignments.
func (s *Server) AddAuditFixtures() error {
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	return s.addAuditFixtures()
}

// AddGroup adds a group (see Group) and returns its object id. Members and owners must exist.
func (s *Server) AddGroup(g Group) (string, error) {
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	return s.dir.addGroup(g)
}

// AddGroupMember adds a user, group or service principal to a group's direct members.
func (s *Server) AddGroupMember(groupID, memberID string) error {
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	g := s.dir.group(groupID)
	if g == nil {
		return fmt.Errorf("%w: group %s", errNoSuchObject, groupID)
	}
	return s.dir.addMember(g, memberID)
}

// AddFIDO2Method registers a FIDO2 security key or passkey for a user (by id or UPN), as GET
// /users/{id}/authentication/fido2Methods and /methods then list it, and returns the method's id.
func (s *Server) AddFIDO2Method(idOrUPN string, m FIDO2Method) (string, error) {
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	u := s.dir.user(idOrUPN)
	if u == nil || u.deleted {
		return "", fmt.Errorf("%w: %s", errNoSuchUser, idOrUPN)
	}
	return s.dir.addFIDO2(u, m)
}

// FIDO2Methods returns a user's FIDO2 methods (fido2AuthenticationMethod JSON).
func (s *Server) FIDO2Methods(idOrUPN string) []map[string]any {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	u := s.dir.user(idOrUPN)
	if u == nil {
		return nil
	}
	var out []map[string]any
	for _, m := range s.dir.users.fido2[strings.ToLower(u.id())] {
		out = append(out, copyObject(m))
	}
	return out
}

// SetUserLicenses replaces a user's assignedLicenses with the given SKUs (no disabled plans); licenseDetails then
// describes them. SetUserFields with "assignedLicenses" does the same with full control over disabledPlans.
func (s *Server) SetUserLicenses(idOrUPN string, skuIDs ...string) error {
	licenses := make([]any, 0, len(skuIDs))
	for _, sku := range skuIDs {
		if uuid.Validate(sku) != nil {
			return fmt.Errorf("skuId %q is not a GUID", sku)
		}
		licenses = append(licenses, map[string]any{"skuId": strings.ToLower(sku), "disabledPlans": []any{}})
	}
	return s.SetUserFields(idOrUPN, map[string]any{"assignedLicenses": licenses})
}

// Application returns the Graph JSON of an application by object id or appId, with no secret in it.
func (s *Server) Application(idOrAppID string) (map[string]any, bool) {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	a := s.dir.apps.byID[strings.ToLower(idOrAppID)]
	if a == nil {
		a = s.dir.apps.byAppID[strings.ToLower(idOrAppID)]
	}
	if a == nil {
		return nil, false
	}
	return copyObject(a.data), true
}

// ServicePrincipal returns the Graph JSON of a service principal by object id or appId.
func (s *Server) ServicePrincipal(idOrAppID string) (map[string]any, bool) {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	sp := s.dir.apps.sps[strings.ToLower(idOrAppID)]
	if sp == nil {
		sp = s.dir.apps.spsByAppID[strings.ToLower(idOrAppID)]
	}
	if sp == nil {
		return nil, false
	}
	return copyObject(sp.data), true
}

// AppRoleAssignments returns the app roles granted to a principal (user, group or service principal object id),
// as appRoleAssignment JSON in creation order.
func (s *Server) AppRoleAssignments(principalID string) []map[string]any {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	var out []map[string]any
	for _, a := range s.dir.apps.roleGrants.byPrincipal[strings.ToLower(principalID)] {
		out = append(out, copyObject(a))
	}
	return out
}

// CheckApplicationSecret reports whether secret is the secretText of an application's password credential (the
// simulator keeps only a digest of it).
func (s *Server) CheckApplicationSecret(idOrAppID, keyID, secret string) bool {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	a := s.dir.apps.byID[strings.ToLower(idOrAppID)]
	if a == nil {
		a = s.dir.apps.byAppID[strings.ToLower(idOrAppID)]
	}
	return a != nil && a.secrets[strings.ToLower(keyID)].matches(secret)
}
