package tenantsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
)

// PIM schedule requests (roleAssignmentScheduleRequests, roleEligibilityScheduleRequests): parsing, the
// policy rules they must pass, and the schedules they create, change or remove (graph_rolemanagement.go).

// requestSet describes roleAssignmentScheduleRequests or roleEligibilityScheduleRequests.
type requestSet struct {
	kind       grantKind
	set        string
	schema     *entitySchema
	writeRoles []string
}

var (
	assignmentRequests = &requestSet{kind: activeGrant, set: "roleManagement/directory/roleAssignmentScheduleRequests",
		schema: assignmentRequestSchema, writeRoles: []string{"RoleAssignmentSchedule.ReadWrite.Directory", "RoleManagement.ReadWrite.Directory"}}
	eligibilityRequests = &requestSet{kind: eligibleGrant, set: "roleManagement/directory/roleEligibilityScheduleRequests",
		schema: eligibilityRequestSchema, writeRoles: []string{"RoleEligibilitySchedule.ReadWrite.Directory", "RoleManagement.ReadWrite.Directory"}}
)

// scheduleRequestActions are the unifiedRoleScheduleRequestActions members.
var scheduleRequestActions = []string{"adminAssign", "adminUpdate", "adminRemove", "selfActivate", "selfDeactivate",
	"adminExtend", "adminRenew", "selfExtend", "selfRenew", "unknownFutureValue"}

var expirationPatternTypes = []string{"notSpecified", "noExpiration", "afterDateTime", "afterDuration"}

// enumMember matches an enum value case-insensitively (the PascalCase of the documentation examples works against
// the real service) and returns its CSDL spelling.
func enumMember(members []string, value string) (string, bool) {
	for _, m := range members {
		if strings.EqualFold(m, value) {
			return m, true
		}
	}
	return "", false
}

// writableRequestProperties may be sent when creating a schedule request; the others are set by the service and
// ignored when sent.
var writableRequestProperties = map[string]bool{
	"action": true, "customData": true, "principalId": true, "roleDefinitionId": true, "directoryScopeId": true,
	"appScopeId": true, "justification": true, "scheduleInfo": true, "ticketInfo": true, "isValidationOnly": true,
	"targetScheduleId": true,
}

// scheduleRequest is a parsed POST body.
type scheduleRequest struct {
	action, principalID, roleDefinitionID, directoryScopeID, appScopeID string
	justification, customData                                           any
	isValidationOnly                                                    bool
	ticketInfo                                                          map[string]any
	hasSchedule                                                         bool
	start                                                               time.Time
	expirationType, duration                                            string
	end                                                                 time.Time
}

func parseScheduleRequest(body map[string]any, now time.Time) (*scheduleRequest, *graphError) {
	req := &scheduleRequest{start: now, expirationType: "noExpiration"}
	strField := func(name string) (string, *graphError) {
		v, ok := body[name]
		if !ok || v == nil {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", primitiveMismatch("Edm.String")
		}
		return s, nil
	}
	var gerr *graphError
	for _, f := range []struct {
		name string
		dst  *string
	}{{"action", &req.action}, {"principalId", &req.principalID}, {"roleDefinitionId", &req.roleDefinitionID},
		{"directoryScopeId", &req.directoryScopeID}, {"appScopeId", &req.appScopeID}} {
		if *f.dst, gerr = strField(f.name); gerr != nil {
			return nil, gerr
		}
	}
	for _, name := range []string{"justification", "customData"} {
		if _, gerr = strField(name); gerr != nil {
			return nil, gerr
		}
	}
	req.justification, req.customData = body["justification"], body["customData"]
	if v, ok := body["isValidationOnly"]; ok && v != nil {
		b, ok := v.(bool)
		if !ok {
			return nil, primitiveMismatch("Edm.Boolean")
		}
		req.isValidationOnly = b
	}
	if v, ok := body["ticketInfo"]; ok && v != nil {
		ticket, ok := v.(map[string]any)
		if !ok {
			return nil, badRequest("Invalid value specified for property 'ticketInfo'.")
		}
		for key := range ticket {
			if key != "ticketNumber" && key != "ticketSystem" && !strings.HasPrefix(key, "@") {
				return nil, unknownProperty(key, "microsoft.graph.ticketInfo")
			}
		}
		req.ticketInfo = ticket
	}
	if req.action == "" {
		return nil, valueRequired("action")
	}
	action, ok := enumMember(scheduleRequestActions, req.action)
	if !ok {
		return nil, newGraphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Requested value '%s' was not found.", req.action))
	}
	req.action = action
	if v, ok := body["scheduleInfo"]; ok && v != nil {
		sched, ok := v.(map[string]any)
		if !ok {
			return nil, badRequest("Invalid value specified for property 'scheduleInfo'.")
		}
		if gerr := req.parseSchedule(sched); gerr != nil {
			return nil, gerr
		}
	}
	return req, nil
}

func (req *scheduleRequest) parseSchedule(sched map[string]any) *graphError {
	req.hasSchedule = true
	for key, v := range sched {
		switch key {
		case "startDateTime":
			if v != nil {
				t, gerr := parseDateTime(v)
				if gerr != nil {
					return gerr
				}
				req.start = t
			}
		case "recurrence":
			// Not supported by PIM; ignored as the service does.
		case "expiration":
			if v == nil {
				continue
			}
			exp, ok := v.(map[string]any)
			if !ok {
				return badRequest("Invalid value specified for property 'expiration'.")
			}
			if gerr := req.parseExpiration(exp); gerr != nil {
				return gerr
			}
		default:
			if !strings.HasPrefix(key, "@") {
				return unknownProperty(key, "microsoft.graph.requestSchedule")
			}
		}
	}
	return nil
}

func (req *scheduleRequest) parseExpiration(exp map[string]any) *graphError {
	req.expirationType = "notSpecified"
	for key, v := range exp {
		switch key {
		case "type":
			if v == nil {
				continue
			}
			s, ok := v.(string)
			if !ok {
				return primitiveMismatch("microsoft.graph.expirationPatternType")
			}
			member, ok := enumMember(expirationPatternTypes, s)
			if !ok {
				return newGraphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Requested value '%s' was not found.", s))
			}
			req.expirationType = member
		case "endDateTime":
			if v != nil {
				t, gerr := parseDateTime(v)
				if gerr != nil {
					return gerr
				}
				req.end = t
			}
		case "duration":
			if v != nil {
				s, ok := v.(string)
				if _, err := parseISODuration(s); !ok || err != nil {
					return badRequest(fmt.Sprintf("Cannot convert the literal '%v' to the expected type 'Edm.Duration'.", v))
				}
				req.duration = s
			}
		default:
			if !strings.HasPrefix(key, "@") {
				return unknownProperty(key, "microsoft.graph.expirationPattern")
			}
		}
	}
	return nil
}

// window returns the requested end (zero for permanent) and whether the expiration is well-formed.
func (req *scheduleRequest) window() (time.Time, bool) {
	switch req.expirationType {
	case "afterDateTime":
		return req.end, !req.end.IsZero()
	case "afterDuration":
		d, err := parseISODuration(req.duration)
		return req.start.Add(d), err == nil && d > 0
	}
	return time.Time{}, true
}

// policyFailures applies the role's PIM policy to an admin request and returns the failed rules.
func policyFailures(p *rolePolicy, kind grantKind, req *scheduleRequest, now time.Time) []string {
	level := "Assignment"
	if kind == eligibleGrant {
		level = "Eligibility"
	}
	var failed []string
	end, ok := req.window()
	switch {
	case !ok, !end.IsZero() && (!end.After(req.start) || !end.After(now)):
		failed = append(failed, "ExpirationRule")
	case p != nil:
		if rule := p.rule("Expiration_Admin_" + level); rule != nil {
			if required, _ := rule["isExpirationRequired"].(bool); required {
				maximum, err := parseISODuration(fmt.Sprint(rule["maximumDuration"]))
				if end.IsZero() || (err == nil && end.Sub(req.start) > maximum) {
					failed = append(failed, "ExpirationRule")
				}
			}
		}
	}
	if p == nil {
		return failed
	}
	if rule := p.rule("Enablement_Admin_" + level); rule != nil {
		enabled, _ := rule["enabledRules"].([]any)
		for _, e := range enabled {
			switch name, _ := e.(string); name {
			case "Justification":
				if j, _ := req.justification.(string); strings.TrimSpace(j) == "" {
					failed = append(failed, "JustificationRule")
				}
			case "MultiFactorAuthentication":
				// App-only and ROPC tokens never carry an MFA claim.
				failed = append(failed, "MfaRule")
			case "Ticketing":
				if n, _ := req.ticketInfo["ticketNumber"].(string); n == "" {
					failed = append(failed, "TicketingRule")
				}
			}
		}
	}
	return failed
}

func (s *Server) createAssignmentScheduleRequest(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	return s.createScheduleRequest(w, r, assignmentRequests)
}

func (s *Server) createEligibilityScheduleRequest(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	return s.createScheduleRequest(w, r, eligibilityRequests)
}

// createScheduleRequest is POST roleAssignmentScheduleRequests / roleEligibilityScheduleRequests. PIM carries out
// admin requests at once: adminAssign makes the schedule (and, for active assignments, the instance and the
// roleAssignment), adminUpdate/adminExtend/adminRenew replace the existing schedule, adminRemove ends it.
func (s *Server) createScheduleRequest(w http.ResponseWriter, r *http.Request, rs *requestSet) *graphError {
	var raw map[string]any
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil || raw == nil {
		return newGraphError(http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
	}
	body := map[string]any{}
	for key, value := range raw {
		if strings.HasPrefix(key, "@") {
			continue
		}
		name, ok := rs.schema.lookup(key)
		if !ok {
			return unknownProperty(key, rs.schema.typeName)
		}
		if writableRequestProperties[name] {
			body[name] = value
		}
	}
	now := time.Now().UTC()
	req, gerr := parseScheduleRequest(body, now)
	if gerr != nil {
		return gerr
	}
	claims := requestInfoFrom(r.Context()).claims
	if req.action != "adminRemove" && !claims.hasAny(rs.writeRoles) {
		return pimPermissionDenied(rs.writeRoles)
	}
	if strings.HasPrefix(req.action, "self") || req.action == "unknownFutureValue" {
		// Self actions act for the signed-in user; an application has no user to activate for.
		return newGraphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("The action '%s' requires a signed-in user; applications can only use admin actions.", req.action))
	}
	switch {
	case req.principalID == "":
		return valueRequired("principalId")
	case req.roleDefinitionID == "":
		return valueRequired("roleDefinitionId")
	case req.directoryScopeID == "" && req.appScopeID == "":
		return valueRequired("directoryScopeId")
	case req.directoryScopeID == "":
		// App scopes exist for other RBAC providers; directory roles are scoped to directory objects.
		return badRequest(msgInvalidRoleScope)
	case !strings.HasPrefix(req.directoryScopeID, "/"):
		return badRequest(fmt.Sprintf("Invalid directoryScopeId '%s'.", req.directoryScopeID))
	}

	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	st := s.dir.rbac
	st.purgeExpired(now)
	def := st.roleDefinition(req.roleDefinitionID)
	if def == nil {
		return roleNotFound()
	}
	roleID, _ := def["id"].(string)
	principalID := strings.ToLower(req.principalID)
	if !s.pimPrincipalKnown(principalID, now) {
		return subjectNotFound()
	}
	if req.directoryScopeID != "/" && !s.dir.auScopeExists(req.directoryScopeID, now) {
		// The tenant and its administrative units are the scopes served here (graph_administrativeunits.go); app
		// objects are not.
		return resourceNotFound(strings.TrimPrefix(req.directoryScopeID, "/"))
	}
	existing := st.find(rs.kind, principalID, roleID, req.directoryScopeID, now)
	requestID := uuid.NewString()
	status := "Provisioned"
	switch req.action {
	case "adminAssign":
		if existing != nil {
			return newGraphError(http.StatusBadRequest, "RoleAssignmentExists", msgAssignmentExists)
		}
	case "adminUpdate", "adminExtend", "adminRenew", "adminRemove":
		if existing == nil {
			return newGraphError(http.StatusBadRequest, "RoleAssignmentDoesNotExist", msgAssignmentNotExists)
		}
	}
	if req.action == "adminRemove" && rs.kind == activeGrant && now.Sub(existing.created) < s.Knobs().PIMMinActiveDuration {
		return newGraphError(http.StatusBadRequest, "ActiveDurationTooShort", msgActiveDurationTooShort)
	}
	if req.action == "adminRemove" {
		status = "Revoked"
	} else if failed := policyFailures(st.policyForRole(roleID), rs.kind, req, now); len(failed) > 0 {
		return policyValidationFailed(failed)
	}
	if req.isValidationOnly {
		status = "Granted"
	} else {
		if existing != nil {
			st.remove(existing)
		}
		if req.action != "adminRemove" {
			end, _ := req.window()
			g := &roleGrant{
				kind: rs.kind, scheduleID: requestID, principalID: principalID, roleDefinitionID: roleID,
				directoryScopeID: req.directoryScopeID, createdUsing: requestID, created: now, start: req.start,
				expirationType: req.expirationType, duration: req.duration, end: end,
			}
			if req.expirationType == "notSpecified" {
				g.expirationType = "noExpiration"
			}
			if existing != nil {
				g.modified = now
			}
			st.grants = append(st.grants, g)
		}
	}

	resp := s.requestJSON(requestID, status, req, roleID, principalID, claims, now)
	if !req.isValidationOnly {
		st.requests[rs.kind] = append(st.requests[rs.kind], copyObject(resp))
	}
	resp["@odata.context"] = s.baseURL + "/v1.0/$metadata#" + rs.set + "/$entity"
	writeJSON(w, http.StatusCreated, graphContentType, resp)
	return nil
}

// callerIdentity is the calling application as an identity (id, displayName).
func (s *Server) callerIdentity(claims *accessClaims) map[string]any {
	displayName := claims.AppDisplayName
	if app := s.dir.app(claims.AppID); app != nil && displayName == "" {
		displayName = app.DisplayName
	}
	return map[string]any{"id": claims.AppID, "displayName": nullableString(displayName)}
}

func (s *Server) requestJSON(id, status string, req *scheduleRequest, roleID, principalID string, claims *accessClaims, now time.Time) map[string]any {
	createdBy := map[string]any{"application": nil, "device": nil, "user": nil}
	if claims.IDType == "user" {
		createdBy["user"] = map[string]any{"id": claims.ObjectID, "displayName": nullableString(claims.Name)}
	} else {
		createdBy["application"] = s.callerIdentity(claims)
	}
	var schedule any
	if req.hasSchedule || req.action != "adminRemove" {
		end, _ := req.window()
		if req.expirationType == "afterDuration" {
			end = time.Time{}
		}
		schedule = map[string]any{
			"startDateTime": graphTime(req.start), "recurrence": nil,
			"expiration": map[string]any{"type": req.expirationType, "endDateTime": nullableTime(end), "duration": nullableString(req.duration)},
		}
	}
	ticket := map[string]any{"ticketNumber": nil, "ticketSystem": nil}
	for key, v := range req.ticketInfo {
		if !strings.HasPrefix(key, "@") {
			ticket[key] = v
		}
	}
	return map[string]any{
		"id": id, "status": status, "createdDateTime": graphTime(now),
		"completedDateTime": graphTime(now), "approvalId": nil, "customData": req.customData,
		"action": req.action, "principalId": principalID, "roleDefinitionId": roleID,
		"directoryScopeId": req.directoryScopeID, "appScopeId": nil, "isValidationOnly": req.isValidationOnly,
		"targetScheduleId": id, "justification": req.justification, "createdBy": createdBy,
		"scheduleInfo": schedule, "ticketInfo": ticket,
	}
}

func (s *Server) listScheduleRequests(w http.ResponseWriter, r *http.Request, rs *requestSet) *graphError {
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	resp, gerr := s.collection(r, rs.schema, rs.set, scheduleNavs, s.expandScheduleNav(now), s.dir.rbac.requests[rs.kind])
	return answer(w, resp, gerr)
}

func (s *Server) getScheduleRequest(w http.ResponseWriter, r *http.Request, id string, rs *requestSet) *graphError {
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	for _, item := range s.dir.rbac.requests[rs.kind] {
		if itemID, _ := item["id"].(string); strings.EqualFold(itemID, id) {
			resp, gerr := s.entity(r, rs.schema, rs.set, scheduleNavs, s.expandScheduleNav(now), item)
			return answer(w, resp, gerr)
		}
	}
	return resourceNotFound(id)
}

func (s *Server) listAssignmentScheduleRequests(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	return s.listScheduleRequests(w, r, assignmentRequests)
}

func (s *Server) getAssignmentScheduleRequest(w http.ResponseWriter, r *http.Request, p []string) *graphError {
	return s.getScheduleRequest(w, r, p[0], assignmentRequests)
}

func (s *Server) listEligibilityScheduleRequests(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	return s.listScheduleRequests(w, r, eligibilityRequests)
}

func (s *Server) getEligibilityScheduleRequest(w http.ResponseWriter, r *http.Request, p []string) *graphError {
	return s.getScheduleRequest(w, r, p[0], eligibilityRequests)
}
