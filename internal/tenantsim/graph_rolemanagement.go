package tenantsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Microsoft Graph v1.0 role management for directory roles: the directory RBAC provider (roleDefinitions,
// roleAssignments) and PIM (schedule requests, schedules, schedule instances, role management policies). Schedule
// requests are in graph_rolemanagement_requests.go, policies in graph_rolemanagement_policies.go.
//
// Error answers and where they come from:
//   - 404 SubjectNotFound "The subject is not found." for a principal PIM does not know (yet). terraform-provider-
//     azuread retries PIM requests on a 404 with SubjectNotFound or RoleNotFound (directory_role_eligibility_
//     schedule_request_resource.go), and PIM's replication lag after creating a user ("tens of seconds, up to a
//     minute or two") is described in microsoftgraph/msgraph-sdk-dotnet#2772. RoleNotFound's message follows the
//     same pattern; its exact text is not documented.
//   - 400 RoleAssignmentExists "The Role assignment already exists." (azuread#1306, Microsoft365DSC#5532), also for
//     eligible duplicates.
//   - 400 RoleAssignmentDoesNotExist "The Role assignment does not exist." for adminRemove/adminUpdate of nothing;
//     400 as in the PIM error table of the governanceRoleAssignmentRequest API and as observed for PIM removals.
//   - 400 ActiveDurationTooShort for adminRemove of an active assignment younger than Knobs.PIMMinActiveDuration
//     (5 minutes in Entra; DanielChronlund/DCToolbox#50 quotes the answer).
//   - 400 RoleAssignmentRequestPolicyValidationFailed "The following policy rules failed: [\"ExpirationRule\"]"
//     (MicrosoftDocs/azure-docs#80426).
//   - PIM's own service errors come wrapped in an UnknownError whose message is a JSON object: 403
//     PermissionScopeNotGranted "Authorization failed due to missing permission scope A,B." (microsoft-graph-docs
//     #19139, #22292) and 400 MissingProvider "The provider is missing." when a policy list has no scope filter
//     (microsoft-graph-docs#15910).
//   - The directory provider (roleDefinitions, roleAssignments) answers like the rest of the directory:
//     Authorization_RequestDenied, Request_ResourceNotFound for an unknown principal or role (microsoft-graph-docs
//     #18218), Request_BadRequest "A conflicting object with one or more of the specified property values is
//     present in the directory." for a duplicate and "Must specify valid property scope of entity RoleAssignment"
//     for a missing scope (msgraph-sdk-powershell#3173).
//
// Assignments made outside PIM (POST roleAssignments) show in roleAssignmentSchedules and roleAssignmentSchedule
// Instances as active, permanent, Direct/Assigned schedules whose id is the roleAssignment id, with createdUsing and
// createdDateTime null and instance start/end null: that is how the v1.0 "List roleAssignmentSchedules" and "List
// roleAssignmentScheduleInstances" examples show a Global Administrator assigned outside PIM. PIM-made schedules
// have the request id as id and createdUsing.
//
// How a client tells an assignment made outside PIM (what breakglass_role_assignments reports as "direct"): GET
// roleManagement/directory/roleAssignments lists every assignment in force alike, however it was made. Its
// roleAssignmentSchedule (same principalId, roleDefinitionId and directoryScopeId) then has createdUsing null,
// createdDateTime null and id equal to the roleAssignment id, and no roleAssignmentScheduleRequest has it as
// targetScheduleId; its roleAssignmentScheduleInstance has startDateTime and endDateTime null. A PIM assignment's
// schedule has createdUsing = the request id, a createdDateTime and a request behind it. Roles held through a
// role-assignable group show as one roleAssignment for the group and, in roleAssignmentScheduleInstances, one
// instance per member with memberType "Group"; activations of eligible assignments have assignmentType
// "Activated".
//
// A roleAssignment id is the role definition id and the principal id,
// each as the base64url of the GUID's little-endian bytes, followed by "-1" for the tenant scope "/", as in every
// documented example (lAPpYvVpN0KRkAEhdxReEA is 62e90394-69f5-4237-9190-012177145e10).

// ---- schemas ----

var roleDefinitionSchema = (&entitySchema{
	typeName: "microsoft.graph.unifiedRoleDefinition", resourceName: "unifiedRoleDefinition",
	properties: map[string]propKind{
		"description": propText, "displayName": propText, "id": propText, "isBuiltIn": propBoolean,
		"isEnabled": propBoolean, "resourceScopes": propCollection, "rolePermissions": propCollection,
		"templateId": propText, "version": propText,
	},
	filterable: map[string]bool{"id": true, "displayName": true, "isBuiltIn": true, "templateId": true, "isEnabled": true},
}).init()

var roleAssignmentSchema = (&entitySchema{
	typeName: "microsoft.graph.unifiedRoleAssignment", resourceName: "unifiedRoleAssignment",
	properties: map[string]propKind{
		"id": propText, "principalId": propText, "roleDefinitionId": propText, "directoryScopeId": propText,
		"appScopeId": propText, "condition": propText, "principalOrganizationId": propText,
	},
	defaultSelect: []string{"id", "principalId", "roleDefinitionId", "directoryScopeId", "appScopeId", "condition"},
	filterable: map[string]bool{"id": true, "principalId": true, "roleDefinitionId": true, "directoryScopeId": true,
		"appScopeId": true},
}).init()

var scheduleFilterable = map[string]bool{"id": true, "principalId": true, "roleDefinitionId": true,
	"directoryScopeId": true, "appScopeId": true, "status": true, "memberType": true, "assignmentType": true}

var assignmentScheduleSchema = (&entitySchema{
	typeName: "microsoft.graph.unifiedRoleAssignmentSchedule", resourceName: "unifiedRoleAssignmentSchedule",
	properties: map[string]propKind{
		"id": propText, "principalId": propText, "roleDefinitionId": propText, "directoryScopeId": propText,
		"appScopeId": propText, "createdUsing": propText, "createdDateTime": propText, "modifiedDateTime": propText,
		"status": propText, "assignmentType": propText, "memberType": propText, "scheduleInfo": propComplex,
	},
	filterable: scheduleFilterable,
}).init()

var eligibilityScheduleSchema = (&entitySchema{
	typeName: "microsoft.graph.unifiedRoleEligibilitySchedule", resourceName: "unifiedRoleEligibilitySchedule",
	properties: map[string]propKind{
		"id": propText, "principalId": propText, "roleDefinitionId": propText, "directoryScopeId": propText,
		"appScopeId": propText, "createdUsing": propText, "createdDateTime": propText, "modifiedDateTime": propText,
		"status": propText, "memberType": propText, "scheduleInfo": propComplex,
	},
	filterable: scheduleFilterable,
}).init()

var assignmentInstanceSchema = (&entitySchema{
	typeName: "microsoft.graph.unifiedRoleAssignmentScheduleInstance", resourceName: "unifiedRoleAssignmentScheduleInstance",
	properties: map[string]propKind{
		"id": propText, "principalId": propText, "roleDefinitionId": propText, "directoryScopeId": propText,
		"appScopeId": propText, "startDateTime": propText, "endDateTime": propText, "assignmentType": propText,
		"memberType": propText, "roleAssignmentOriginId": propText, "roleAssignmentScheduleId": propText,
	},
	filterable: scheduleFilterable,
}).init()

var eligibilityInstanceSchema = (&entitySchema{
	typeName: "microsoft.graph.unifiedRoleEligibilityScheduleInstance", resourceName: "unifiedRoleEligibilityScheduleInstance",
	properties: map[string]propKind{
		"id": propText, "principalId": propText, "roleDefinitionId": propText, "directoryScopeId": propText,
		"appScopeId": propText, "startDateTime": propText, "endDateTime": propText, "memberType": propText,
		"roleEligibilityScheduleId": propText,
	},
	filterable: scheduleFilterable,
}).init()

func scheduleRequestSchema(typeName, resourceName string) *entitySchema {
	return (&entitySchema{
		typeName: typeName, resourceName: resourceName,
		properties: map[string]propKind{
			"id": propText, "status": propText, "createdDateTime": propText, "completedDateTime": propText,
			"approvalId": propText, "customData": propText, "action": propText, "principalId": propText,
			"roleDefinitionId": propText, "directoryScopeId": propText, "appScopeId": propText,
			"isValidationOnly": propBoolean, "targetScheduleId": propText, "justification": propText,
			"createdBy": propComplex, "scheduleInfo": propComplex, "ticketInfo": propComplex,
		},
		filterable: map[string]bool{"id": true, "principalId": true, "roleDefinitionId": true, "directoryScopeId": true,
			"status": true, "action": true, "targetScheduleId": true},
	}).init()
}

var (
	assignmentRequestSchema  = scheduleRequestSchema("microsoft.graph.unifiedRoleAssignmentScheduleRequest", "unifiedRoleAssignmentScheduleRequest")
	eligibilityRequestSchema = scheduleRequestSchema("microsoft.graph.unifiedRoleEligibilityScheduleRequest", "unifiedRoleEligibilityScheduleRequest")
)

var rolePolicySchema = (&entitySchema{
	typeName: "microsoft.graph.unifiedRoleManagementPolicy", resourceName: "unifiedRoleManagementPolicy",
	properties: map[string]propKind{
		"id": propText, "displayName": propText, "description": propText, "isOrganizationDefault": propBoolean,
		"scopeId": propText, "scopeType": propText, "lastModifiedDateTime": propText, "lastModifiedBy": propComplex,
	},
	filterable: map[string]bool{"id": true, "scopeId": true, "scopeType": true, "isOrganizationDefault": true},
}).init()

var rolePolicyAssignmentSchema = (&entitySchema{
	typeName: "microsoft.graph.unifiedRoleManagementPolicyAssignment", resourceName: "unifiedRoleManagementPolicyAssignment",
	properties: map[string]propKind{
		"id": propText, "policyId": propText, "scopeId": propText, "scopeType": propText, "roleDefinitionId": propText,
	},
	filterable: map[string]bool{"id": true, "policyId": true, "scopeId": true, "scopeType": true, "roleDefinitionId": true},
}).init()

// ruleProperties are the updatable properties of each unifiedRoleManagementPolicyRule type in the v1.0 CSDL.
var ruleProperties = map[string]map[string]propKind{
	"unifiedRoleManagementPolicyExpirationRule":            {"isExpirationRequired": propBoolean, "maximumDuration": propText},
	"unifiedRoleManagementPolicyEnablementRule":            {"enabledRules": propCollection},
	"unifiedRoleManagementPolicyApprovalRule":              {"setting": propComplex},
	"unifiedRoleManagementPolicyAuthenticationContextRule": {"isEnabled": propBoolean, "claimValue": propText},
	"unifiedRoleManagementPolicyNotificationRule": {"notificationType": propText, "recipientType": propText,
		"notificationLevel": propText, "isDefaultRecipientsEnabled": propBoolean, "notificationRecipients": propCollection},
}

// ---- permissions (Microsoft Graph permissions tables of each API) ----

var (
	roleDefinitionReadRoles = anyOf{"RoleManagement.Read.Directory", "RoleManagement.Read.All", "Directory.Read.All",
		"RoleManagement.ReadWrite.Directory", "Directory.ReadWrite.All"}
	roleAssignmentReadRoles  = roleDefinitionReadRoles
	roleAssignmentWriteRoles = anyOf{"RoleManagement.ReadWrite.Directory"}
	// POST roleAssignmentScheduleRequests: the Remove permissions allow adminRemove only (checked in the handler).
	assignmentRequestWriteRoles = anyOf{"RoleAssignmentSchedule.ReadWrite.Directory", "RoleManagement.ReadWrite.Directory",
		"RoleAssignmentSchedule.Remove.Directory", "RoleEligibilitySchedule.Remove.Directory"}
	eligibilityRequestWriteRoles = anyOf{"RoleEligibilitySchedule.ReadWrite.Directory", "RoleManagement.ReadWrite.Directory",
		"RoleEligibilitySchedule.Remove.Directory"}
	assignmentScheduleReadRoles = anyOf{"RoleAssignmentSchedule.Read.Directory", "RoleAssignmentSchedule.ReadWrite.Directory",
		"RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory"}
	eligibilityScheduleReadRoles = anyOf{"RoleEligibilitySchedule.Read.Directory", "RoleEligibilitySchedule.ReadWrite.Directory",
		"RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory"}
	rolePolicyReadRoles = anyOf{"RoleManagementPolicy.Read.Directory", "RoleManagementPolicy.ReadWrite.Directory",
		"RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory"}
	rolePolicyWriteRoles = anyOf{"RoleManagementPolicy.ReadWrite.Directory", "RoleManagement.ReadWrite.Directory"}
)

func pimPermissionDenied(roles []string) *graphError {
	return pimServiceError(http.StatusForbidden, "PermissionScopeNotGranted",
		"Authorization failed due to missing permission scope "+strings.Join(roles, ",")+".")
}

// pimServiceError is PIM's error shape: code UnknownError, the real error as a JSON object in the message.
func pimServiceError(status int, errorCode, message string) *graphError {
	inner, _ := json.Marshal(struct {
		ErrorCode           string `json:"errorCode"`
		Message             string `json:"message"`
		InstanceAnnotations []any  `json:"instanceAnnotations"`
	}{errorCode, message, []any{}})
	return newGraphError(status, "UnknownError", string(inner))
}

// ---- PIM error answers ----

const (
	msgSubjectNotFound     = "The subject is not found."
	msgRoleNotFound        = "The role is not found."
	msgAssignmentExists    = "The Role assignment already exists."
	msgAssignmentNotExists = "The Role assignment does not exist."
	// Microsoft's own spelling ("Miniumum"), as PIM tools quote it (DanielChronlund/DCToolbox#50).
	msgActiveDurationTooShort = "The Active duration is too short. Miniumum Required is 5 minutes."
	msgConflictingObject      = "A conflicting object with one or more of the specified property values is present in the directory."
	msgInvalidRoleScope       = "Must specify valid property scope of entity RoleAssignment"
	codePolicyValidation      = "RoleAssignmentRequestPolicyValidationFailed"
	policyValidationMessage   = "The following policy rules failed: [%s]"
)

func subjectNotFound() *graphError {
	return newGraphError(http.StatusNotFound, "SubjectNotFound", msgSubjectNotFound)
}

func roleNotFound() *graphError {
	return newGraphError(http.StatusNotFound, "RoleNotFound", msgRoleNotFound)
}

func policyValidationFailed(rules []string) *graphError {
	quoted := make([]string, len(rules))
	for i, rule := range rules {
		quoted[i] = strconv.Quote(rule)
	}
	return newGraphError(http.StatusBadRequest, codePolicyValidation, fmt.Sprintf(policyValidationMessage, strings.Join(quoted, ",")))
}

// ---- state ----

type grantKind int

const (
	activeGrant grantKind = iota
	eligibleGrant
)

// roleGrant is one active or eligible directory role assignment with its schedule.
type roleGrant struct {
	kind                          grantKind
	scheduleID                    string
	principalID, roleDefinitionID string // lower-case GUIDs
	directoryScopeID              string
	createdUsing                  string    // the PIM request that made it; "" for assignments made outside PIM
	activated                     bool      // an active assignment made by activating an eligible one
	created, modified             time.Time // zero = null
	start                         time.Time
	expirationType, duration      string    // expirationPatternType and the ISO 8601 duration of afterDuration
	end                           time.Time // zero = no end
}

func (g *roleGrant) key() string {
	return roleAssignmentID(g.roleDefinitionID, g.principalID, g.directoryScopeID)
}

func (g *roleGrant) expired(now time.Time) bool { return !g.end.IsZero() && !now.Before(g.end) }

// inForce reports whether the grant is effective now: started and not yet ended.
func (g *roleGrant) inForce(now time.Time) bool { return !now.Before(g.start) && !g.expired(now) }

func (g *roleGrant) outsidePIM() bool { return g.createdUsing == "" }

// scheduleInfo is the schedule as requested: an afterDuration expiration carries its duration and no endDateTime
// ("expirationPattern": with a duration, endDateTime should not be present and the type is afterDuration, Graph
// v1.0 reference), so a reader must compute the end from startDateTime; the instances carry the computed end.
func (g *roleGrant) scheduleInfo() map[string]any {
	end := g.end
	if g.expirationType == "afterDuration" {
		end = time.Time{}
	}
	return map[string]any{
		"startDateTime": nullableTime(g.start), "recurrence": nil,
		"expiration": map[string]any{"type": g.expirationType, "endDateTime": nullableTime(end), "duration": nullableString(g.duration)},
	}
}

func (g *roleGrant) scheduleJSON() map[string]any {
	out := map[string]any{
		"id": g.scheduleID, "principalId": g.principalID, "roleDefinitionId": g.roleDefinitionID,
		"directoryScopeId": g.directoryScopeID, "appScopeId": nil, "createdUsing": nullableString(g.createdUsing),
		"createdDateTime": nullableTime(g.created), "modifiedDateTime": nullableTime(g.modified),
		"status": "Provisioned", "memberType": "Direct", "scheduleInfo": g.scheduleInfo(),
	}
	if g.kind == activeGrant {
		out["assignmentType"] = g.assignmentType()
	}
	return out
}

// assignmentType is "Activated" for an activation of an eligible assignment, "Assigned" otherwise.
func (g *roleGrant) assignmentType() string {
	if g.activated {
		return "Activated"
	}
	return "Assigned"
}

func (g *roleGrant) instanceJSON() map[string]any {
	out := map[string]any{
		"id": g.key(), "principalId": g.principalID, "roleDefinitionId": g.roleDefinitionID,
		"directoryScopeId": g.directoryScopeID, "appScopeId": nil, "memberType": "Direct",
		"startDateTime": nil, "endDateTime": nil,
	}
	if !g.outsidePIM() {
		out["startDateTime"], out["endDateTime"] = nullableTime(g.start), nullableTime(g.end)
	}
	if g.kind == activeGrant {
		out["assignmentType"] = g.assignmentType()
		out["roleAssignmentOriginId"] = g.key()
		out["roleAssignmentScheduleId"] = g.scheduleID
	} else {
		out["roleEligibilityScheduleId"] = g.scheduleID
	}
	return out
}

func (g *roleGrant) assignmentJSON() map[string]any {
	return map[string]any{
		"id": g.key(), "principalId": g.principalID, "roleDefinitionId": g.roleDefinitionID,
		"directoryScopeId": g.directoryScopeID, "appScopeId": nil, "condition": nil,
	}
}

// rolePolicy is the PIM policy of one role: its unifiedRoleManagementPolicy JSON and its rules.
type rolePolicy struct {
	roleDefinitionID string
	data             map[string]any
	rules            []map[string]any
}

func (p *rolePolicy) id() string { s, _ := p.data["id"].(string); return s }

func (p *rolePolicy) assignmentJSON() map[string]any {
	return map[string]any{
		"id": p.id() + "_" + p.roleDefinitionID, "policyId": p.id(), "scopeId": "/", "scopeType": "DirectoryRole",
		"roleDefinitionId": p.roleDefinitionID,
	}
}

func (p *rolePolicy) rule(id string) map[string]any {
	for _, rule := range p.rules {
		if ruleID, _ := rule["id"].(string); strings.EqualFold(ruleID, id) {
			return rule
		}
	}
	return nil
}

// rbacState is the directory's role management state; the directory lock guards it.
type rbacState struct {
	definitions []map[string]any
	grants      []*roleGrant // creation order
	requests    [2][]map[string]any
	policies    []*rolePolicy
}

func newRBACState(tenantID string) *rbacState {
	st := &rbacState{definitions: builtInRoleDefinitions()}
	for _, def := range st.definitions {
		roleID, _ := def["id"].(string)
		policyID := "DirectoryRole_" + tenantID + "_" + uuid.NewSHA1(uuid.NameSpaceOID, []byte("roleManagementPolicy:"+roleID)).String()
		st.policies = append(st.policies, &rolePolicy{
			roleDefinitionID: roleID,
			data: map[string]any{
				"id": policyID, "displayName": "DirectoryRole", "description": "DirectoryRole", "isOrganizationDefault": false,
				"scopeId": "/", "scopeType": "DirectoryRole", "lastModifiedDateTime": nil,
				"lastModifiedBy": map[string]any{"displayName": nil, "id": nil},
			},
			rules: defaultPolicyRules(),
		})
	}
	return st
}

// roleDefinition finds a role definition by id or template id.
func (st *rbacState) roleDefinition(id string) map[string]any {
	for _, def := range st.definitions {
		if defID, _ := def["id"].(string); strings.EqualFold(defID, id) {
			return def
		}
		if tmpl, _ := def["templateId"].(string); strings.EqualFold(tmpl, id) {
			return def
		}
	}
	return nil
}

// find returns the unexpired grant of a kind for principal, role and scope.
func (st *rbacState) find(kind grantKind, principalID, roleDefinitionID, scope string, now time.Time) *roleGrant {
	for _, g := range st.grants {
		if g.kind == kind && !g.expired(now) && strings.EqualFold(g.principalID, principalID) &&
			strings.EqualFold(g.roleDefinitionID, roleDefinitionID) && g.directoryScopeID == scope {
			return g
		}
	}
	return nil
}

// live returns the unexpired grants of a kind; inForce limits them to those effective now.
func (st *rbacState) live(kind grantKind, now time.Time, inForce bool) []*roleGrant {
	var out []*roleGrant
	for _, g := range st.grants {
		if g.kind == kind && !g.expired(now) && (!inForce || g.inForce(now)) {
			out = append(out, g)
		}
	}
	return out
}

func (st *rbacState) remove(target *roleGrant) {
	for i, g := range st.grants {
		if g == target {
			st.grants = append(st.grants[:i:i], st.grants[i+1:]...)
			return
		}
	}
}

// purgeExpired drops grants whose end has passed, as PIM removes expired assignments.
func (st *rbacState) purgeExpired(now time.Time) {
	kept := st.grants[:0]
	for _, g := range st.grants {
		if !g.expired(now) {
			kept = append(kept, g)
		}
	}
	clear(st.grants[len(kept):])
	st.grants = kept
}

func (st *rbacState) policyForRole(roleDefinitionID string) *rolePolicy {
	for _, p := range st.policies {
		if strings.EqualFold(p.roleDefinitionID, roleDefinitionID) {
			return p
		}
	}
	return nil
}

func (st *rbacState) policy(id string) *rolePolicy {
	for _, p := range st.policies {
		if strings.EqualFold(p.id(), id) {
			return p
		}
	}
	return nil
}

// roleAssignmentID builds a unifiedRoleAssignment id the way the directory does (see the file comment).
func roleAssignmentID(roleDefinitionID, principalID, scope string) string {
	id := guidBase64(roleDefinitionID) + guidBase64(principalID)
	if scope == "/" {
		return id + "-1"
	}
	return id + "-" + guidBase64(uuid.NewSHA1(uuid.NameSpaceOID, []byte(strings.ToLower(scope))).String())
}

// ---- principals ----

// pimPrincipalKnown reports whether PIM (and the directory RBAC provider) can resolve a principal id: an active
// user past both replication delays, a service principal (not an app id), or a role-assignable group (only those
// can hold directory roles). The caller holds the lock.
func (s *Server) pimPrincipalKnown(id string, now time.Time) bool {
	if uuid.Validate(id) != nil {
		return false
	}
	key := strings.ToLower(id)
	if u := s.dir.users.byID[key]; u != nil {
		return !u.deleted && !now.Before(u.visibleAt.Add(s.Knobs().PIMReplicationDelay))
	}
	if sp := s.dir.apps.sps[key]; sp != nil {
		return !now.Before(sp.visibleAt.Add(s.Knobs().PIMReplicationDelay))
	}
	if g := s.dir.groups.byID[key]; g != nil {
		return g.roleAssignable() && !now.Before(g.visibleAt.Add(s.Knobs().PIMReplicationDelay))
	}
	return false
}

// principalObject is a principal as $expand=principal shows it: a directoryObject cast to its type (user, group
// or servicePrincipal) with its default properties.
func (s *Server) principalObject(id string, now time.Time) map[string]any {
	if obj, ok := s.dir.lookupObject(id, now); ok {
		return obj.json(nil, false)
	}
	return nil
}

// ---- $expand of schedules, instances, requests and assignments ----

var scheduleNavs = navTree{"principal": nil, "roleDefinition": nil, "directoryScope": nil, "appScope": nil}

// expandScheduleNav expands the navigation properties schedules, instances, requests and assignments share.
func (s *Server) expandScheduleNav(now time.Time) expander {
	return func(src map[string]any, opt expandOption) any {
		switch opt.name {
		case "principal":
			id, _ := src["principalId"].(string)
			return s.principalObject(id, now)
		case "roleDefinition":
			id, _ := src["roleDefinitionId"].(string)
			if def := s.dir.rbac.roleDefinition(id); def != nil {
				return roleDefinitionSchema.project(def, nil)
			}
		case "directoryScope":
			if scope, _ := src["directoryScopeId"].(string); scope != "" {
				return map[string]any{"id": scope}
			}
		}
		return nil
	}
}

// ---- role definitions ----

var roleDefinitionNavs = navTree{"inheritsPermissionsFrom": nil}

func expandRoleDefinition(map[string]any, expandOption) any { return []any{} }

// listRoleDefinitions is GET /roleManagement/directory/roleDefinitions.
func (s *Server) listRoleDefinitions(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	s.dir.mu.RLock()
	resp, gerr := s.collection(r, roleDefinitionSchema, "roleManagement/directory/roleDefinitions", roleDefinitionNavs,
		expandRoleDefinition, s.dir.rbac.definitions)
	s.dir.mu.RUnlock()
	return answer(w, resp, gerr)
}

// getRoleDefinition is GET /roleManagement/directory/roleDefinitions/{id | templateId}.
func (s *Server) getRoleDefinition(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	def := s.dir.rbac.roleDefinition(params[0])
	if def == nil {
		return resourceNotFound(params[0])
	}
	resp, gerr := s.entity(r, roleDefinitionSchema, "roleManagement/directory/roleDefinitions", roleDefinitionNavs, expandRoleDefinition, def)
	return answer(w, resp, gerr)
}

// ---- role assignments (directory provider) ----

func renderGrants(grants []*roleGrant, render func(*roleGrant) map[string]any) []map[string]any {
	out := make([]map[string]any, len(grants))
	for i, g := range grants {
		out[i] = render(g)
	}
	return out
}

// listRoleAssignments is GET /roleManagement/directory/roleAssignments: every assignment in force, made through
// PIM or not.
func (s *Server) listRoleAssignments(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	resp, gerr := s.collection(r, roleAssignmentSchema, "roleManagement/directory/roleAssignments", scheduleNavs,
		s.expandScheduleNav(now), renderGrants(s.dir.rbac.live(activeGrant, now, true), (*roleGrant).assignmentJSON))
	return answer(w, resp, gerr)
}

// getRoleAssignment is GET /roleManagement/directory/roleAssignments/{id}.
func (s *Server) getRoleAssignment(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	for _, g := range s.dir.rbac.live(activeGrant, now, true) {
		if g.key() == params[0] {
			resp, gerr := s.entity(r, roleAssignmentSchema, "roleManagement/directory/roleAssignments", scheduleNavs, s.expandScheduleNav(now), g.assignmentJSON())
			return answer(w, resp, gerr)
		}
	}
	return resourceNotFound(params[0])
}

// createRoleAssignment is POST /roleManagement/directory/roleAssignments: a permanent active assignment made
// outside PIM.
func (s *Server) createRoleAssignment(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	body, gerr := decodeBody(r)
	if gerr != nil {
		return gerr
	}
	fields := map[string]string{}
	for key, value := range body {
		name, ok := roleAssignmentSchema.lookup(key)
		if !ok || name == "id" {
			return unknownProperty(key, roleAssignmentSchema.typeName)
		}
		if value == nil {
			continue
		}
		str, ok := value.(string)
		if !ok {
			return primitiveMismatch("Edm.String")
		}
		fields[name] = str
	}
	roleID, principalID, scope := fields["roleDefinitionId"], strings.ToLower(fields["principalId"]), fields["directoryScopeId"]
	switch {
	case roleID == "":
		return badRequest("Invalid value specified for property 'roleDefinitionId' of resource 'RoleAssignment'.")
	case principalID == "":
		return badRequest("Invalid value specified for property 'principalId' of resource 'RoleAssignment'.")
	case scope == "" || !strings.HasPrefix(scope, "/"):
		// appScopeId scopes belong to other RBAC providers; the directory provider needs a directory scope.
		return badRequest(msgInvalidRoleScope)
	}

	now := time.Now()
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	st := s.dir.rbac
	st.purgeExpired(now)
	def := st.roleDefinition(roleID)
	switch {
	case def == nil:
		return resourceNotFound(roleID)
	case !s.pimPrincipalKnown(principalID, now):
		return resourceNotFound(fields["principalId"])
	case scope != "/" && !s.dir.auScopeExists(scope, now):
		// The tenant and administrative units are the directory scopes served here (graph_administrativeunits.go).
		return resourceNotFound(strings.TrimPrefix(scope, "/"))
	}
	roleID, _ = def["id"].(string)
	if st.find(activeGrant, principalID, roleID, scope, now) != nil {
		return badRequest(msgConflictingObject)
	}
	g := &roleGrant{
		kind: activeGrant, principalID: principalID, roleDefinitionID: roleID, directoryScopeID: scope,
		start: now, expirationType: "noExpiration",
	}
	g.scheduleID = g.key()
	st.grants = append(st.grants, g)
	resp := g.assignmentJSON()
	resp["@odata.context"] = s.baseURL + "/v1.0/$metadata#roleManagement/directory/roleAssignments/$entity"
	w.Header().Set("Location", s.baseURL+"/v1.0/roleManagement/directory/roleAssignments/"+g.key())
	writeJSON(w, http.StatusCreated, graphContentType, resp)
	return nil
}

// deleteRoleAssignment is DELETE /roleManagement/directory/roleAssignments/{id}. It ends the assignment however
// it was made, including its PIM schedule.
func (s *Server) deleteRoleAssignment(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	now := time.Now()
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	for _, g := range s.dir.rbac.live(activeGrant, now, true) {
		if g.key() == params[0] {
			s.dir.rbac.remove(g)
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
	}
	return resourceNotFound(params[0])
}

// ---- PIM schedules and instances ----

func (s *Server) listGrants(w http.ResponseWriter, r *http.Request, sc *entitySchema, set string, kind grantKind, inForce bool, render func(*roleGrant) map[string]any) *graphError {
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	resp, gerr := s.collection(r, sc, set, scheduleNavs, s.expandScheduleNav(now), renderGrants(s.dir.rbac.live(kind, now, inForce), render))
	return answer(w, resp, gerr)
}

func (s *Server) getGrant(w http.ResponseWriter, r *http.Request, id string, sc *entitySchema, set string, kind grantKind, inForce bool, render func(*roleGrant) map[string]any) *graphError {
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	for _, g := range s.dir.rbac.live(kind, now, inForce) {
		item := render(g)
		if itemID, _ := item["id"].(string); itemID == id || (uuid.Validate(id) == nil && strings.EqualFold(itemID, id)) {
			resp, gerr := s.entity(r, sc, set, scheduleNavs, s.expandScheduleNav(now), item)
			return answer(w, resp, gerr)
		}
	}
	return resourceNotFound(id)
}

const (
	setAssignmentSchedules  = "roleManagement/directory/roleAssignmentSchedules"
	setAssignmentInstances  = "roleManagement/directory/roleAssignmentScheduleInstances"
	setEligibilitySchedules = "roleManagement/directory/roleEligibilitySchedules"
	setEligibilityInstances = "roleManagement/directory/roleEligibilityScheduleInstances"
)

func (s *Server) listAssignmentSchedules(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	return s.listGrants(w, r, assignmentScheduleSchema, setAssignmentSchedules, activeGrant, false, (*roleGrant).scheduleJSON)
}

func (s *Server) getAssignmentSchedule(w http.ResponseWriter, r *http.Request, p []string) *graphError {
	return s.getGrant(w, r, p[0], assignmentScheduleSchema, setAssignmentSchedules, activeGrant, false, (*roleGrant).scheduleJSON)
}

func (s *Server) listAssignmentInstances(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	return s.listInstances(w, r, assignmentInstanceSchema, setAssignmentInstances, activeGrant)
}

func (s *Server) getAssignmentInstance(w http.ResponseWriter, r *http.Request, p []string) *graphError {
	return s.getInstance(w, r, p[0], assignmentInstanceSchema, setAssignmentInstances, activeGrant)
}

func (s *Server) listEligibilitySchedules(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	return s.listGrants(w, r, eligibilityScheduleSchema, setEligibilitySchedules, eligibleGrant, false, (*roleGrant).scheduleJSON)
}

func (s *Server) getEligibilitySchedule(w http.ResponseWriter, r *http.Request, p []string) *graphError {
	return s.getGrant(w, r, p[0], eligibilityScheduleSchema, setEligibilitySchedules, eligibleGrant, false, (*roleGrant).scheduleJSON)
}

func (s *Server) listEligibilityInstances(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	return s.listInstances(w, r, eligibilityInstanceSchema, setEligibilityInstances, eligibleGrant)
}

func (s *Server) getEligibilityInstance(w http.ResponseWriter, r *http.Request, p []string) *graphError {
	return s.getInstance(w, r, p[0], eligibilityInstanceSchema, setEligibilityInstances, eligibleGrant)
}

// instanceItems renders the schedule instances in force: one per grant (memberType "Direct") and, for a grant held
// by a role-assignable group, one per user member of the group (memberType "Group", principalId the member,
// roleAssignmentOriginId the group's roleAssignment, the schedule the group's; its id, which Graph does not
// document, is the group's instance id, "_" and the member's id in base64url). Only the group's own assignment is
// a roleAssignment; the members' instances are how PIM shows roles held through a group. The caller holds the
// lock.
func (s *Server) instanceItems(kind grantKind, now time.Time) []map[string]any {
	grants := s.dir.rbac.live(kind, now, true)
	out := make([]map[string]any, 0, len(grants))
	for _, g := range grants {
		out = append(out, g.instanceJSON())
		grp := s.dir.groups.byID[g.principalID]
		if grp == nil {
			continue
		}
		for _, member := range grp.members {
			if u := s.dir.users.byID[member]; u == nil || u.deleted {
				continue
			}
			inst := g.instanceJSON()
			inst["id"] = g.key() + "_" + guidBase64(member)
			inst["principalId"] = member
			inst["memberType"] = "Group"
			out = append(out, inst)
		}
	}
	return out
}

func (s *Server) listInstances(w http.ResponseWriter, r *http.Request, sc *entitySchema, set string, kind grantKind) *graphError {
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	resp, gerr := s.collection(r, sc, set, scheduleNavs, s.expandScheduleNav(now), s.instanceItems(kind, now))
	return answer(w, resp, gerr)
}

func (s *Server) getInstance(w http.ResponseWriter, r *http.Request, id string, sc *entitySchema, set string, kind grantKind) *graphError {
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	for _, item := range s.instanceItems(kind, now) {
		if itemID, _ := item["id"].(string); itemID == id {
			resp, gerr := s.entity(r, sc, set, scheduleNavs, s.expandScheduleNav(now), item)
			return answer(w, resp, gerr)
		}
	}
	return resourceNotFound(id)
}
