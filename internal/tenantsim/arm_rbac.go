package tenantsim

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Azure role-based access control for ARM calls: the built-in roles an app may hold (App.ARMRoles), the action
// each call needs, and the AuthorizationFailed answers.

// armRoleDefinition is the Actions and NotActions of a built-in Azure role (the parts that matter here).
type armRoleDefinition struct{ actions, notActions []string }

// armRoleDefinitions are the built-in roles App.ARMRoles may name, from the Azure built-in roles reference.
var armRoleDefinitions = map[string]armRoleDefinition{
	"owner": {actions: []string{"*"}},
	"contributor": {actions: []string{"*"}, notActions: []string{
		"Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action",
		"Microsoft.Blueprint/blueprintAssignments/write", "Microsoft.Blueprint/blueprintAssignments/delete",
		"Microsoft.Compute/galleries/share/action", "Microsoft.Purview/consents/write", "Microsoft.Purview/consents/delete",
		"Microsoft.Resources/deploymentStacks/manageDenySetting/action", "Microsoft.Subscription/cancel/action",
		"Microsoft.Subscription/enable/action",
	}},
	"reader": {actions: []string{"*/read"}},
	"monitoring contributor": {actions: []string{
		"*/read", "Microsoft.AlertsManagement/alerts/*", "Microsoft.AlertsManagement/alertsSummary/*",
		"Microsoft.Insights/actiongroups/*", "Microsoft.Insights/activityLogAlerts/*", "Microsoft.Insights/AlertRules/*",
		"Microsoft.Insights/components/*", "Microsoft.Insights/createNotifications/*", "Microsoft.Insights/dataCollectionEndpoints/*",
		"Microsoft.Insights/dataCollectionRules/*", "Microsoft.Insights/dataCollectionRuleAssociations/*",
		"Microsoft.Insights/DiagnosticSettings/*", "Microsoft.Insights/eventtypes/*", "Microsoft.Insights/LogDefinitions/*",
		"Microsoft.Insights/metricalerts/*", "Microsoft.Insights/MetricDefinitions/*", "Microsoft.Insights/Metrics/*",
		"Microsoft.Insights/notificationStatus/*", "Microsoft.Insights/Register/Action", "Microsoft.Insights/scheduledqueryrules/*",
		"Microsoft.Insights/webtests/*", "Microsoft.Insights/workbooks/*", "Microsoft.Insights/workbooktemplates/*",
		"Microsoft.Insights/privateLinkScopes/*", "Microsoft.Insights/privateLinkScopeOperationStatuses/*",
		"Microsoft.OperationalInsights/workspaces/write", "Microsoft.OperationalInsights/workspaces/intelligencepacks/*",
		"Microsoft.OperationalInsights/workspaces/savedSearches/*", "Microsoft.OperationalInsights/workspaces/search/action",
		"Microsoft.OperationalInsights/workspaces/sharedKeys/action", "Microsoft.OperationalInsights/workspaces/storageinsightconfigs/*",
		"Microsoft.Support/*", "Microsoft.AlertsManagement/smartDetectorAlertRules/*", "Microsoft.AlertsManagement/actionRules/*",
		"Microsoft.AlertsManagement/smartGroups/*",
	}},
	"monitoring reader": {actions: []string{"*/read", "Microsoft.OperationalInsights/workspaces/search/action", "Microsoft.Support/*"}},
}

// allows reports whether the role grants action (wildcards as in role definitions, case-insensitive).
func (d armRoleDefinition) allows(action string) bool {
	granted := false
	for _, a := range d.actions {
		if armWildcardMatch(a, action) {
			granted = true
			break
		}
	}
	if !granted {
		return false
	}
	for _, a := range d.notActions {
		if armWildcardMatch(a, action) {
			return false
		}
	}
	return true
}

// armWildcardMatch matches an action against a pattern in which "*" stands for any text.
func armWildcardMatch(pattern, action string) bool {
	pattern, action = strings.ToLower(pattern), strings.ToLower(action)
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == action
	}
	if !strings.HasPrefix(action, parts[0]) {
		return false
	}
	rest := action[len(parts[0]):]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, part)
		if i < 0 {
			return false
		}
		rest = rest[i+len(part):]
	}
	return strings.HasSuffix(rest, parts[len(parts)-1])
}

// scopeCovers reports whether a role assignment's scope contains resource id (a path prefix, case-insensitive).
func scopeCovers(scope, id string) bool {
	scope = strings.ToLower(strings.TrimRight(scope, "/"))
	id = strings.ToLower(id)
	return scope == "" || id == scope || strings.HasPrefix(id, scope+"/")
}

// validARMRole checks a role assignment of App.ARMRoles.
func validARMRole(role ARMRole) error {
	if _, ok := armRoleDefinitions[strings.ToLower(role.Role)]; !ok {
		names := make([]string, 0, len(armRoleDefinitions))
		for name := range armRoleDefinitions {
			names = append(names, name)
		}
		sort.Strings(names)
		return fmt.Errorf("unknown ARM role %q (known: %s)", role.Role, strings.Join(names, ", "))
	}
	if !strings.HasPrefix(role.Scope, "/") {
		return fmt.Errorf("ARM role scope %q does not start with '/'", role.Scope)
	}
	return nil
}

// armPrincipal is the caller as ARM's authorization sees it.
type armPrincipal struct {
	client, objectID string // as ARM names them in AuthorizationFailed
	roles            []ARMRole
}

// armPrincipalFor resolves the caller's role assignments. Service principals are named by object id twice, as ARM
// does; users by UPN. Users hold no ARM role assignments in the simulator.
func (s *Server) armPrincipalFor(claims *accessClaims) armPrincipal {
	if claims == nil {
		return armPrincipal{}
	}
	p := armPrincipal{client: claims.ObjectID, objectID: claims.ObjectID}
	if claims.IDType == "user" {
		if claims.UPN != "" {
			p.client = claims.UPN
		}
		return p
	}
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	if app := s.dir.app(claims.AppID); app != nil {
		p.roles = append([]ARMRole{}, app.ARMRoles...)
	}
	return p
}

// can reports whether a role assigned at a scope containing id grants action.
func (p armPrincipal) can(action, id string) bool {
	for _, ra := range p.roles {
		if def, ok := armRoleDefinitions[strings.ToLower(ra.Role)]; ok && scopeCovers(ra.Scope, id) && def.allows(action) {
			return true
		}
	}
	return false
}

func (p armPrincipal) authorize(action, scope string) *armError {
	if p.can(action, scope) {
		return nil
	}
	return newARMError(http.StatusForbidden, "AuthorizationFailed",
		fmt.Sprintf("The client '%s' with object id '%s' does not have authorization to perform action '%s' over scope '%s' or the scope is invalid. If access was recently granted, please refresh your credentials.",
			p.client, p.objectID, action, scope))
}

// authorizeLinked checks read access on the resources a write links to (ARM's linked access check), e.g. a
// scheduled query rule's workspace and action groups.
func (p armPrincipal) authorizeLinked(action, scope string, linked []string) *armError {
	var actions, scopes []string
	for _, id := range linked {
		if read := readActionFor(id); !p.can(read, id) {
			actions, scopes = append(actions, read), append(scopes, id)
		}
	}
	if len(scopes) == 0 {
		return nil
	}
	return newARMError(http.StatusForbidden, "LinkedAuthorizationFailed",
		fmt.Sprintf("The client '%s' with object id '%s' has permission to perform action '%s' on scope '%s'; however, it does not have permission to perform action(s) '%s' on the linked scope(s) '%s' (respectively) or the linked scope(s) are invalid.",
			p.client, p.objectID, action, scope, strings.Join(actions, ","), strings.Join(scopes, ",")))
}

// armAction is the RBAC action of a request on a kind.
func armAction(kind *armKind, method string) string {
	switch method {
	case http.MethodPut, http.MethodPatch, http.MethodPost:
		return kind.actionPrefix + "/write"
	case http.MethodDelete:
		return kind.actionPrefix + "/delete"
	}
	return kind.actionPrefix + "/read"
}

// readActionFor is the read action for any resource id: {namespace}/{type}[/{type}...]/read.
func readActionFor(id string) string {
	segs := pathSegments(id)
	for i := len(segs) - 1; i >= 0; i-- {
		if strings.EqualFold(segs[i], "providers") && i+1 < len(segs) {
			parts := []string{segs[i+1]}
			for j := i + 2; j < len(segs); j += 2 {
				parts = append(parts, segs[j])
			}
			return strings.Join(parts, "/") + "/read"
		}
	}
	switch {
	case len(segs) >= 4 && strings.EqualFold(segs[2], "resourceGroups"):
		return "Microsoft.Resources/subscriptions/resourceGroups/read"
	case len(segs) >= 2:
		return "Microsoft.Resources/subscriptions/read"
	}
	return "*/read"
}

// AssignARMRole adds a role assignment to a registered app, as an administrator granting access after the fact.
func (s *Server) AssignARMRole(clientID string, role ARMRole) error {
	if err := validARMRole(role); err != nil {
		return err
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	app := s.dir.app(clientID)
	if app == nil {
		return fmt.Errorf("no app with client id %s", clientID)
	}
	app.ARMRoles = append(append([]ARMRole{}, app.ARMRoles...), role)
	return nil
}
