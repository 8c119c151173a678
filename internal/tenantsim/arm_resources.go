package tenantsim

// ARM resource groups (Microsoft.Resources) and Log Analytics workspaces (Microsoft.OperationalInsights), plus the
// ARM fixtures: resource group rg-security holding workspace law-security, and another team's Entra diagnostic
// setting sentinel-export that sends AuditLogs to it.

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ARM fixtures of the default tenant.
const (
	SecurityResourceGroup    = "rg-security"  // resource group of the seeded workspace (Info.ResourceGroup)
	SecurityWorkspaceName    = "law-security" // Log Analytics workspace Entra's diagnostic settings send to (Info.WorkspaceID)
	SecurityLocation         = "westeurope"
	ForeignDiagnosticSetting = "sentinel-export" // another team's Entra diagnostic setting (AuditLogs to the workspace)
)

// securityWorkspaceID is the full ARM id of the seeded workspace.
func securityWorkspaceID(subscriptionID string) string {
	return armResourceGroupID(subscriptionID, SecurityResourceGroup) + "/providers/Microsoft.OperationalInsights/workspaces/" + SecurityWorkspaceName
}

// foreignDiagnosticSettingID is the id of the seeded foreign diagnostic setting.
func foreignDiagnosticSettingID() string {
	return "/providers/microsoft.aadiam/diagnosticSettings/" + ForeignDiagnosticSetting
}

// defaultARMRoles are the main app's role assignments: Owner on the subscription and Contributor on Entra ID's
// diagnostic settings provider.
func defaultARMRoles(subscriptionID string) []ARMRole {
	return []ARMRole{
		{Role: "Owner", Scope: "/subscriptions/" + subscriptionID},
		{Role: "Contributor", Scope: "/providers/Microsoft.aadiam"},
	}
}

var (
	kindResourceGroup = &armKind{
		namespace: "Microsoft.Resources", typeName: "resourceGroups", resourceManager: true,
		actionPrefix: "Microsoft.Resources/subscriptions/resourceGroups", answerType: "Microsoft.Resources/resourceGroups",
		versions: []string{"2024-11-01", "2024-07-01", "2024-03-01", "2023-07-01", "2022-09-01", "2021-04-01", "2021-01-01", "2020-10-01", "2020-06-01", "2019-10-01"},
	}
	kindWorkspace = &armKind{
		namespace: "Microsoft.OperationalInsights", typeName: "workspaces",
		actionPrefix: "Microsoft.OperationalInsights/workspaces", answerType: "Microsoft.OperationalInsights/workspaces",
		versions: []string{"2023-09-01", "2022-10-01"}, locations: armRegions,
	}
)

// seed adds the ARM fixtures.
func (a *armState) seed() {
	created := time.Date(2024, 2, 12, 9, 30, 0, 0, time.UTC)
	a.put(&armResource{kind: kindResourceGroup, data: map[string]any{
		"id": armResourceGroupID(a.subscriptionID, SecurityResourceGroup), "name": SecurityResourceGroup,
		"type": kindResourceGroup.answerType, "location": SecurityLocation, "tags": map[string]any{"owner": "secops"},
		"properties": map[string]any{"provisioningState": "Succeeded"},
	}})
	wsID := securityWorkspaceID(a.subscriptionID)
	a.put(&armResource{kind: kindWorkspace, data: map[string]any{
		"id": wsID, "name": SecurityWorkspaceName, "type": kindWorkspace.answerType, "location": SecurityLocation,
		"tags": map[string]any{},
		"properties": map[string]any{
			"customerId":        uuid.NewSHA1(uuid.NameSpaceURL, []byte(strings.ToLower(wsID))).String(),
			"provisioningState": "Succeeded",
			"sku":               map[string]any{"name": "PerGB2018", "lastSkuUpdate": created.Format(time.RFC3339)},
			"retentionInDays":   float64(30),
			"features":          map[string]any{"legacy": float64(0), "searchVersion": float64(1), "enableLogAccessUsingOnlyResourcePermissions": true},
			"workspaceCapping": map[string]any{
				"dailyQuotaGb": float64(-1), "quotaNextResetTime": created.Add(24 * time.Hour).Format(time.RFC3339),
				"dataIngestionStatus": "RespectQuota",
			},
			"publicNetworkAccessForIngestion": "Enabled",
			"publicNetworkAccessForQuery":     "Enabled",
			"createdDate":                     created.Format(time.RFC3339),
			"modifiedDate":                    created.Format(time.RFC3339),
		},
	}})
	a.put(&armResource{kind: kindDiagnosticSetting, data: diagnosticSettingAnswer(foreignDiagnosticSettingID(), ForeignDiagnosticSetting,
		map[string]any{
			"workspaceId": wsID,
			"logs":        []any{map[string]any{"category": "AuditLogs", "enabled": true}},
		})})
}

// ---- resource groups ----

// resourceGroupSchema is Microsoft.Resources' ResourceGroup model.
var resourceGroupSchema = sObject("ResourceGroup", map[string]*armSchema{
	"id": sString, "name": sString, "type": sString, "location": sString, "managedBy": sString, "tags": sStringMap,
	"properties": sObject("ResourceGroupProperties", map[string]*armSchema{"provisioningState": sString}),
})

// listResourceGroups answers the resource groups the caller may read: all of them with read access on the
// subscription, else those it holds a role on (ARM filters the list rather than refusing it).
func (s *Server) listResourceGroups(w http.ResponseWriter, c *armCall) *armError {
	action := armAction(kindResourceGroup, http.MethodGet)
	s.dir.mu.RLock()
	value := []any{}
	for _, res := range s.dir.arm.list(kindResourceGroup, "/subscriptions/"+s.dir.subscriptionID) {
		if c.principal.can(action, res.id()) {
			value = append(value, copyObject(res.data))
		}
	}
	s.dir.mu.RUnlock()
	if len(value) == 0 && !c.principal.can(action, c.id) {
		return c.principal.authorize(action, c.id)
	}
	writeARMJSON(w, http.StatusOK, map[string]any{"value": value})
	return nil
}

func (s *Server) getResourceGroup(w http.ResponseWriter, c *armCall) *armError {
	s.dir.mu.RLock()
	rg := s.dir.arm.resourceGroup(c.params[1])
	var out map[string]any
	if rg != nil {
		out = copyObject(rg.data)
	}
	s.dir.mu.RUnlock()
	if out == nil {
		return armResourceGroupNotFound(c.params[1])
	}
	writeARMJSON(w, http.StatusOK, out)
	return nil
}

// headResourceGroup is ARM's existence check: 204 or 404, no body.
func (s *Server) headResourceGroup(w http.ResponseWriter, c *armCall) *armError {
	s.dir.mu.RLock()
	exists := s.dir.arm.resourceGroup(c.params[1]) != nil
	s.dir.mu.RUnlock()
	if !exists {
		return armResourceGroupNotFound(c.params[1])
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// putResourceGroup creates (201) or updates (200) a resource group. A group's location cannot change.
func (s *Server) putResourceGroup(w http.ResponseWriter, c *armCall) *armError {
	body, aerr := readARMBody(c.r)
	if aerr != nil {
		return aerr
	}
	if msg := resourceGroupSchema.validate(body, ""); msg != "" {
		return armInvalidContent(msg)
	}
	location, _ := body["location"].(string)
	if location == "" {
		return armLocationRequired()
	}
	if !slices.Contains(armRegions, normalizeLocation(location)) {
		return newARMError(http.StatusBadRequest, "LocationNotAvailableForResourceGroup",
			"The provided location '"+location+"' is not available for resource group. List of available regions is '"+strings.Join(armRegions, ",")+"'.")
	}
	body = armPlainJSON(body)
	name := c.params[1]
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	existing := s.dir.arm.resourceGroup(name)
	status := http.StatusCreated
	data := map[string]any{
		"id": armResourceGroupID(s.dir.subscriptionID, name), "name": name, "type": kindResourceGroup.answerType,
		"location": normalizeLocation(location), "properties": map[string]any{"provisioningState": "Succeeded"},
	}
	if existing != nil {
		status = http.StatusOK
		if old, _ := existing.data["location"].(string); old != normalizeLocation(location) {
			return newARMError(http.StatusConflict, "InvalidResourceGroupLocation",
				"Invalid resource group location '"+location+"'. The Resource group already exists in location '"+old+"'.")
		}
		data["id"], data["name"] = existing.data["id"], existing.data["name"]
	}
	data["tags"] = map[string]any{}
	if tags, ok := body["tags"].(map[string]any); ok {
		data["tags"] = tags
	}
	if managedBy, ok := body["managedBy"].(string); ok {
		data["managedBy"] = managedBy
	}
	s.dir.arm.put(&armResource{kind: kindResourceGroup, data: data})
	writeARMJSON(w, status, copyObject(data))
	return nil
}

// deleteResourceGroup deletes a group and every resource in it, synchronously (ARM answers 202 and works in the
// background; 200 is what a client sees once the operation completes).
func (s *Server) deleteResourceGroup(w http.ResponseWriter, c *armCall) *armError {
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	rg := s.dir.arm.resourceGroup(c.params[1])
	if rg == nil {
		return armResourceGroupNotFound(c.params[1])
	}
	prefix := strings.ToLower(rg.id()) + "/"
	for _, key := range append([]string{}, s.dir.arm.order...) {
		if strings.HasPrefix(key, prefix) {
			s.dir.arm.remove(key)
		}
	}
	s.dir.arm.remove(rg.id())
	w.WriteHeader(http.StatusOK)
	return nil
}

// ---- Log Analytics workspaces ----

// listWorkspaces answers the workspaces of a resource group or of the subscription.
func (s *Server) listWorkspaces(w http.ResponseWriter, c *armCall) *armError {
	return s.listARMResources(w, c)
}
