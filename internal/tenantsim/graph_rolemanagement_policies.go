package tenantsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// PIM role management policies and their assignments to directory roles: the rules schedule requests are
// checked against (graph_rolemanagement_requests.go).

var (
	rolePolicyNavs           = navTree{"rules": nil, "effectiveRules": nil}
	rolePolicyAssignmentNavs = navTree{"policy": rolePolicyNavs}
)

// filterMentions reports whether a $filter compares the property.
func filterMentions(expr filterExpr, property string) bool {
	switch e := expr.(type) {
	case compareExpr:
		return e.property == property && !e.negate
	case inExpr:
		return e.property == property
	case logicalExpr:
		if e.and {
			return filterMentions(e.left, property) || filterMentions(e.right, property)
		}
		return filterMentions(e.left, property) && filterMentions(e.right, property)
	}
	return false
}

// requireScopeFilter enforces that policy lists are scoped with scopeId and scopeType, as the service does.
func requireScopeFilter(r *http.Request, sc *entitySchema) *graphError {
	raw := r.URL.Query().Get("$filter")
	if raw != "" {
		if f, _, gerr := parseFilter(raw, sc); gerr == nil && filterMentions(f, "scopeId") && filterMentions(f, "scopeType") {
			return nil
		} else if gerr != nil {
			return gerr
		}
	}
	return pimServiceError(http.StatusBadRequest, "MissingProvider", "The provider is missing.")
}

func rulesJSON(p *rolePolicy) []any {
	out := make([]any, len(p.rules))
	for i, rule := range p.rules {
		out[i] = copyObject(rule)
	}
	return out
}

func expandPolicy(p *rolePolicy, opt expandOption) any {
	switch opt.name {
	case "rules", "effectiveRules":
		return rulesJSON(p)
	}
	return nil
}

func (s *Server) policyExpander(src map[string]any, opt expandOption) any {
	id, _ := src["id"].(string)
	if p := s.dir.rbac.policy(id); p != nil {
		return expandPolicy(p, opt)
	}
	return nil
}

// listRolePolicies is GET /policies/roleManagementPolicies?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'.
func (s *Server) listRolePolicies(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	return s.listPolicies(w, r, rolePolicySchema, "policies/roleManagementPolicies", rolePolicyNavs, s.policyExpander,
		func(p *rolePolicy) map[string]any { return p.data })
}

// listPolicies lists every policy, rendered by render, once the request filters on the scope as Graph requires.
func (s *Server) listPolicies(w http.ResponseWriter, r *http.Request, sc *entitySchema, set string, navs navTree, expand expander, render func(*rolePolicy) map[string]any) *graphError {
	if gerr := requireScopeFilter(r, sc); gerr != nil {
		return gerr
	}
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	items := make([]map[string]any, len(s.dir.rbac.policies))
	for i, p := range s.dir.rbac.policies {
		items[i] = render(p)
	}
	resp, gerr := s.collection(r, sc, set, navs, expand, items)
	return answer(w, resp, gerr)
}

// getRolePolicy is GET /policies/roleManagementPolicies/{id}.
func (s *Server) getRolePolicy(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	p := s.dir.rbac.policy(params[0])
	if p == nil {
		return resourceNotFound(params[0])
	}
	resp, gerr := s.entity(r, rolePolicySchema, "policies/roleManagementPolicies", rolePolicyNavs, s.policyExpander, p.data)
	return answer(w, resp, gerr)
}

// listRolePolicyRules is GET /policies/roleManagementPolicies/{id}/rules.
func (s *Server) listRolePolicyRules(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	p := s.dir.rbac.policy(params[0])
	if p == nil {
		return resourceNotFound(params[0])
	}
	writeJSON(w, http.StatusOK, graphContentType, map[string]any{
		"@odata.context": s.baseURL + "/v1.0/$metadata#policies/roleManagementPolicies('" + p.id() + "')/rules",
		"value":          rulesJSON(p),
	})
	return nil
}

// getRolePolicyRule is GET /policies/roleManagementPolicies/{id}/rules/{ruleId}.
func (s *Server) getRolePolicyRule(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	p := s.dir.rbac.policy(params[0])
	if p == nil {
		return resourceNotFound(params[0])
	}
	rule := p.rule(params[1])
	if rule == nil {
		return resourceNotFound(params[1])
	}
	resp := copyObject(rule)
	resp["@odata.context"] = s.baseURL + "/v1.0/$metadata#policies/roleManagementPolicies('" + p.id() + "')/rules/$entity"
	writeJSON(w, http.StatusOK, graphContentType, resp)
	return nil
}

// updateRolePolicyRule is PATCH /policies/roleManagementPolicies/{id}/rules/{ruleId}: 204 No Content. The body must
// name the rule's type in @odata.type, as the API documentation requires.
func (s *Server) updateRolePolicyRule(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body == nil {
		return newGraphError(http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	p := s.dir.rbac.policy(params[0])
	if p == nil {
		return resourceNotFound(params[0])
	}
	rule := p.rule(params[1])
	if rule == nil {
		return resourceNotFound(params[1])
	}
	ruleType := strings.TrimPrefix(fmt.Sprint(rule["@odata.type"]), "#microsoft.graph.")
	sent, _ := body["@odata.type"].(string)
	switch sentType := strings.TrimPrefix(strings.TrimPrefix(sent, "#"), "microsoft.graph."); {
	case sent == "":
		return badRequest("The @odata.type annotation is required: unifiedRoleManagementPolicyRule is abstract; send the rule's own type, '#microsoft.graph." + ruleType + "'.")
	case !strings.EqualFold(sentType, ruleType):
		return badRequest(fmt.Sprintf("The rule '%s' is of type '#microsoft.graph.%s', not '%s'.", params[1], ruleType, sent))
	}
	props := ruleProperties[ruleType]
	typeName := "microsoft.graph." + ruleType
	patch := map[string]any{}
	for key, value := range body {
		if strings.HasPrefix(key, "@") {
			continue
		}
		switch key {
		case "id":
			if id, _ := value.(string); !strings.EqualFold(id, params[1]) {
				return badRequest(fmt.Sprintf("The rule id '%v' does not match the rule '%s' being updated.", value, params[1]))
			}
			continue
		case "target":
			target, ok := value.(map[string]any)
			if !ok {
				return badRequest("Invalid value specified for property 'target'.")
			}
			patch[key] = target
			continue
		}
		kind, ok := props[key]
		if !ok {
			return unknownProperty(key, typeName)
		}
		if value == nil {
			patch[key] = nil
			continue
		}
		switch {
		case kind == propBoolean && !isKind[bool](value):
			return primitiveMismatch("Edm.Boolean")
		case kind == propText && !isKind[string](value):
			return primitiveMismatch("Edm.String")
		case kind == propCollection && !isKind[[]any](value), kind == propComplex && !isKind[map[string]any](value):
			return badRequest(fmt.Sprintf("Invalid value specified for property '%s'.", key))
		}
		if key == "maximumDuration" {
			if d, err := parseISODuration(fmt.Sprint(value)); err != nil || d <= 0 {
				return badRequest(fmt.Sprintf("Cannot convert the literal '%v' to the expected type 'Edm.Duration'.", value))
			}
		}
		patch[key] = value
	}
	for key, value := range patch {
		if sub, ok := value.(map[string]any); ok {
			if cur, ok := rule[key].(map[string]any); ok {
				for k, v := range sub {
					if !strings.HasPrefix(k, "@") {
						cur[k] = deepCopy(v)
					}
				}
				continue
			}
		}
		rule[key] = deepCopy(value)
	}
	claims := requestInfoFrom(r.Context()).claims
	p.data["lastModifiedDateTime"] = graphTime(time.Now())
	p.data["lastModifiedBy"] = s.callerIdentity(claims)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listRolePolicyAssignments is GET /policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType
// eq 'DirectoryRole' [and roleDefinitionId eq '...'] with $expand=policy($expand=rules).
func (s *Server) listRolePolicyAssignments(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	return s.listPolicies(w, r, rolePolicyAssignmentSchema, "policies/roleManagementPolicyAssignments",
		rolePolicyAssignmentNavs, s.policyAssignmentExpander, (*rolePolicy).assignmentJSON)
}

// getRolePolicyAssignment is GET /policies/roleManagementPolicyAssignments/{id}.
func (s *Server) getRolePolicyAssignment(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	for _, p := range s.dir.rbac.policies {
		if strings.EqualFold(p.id()+"_"+p.roleDefinitionID, params[0]) {
			resp, gerr := s.entity(r, rolePolicyAssignmentSchema, "policies/roleManagementPolicyAssignments", rolePolicyAssignmentNavs, s.policyAssignmentExpander, p.assignmentJSON())
			return answer(w, resp, gerr)
		}
	}
	return resourceNotFound(params[0])
}

func (s *Server) policyAssignmentExpander(src map[string]any, opt expandOption) any {
	if opt.name != "policy" {
		return nil
	}
	id, _ := src["policyId"].(string)
	p := s.dir.rbac.policy(id)
	if p == nil {
		return nil
	}
	out := rolePolicySchema.project(p.data, nil)
	for _, nested := range opt.nested {
		out[nested.name] = expandPolicy(p, nested)
	}
	return out
}
