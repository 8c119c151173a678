package tenantsim

// Azure Monitor resources the breakglass_alert resource manages: Entra ID's tenant diagnostic settings
// (microsoft.aadiam, 2017-04-01), action groups (Microsoft.Insights, 2023-01-01 and 2021-09-01) and scheduled
// query rules, i.e. log search alerts (Microsoft.Insights, 2023-12-01 and 2021-08-01). Bodies are validated
// against the swagger models (internal/fidelity/spec/arm) and the conditions their
// descriptions state in prose.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

var (
	kindDiagnosticSetting = &armKind{
		namespace: "microsoft.aadiam", typeName: "diagnosticSettings",
		actionPrefix: "microsoft.aadiam/diagnosticSettings", answerType: "microsoft.aadiam/diagnosticSettings",
		versions: []string{"2017-04-01"},
	}
	kindDiagnosticCategory = &armKind{
		namespace: "microsoft.aadiam", typeName: "diagnosticSettingsCategories",
		actionPrefix: "microsoft.aadiam/diagnosticSettingsCategories", answerType: "microsoft.aadiam/diagnosticSettingsCategories",
		versions: []string{"2017-04-01"},
	}
	kindActionGroup = &armKind{
		namespace: "Microsoft.Insights", typeName: "actionGroups",
		actionPrefix: "Microsoft.Insights/actionGroups", answerType: "Microsoft.Insights/ActionGroups",
		versions:  []string{"2023-01-01", "2021-09-01"},
		locations: []string{"global", "swedencentral", "germanywestcentral", "northcentralus", "southcentralus"},
	}
	kindScheduledQueryRule = &armKind{
		namespace: "Microsoft.Insights", typeName: "scheduledQueryRules",
		actionPrefix: "Microsoft.Insights/scheduledQueryRules", answerType: "microsoft.insights/scheduledqueryrules",
		versions: []string{"2023-12-01", "2021-08-01"}, locations: armRegions,
		project: projectScheduledQueryRule,
	}
)

// ---- Entra ID diagnostic settings ----

// EntraLogCategories are the log categories Entra ID's diagnostic settings accept. The spec's enum lists only
// AuditLogs and SignInLogs and is extensible; the service takes these (the template reference and terraform
// users' settings). Note SignInLogs with a capital I, while the Log Analytics table is SigninLogs.
var EntraLogCategories = []string{
	"AuditLogs", "SignInLogs", "NonInteractiveUserSignInLogs", "ServicePrincipalSignInLogs", "ManagedIdentitySignInLogs",
	"ProvisioningLogs", "ADFSSignInLogs", "RiskyUsers", "UserRiskEvents", "RiskyServicePrincipals",
	"ServicePrincipalRiskEvents", "MicrosoftGraphActivityLogs", "NetworkAccessTrafficLogs", "EnrichedOffice365AuditLogs",
	"B2CRequestLogs", "RemoteNetworkHealthLogs", "NetworkAccessAlerts",
}

var diagnosticSettingSchema = sObject("DiagnosticSettingsResource", map[string]*armSchema{
	"id": sString, "name": sString, "type": sString,
	// Answers carry location and tags as null (a proxy resource has neither); a body echoing an answer may too.
	"location": sNullOnly, "tags": sNullOnly,
	"properties": sObject("DiagnosticSettings", map[string]*armSchema{
		"storageAccountId": sString, "serviceBusRuleId": sString, "workspaceId": sString,
		"eventHubAuthorizationRuleId": sString, "eventHubName": sString,
		"logs": sArray(sObject("LogSettings", map[string]*armSchema{
			"category": sString, "enabled": sBool,
			"retentionPolicy": sObject("RetentionPolicy", map[string]*armSchema{"enabled": sBool, "days": sInt}, "enabled", "days"),
		}, "enabled")),
	}),
})

// sNullOnly is a member that may only be null.
var sNullOnly = &armSchema{kind: schemaNullOnly}

// diagnosticSettingAnswer is a diagnostic setting as ARM answers it: every destination member present (null when
// unset) and each log category's retention policy filled in.
func diagnosticSettingAnswer(id, name string, props map[string]any) map[string]any {
	p := map[string]any{
		"storageAccountId": nil, "serviceBusRuleId": nil, "workspaceId": nil,
		"eventHubAuthorizationRuleId": nil, "eventHubName": nil, "logs": []any{},
	}
	for k, v := range props {
		p[k] = deepCopy(v)
	}
	if logs, ok := p["logs"].([]any); ok {
		for _, l := range logs {
			if entry, ok := l.(map[string]any); ok {
				if _, set := entry["retentionPolicy"]; !set || entry["retentionPolicy"] == nil {
					entry["retentionPolicy"] = map[string]any{"enabled": false, "days": float64(0)}
				}
			}
		}
	} else {
		p["logs"] = []any{}
	}
	return map[string]any{
		"id": id, "name": name, "type": kindDiagnosticSetting.answerType, "location": nil, "tags": nil, "properties": p,
	}
}

// listDiagnosticSettings answers the tenant's diagnostic settings.
func (s *Server) listDiagnosticSettings(w http.ResponseWriter, c *armCall) *armError {
	s.dir.mu.RLock()
	value := []any{}
	for _, res := range s.dir.arm.list(kindDiagnosticSetting, "/") {
		value = append(value, copyObject(res.data))
	}
	s.dir.mu.RUnlock()
	writeARMJSON(w, http.StatusOK, map[string]any{"value": value})
	return nil
}

// listDiagnosticCategories answers the log categories Entra ID offers.
func (s *Server) listDiagnosticCategories(w http.ResponseWriter, c *armCall) *armError {
	value := make([]any, len(EntraLogCategories))
	for i, cat := range EntraLogCategories {
		value[i] = map[string]any{
			"id": "/providers/microsoft.aadiam/diagnosticSettingsCategories/" + cat, "name": cat,
			"type": kindDiagnosticCategory.answerType, "properties": map[string]any{"categoryType": "Logs"},
		}
	}
	writeARMJSON(w, http.StatusOK, map[string]any{"value": value})
	return nil
}

// putDiagnosticSetting creates or replaces a tenant diagnostic setting (200 either way, as the spec says).
func (s *Server) putDiagnosticSetting(w http.ResponseWriter, c *armCall) *armError {
	body, aerr := readARMBody(c.r)
	if aerr != nil {
		return aerr
	}
	if msg := diagnosticSettingSchema.validate(body, ""); msg != "" {
		return armInvalidContent(msg)
	}
	body = armPlainJSON(body)
	props, _ := body["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	if aerr := s.validateDiagnosticSetting(c.id, props); aerr != nil {
		return aerr
	}
	id, name := c.id, c.name()
	if existing := s.dir.arm.get(c.id); existing != nil {
		id, _ = existing.data["id"].(string)
		name, _ = existing.data["name"].(string)
	}
	stored := map[string]any{}
	for _, k := range []string{"storageAccountId", "serviceBusRuleId", "workspaceId", "eventHubAuthorizationRuleId", "eventHubName", "logs"} {
		if v, ok := props[k]; ok {
			stored[k] = v
		}
	}
	data := diagnosticSettingAnswer(id, name, stored)
	// An Entra diagnostic setting can answer 404 to a GET a quarter of a second after its PUT answered 200
	// (azure-rest-api-specs#30249 and #38858, terraform-provider-azurerm#30808): its reads lag its writes like
	// Entra's own objects, so it follows the same replica knobs (Knobs.StaleReadWindow, StaleReadRate).
	res := &armResource{kind: kindDiagnosticSetting, data: data, writtenAt: time.Now()}
	if existing := s.dir.arm.get(c.id); existing != nil {
		res.before = existing.data
	}
	s.dir.arm.put(res)
	writeARMJSON(w, http.StatusOK, copyObject(data))
	return nil
}

// validateDiagnosticSetting checks destinations and categories. The caller holds the lock.
func (s *Server) validateDiagnosticSetting(id string, props map[string]any) *armError {
	destinations := 0
	for _, member := range []string{"workspaceId", "storageAccountId", "eventHubAuthorizationRuleId", "serviceBusRuleId"} {
		value, _ := props[member].(string)
		if value == "" {
			continue
		}
		destinations++
		if !strings.HasPrefix(strings.ToLower(value), "/subscriptions/") && !strings.HasPrefix(strings.ToLower(value), "/providers/") {
			return newARMError(http.StatusBadRequest, "LinkedInvalidPropertyId",
				fmt.Sprintf("Property id '%s' at path 'properties.%s' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'.", value, member))
		}
		res := s.dir.arm.get(value)
		if member == "workspaceId" && (res == nil || res.kind != kindWorkspace) {
			return armBadRequest(fmt.Sprintf("The Log Analytics workspace '%s' could not be found. Check that properties.workspaceId is the resource id of an existing workspace.", value))
		}
		if member != "workspaceId" && res == nil {
			return armBadRequest(fmt.Sprintf("The resource '%s' given as properties.%s could not be found.", value, member))
		}
	}
	if destinations == 0 {
		return armBadRequest("At least one destination (workspaceId, storageAccountId, eventHubAuthorizationRuleId) must be specified.")
	}
	logs, _ := props["logs"].([]any)
	seen := map[string]bool{}
	var enabled []string
	for i, l := range logs {
		entry, _ := l.(map[string]any)
		category, _ := entry["category"].(string)
		if category == "" {
			return armBadRequest(fmt.Sprintf("Property 'properties.logs[%d].category' is required.", i))
		}
		if !slices.Contains(EntraLogCategories, category) {
			return armBadRequest(fmt.Sprintf("Category '%s' is not supported.", category))
		}
		if seen[category] {
			return armBadRequest(fmt.Sprintf("Category '%s' is specified more than once.", category))
		}
		seen[category] = true
		if rp, ok := entry["retentionPolicy"].(map[string]any); ok {
			if days, _ := armNumber(rp["days"]); days < 0 {
				return armBadRequest(fmt.Sprintf("The retention days for category '%s' must be 0 or more.", category))
			}
		}
		if on, _ := entry["enabled"].(bool); on {
			enabled = append(enabled, category)
		}
	}
	// A data sink cannot take the same category from two settings of the same resource (here: the tenant): Azure
	// Monitor answers 409 Conflict, e.g. when Sentinel's Entra ID connector already sends that category there.
	workspace, _ := props["workspaceId"].(string)
	if workspace == "" {
		return nil
	}
	for _, other := range s.dir.arm.list(kindDiagnosticSetting, "/") {
		if strings.EqualFold(other.id(), id) {
			continue
		}
		op, _ := other.data["properties"].(map[string]any)
		if ws, _ := op["workspaceId"].(string); !strings.EqualFold(ws, workspace) {
			continue
		}
		otherLogs, _ := op["logs"].([]any)
		for _, l := range otherLogs {
			entry, _ := l.(map[string]any)
			category, _ := entry["category"].(string)
			if on, _ := entry["enabled"].(bool); on && slices.Contains(enabled, category) {
				return newARMError(http.StatusConflict, "Conflict", fmt.Sprintf("Data sink '%s' is already used in diagnostic setting '%s' for category '%s'. Data sinks can't be reused in different settings on the same category for the same resource.",
					workspace, other.data["name"], category))
			}
		}
	}
	return nil
}

// ---- action groups ----

func agReceiverSchema(name string, props map[string]*armSchema, required ...string) *armSchema {
	return sArray(sObject(name, props, required...))
}

var receiverStatus = sEnum("ReceiverStatus", "NotSpecified", "Enabled", "Disabled")

// actionGroupSchema is ActionGroupResource of 2023-01-01.
var actionGroupSchema = sObject("ActionGroupResource", map[string]*armSchema{
	"id": sString, "name": sString, "type": sString, "location": sString, "tags": sStringMap,
	"properties": sObject("ActionGroup", map[string]*armSchema{
		"groupShortName": sString, "enabled": sBool,
		"emailReceivers": agReceiverSchema("EmailReceiver", map[string]*armSchema{
			"name": sString, "emailAddress": sString, "useCommonAlertSchema": sBool, "status": receiverStatus,
		}, "name", "emailAddress"),
		"smsReceivers": agReceiverSchema("SmsReceiver", map[string]*armSchema{
			"name": sString, "countryCode": sString, "phoneNumber": sString, "status": receiverStatus,
		}, "name", "countryCode", "phoneNumber"),
		"webhookReceivers": agReceiverSchema("WebhookReceiver", map[string]*armSchema{
			"name": sString, "serviceUri": sString, "useCommonAlertSchema": sBool, "useAadAuth": sBool,
			"objectId": sString, "identifierUri": sString, "tenantId": sString,
		}, "name", "serviceUri"),
		"itsmReceivers": agReceiverSchema("ItsmReceiver", map[string]*armSchema{
			"name": sString, "workspaceId": sString, "connectionId": sString, "ticketConfiguration": sString, "region": sString,
		}, "name", "workspaceId", "connectionId", "ticketConfiguration", "region"),
		"azureAppPushReceivers": agReceiverSchema("AzureAppPushReceiver", map[string]*armSchema{
			"name": sString, "emailAddress": sString,
		}, "name", "emailAddress"),
		"automationRunbookReceivers": agReceiverSchema("AutomationRunbookReceiver", map[string]*armSchema{
			"automationAccountId": sString, "runbookName": sString, "webhookResourceId": sString, "isGlobalRunbook": sBool,
			"name": sString, "serviceUri": sString, "useCommonAlertSchema": sBool,
		}, "automationAccountId", "runbookName", "webhookResourceId", "isGlobalRunbook"),
		"voiceReceivers": agReceiverSchema("VoiceReceiver", map[string]*armSchema{
			"name": sString, "countryCode": sString, "phoneNumber": sString,
		}, "name", "countryCode", "phoneNumber"),
		"logicAppReceivers": agReceiverSchema("LogicAppReceiver", map[string]*armSchema{
			"name": sString, "resourceId": sString, "callbackUrl": sString, "useCommonAlertSchema": sBool,
		}, "name", "resourceId", "callbackUrl"),
		"azureFunctionReceivers": agReceiverSchema("AzureFunctionReceiver", map[string]*armSchema{
			"name": sString, "functionAppResourceId": sString, "functionName": sString, "httpTriggerUrl": sString, "useCommonAlertSchema": sBool,
		}, "name", "functionAppResourceId", "functionName", "httpTriggerUrl"),
		"armRoleReceivers": agReceiverSchema("ArmRoleReceiver", map[string]*armSchema{
			"name": sString, "roleId": sString, "useCommonAlertSchema": sBool,
		}, "name", "roleId"),
		"eventHubReceivers": agReceiverSchema("EventHubReceiver", map[string]*armSchema{
			"name": sString, "eventHubNameSpace": sString, "eventHubName": sString, "useCommonAlertSchema": sBool,
			"tenantId": sString, "subscriptionId": sString,
		}, "name", "eventHubNameSpace", "eventHubName", "subscriptionId"),
	}, "groupShortName", "enabled"),
}, "properties")

// actionGroupSchema2021 is 2021-09-01's: AzureResource also lists kind and identity (read-only).
var actionGroupSchema2021 = actionGroupSchema.with(map[string]*armSchema{"kind": sString, "identity": sString}, nil)

var actionGroupPatchSchema = sObject("ActionGroupPatchBody", map[string]*armSchema{
	"tags":       sStringMap,
	"properties": sObject("ActionGroupPatch", map[string]*armSchema{"enabled": sBool}),
})

// actionGroupReceiverKinds are the receiver arrays of an action group; every answer has all of them.
var actionGroupReceiverKinds = []string{
	"emailReceivers", "smsReceivers", "webhookReceivers", "itsmReceivers", "azureAppPushReceivers",
	"automationRunbookReceivers", "voiceReceivers", "logicAppReceivers", "azureFunctionReceivers", "armRoleReceivers",
	"eventHubReceivers",
}

// putActionGroup creates (201) or replaces (200) an action group.
func (s *Server) putActionGroup(w http.ResponseWriter, c *armCall) *armError {
	body, aerr := readARMBody(c.r)
	if aerr != nil {
		return aerr
	}
	if body["location"] == nil {
		return armLocationRequired()
	}
	schema := actionGroupSchema
	if c.apiVersion == "2021-09-01" {
		schema = actionGroupSchema2021
	}
	if msg := schema.validate(body, ""); msg != "" {
		return armInvalidContent(msg)
	}
	location, _ := body["location"].(string)
	if location == "" {
		return armLocationRequired()
	}
	if !kindActionGroup.knowsLocation(location) {
		return locationNotAvailable(location, kindActionGroup)
	}
	body = armPlainJSON(body)
	props, _ := body["properties"].(map[string]any)
	if aerr := validateActionGroup(props); aerr != nil {
		return aerr
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	existing := s.dir.arm.get(c.id)
	status := http.StatusCreated
	id, name := c.id, c.name()
	if existing != nil {
		status = http.StatusOK
		id, _ = existing.data["id"].(string)
		name, _ = existing.data["name"].(string)
	}
	data := map[string]any{
		"id": id, "name": name, "type": kindActionGroup.answerType, "location": location,
		"tags": map[string]any{}, "properties": actionGroupProperties(props),
	}
	if tags, ok := body["tags"].(map[string]any); ok {
		data["tags"] = tags
	}
	s.dir.arm.put(&armResource{kind: kindActionGroup, data: data})
	writeARMJSON(w, status, copyObject(data))
	return nil
}

// validateActionGroup checks what the model alone does not.
func validateActionGroup(props map[string]any) *armError {
	short, _ := props["groupShortName"].(string)
	if len(short) > 12 {
		return newARMError(http.StatusBadRequest, "GroupShortNameIsTooLong",
			fmt.Sprintf("The action group short name '%s' is too long. Please specify a short name with '12' or less characters.", short))
	}
	if strings.TrimSpace(short) == "" {
		return armBadRequest("The action group short name must not be empty.")
	}
	names := map[string]bool{}
	for _, kind := range actionGroupReceiverKinds {
		list, _ := props[kind].([]any)
		for i, item := range list {
			receiver, _ := item.(map[string]any)
			if name, ok := receiver["name"].(string); ok {
				if names[strings.ToLower(name)] {
					return armBadRequest(fmt.Sprintf("The receiver name '%s' is used more than once. Receiver names must be unique within an action group.", name))
				}
				names[strings.ToLower(name)] = true
			}
			if email, ok := receiver["emailAddress"].(string); ok && (!strings.Contains(email, "@") || strings.ContainsAny(email, " \t")) {
				return armBadRequest(fmt.Sprintf("The email address '%s' of %s[%d] is not valid.", email, kind, i))
			}
			if uri, ok := receiver["serviceUri"].(string); ok && kind == "webhookReceivers" {
				if u, err := url.Parse(uri); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
					return armBadRequest(fmt.Sprintf("The service uri '%s' of %s[%d] is not a valid absolute http or https URI.", uri, kind, i))
				}
			}
		}
	}
	return nil
}

// actionGroupProperties is the stored properties: what was sent, every receiver array present, email and SMS
// receivers with their status and the defaults the service fills in.
func actionGroupProperties(props map[string]any) map[string]any {
	out := copyObject(props)
	for _, kind := range actionGroupReceiverKinds {
		list, ok := out[kind].([]any)
		if !ok {
			list = []any{}
		}
		for _, item := range list {
			receiver, _ := item.(map[string]any)
			if receiver == nil {
				continue
			}
			switch kind {
			case "emailReceivers", "smsReceivers":
				receiver["status"] = "Enabled"
			}
			switch kind {
			case "emailReceivers", "webhookReceivers", "logicAppReceivers", "azureFunctionReceivers", "armRoleReceivers",
				"eventHubReceivers", "automationRunbookReceivers":
				if _, set := receiver["useCommonAlertSchema"]; !set {
					receiver["useCommonAlertSchema"] = false
				}
			}
			if kind == "webhookReceivers" {
				if _, set := receiver["useAadAuth"]; !set {
					receiver["useAadAuth"] = false
				}
			}
		}
		out[kind] = list
	}
	return out
}

// patchActionGroup updates tags and enabled, the only members ActionGroups_Update takes.
func (s *Server) patchActionGroup(w http.ResponseWriter, c *armCall) *armError {
	body, aerr := readARMBody(c.r)
	if aerr != nil {
		return aerr
	}
	if msg := actionGroupPatchSchema.validate(body, ""); msg != "" {
		return armInvalidContent(msg)
	}
	body = armPlainJSON(body)
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	res := s.dir.arm.get(c.id)
	if res == nil || res.kind != kindActionGroup {
		return c.resourceNotFound()
	}
	if tags, ok := body["tags"].(map[string]any); ok {
		res.data["tags"] = tags
	}
	if props, ok := body["properties"].(map[string]any); ok {
		if enabled, ok := props["enabled"].(bool); ok {
			stored, _ := res.data["properties"].(map[string]any)
			if stored == nil {
				stored = map[string]any{}
				res.data["properties"] = stored
			}
			stored["enabled"] = enabled
		}
	}
	writeARMJSON(w, http.StatusOK, copyObject(res.data))
	return nil
}

func locationNotAvailable(location string, kind *armKind) *armError {
	return newARMError(http.StatusBadRequest, "LocationNotAvailableForResourceType",
		fmt.Sprintf("The provided location '%s' is not available for resource type '%s'. List of available regions for the resource type is '%s'.",
			location, kind.fullType(), strings.Join(kind.locations, ",")))
}

// ---- scheduled query rules ----

var sqrPropertiesSchema = sObject("ScheduledQueryRuleProperties", map[string]*armSchema{
	"createdWithApiVersion": sString, "isLegacyLogAnalyticsRule": sBool, "description": sString, "displayName": sString,
	"severity": sInt, "enabled": sBool, "scopes": sArray(sString), "evaluationFrequency": sDuration,
	"windowSize": sDuration, "overrideQueryTimeRange": sDuration, "targetResourceTypes": sArray(sString),
	"criteria": sObject("ScheduledQueryRuleCriteria", map[string]*armSchema{
		"allOf": sArray(sObject("Condition", map[string]*armSchema{
			"query": sString, "timeAggregation": sString, "metricMeasureColumn": sString, "resourceIdColumn": sString,
			"dimensions": sArray(sObject("Dimension", map[string]*armSchema{
				"name": sString, "operator": sString, "values": sArray(sString),
			}, "name", "operator", "values")),
			"operator": sString, "threshold": sNumber,
			"failingPeriods": sObject("ConditionFailingPeriods", map[string]*armSchema{
				"numberOfEvaluationPeriods": sInt, "minFailingPeriodsToAlert": sInt,
			}),
			"metricName": sString,
		})),
	}),
	"muteActionsDuration": sDuration,
	"actions": sObject("Actions", map[string]*armSchema{
		"actionGroups": sArray(sString), "customProperties": sStringMap, "actionProperties": sStringMap,
	}),
	"isWorkspaceAlertsStorageConfigured": sBool, "checkWorkspaceAlertsStorageConfigured": sBool,
	"skipQueryValidation": sBool, "autoMitigate": sBool,
	"resolveConfiguration": sObject("RuleResolveConfiguration", map[string]*armSchema{"autoResolved": sBool, "timeToResolve": sDuration}),
})

var sqrIdentitySchema = sObject("Identity", map[string]*armSchema{
	"principalId": sString, "tenantId": sString, "type": sEnum("IdentityType", "SystemAssigned", "UserAssigned", "None"),
	"userAssignedIdentities": {kind: schemaObjectMap, items: sObject("UserIdentityProperties", map[string]*armSchema{"principalId": sString, "clientId": sString})},
}, "type")

// sqrSchema is ScheduledQueryRuleResource of 2023-12-01 ("properties" requires enabled, criteria and scopes).
var sqrSchema = sObject("ScheduledQueryRuleResource", map[string]*armSchema{
	"id": sString, "name": sString, "type": sString, "identity": sqrIdentitySchema, "tags": sStringMap, "location": sString,
	"kind": sString, "etag": sString, "systemData": sAny,
	"properties": sqrPropertiesSchema.with(nil, []string{"enabled", "criteria", "scopes"}),
}, "properties")

// sqrSchema2021 is 2021-08-01's: no identity, resolveConfiguration or actions.actionProperties.
var sqrSchema2021 = sqrSchema.with(map[string]*armSchema{
	"identity": nil,
	"properties": sqrPropertiesSchema.with(map[string]*armSchema{
		"resolveConfiguration": nil,
		"actions":              sObject("Actions", map[string]*armSchema{"actionGroups": sArray(sString), "customProperties": sStringMap}),
	}, []string{"enabled", "criteria", "scopes"}),
}, nil)

var sqrPatchSchema = sObject("ScheduledQueryRuleResourcePatch", map[string]*armSchema{
	"identity": sqrIdentitySchema, "tags": sStringMap, "properties": sqrPropertiesSchema,
})

var sqrPatchSchema2021 = sqrPatchSchema.with(map[string]*armSchema{"identity": nil, "properties": sqrSchema2021.props["properties"].with(nil, []string{})}, nil)

// Evaluation frequencies and window sizes a log search alert takes (the portal's and the service's lists; the
// service's refusal of P3D lists "Supported granularities are: 5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360,
// 1440, 2880", azure-rest-api-specs#21258, terraform-provider-azurerm#18886: no PT12H).
var (
	sqrFrequencies = []string{"PT1M", "PT5M", "PT10M", "PT15M", "PT30M", "PT45M", "PT1H", "PT2H", "PT3H", "PT4H", "PT5H", "PT6H", "P1D"}
	sqrWindows     = append(append([]string{}, sqrFrequencies...), "P2D")
	sqrAggregation = []string{"Count", "Average", "Minimum", "Maximum", "Total"}
	sqrOperators   = []string{"Equals", "GreaterThan", "GreaterThanOrEqual", "LessThan", "LessThanOrEqual"}
)

const maxActionGroupsPerRule = 5

// putScheduledQueryRule creates (201) or replaces (200) a scheduled query rule.
func (s *Server) putScheduledQueryRule(w http.ResponseWriter, c *armCall) *armError {
	body, aerr := readARMBody(c.r)
	if aerr != nil {
		return aerr
	}
	if body["location"] == nil {
		return armLocationRequired()
	}
	schema := sqrSchema
	if c.apiVersion == "2021-08-01" {
		schema = sqrSchema2021
	}
	if msg := schema.validate(body, ""); msg != "" {
		return armInvalidContent(msg)
	}
	location, _ := body["location"].(string)
	if location == "" {
		return armLocationRequired()
	}
	if !kindScheduledQueryRule.knowsLocation(location) {
		return locationNotAvailable(location, kindScheduledQueryRule)
	}
	body = armPlainJSON(body)
	if aerr := c.principal.authorizeLinked(armAction(kindScheduledQueryRule, http.MethodPut), c.id, sqrLinkedIDs(body)); aerr != nil {
		return aerr
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	if aerr := s.validateScheduledQueryRule(body); aerr != nil {
		return aerr
	}
	existing := s.dir.arm.get(c.id)
	status := http.StatusCreated
	if existing != nil && existing.kind == kindScheduledQueryRule {
		status = http.StatusOK
	} else {
		existing = nil
	}
	data := s.scheduledQueryRuleData(c, body, existing)
	s.dir.arm.put(&armResource{kind: kindScheduledQueryRule, data: data})
	writeARMJSON(w, status, kindScheduledQueryRule.present(data, c.apiVersion))
	return nil
}

// patchScheduledQueryRule merges tags, identity and properties into a rule and validates the result.
func (s *Server) patchScheduledQueryRule(w http.ResponseWriter, c *armCall) *armError {
	body, aerr := readARMBody(c.r)
	if aerr != nil {
		return aerr
	}
	schema := sqrPatchSchema
	if c.apiVersion == "2021-08-01" {
		schema = sqrPatchSchema2021
	}
	if msg := schema.validate(body, ""); msg != "" {
		return armInvalidContent(msg)
	}
	patch := armPlainJSON(body)
	s.dir.mu.RLock()
	res := s.dir.arm.get(c.id)
	var merged map[string]any
	if res != nil && res.kind == kindScheduledQueryRule {
		merged = copyObject(res.data)
	}
	s.dir.mu.RUnlock()
	if merged == nil {
		return c.resourceNotFound()
	}
	if tags, ok := patch["tags"].(map[string]any); ok {
		merged["tags"] = tags
	}
	if identity, ok := patch["identity"]; ok {
		merged["identity"] = identity
	}
	if props, ok := patch["properties"].(map[string]any); ok {
		stored, _ := merged["properties"].(map[string]any)
		if stored == nil {
			stored = map[string]any{}
			merged["properties"] = stored
		}
		mergeComplex(stored, props)
	}
	if aerr := c.principal.authorizeLinked(armAction(kindScheduledQueryRule, http.MethodPatch), c.id, sqrLinkedIDs(merged)); aerr != nil {
		return aerr
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	if aerr := s.validateScheduledQueryRule(merged); aerr != nil {
		return aerr
	}
	res = s.dir.arm.get(c.id)
	if res == nil || res.kind != kindScheduledQueryRule {
		return c.resourceNotFound()
	}
	data := s.scheduledQueryRuleData(c, merged, res)
	s.dir.arm.put(&armResource{kind: kindScheduledQueryRule, data: data})
	writeARMJSON(w, http.StatusOK, kindScheduledQueryRule.present(data, c.apiVersion))
	return nil
}

// sqrLinkedIDs are the resources a rule links to: its scopes and action groups.
func sqrLinkedIDs(body map[string]any) []string {
	props, _ := body["properties"].(map[string]any)
	var ids []string
	scopes, _ := props["scopes"].([]any)
	for _, v := range scopes {
		if id, ok := v.(string); ok && id != "" {
			ids = append(ids, id)
		}
	}
	actions, _ := props["actions"].(map[string]any)
	groups, _ := actions["actionGroups"].([]any)
	for _, v := range groups {
		if id, ok := v.(string); ok && id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// scheduledQueryRuleData is the stored rule: the body plus the server's members. The caller holds the lock.
func (s *Server) scheduledQueryRuleData(c *armCall, body map[string]any, existing *armResource) map[string]any {
	data := copyObject(body)
	var prev map[string]any
	id, name := c.id, c.name()
	if existing != nil {
		prev = existing.data
		id, _ = prev["id"].(string)
		name, _ = prev["name"].(string)
	}
	data["id"], data["name"], data["type"] = id, name, kindScheduledQueryRule.answerType
	delete(data, "etag")
	if _, ok := data["tags"].(map[string]any); !ok {
		data["tags"] = map[string]any{}
	}
	if kind, _ := data["kind"].(string); kind == "" {
		data["kind"] = "LogAlert"
	}
	data["systemData"] = armSystemData(c, prev, time.Now())
	props, _ := data["properties"].(map[string]any)
	createdWith := c.apiVersion
	if pp, ok := prev["properties"].(map[string]any); ok {
		if v, ok := pp["createdWithApiVersion"].(string); ok && v != "" {
			createdWith = v
		}
	}
	props["createdWithApiVersion"] = createdWith
	props["isLegacyLogAnalyticsRule"] = false
	props["isWorkspaceAlertsStorageConfigured"] = false
	if identity, ok := data["identity"].(map[string]any); ok {
		if t, _ := identity["type"].(string); strings.Contains(t, "SystemAssigned") {
			var prevIdentity map[string]any
			if prev != nil {
				prevIdentity, _ = prev["identity"].(map[string]any)
			}
			if pid, _ := prevIdentity["principalId"].(string); pid != "" {
				identity["principalId"] = pid
			} else {
				identity["principalId"] = armNewPrincipalID()
			}
			identity["tenantId"] = s.dir.tenantID
		} else {
			delete(identity, "principalId")
			delete(identity, "tenantId")
		}
	}
	return data
}

// projectScheduledQueryRule drops what 2021-08-01 does not have from an answer.
func projectScheduledQueryRule(data map[string]any, apiVersion string) {
	if apiVersion != "2021-08-01" {
		return
	}
	delete(data, "identity")
	props, _ := data["properties"].(map[string]any)
	delete(props, "resolveConfiguration")
	if actions, ok := props["actions"].(map[string]any); ok {
		delete(actions, "actionProperties")
	}
}

// validateScheduledQueryRule checks a log search alert rule beyond its model: the conditions the spec states in
// prose for kind LogAlert, the service's value limits and that linked resources exist. The caller holds the lock.
func (s *Server) validateScheduledQueryRule(body map[string]any) *armError {
	kind, _ := body["kind"].(string)
	if kind != "" && kind != "LogAlert" {
		return armBadRequest(fmt.Sprintf("The rule kind '%s' is not supported; only 'LogAlert' rules are.", kind))
	}
	props, _ := body["properties"].(map[string]any)
	scopes, _ := props["scopes"].([]any)
	if len(scopes) == 0 {
		return armBadRequest("The rule must have at least one scope: 'properties.scopes' is empty.")
	}
	for i, v := range scopes {
		scope, _ := v.(string)
		if !s.armScopeExists(scope) {
			return armBadRequest(fmt.Sprintf("The scope '%s' (properties.scopes[%d]) could not be found. Scopes must be ids of existing resources, such as a Log Analytics workspace.", scope, i))
		}
	}
	severity, ok := props["severity"]
	if !ok || severity == nil {
		return sqrRequired("severity")
	}
	if n, _ := armNumber(severity); n < 0 || n > 4 || n != float64(int(n)) {
		return armBadRequest(fmt.Sprintf("The severity '%v' is not valid. Valid values are 0, 1, 2, 3 and 4.", armJSONLiteral(severity)))
	}
	freq, aerr := sqrDuration(props, "evaluationFrequency", sqrFrequencies)
	if aerr != nil {
		return aerr
	}
	window, aerr := sqrDuration(props, "windowSize", sqrWindows)
	if aerr != nil {
		return aerr
	}
	if freq > window {
		return armBadRequest(fmt.Sprintf("The evaluation frequency '%s' cannot be greater than the window size '%s'.", props["evaluationFrequency"], props["windowSize"]))
	}
	// A rule evaluated every minute looks back six hours at most; P1D and P2D need a frequency of PT5M or more
	// (terraform-provider-azurerm's azurerm_monitor_scheduled_query_rules_alert_v2 docs, window_duration).
	// The wording of the service's refusal is not published; this one names both values.
	if freq == time.Minute && window > 6*time.Hour {
		return armBadRequest(fmt.Sprintf("The window size '%s' is not supported with the evaluation frequency '%s'. With a frequency of one minute the window size can be at most PT6H.",
			props["windowSize"], props["evaluationFrequency"]))
	}
	criteria, _ := props["criteria"].(map[string]any)
	conditions, _ := criteria["allOf"].([]any)
	if len(conditions) == 0 {
		return armBadRequest("The rule criteria must have at least one condition: 'properties.criteria.allOf' is empty.")
	}
	for i, v := range conditions {
		if aerr := validateCondition(v, fmt.Sprintf("criteria.allOf[%d]", i)); aerr != nil {
			return aerr
		}
	}
	actions, _ := props["actions"].(map[string]any)
	groups, _ := actions["actionGroups"].([]any)
	if len(groups) > maxActionGroupsPerRule {
		return armBadRequest(fmt.Sprintf("A rule can have at most %d action groups; %d were given.", maxActionGroupsPerRule, len(groups)))
	}
	for i, v := range groups {
		id, _ := v.(string)
		if res := s.dir.arm.get(id); res == nil || res.kind != kindActionGroup {
			return armBadRequest(fmt.Sprintf("The action group '%s' (properties.actions.actionGroups[%d]) could not be found.", id, i))
		}
	}
	return nil
}

func validateCondition(v any, path string) *armError {
	condition, _ := v.(map[string]any)
	if query, _ := condition["query"].(string); strings.TrimSpace(query) == "" {
		return sqrRequired(path + ".query")
	}
	aggregation, _ := condition["timeAggregation"].(string)
	switch {
	case aggregation == "":
		return sqrRequired(path + ".timeAggregation")
	case !slices.Contains(sqrAggregation, aggregation):
		return armBadRequest(fmt.Sprintf("The time aggregation '%s' (properties.%s.timeAggregation) is not valid. Valid values are %s.", aggregation, path, strings.Join(sqrAggregation, ", ")))
	case aggregation != "Count":
		if column, _ := condition["metricMeasureColumn"].(string); column == "" {
			return armBadRequest(fmt.Sprintf("'properties.%s.metricMeasureColumn' is required when the time aggregation is '%s'.", path, aggregation))
		}
	}
	operator, _ := condition["operator"].(string)
	switch {
	case operator == "":
		return sqrRequired(path + ".operator")
	case !slices.Contains(sqrOperators, operator):
		return armBadRequest(fmt.Sprintf("The operator '%s' (properties.%s.operator) is not valid. Valid values are %s.", operator, path, strings.Join(sqrOperators, ", ")))
	}
	if condition["threshold"] == nil {
		return sqrRequired(path + ".threshold")
	}
	dimensions, _ := condition["dimensions"].([]any)
	for j, d := range dimensions {
		dim, _ := d.(map[string]any)
		if op, _ := dim["operator"].(string); op != "Include" && op != "Exclude" {
			return armBadRequest(fmt.Sprintf("The dimension operator '%s' (properties.%s.dimensions[%d].operator) is not valid. Valid values are Include, Exclude.", op, path, j))
		}
		if values, _ := dim["values"].([]any); len(values) == 0 {
			return armBadRequest(fmt.Sprintf("'properties.%s.dimensions[%d].values' must have at least one value.", path, j))
		}
	}
	if periods, ok := condition["failingPeriods"].(map[string]any); ok {
		total, hasTotal := armNumber(periods["numberOfEvaluationPeriods"])
		if !hasTotal {
			total = 1
		}
		minimum, hasMin := armNumber(periods["minFailingPeriodsToAlert"])
		if !hasMin {
			minimum = 1
		}
		if total < 1 || total > 6 {
			return armBadRequest(fmt.Sprintf("'properties.%s.failingPeriods.numberOfEvaluationPeriods' must be between 1 and 6.", path))
		}
		if minimum < 1 || minimum > total {
			return armBadRequest(fmt.Sprintf("'properties.%s.failingPeriods.minFailingPeriodsToAlert' must be between 1 and numberOfEvaluationPeriods.", path))
		}
	}
	return nil
}

func sqrRequired(member string) *armError {
	return armBadRequest(fmt.Sprintf("'properties.%s' is required for rules of kind LogAlert.", member))
}

// sqrDuration reads a required duration member and checks it against the allowed values.
func sqrDuration(props map[string]any, member string, allowed []string) (time.Duration, *armError) {
	raw, _ := props[member].(string)
	if raw == "" {
		return 0, sqrRequired(member)
	}
	d, _ := parseISODuration(raw)
	for _, a := range allowed {
		if ad, _ := parseISODuration(a); ad == d {
			return d, nil
		}
	}
	last := len(allowed) - 1
	return 0, armBadRequest(fmt.Sprintf("The value '%s' of 'properties.%s' is not supported. Supported values are %s and %s.",
		raw, member, strings.Join(allowed[:last], ", "), allowed[last]))
}

// armScopeExists reports whether a scope names the subscription, a resource group or a stored resource. The
// caller holds the lock.
func (s *Server) armScopeExists(scope string) bool {
	if scope == "" {
		return false
	}
	if strings.EqualFold(strings.TrimRight(scope, "/"), "/subscriptions/"+s.dir.subscriptionID) {
		return true
	}
	return s.dir.arm.get(strings.TrimRight(scope, "/")) != nil
}

// armNumber reads a JSON number (decoded or stored).
func armNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := strconv.ParseFloat(n.String(), 64)
		return f, err == nil
	case int:
		return float64(n), true
	}
	return 0, false
}
