package tenantsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Microsoft Graph v1.0 administrative units: /directory/administrativeUnits list, create, get, update and delete,
// their members (GET .../members, POST .../members/$ref, DELETE .../members/{id}/$ref), and role assignments scoped
// to one ("/administrativeUnits/{id}", graph_rolemanagement.go).
//
// Permissions ("Create administrativeUnit", "Update administrativeUnit", "Add a member", "Remove a member",
// "Delete administrativeUnit": AdministrativeUnit.ReadWrite.All; "List administrativeUnits", "Get
// administrativeUnit", "List members": AdministrativeUnit.Read.All, higher Directory.Read.All,
// AdministrativeUnit.ReadWrite.All, Directory.ReadWrite.All).
//
// Restricted management (Microsoft Entra "Restricted management administrative units in Microsoft Entra ID"):
//   - "The restricted management setting must be applied during administrative unit creation and can't be changed
//     once the administrative unit is created": a PATCH that changes isMemberManagementRestricted is refused (400,
//     the simulator's wording).
//   - "Only administrators with an explicit assignment at the scope of a restricted management administrative unit
//     can change the Microsoft Entra properties of objects" in it; Global Administrator and Privileged Role
//     Administrator at tenant scope are blocked, and "If you assign Microsoft Graph application permissions to the
//     application, those permissions won't apply". Blocked: modifying any property, deleting, updating the
//     password. The simulator applies it to PATCH and DELETE /users/{id} and to Temporary Access Pass writes of a
//     member user: the caller (its object id: a user or the app's service principal) must hold, at the scope of one
//     of the restricted units the user is in, a role that manages users (User, Authentication, Privileged
//     Authentication, Helpdesk or Password Administrator). An assignment at another, unrestricted unit's scope does
//     not count (the doc's table). The answer is 403 Authorization_RequestDenied "Target object is a member of a
//     restricted management administrative unit and can only be modified by administrators scoped to that
//     administrative unit. ..." (the first words from martin-machacek.com "Administrative units with restricted
//     management", a Graph PATCH; the rest follows the doc's portal message "Management rights are limited to
//     administrators scoped on that administrative unit").
//   - Managing the unit itself ("Add or remove members from a restricted management administrative units", create,
//     delete, scoped role assignments) is for Global Administrator and Privileged Role Administrator at tenant scope:
//     adding or removing members of a restricted unit needs the caller to hold one of them, on top of the Graph
//     permission (the harsher reading: the doc names no other way).
//   - Only users, devices and security groups can be members of a restricted unit (the doc's table); Microsoft 365
//     and mail-enabled groups are refused.
//
// Replication: a new unit is unknown for Knobs.ReplicationDelay, as a new user or group is: reads, updates,
// members and role assignments scoped to it answer 404 Request_ResourceNotFound, and lists leave it out. azuread's
// administrative unit resource PATCHes a new unit until it stops answering 404 ("Timed out whilst waiting for new
// ... to be replicated in Azure AD", internal/services/administrativeunits/administrative_unit_resource.go).

var (
	auReadRoles  = anyOf{"AdministrativeUnit.Read.All", "AdministrativeUnit.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	auWriteRoles = anyOf{"AdministrativeUnit.ReadWrite.All"}
	// "List a user's direct memberships", application row for another user.
	userMemberOfRoles = anyOf{"Directory.Read.All", "Directory.ReadWrite.All"}
)

const auEntitySet = "directory/administrativeUnits"

var auSchema = (&entitySchema{
	typeName: "microsoft.graph.administrativeUnit", resourceName: "administrativeUnit",
	properties: map[string]propKind{
		"id": propText, "deletedDateTime": propText, "displayName": propText, "description": propText,
		"isMemberManagementRestricted": propText, "membershipRule": propText, "membershipRuleProcessingState": propText,
		"membershipType": propText, "visibility": propText,
	},
	defaultSelect: []string{"id", "deletedDateTime", "displayName", "description", "isMemberManagementRestricted",
		"membershipRule", "membershipRuleProcessingState", "membershipType", "visibility"},
	filterable: map[string]bool{"id": true, "displayName": true},
}).init()

// auWritable are the properties a body may set, with their CSDL types.
var auWritable = map[string]caProp{
	"displayName": {typ: "Edm.String", nullable: true}, "description": {typ: "Edm.String", nullable: true},
	"isMemberManagementRestricted": {typ: "Edm.Boolean", nullable: true}, "visibility": {typ: "Edm.String", nullable: true},
	"membershipRule": {typ: "Edm.String", nullable: true}, "membershipRuleProcessingState": {typ: "Edm.String", nullable: true},
	"membershipType": {typ: "Edm.String", nullable: true},
}

// rmauManagerRoles may manage restricted units (tenant scope); rmauMemberAdminRoles may modify member users when
// assigned at a restricted unit's scope (Authentication, Helpdesk and Password Administrator by their built-in ids).
var (
	rmauManagerRoles     = []string{GlobalAdministratorRoleID, PrivilegedRoleAdministratorRoleID}
	rmauMemberAdminRoles = []string{UserAdministratorRoleID, PrivilegedAuthenticationAdministratorRoleID,
		"c4e39bd9-1100-46d3-8c65-fb160da0071f", "729827e3-9c14-49f7-bb1b-9608f156bbb8", "966707d0-3269-4727-9be2-8c3a10f19b9d"}
)

// auRecord is one administrative unit and its direct members (lower-case object ids).
type auRecord struct {
	data      map[string]any
	members   []string
	visibleAt time.Time // replication delay: unknown to every request until then
}

func (a *auRecord) visible(now time.Time) bool { return !now.Before(a.visibleAt) }

func (a *auRecord) id() string         { s, _ := a.data["id"].(string); return s }
func (a *auRecord) restricted() bool   { b, _ := a.data["isMemberManagementRestricted"].(bool); return b }
func (a *auRecord) has(id string) bool { return slices.Contains(a.members, strings.ToLower(id)) }

// auState holds the tenant's administrative units; the directory lock guards it.
type auState struct {
	byID  map[string]*auRecord
	order []string
}

func (st *auState) unit(id string) *auRecord { return st.byID[strings.ToLower(id)] }

// maxRestrictedAUs: "A maximum of 100 restricted management administrative units in a tenant" (the restricted
// management doc's limitations; the refusal's wording is the simulator's).
const maxRestrictedAUs = 100

func (st *auState) restrictedCount() int {
	n := 0
	for _, a := range st.byID {
		if a.restricted() {
			n++
		}
	}
	return n
}

func (st *auState) all() []*auRecord {
	out := make([]*auRecord, 0, len(st.order))
	for _, key := range st.order {
		out = append(out, st.byID[key])
	}
	return out
}

func restrictedDenied() *graphError {
	return newGraphError(http.StatusForbidden, "Authorization_RequestDenied",
		"Target object is a member of a restricted management administrative unit and can only be modified by administrators "+
			"scoped to that administrative unit. Check that you are assigned a role that has permission to perform the operation "+
			"for this restricted management administrative unit.")
}

// checkRestrictedMember refuses a write to an object in a restricted management unit unless the caller holds a
// member-managing role at the scope of one of those units. The caller holds the directory lock.
func (s *Server) checkRestrictedMember(r *http.Request, objectID string, now time.Time) *graphError {
	claims := callerClaims(r)
	protected := false
	for _, a := range s.dir.aus.all() {
		if !a.restricted() || !a.has(objectID) {
			continue
		}
		protected = true
		if claims != nil && s.dir.holdsRoleAt(claims.ObjectID, "/administrativeUnits/"+a.id(), rmauMemberAdminRoles, now) {
			return nil
		}
	}
	if protected {
		return restrictedDenied()
	}
	return nil
}

// holdsRoleAt reports whether the principal holds one of the roles at exactly the scope, in force now.
func (d *directory) holdsRoleAt(principalID, scope string, roleIDs []string, now time.Time) bool {
	for _, g := range d.rbac.live(activeGrant, now, true) {
		if strings.EqualFold(g.principalID, principalID) && strings.EqualFold(g.directoryScopeID, scope) &&
			slices.ContainsFunc(roleIDs, func(id string) bool { return strings.EqualFold(id, g.roleDefinitionID) }) {
			return true
		}
	}
	return false
}

// auScopeExists reports whether a directory scope names an administrative unit that has replicated by now.
func (d *directory) auScopeExists(scope string, now time.Time) bool {
	id, ok := strings.CutPrefix(scope, "/administrativeUnits/")
	a := d.aus.unit(id)
	return ok && a != nil && a.visible(now)
}

// checkAUBody validates a create or update body against the writable properties.
func checkAUBody(body map[string]any) *graphError {
	for key, value := range body {
		prop, ok := auWritable[key]
		if !ok {
			if key == "id" || key == "deletedDateTime" {
				delete(body, key)
				continue
			}
			return unknownProperty(key, auSchema.typeName)
		}
		if msg := caCheckValue(prop, value, key); msg != "" {
			return primitiveMismatch(prop.typ)
		}
	}
	if v, ok := body["visibility"].(string); ok && v != "Public" && v != "HiddenMembership" {
		// "administrativeUnit resource type": visibility is null (public), Public or HiddenMembership.
		return badRequest(fmt.Sprintf("Invalid value specified for property 'visibility' of resource 'AdministrativeUnit': '%s'.", v))
	}
	return nil
}

func (s *Server) liveAU(id string) (*auRecord, *graphError) {
	if gerr := objectKeyError(id); gerr != nil {
		return nil, gerr
	}
	a := s.dir.aus.unit(id)
	if a == nil || !a.visible(time.Now()) {
		return nil, resourceNotFound(id)
	}
	return a, nil
}

// listAUs is GET /directory/administrativeUnits.
func (s *Server) listAUs(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	items := make([]map[string]any, 0, len(s.dir.aus.order))
	now := time.Now()
	for _, a := range s.dir.aus.all() {
		if a.visible(now) {
			items = append(items, a.data)
		}
	}
	resp, gerr := s.collection(r, auSchema, auEntitySet, nil, nil, items)
	return answer(w, resp, gerr)
}

// getAU is GET /directory/administrativeUnits/{id}.
func (s *Server) getAU(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	a, gerr := s.liveAU(params[0])
	if gerr != nil {
		return gerr
	}
	resp, gerr := s.entity(r, auSchema, auEntitySet, nil, nil, a.data)
	return answer(w, resp, gerr)
}

// createAU is POST /directory/administrativeUnits.
func (s *Server) createAU(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	body, gerr := decodeBody(r)
	if gerr == nil {
		gerr = checkAUBody(body)
	}
	if gerr != nil {
		return gerr
	}
	if name, _ := body["displayName"].(string); strings.TrimSpace(name) == "" {
		return valueRequired("displayName")
	}
	data := map[string]any{"id": uuid.NewString(), "deletedDateTime": nil, "isMemberManagementRestricted": false}
	for name := range auWritable {
		data[name] = nil
	}
	data["isMemberManagementRestricted"] = false
	for k, v := range body {
		if v != nil {
			data[k] = v
		}
	}
	s.dir.mu.Lock()
	if restricted, _ := data["isMemberManagementRestricted"].(bool); restricted && s.dir.aus.restrictedCount() >= maxRestrictedAUs {
		s.dir.mu.Unlock()
		return badRequest(fmt.Sprintf("A tenant can hold at most %d restricted management administrative units.", maxRestrictedAUs))
	}
	a := &auRecord{data: data, visibleAt: time.Now().Add(s.Knobs().ReplicationDelay)}
	key := strings.ToLower(a.id())
	s.dir.aus.byID[key] = a
	s.dir.aus.order = append(s.dir.aus.order, key)
	resp := auSchema.project(a.data, nil)
	s.dir.mu.Unlock()
	resp["@odata.context"] = contextURL(s.baseURL, auEntitySet, nil, true)
	writeJSON(w, http.StatusCreated, graphContentType, resp)
	return nil
}

// updateAU is PATCH /directory/administrativeUnits/{id}.
func (s *Server) updateAU(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	body, gerr := decodeBody(r)
	if gerr == nil {
		gerr = checkAUBody(body)
	}
	if gerr != nil {
		return gerr
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	a, gerr := s.liveAU(params[0])
	if gerr != nil {
		return gerr
	}
	if v, ok := body["isMemberManagementRestricted"]; ok && v != a.data["isMemberManagementRestricted"] {
		return badRequest("isMemberManagementRestricted can be set only when the administrative unit is created.")
	}
	mergePatch(a.data, body, auSchema.properties)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteAU is DELETE /directory/administrativeUnits/{id}; deleting a restricted unit needs a manager role.
func (s *Server) deleteAU(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	a, gerr := s.managedAU(r, params[0])
	if gerr != nil {
		return gerr
	}
	key := strings.ToLower(a.id())
	delete(s.dir.aus.byID, key)
	s.dir.aus.order = slices.DeleteFunc(s.dir.aus.order, func(k string) bool { return k == key })
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// managedAU finds a unit the caller may manage: a restricted unit only with Global or Privileged Role
// Administrator at tenant scope. The caller holds the lock.
func (s *Server) managedAU(r *http.Request, id string) (*auRecord, *graphError) {
	a, gerr := s.liveAU(id)
	if gerr != nil || !a.restricted() {
		return a, gerr
	}
	if claims := callerClaims(r); claims != nil && s.dir.holdsAnyRole(claims.ObjectID, rmauManagerRoles, time.Now()) {
		return a, nil
	}
	return nil, accessDenied()
}

// listAUMembers is GET /directory/administrativeUnits/{id}/members.
func (s *Server) listAUMembers(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	a, gerr := s.liveAU(params[0])
	if gerr != nil {
		return gerr
	}
	resp, gerr := s.directoryObjectsPage(r, a.members, now, "")
	return answer(w, resp, gerr)
}

// refTarget reads the object id from a $ref body {"@odata.id": ".../directoryObjects/{id}"}.
func refTarget(r *http.Request) (string, *graphError) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return "", badRequest("Invalid request body.")
	}
	ref, _ := body["@odata.id"].(string)
	id := ref[strings.LastIndex(ref, "/")+1:]
	if ref == "" || uuid.Validate(id) != nil {
		return "", badRequest("Invalid URL format specified in @odata.id.")
	}
	return strings.ToLower(id), nil
}

// addAUMember is POST /directory/administrativeUnits/{id}/members/$ref.
func (s *Server) addAUMember(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	id, gerr := refTarget(r)
	if gerr != nil {
		return gerr
	}
	now := time.Now()
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	a, gerr := s.managedAU(r, params[0])
	if gerr != nil {
		return gerr
	}
	g := s.dir.group(id)
	switch {
	case s.dir.liveUser(id, now) == nil && g == nil:
		return resourceNotFound(id)
	case g != nil && a.restricted() && (g.data["securityEnabled"] != true || g.data["mailEnabled"] == true):
		return badRequest("Only users, devices and security groups that are not mail-enabled can be members of a restricted management administrative unit.")
	case a.has(id):
		return badRequest("One or more added object references already exist for the following modified properties: 'members'.")
	}
	a.members = append(a.members, id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// removeAUMember is DELETE /directory/administrativeUnits/{id}/members/{memberId}/$ref.
func (s *Server) removeAUMember(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	a, gerr := s.managedAU(r, params[0])
	if gerr != nil {
		return gerr
	}
	if !a.has(params[1]) {
		return resourceNotFound(params[1])
	}
	key := strings.ToLower(params[1])
	a.members = slices.DeleteFunc(a.members, func(m string) bool { return m == key })
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listUserMemberOf is GET /users/{id}/memberOf ("List a user's direct memberships", v1.0): the groups and
// administrative units the user is a direct member of, each with its @odata.type, in one directoryObject collection.
// The application permission is Directory.Read.All (higher Directory.ReadWrite.All); an object type the caller may
// not read comes with its @odata.type and id only ("limited information", the same page). Directory roles are
// listed by Graph too; the simulator keeps no directoryRole objects, so they are left out.
func (s *Server) listUserMemberOf(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	u, gerr := s.authUser(params[0], now)
	if gerr != nil {
		return gerr
	}
	ids := s.dir.groupsOf(u.id())
	slices.Sort(ids)
	for _, a := range s.dir.aus.all() {
		if a.has(u.id()) {
			ids = append(ids, a.id())
		}
	}
	resp, gerr := s.directoryObjectsPage(r, ids, now, "")
	return answer(w, resp, gerr)
}

// AdministrativeUnit describes a unit for AddAdministrativeUnit.
type AdministrativeUnit struct {
	DisplayName string
	// Restricted sets isMemberManagementRestricted, which Graph lets only the unit's creation set.
	Restricted bool
	Members    []string // object ids of users or security groups
}

// AddAdministrativeUnit creates a unit with its members directly, as a Privileged Role Administrator would, and
// returns its id. The membership rules of restricted units apply.
func (s *Server) AddAdministrativeUnit(au AdministrativeUnit) (string, error) {
	now := time.Now()
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	if au.Restricted && s.dir.aus.restrictedCount() >= maxRestrictedAUs {
		return "", fmt.Errorf("a tenant can hold at most %d restricted management administrative units", maxRestrictedAUs)
	}
	a := &auRecord{data: map[string]any{"id": uuid.NewString(), "deletedDateTime": nil, "displayName": au.DisplayName,
		"description": nil, "isMemberManagementRestricted": au.Restricted, "membershipRule": nil,
		"membershipRuleProcessingState": nil, "membershipType": nil, "visibility": nil}}
	for _, id := range au.Members {
		g := s.dir.group(id)
		switch {
		case s.dir.liveUser(id, now) == nil && g == nil:
			return "", fmt.Errorf("%w: %s", errNoSuchObject, id)
		case g != nil && au.Restricted && (g.data["securityEnabled"] != true || g.data["mailEnabled"] == true):
			return "", fmt.Errorf("group %s is not a security group without mail and cannot be in a restricted unit", id)
		}
		a.members = append(a.members, strings.ToLower(id))
	}
	key := strings.ToLower(a.id())
	s.dir.aus.byID[key] = a
	s.dir.aus.order = append(s.dir.aus.order, key)
	return a.id(), nil
}

// AdministrativeUnits returns the tenant's units (administrativeUnit JSON) in creation order, each with the object
// ids of its direct members, lower case, under "members".
func (s *Server) AdministrativeUnits() []map[string]any {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	var out []map[string]any
	for _, a := range s.dir.aus.all() {
		u := copyObject(a.data)
		u["members"] = slices.Clone(a.members)
		out = append(out, u)
	}
	return out
}

// RemoveAdministrativeUnitMember takes an object out of a unit, as a Privileged Role Administrator would.
func (s *Server) RemoveAdministrativeUnitMember(unitID, memberID string) error {
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	a := s.dir.aus.unit(unitID)
	if a == nil || !a.has(memberID) {
		return fmt.Errorf("%w: %s in administrative unit %s", errNoSuchObject, memberID, unitID)
	}
	key := strings.ToLower(memberID)
	a.members = slices.DeleteFunc(a.members, func(m string) bool { return m == key })
	return nil
}
