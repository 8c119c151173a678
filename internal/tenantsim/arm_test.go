package tenantsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/fidelity"
)

// api-versions the tests use: the provider's (internal/clients/arm.go) and ARM's for resource groups.
const (
	apiRG   = "2021-04-01"
	apiWS   = "2022-10-01"
	apiDiag = "2017-04-01"
	apiAG   = "2023-01-01"
	apiSQR  = "2023-12-01"
)

// ---- client and request record ----

// armRecord is one request a test sent and what the simulator answered; the fidelity test checks the bodies.
type armRecord struct {
	method, path string
	body         any
	status       int
	code         string
	armcheck     int // expected ARM checker verdict: 0 pass, 1 errors, 2 no operation; -1 = derive from the answer
}

// armRecorder collects the requests of every armClient that shares it.
type armRecorder struct {
	mu      sync.Mutex
	records []armRecord
}

func (r *armRecorder) add(rec armRecord) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec)
}

// armClient calls ARM routes with one token and records what it sent.
type armClient struct {
	*graphClient
	rec *armRecorder
}

func newARMClient(t *testing.T, srv *Server, clientID, secret string, rec *armRecorder) *armClient {
	t.Helper()
	return &armClient{graphClient: newGraphClient(t, srv, clientSecretToken(t, srv, clientID, secret, ARMResourceID+".default")), rec: rec}
}

func mainARMClient(t *testing.T, srv *Server, rec *armRecorder) *armClient {
	t.Helper()
	info := srv.Info()
	return newARMClient(t, srv, info.ClientID, info.ClientSecret, rec)
}

// appARMClient registers an app with the given role assignments and returns a client for it and its client id.
func appARMClient(t *testing.T, srv *Server, rec *armRecorder, roles ...ARMRole) (*armClient, string) {
	t.Helper()
	clientID, secret := uuid.NewString(), "secret-"+uuid.NewString()
	if err := srv.RegisterApp(App{ClientID: clientID, DisplayName: "arm test app", Secret: secret, ARMRoles: roles}); err != nil {
		t.Fatal(err)
	}
	return newARMClient(t, srv, clientID, secret, rec), clientID
}

// send sends a request, records it and returns status, error code and body.
func (c *armClient) send(method, path string, body any, armcheck int) (int, string, map[string]any) {
	c.t.Helper()
	resp, out := c.do(method, path, body)
	code := ""
	if e, ok := out["error"].(map[string]any); ok {
		code, _ = e["code"].(string)
	}
	c.rec.add(armRecord{method: method, path: path, body: body, status: resp.StatusCode, code: code, armcheck: armcheck})
	return resp.StatusCode, code, out
}

// ok expects a success status and returns the body.
func (c *armClient) ok(status int, method, path string, body any) map[string]any {
	c.t.Helper()
	got, _, out := c.send(method, path, body, -1)
	if got != status {
		c.t.Fatalf("%s %s: status %d, want %d; body %v", method, path, got, status, out)
	}
	return out
}

// fail expects an ARM error and returns its message.
func (c *armClient) fail(status int, code, method, path string, body any) string {
	c.t.Helper()
	return c.failCheck(status, code, method, path, body, -1)
}

func (c *armClient) failCheck(status int, code, method, path string, body any, armcheck int) string {
	c.t.Helper()
	got, gotCode, out := c.send(method, path, body, armcheck)
	if got != status || gotCode != code {
		c.t.Fatalf("%s %s: %d %s, want %d %s; body %v", method, path, got, gotCode, status, code, out)
	}
	msg, _ := out["error"].(map[string]any)["message"].(string)
	return msg
}

// ---- paths and bodies ----

func armAPI(path, version string) string { return path + "?api-version=" + version }

func armRG(srv *Server, rg string) string {
	return "/subscriptions/" + srv.Info().SubscriptionID + "/resourceGroups/" + rg
}

func armAG(srv *Server, rg, name string) string {
	return armRG(srv, rg) + "/providers/Microsoft.Insights/actionGroups/" + name
}

func armSQR(srv *Server, rg, name string) string {
	return armRG(srv, rg) + "/providers/Microsoft.Insights/scheduledQueryRules/" + name
}

func armDiag(name string) string { return "/providers/microsoft.aadiam/diagnosticSettings/" + name }

// testAGBody is a valid action group, modelled on internal/fidelity/spec/arm/examples/ag-2023-01-01_ok.json.
func testAGBody() map[string]any {
	return map[string]any{
		"location": "Global", "tags": map[string]any{"purpose": "break-glass"},
		"properties": map[string]any{
			"groupShortName": "bg-alerts", "enabled": true,
			"emailReceivers":   []any{map[string]any{"name": "secops-email", "emailAddress": "secops@contoso.com", "useCommonAlertSchema": true}},
			"smsReceivers":     []any{map[string]any{"name": "oncall-sms", "countryCode": "1", "phoneNumber": "5555550100"}},
			"voiceReceivers":   []any{map[string]any{"name": "oncall-voice", "countryCode": "1", "phoneNumber": "5555550100"}},
			"webhookReceivers": []any{map[string]any{"name": "soar-webhook", "serviceUri": "https://soar.contoso.example/hooks/bg", "useCommonAlertSchema": true}},
		},
	}
}

// testSQRBody is a valid log search alert rule, modelled on internal/fidelity/spec/arm/examples/sqr-2023-12-01_ok.json.
func testSQRBody(workspaceID, actionGroupID string) map[string]any {
	return map[string]any{
		"location": "westeurope", "kind": "LogAlert", "tags": map[string]any{"purpose": "break-glass"},
		"properties": map[string]any{
			"displayName": "Break-glass account sign-in", "description": "Fires on any sign-in by an emergency-access account",
			"severity": 0, "enabled": true, "scopes": []any{workspaceID},
			"evaluationFrequency": "PT5M", "windowSize": "PT5M",
			"criteria": map[string]any{"allOf": []any{map[string]any{
				"query":           `SigninLogs | where UserPrincipalName in~ ("bg1@contoso.com", "bg2@contoso.com")`,
				"timeAggregation": "Count",
				"dimensions":      []any{map[string]any{"name": "UserPrincipalName", "operator": "Include", "values": []any{"*"}}},
				"operator":        "GreaterThan", "threshold": 0,
				"failingPeriods": map[string]any{"numberOfEvaluationPeriods": 1, "minFailingPeriodsToAlert": 1},
			}}},
			"autoMitigate":         false,
			"actions":              map[string]any{"actionGroups": []any{actionGroupID}, "customProperties": map[string]any{"runbook": "https://contoso.example/bg"}},
			"resolveConfiguration": map[string]any{"autoResolved": false, "timeToResolve": "PT1H"},
		},
	}
}

// testDiagBody is a valid Entra diagnostic setting, modelled on internal/fidelity/spec/arm/examples/diag_ok.json.
func testDiagBody(workspaceID string, categories ...string) map[string]any {
	logs := []any{}
	for _, c := range categories {
		logs = append(logs, map[string]any{"category": c, "enabled": true})
	}
	return map[string]any{"properties": map[string]any{"workspaceId": workspaceID, "logs": logs}}
}

// edit deep-copies a body and changes it.
func editJSON(body map[string]any, change func(b map[string]any)) map[string]any {
	out := copyObject(body)
	change(out)
	return out
}

// at walks a body by member names and array indexes to an object.
func jsonAt(v any, path ...any) map[string]any {
	for _, step := range path {
		switch s := step.(type) {
		case string:
			v = v.(map[string]any)[s]
		case int:
			v = v.([]any)[s]
		}
	}
	return v.(map[string]any)
}

// ---- scenarios (run by their tests and again, recorded, by the fidelity test) ----

func runResourceGroupScenario(t *testing.T, srv *Server, c *armClient) {
	info := srv.Info()
	list := c.ok(http.StatusOK, "GET", armAPI("/subscriptions/"+info.SubscriptionID+"/resourcegroups", apiRG), nil)
	if !armListHas(list, armRG(srv, SecurityResourceGroup)) {
		t.Fatalf("rg-security missing from %v", list)
	}
	rg := c.ok(http.StatusOK, "GET", armAPI(armRG(srv, "RG-SECURITY"), apiRG), nil)
	if rg["name"] != SecurityResourceGroup || rg["location"] != "westeurope" || rg["type"] != "Microsoft.Resources/resourceGroups" ||
		jsonAt(rg, "properties")["provisioningState"] != "Succeeded" || rg["tags"] == nil {
		t.Fatalf("rg-security: %v", rg)
	}
	c.ok(http.StatusNoContent, "HEAD", armAPI(armRG(srv, SecurityResourceGroup), apiRG), nil)
	c.ok(http.StatusNotFound, "HEAD", armAPI(armRG(srv, "rg-nowhere"), apiRG), nil)

	created := c.ok(http.StatusCreated, "PUT", armAPI(armRG(srv, "rg-Alerts"), "2024-03-01"), map[string]any{"location": "West Europe", "tags": map[string]any{"team": "secops"}})
	if created["id"] != armRG(srv, "rg-Alerts") || created["location"] != "westeurope" || jsonAt(created, "tags")["team"] != "secops" {
		t.Fatalf("created group: %v", created)
	}
	again := c.ok(http.StatusOK, "PUT", armAPI(armRG(srv, "rg-alerts"), "2022-09-01"), map[string]any{"location": "westeurope"})
	if again["name"] != "rg-Alerts" || len(jsonAt(again, "tags")) != 0 {
		t.Fatalf("updated group keeps its name's casing and replaces tags: %v", again)
	}
	msg := c.fail(http.StatusConflict, "InvalidResourceGroupLocation", "PUT", armAPI(armRG(srv, "rg-alerts"), apiRG), map[string]any{"location": "eastus"})
	if msg != "Invalid resource group location 'eastus'. The Resource group already exists in location 'westeurope'." {
		t.Fatal(msg)
	}
	c.fail(http.StatusBadRequest, "LocationRequired", "PUT", armAPI(armRG(srv, "rg-x"), apiRG), map[string]any{"tags": map[string]any{}})
	c.fail(http.StatusBadRequest, "LocationNotAvailableForResourceGroup", "PUT", armAPI(armRG(srv, "rg-x"), apiRG), map[string]any{"location": "mars"})
	msg = c.fail(http.StatusBadRequest, "InvalidRequestContent", "PUT", armAPI(armRG(srv, "rg-x"), apiRG), map[string]any{"location": "westeurope", "sku": "x"})
	if !strings.Contains(msg, "Could not find member 'sku' on object of type 'ResourceGroup'") {
		t.Fatal(msg)
	}

	// Deleting a group deletes what it holds; nested routes then answer ResourceGroupNotFound.
	ag := armAG(srv, "rg-alerts", "ag-in-group")
	c.ok(http.StatusCreated, "PUT", armAPI(ag, apiAG), testAGBody())
	c.ok(http.StatusOK, "DELETE", armAPI(armRG(srv, "rg-alerts"), apiRG), nil)
	if _, ok := srv.ARMResource(ag); ok {
		t.Fatal("the action group survived its resource group")
	}
	msg = c.fail(http.StatusNotFound, "ResourceGroupNotFound", "GET", armAPI(ag, apiAG), nil)
	if msg != "Resource group 'rg-alerts' could not be found." {
		t.Fatal(msg)
	}
	c.fail(http.StatusNotFound, "ResourceGroupNotFound", "GET", armAPI(armRG(srv, "rg-alerts"), apiRG), nil)
	c.fail(http.StatusNotFound, "ResourceGroupNotFound", "DELETE", armAPI(armRG(srv, "rg-alerts"), apiRG), nil)
	c.fail(http.StatusNotFound, "ResourceGroupNotFound", "PUT", armAPI(armAG(srv, "rg-alerts", "x"), apiAG), testAGBody())
}

func runWorkspaceScenario(t *testing.T, srv *Server, c *armClient) {
	info := srv.Info()
	for _, v := range []string{"2022-10-01", "2023-09-01"} {
		ws := c.ok(http.StatusOK, "GET", armAPI(info.WorkspaceID, v), nil)
		props := jsonAt(ws, "properties")
		if ws["id"] != info.WorkspaceID || ws["name"] != SecurityWorkspaceName || ws["type"] != "Microsoft.OperationalInsights/workspaces" ||
			ws["location"] != "westeurope" || props["provisioningState"] != "Succeeded" || jsonAt(props, "sku")["name"] != "PerGB2018" ||
			props["retentionInDays"] != float64(30) || uuid.Validate(fmt.Sprint(props["customerId"])) != nil {
			t.Fatalf("workspace: %v", ws)
		}
	}
	inGroup := c.ok(http.StatusOK, "GET", armAPI(armRG(srv, SecurityResourceGroup)+"/providers/Microsoft.OperationalInsights/workspaces", apiWS), nil)
	inSub := c.ok(http.StatusOK, "GET", armAPI("/subscriptions/"+info.SubscriptionID+"/providers/microsoft.operationalinsights/workspaces", apiWS), nil)
	if !armListHas(inGroup, info.WorkspaceID) || !armListHas(inSub, info.WorkspaceID) {
		t.Fatalf("workspace lists: %v %v", inGroup, inSub)
	}
	msg := c.fail(http.StatusNotFound, "ResourceNotFound", "GET", armAPI(armRG(srv, SecurityResourceGroup)+"/providers/Microsoft.OperationalInsights/workspaces/law-other", apiWS), nil)
	if msg != "The Resource 'Microsoft.OperationalInsights/workspaces/law-other' under resource group 'rg-security' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix" {
		t.Fatal(msg)
	}
	c.fail(http.StatusNotFound, "ResourceGroupNotFound", "GET", armAPI(armRG(srv, "rg-none")+"/providers/Microsoft.OperationalInsights/workspaces", apiWS), nil)
	c.fail(http.StatusMethodNotAllowed, "MethodNotAllowed", "PUT", armAPI(info.WorkspaceID, apiWS), map[string]any{"location": "westeurope"})
}

func runDiagnosticSettingScenario(t *testing.T, srv *Server, c *armClient) {
	info := srv.Info()
	foreign, _ := srv.ARMResource(armDiag(ForeignDiagnosticSetting))
	list := c.ok(http.StatusOK, "GET", armAPI("/providers/microsoft.aadiam/diagnosticSettings", apiDiag), nil)
	if !armListHas(list, armDiag(ForeignDiagnosticSetting)) {
		t.Fatalf("sentinel-export missing: %v", list)
	}
	path := armAPI("/providers/Microsoft.AADIAM/diagnosticSettings/bg-diag", apiDiag)
	out := c.ok(http.StatusOK, "PUT", path, testDiagBody(info.WorkspaceID, "SignInLogs", "NonInteractiveUserSignInLogs"))
	props := jsonAt(out, "properties")
	if out["id"] != "/providers/Microsoft.AADIAM/diagnosticSettings/bg-diag" || out["name"] != "bg-diag" ||
		out["type"] != "microsoft.aadiam/diagnosticSettings" || out["location"] != nil || out["tags"] != nil ||
		props["workspaceId"] != info.WorkspaceID || props["storageAccountId"] != nil ||
		!reflect.DeepEqual(jsonAt(props, "logs", 0)["retentionPolicy"], map[string]any{"enabled": false, "days": float64(0)}) {
		t.Fatalf("diagnostic setting: %v", out)
	}
	got := c.ok(http.StatusOK, "GET", armAPI(armDiag("BG-DIAG"), apiDiag), nil)
	if !reflect.DeepEqual(got, out) {
		t.Fatalf("GET %v, PUT answered %v", got, out)
	}
	updated := c.ok(http.StatusOK, "PUT", armAPI(armDiag("bg-diag"), apiDiag), testDiagBody(info.WorkspaceID, "SignInLogs"))
	if updated["id"] != out["id"] || len(jsonAt(updated, "properties")["logs"].([]any)) != 1 {
		t.Fatalf("updated: %v", updated)
	}
	list = c.ok(http.StatusOK, "GET", armAPI("/providers/microsoft.aadiam/diagnosticSettings", apiDiag), nil)
	if len(list["value"].([]any)) != 2 {
		t.Fatalf("list: %v", list)
	}
	categories := c.ok(http.StatusOK, "GET", armAPI("/providers/microsoft.aadiam/diagnosticSettingsCategories", apiDiag), nil)
	if len(categories["value"].([]any)) != len(EntraLogCategories) {
		t.Fatalf("categories: %v", categories)
	}
	c.ok(http.StatusOK, "DELETE", armAPI(armDiag("bg-diag"), apiDiag), nil)
	c.ok(http.StatusNoContent, "DELETE", armAPI(armDiag("bg-diag"), apiDiag), nil)
	c.fail(http.StatusNotFound, "ResourceNotFound", "GET", armAPI(armDiag("bg-diag"), apiDiag), nil)
	if after, _ := srv.ARMResource(armDiag(ForeignDiagnosticSetting)); !reflect.DeepEqual(after, foreign) {
		t.Fatalf("the foreign setting changed: %v -> %v", foreign, after)
	}
}

func runActionGroupScenario(t *testing.T, srv *Server, c *armClient) {
	info := srv.Info()
	path := armAG(srv, "RG-Security", "BG-AG")
	out := c.ok(http.StatusCreated, "PUT", armAPI(path, apiAG), testAGBody())
	props := jsonAt(out, "properties")
	if out["id"] != path || out["name"] != "BG-AG" || out["type"] != "Microsoft.Insights/ActionGroups" || out["location"] != "Global" ||
		jsonAt(out, "tags")["purpose"] != "break-glass" || props["groupShortName"] != "bg-alerts" || props["enabled"] != true {
		t.Fatalf("action group: %v", out)
	}
	for _, kind := range actionGroupReceiverKinds {
		if _, ok := props[kind].([]any); !ok {
			t.Fatalf("%s missing from %v", kind, props)
		}
	}
	if jsonAt(props, "emailReceivers", 0)["status"] != "Enabled" || jsonAt(props, "smsReceivers", 0)["status"] != "Enabled" ||
		jsonAt(props, "webhookReceivers", 0)["useAadAuth"] != false || jsonAt(props, "voiceReceivers", 0)["status"] != nil {
		t.Fatalf("receivers: %v", props)
	}
	lower := strings.ToLower(path)
	if got := c.ok(http.StatusOK, "GET", armAPI(lower, apiAG), nil); !reflect.DeepEqual(got, out) {
		t.Fatalf("GET by another casing: %v", got)
	}
	replaced := c.ok(http.StatusOK, "PUT", armAPI(lower, "2021-09-01"), editJSON(testAGBody(), func(b map[string]any) {
		delete(jsonAt(b, "properties"), "smsReceivers")
	}))
	if replaced["id"] != path || len(jsonAt(replaced, "properties")["smsReceivers"].([]any)) != 0 {
		t.Fatalf("replaced: %v", replaced)
	}
	patched := c.ok(http.StatusOK, "PATCH", armAPI(path, apiAG), map[string]any{"tags": map[string]any{"owner": "soc"}, "properties": map[string]any{"enabled": false}})
	if jsonAt(patched, "properties")["enabled"] != false || !reflect.DeepEqual(patched["tags"], map[string]any{"owner": "soc"}) ||
		jsonAt(patched, "properties")["groupShortName"] != "bg-alerts" {
		t.Fatalf("patched: %v", patched)
	}
	inGroup := c.ok(http.StatusOK, "GET", armAPI(armRG(srv, SecurityResourceGroup)+"/providers/Microsoft.Insights/actionGroups", apiAG), nil)
	inSub := c.ok(http.StatusOK, "GET", armAPI("/subscriptions/"+info.SubscriptionID+"/providers/Microsoft.Insights/actionGroups", apiAG), nil)
	if !armListHas(inGroup, path) || !armListHas(inSub, path) {
		t.Fatalf("lists: %v %v", inGroup, inSub)
	}
	c.ok(http.StatusOK, "DELETE", armAPI(path, apiAG), nil)
	c.ok(http.StatusNoContent, "DELETE", armAPI(path, apiAG), nil)
	msg := c.fail(http.StatusNotFound, "ResourceNotFound", "GET", armAPI(armAG(srv, SecurityResourceGroup, "x"), apiAG), nil)
	if msg != "The Resource 'Microsoft.Insights/actionGroups/x' under resource group 'rg-security' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix" {
		t.Fatal(msg)
	}
	c.fail(http.StatusNotFound, "ResourceNotFound", "PATCH", armAPI(armAG(srv, SecurityResourceGroup, "x"), apiAG), map[string]any{"properties": map[string]any{"enabled": true}})
}

func runScheduledQueryRuleScenario(t *testing.T, srv *Server, c *armClient) {
	info := srv.Info()
	ag := armAG(srv, SecurityResourceGroup, "sqr-ag")
	c.ok(http.StatusCreated, "PUT", armAPI(ag, apiAG), testAGBody())
	path := armSQR(srv, SecurityResourceGroup, "bg-signin")
	body := testSQRBody(info.WorkspaceID, ag)
	out := c.ok(http.StatusCreated, "PUT", armAPI(path, apiSQR), body)
	props := jsonAt(out, "properties")
	sd := jsonAt(out, "systemData")
	if out["id"] != path || out["name"] != "bg-signin" || out["type"] != "microsoft.insights/scheduledqueryrules" ||
		out["kind"] != "LogAlert" || out["location"] != "westeurope" || props["createdWithApiVersion"] != apiSQR ||
		props["isLegacyLogAnalyticsRule"] != false || props["severity"] != float64(0) || props["windowSize"] != "PT5M" ||
		sd["createdByType"] != "Application" || sd["createdBy"] != info.ClientID || jsonAt(props, "resolveConfiguration")["timeToResolve"] != "PT1H" {
		t.Fatalf("rule: %v", out)
	}
	// The stored rule is the body plus the server's members.
	for key, want := range body["properties"].(map[string]any) {
		if got, _ := json.Marshal(props[key]); string(got) != armJSON(t, want) {
			t.Errorf("properties.%s: %s, sent %s", key, got, armJSON(t, want))
		}
	}
	if got := c.ok(http.StatusOK, "GET", armAPI(path, apiSQR), nil); !reflect.DeepEqual(got, out) {
		t.Fatalf("GET %v\nPUT %v", got, out)
	}
	old := c.ok(http.StatusOK, "GET", armAPI(path, "2021-08-01"), nil)
	if _, has := jsonAt(old, "properties")["resolveConfiguration"]; has {
		t.Fatalf("2021-08-01 answer has resolveConfiguration: %v", old)
	}
	updated := c.ok(http.StatusOK, "PUT", armAPI(path, apiSQR), editJSON(body, func(b map[string]any) { jsonAt(b, "properties")["severity"] = 1 }))
	if jsonAt(updated, "properties")["severity"] != float64(1) || jsonAt(updated, "systemData")["createdAt"] != sd["createdAt"] {
		t.Fatalf("updated: %v", updated)
	}
	patched := c.ok(http.StatusOK, "PATCH", armAPI(path, apiSQR), map[string]any{"properties": map[string]any{"enabled": false}})
	if jsonAt(patched, "properties")["enabled"] != false || jsonAt(patched, "properties")["severity"] != float64(1) {
		t.Fatalf("patched: %v", patched)
	}
	c.fail(http.StatusBadRequest, "BadRequest", "PATCH", armAPI(path, apiSQR), map[string]any{"properties": map[string]any{"windowSize": "PT1M"}})
	list := c.ok(http.StatusOK, "GET", armAPI(armRG(srv, SecurityResourceGroup)+"/providers/Microsoft.Insights/scheduledQueryRules", apiSQR), nil)
	if !armListHas(list, path) {
		t.Fatalf("list: %v", list)
	}
	c.ok(http.StatusOK, "DELETE", armAPI(path, apiSQR), nil)
	c.ok(http.StatusNoContent, "DELETE", armAPI(path, apiSQR), nil)
	c.fail(http.StatusNotFound, "ResourceNotFound", "GET", armAPI(path, apiSQR), nil)
}

func armListHas(list map[string]any, id string) bool {
	for _, v := range list["value"].([]any) {
		if strings.EqualFold(fmt.Sprint(v.(map[string]any)["id"]), id) {
			return true
		}
	}
	return false
}

func armJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// ---- validation cases ----

// armCase is one rejected (or accepted) write. armcheck is what the fidelity ARM checker must say about the same
// request: 1 when the body breaks the swagger model, 0 when only a rule stated in prose or a server-side check
// (existence, limits, conflicts) rejects it.
type armCase struct {
	name     string
	method   string
	path     string
	body     any
	status   int
	code     string
	contains string
	armcheck int
}

func validationCases(srv *Server) []armCase {
	info := srv.Info()
	ag := armAG(srv, SecurityResourceGroup, "val-ag")
	agPath := armAPI(armAG(srv, SecurityResourceGroup, "val-new-ag"), apiAG)
	sqrPath := armAPI(armSQR(srv, SecurityResourceGroup, "val-rule"), apiSQR)
	diagPath := armAPI(armDiag("val-diag"), apiDiag)
	agBody, sqrBody := testAGBody(), testSQRBody(info.WorkspaceID, ag)
	agEdit := func(f func(p map[string]any)) map[string]any {
		return editJSON(agBody, func(b map[string]any) { f(jsonAt(b, "properties")) })
	}
	sqrEdit := func(f func(p map[string]any)) map[string]any {
		return editJSON(sqrBody, func(b map[string]any) { f(jsonAt(b, "properties")) })
	}
	cond := func(p map[string]any) map[string]any { return jsonAt(p, "criteria", "allOf", 0) }
	const bad, invalid, conflict = http.StatusBadRequest, "InvalidRequestContent", http.StatusConflict
	return []armCase{
		// Action groups.
		{"ag: no location", "PUT", agPath, editJSON(agBody, func(b map[string]any) { delete(b, "location") }), bad, "LocationRequired", "location property is required", 1},
		{"ag: unknown location", "PUT", agPath, editJSON(agBody, func(b map[string]any) { b["location"] = "mars" }), bad, "LocationNotAvailableForResourceType", "'mars'", 0},
		{"ag: short name too long", "PUT", agPath, agEdit(func(p map[string]any) { p["groupShortName"] = "break-glass-alerts" }), bad, "GroupShortNameIsTooLong",
			"The action group short name 'break-glass-alerts' is too long. Please specify a short name with '12' or less characters.", 1},
		{"ag: no short name", "PUT", agPath, agEdit(func(p map[string]any) { delete(p, "groupShortName") }), bad, invalid, "Required property 'groupShortName' not found in JSON. Path 'properties'", 1},
		{"ag: no enabled", "PUT", agPath, agEdit(func(p map[string]any) { delete(p, "enabled") }), bad, invalid, "Required property 'enabled'", 1},
		{"ag: enabled as string", "PUT", agPath, agEdit(func(p map[string]any) { p["enabled"] = "true" }), bad, invalid, "to type 'System.Boolean'. Path 'properties.enabled'", 1},
		{"ag: email instead of emailAddress", "PUT", agPath, agEdit(func(p map[string]any) {
			p["emailReceivers"] = []any{map[string]any{"name": "secops", "email": "secops@contoso.com"}}
		}), bad, invalid, "Could not find member 'email' on object of type 'EmailReceiver'. Path 'properties.emailReceivers[0].email'", 1},
		{"ag: sms without countryCode", "PUT", agPath, agEdit(func(p map[string]any) { delete(jsonAt(p, "smsReceivers", 0), "countryCode") }), bad, invalid, "Required property 'countryCode'", 1},
		{"ag: voice with useCommonAlertSchema", "PUT", agPath, agEdit(func(p map[string]any) { jsonAt(p, "voiceReceivers", 0)["useCommonAlertSchema"] = true }), bad, invalid, "'VoiceReceiver'", 1},
		{"ag: webhook without serviceUri", "PUT", agPath, agEdit(func(p map[string]any) { delete(jsonAt(p, "webhookReceivers", 0), "serviceUri") }), bad, invalid, "Required property 'serviceUri'", 1},
		{"ag: webhook flag as string", "PUT", agPath, agEdit(func(p map[string]any) { jsonAt(p, "webhookReceivers", 0)["useCommonAlertSchema"] = "true" }), bad, invalid, "System.Boolean", 1},
		{"ag: unknown top-level member", "PUT", agPath, editJSON(agBody, func(b map[string]any) { b["sku"] = "standard" }), bad, invalid, "Could not find member 'sku' on object of type 'ActionGroupResource'", 1},
		{"ag: unknown property", "PUT", agPath, agEdit(func(p map[string]any) { p["description"] = "x" }), bad, invalid, "on object of type 'ActionGroup'", 1},
		{"ag: duplicate receiver names", "PUT", agPath, agEdit(func(p map[string]any) { jsonAt(p, "smsReceivers", 0)["name"] = "secops-email" }), bad, "BadRequest", "used more than once", 0},
		{"ag: webhook uri not absolute", "PUT", agPath, agEdit(func(p map[string]any) { jsonAt(p, "webhookReceivers", 0)["serviceUri"] = "hooks/bg" }), bad, "BadRequest", "not a valid absolute", 0},
		{"ag: body is not JSON", "PUT", agPath, `{"location": "Global",`, bad, invalid, "could not be deserialized", 2},
		{"ag: patch takes only tags and enabled", "PATCH", armAPI(ag, apiAG), map[string]any{"properties": map[string]any{"groupShortName": "x"}}, bad, invalid,
			"Could not find member 'groupShortName' on object of type 'ActionGroupPatch'", 1},

		// Scheduled query rules.
		{"sqr: no location", "PUT", sqrPath, editJSON(sqrBody, func(b map[string]any) { delete(b, "location") }), bad, "LocationRequired", "", 1},
		{"sqr: no scopes", "PUT", sqrPath, sqrEdit(func(p map[string]any) { delete(p, "scopes") }), bad, invalid, "Required property 'scopes' not found in JSON. Path 'properties'", 1},
		{"sqr: empty scopes", "PUT", sqrPath, sqrEdit(func(p map[string]any) { p["scopes"] = []any{} }), bad, "BadRequest", "at least one scope", 0},
		{"sqr: scope does not exist", "PUT", sqrPath, sqrEdit(func(p map[string]any) {
			p["scopes"] = []any{armRG(srv, SecurityResourceGroup) + "/providers/Microsoft.OperationalInsights/workspaces/law-gone"}
		}), bad, "BadRequest", "law-gone' (properties.scopes[0]) could not be found", 0},
		{"sqr: severity as string", "PUT", sqrPath, sqrEdit(func(p map[string]any) { p["severity"] = "0" }), bad, invalid, "Path 'properties.severity'", 1},
		{"sqr: severity out of range", "PUT", sqrPath, sqrEdit(func(p map[string]any) { p["severity"] = 5 }), bad, "BadRequest", "severity '5' is not valid", 0},
		{"sqr: severity not an integer", "PUT", sqrPath, sqrEdit(func(p map[string]any) { p["severity"] = 1.5 }), bad, invalid, "not a valid integer", 1},
		{"sqr: no severity", "PUT", sqrPath, sqrEdit(func(p map[string]any) { delete(p, "severity") }), bad, "BadRequest", "'properties.severity' is required for rules of kind LogAlert", 0},
		{"sqr: duration not ISO 8601", "PUT", sqrPath, sqrEdit(func(p map[string]any) { p["evaluationFrequency"] = "5m" }), bad, invalid, "System.TimeSpan", 1},
		{"sqr: frequency not offered", "PUT", sqrPath, sqrEdit(func(p map[string]any) { p["evaluationFrequency"] = "PT2M" }), bad, "BadRequest", "'PT2M' of 'properties.evaluationFrequency' is not supported", 0},
		{"sqr: window over two days", "PUT", sqrPath, sqrEdit(func(p map[string]any) { p["windowSize"] = "P3D" }), bad, "BadRequest", "windowSize", 0},
		{"sqr: window of twelve hours", "PUT", sqrPath, sqrEdit(func(p map[string]any) { p["windowSize"] = "PT12H" }), bad, "BadRequest", "'PT12H' of 'properties.windowSize' is not supported", 0},
		{"sqr: a day's window every minute", "PUT", sqrPath, sqrEdit(func(p map[string]any) { p["evaluationFrequency"], p["windowSize"] = "PT1M", "P1D" }), bad, "BadRequest",
			"With a frequency of one minute the window size can be at most PT6H", 0},
		{"sqr: frequency above window", "PUT", sqrPath, sqrEdit(func(p map[string]any) { p["evaluationFrequency"] = "PT15M" }), bad, "BadRequest", "cannot be greater than the window size", 0},
		{"sqr: no window", "PUT", sqrPath, sqrEdit(func(p map[string]any) { delete(p, "windowSize") }), bad, "BadRequest", "'properties.windowSize' is required", 0},
		{"sqr: no query", "PUT", sqrPath, sqrEdit(func(p map[string]any) { delete(cond(p), "query") }), bad, "BadRequest", "criteria.allOf[0].query", 0},
		{"sqr: no time aggregation", "PUT", sqrPath, sqrEdit(func(p map[string]any) { delete(cond(p), "timeAggregation") }), bad, "BadRequest", "timeAggregation' is required", 0},
		{"sqr: time aggregation not offered", "PUT", sqrPath, sqrEdit(func(p map[string]any) { cond(p)["timeAggregation"] = "count" }), bad, "BadRequest", "time aggregation 'count'", 0},
		{"sqr: average without column", "PUT", sqrPath, sqrEdit(func(p map[string]any) { cond(p)["timeAggregation"] = "Average" }), bad, "BadRequest", "metricMeasureColumn", 0},
		{"sqr: no operator", "PUT", sqrPath, sqrEdit(func(p map[string]any) { delete(cond(p), "operator") }), bad, "BadRequest", "operator' is required", 0},
		{"sqr: no threshold", "PUT", sqrPath, sqrEdit(func(p map[string]any) { delete(cond(p), "threshold") }), bad, "BadRequest", "threshold' is required", 0},
		{"sqr: threshold as string", "PUT", sqrPath, sqrEdit(func(p map[string]any) { cond(p)["threshold"] = "0" }), bad, invalid, "System.Double", 1},
		{"sqr: dimension without operator", "PUT", sqrPath, sqrEdit(func(p map[string]any) { delete(jsonAt(cond(p), "dimensions", 0), "operator") }), bad, invalid,
			"Required property 'operator' not found in JSON. Path 'properties.criteria.allOf[0].dimensions[0]'", 1},
		{"sqr: dimension operator not offered", "PUT", sqrPath, sqrEdit(func(p map[string]any) { jsonAt(cond(p), "dimensions", 0)["operator"] = "Contains" }), bad, "BadRequest", "'Contains'", 0},
		{"sqr: failing periods above evaluations", "PUT", sqrPath, sqrEdit(func(p map[string]any) { jsonAt(cond(p), "failingPeriods")["minFailingPeriodsToAlert"] = 2 }), bad, "BadRequest", "minFailingPeriodsToAlert", 0},
		{"sqr: actionGroupIds", "PUT", sqrPath, sqrEdit(func(p map[string]any) { p["actions"] = map[string]any{"actionGroupIds": []any{ag}} }), bad, invalid,
			"Could not find member 'actionGroupIds' on object of type 'Actions'", 1},
		{"sqr: action group does not exist", "PUT", sqrPath, sqrEdit(func(p map[string]any) {
			p["actions"] = map[string]any{"actionGroups": []any{armAG(srv, SecurityResourceGroup, "ag-gone")}}
		}), bad, "BadRequest", "ag-gone' (properties.actions.actionGroups[0]) could not be found", 0},
		{"sqr: too many action groups", "PUT", sqrPath, sqrEdit(func(p map[string]any) {
			p["actions"] = map[string]any{"actionGroups": []any{ag, ag, ag, ag, ag, ag}}
		}), bad, "BadRequest", "at most 5 action groups", 0},
		{"sqr: ruleResolveConfiguration (preview name)", "PUT", sqrPath, sqrEdit(func(p map[string]any) {
			p["ruleResolveConfiguration"] = map[string]any{"autoResolved": true}
		}), bad, invalid, "'ruleResolveConfiguration'", 1},
		{"sqr: resolveConfiguration in 2021-08-01", "PUT", armAPI(armSQR(srv, SecurityResourceGroup, "val-rule"), "2021-08-01"), sqrBody, bad, invalid, "'resolveConfiguration'", 1},
		{"sqr: kind LogToMetric", "PUT", sqrPath, editJSON(sqrBody, func(b map[string]any) { b["kind"] = "LogToMetric" }), bad, "BadRequest", "LogToMetric", 0},
		{"sqr: identity type outside the enum", "PUT", sqrPath, editJSON(sqrBody, func(b map[string]any) { b["identity"] = map[string]any{"type": "Managed"} }), bad, invalid, "IdentityType", 1},

		// Entra diagnostic settings.
		{"diag: workspace does not exist", "PUT", diagPath, testDiagBody(armRG(srv, SecurityResourceGroup)+"/providers/Microsoft.OperationalInsights/workspaces/law-gone", "SignInLogs"), bad, "BadRequest", "law-gone' could not be found", 0},
		{"diag: workspace is not an id", "PUT", diagPath, testDiagBody("law-security", "SignInLogs"), bad, "LinkedInvalidPropertyId", "Property id 'law-security' at path 'properties.workspaceId' is invalid", 0},
		{"diag: category spelled like the table", "PUT", diagPath, testDiagBody(info.WorkspaceID, "SigninLogs"), bad, "BadRequest", "Category 'SigninLogs' is not supported.", 0},
		{"diag: duplicate category", "PUT", diagPath, testDiagBody(info.WorkspaceID, "SignInLogs", "SignInLogs"), bad, "BadRequest", "more than once", 0},
		{"diag: no destination", "PUT", diagPath, map[string]any{"properties": map[string]any{"logs": []any{map[string]any{"category": "SignInLogs", "enabled": true}}}}, bad, "BadRequest", "destination", 0},
		{"diag: log without enabled", "PUT", diagPath, map[string]any{"properties": map[string]any{"workspaceId": info.WorkspaceID, "logs": []any{map[string]any{"category": "SignInLogs"}}}}, bad, invalid,
			"Required property 'enabled' not found in JSON. Path 'properties.logs[0]'", 1},
		{"diag: enabled as string", "PUT", diagPath, editJSON(testDiagBody(info.WorkspaceID, "SignInLogs"), func(b map[string]any) { jsonAt(b, "properties", "logs", 0)["enabled"] = "true" }), bad, invalid, "System.Boolean", 1},
		{"diag: retention without days", "PUT", diagPath, editJSON(testDiagBody(info.WorkspaceID, "SignInLogs"), func(b map[string]any) {
			jsonAt(b, "properties", "logs", 0)["retentionPolicy"] = map[string]any{"enabled": false}
		}), bad, invalid, "Required property 'days'", 1},
		{"diag: metrics (not in 2017-04-01)", "PUT", diagPath, editJSON(testDiagBody(info.WorkspaceID, "SignInLogs"), func(b map[string]any) { jsonAt(b, "properties")["metrics"] = []any{} }), bad, invalid,
			"Could not find member 'metrics' on object of type 'DiagnosticSettings'", 1},
		{"diag: location on a proxy resource", "PUT", diagPath, editJSON(testDiagBody(info.WorkspaceID, "SignInLogs"), func(b map[string]any) { b["location"] = "westeurope" }), bad, invalid, "'location'", 1},
		{"diag: category another setting sends to the workspace", "PUT", diagPath, testDiagBody(info.WorkspaceID, "SignInLogs", "AuditLogs"), conflict, "Conflict",
			"Data sink '" + info.WorkspaceID + "' is already used in diagnostic setting 'sentinel-export' for category 'AuditLogs'. Data sinks can't be reused in different settings on the same category for the same resource.", 0},
	}
}

// runValidationCases runs every case; nothing any of them sent may be stored.
func runValidationCases(t *testing.T, srv *Server, c *armClient) {
	c.ok(http.StatusCreated, "PUT", armAPI(armAG(srv, SecurityResourceGroup, "val-ag"), apiAG), testAGBody())
	before := len(srv.ARMResources(""))
	for _, tc := range validationCases(srv) {
		msg := c.failCheck(tc.status, tc.code, tc.method, tc.path, tc.body, tc.armcheck)
		if !strings.Contains(msg, tc.contains) {
			t.Errorf("%s: message %q does not contain %q", tc.name, msg, tc.contains)
		}
	}
	if after := len(srv.ARMResources("")); after != before {
		t.Errorf("rejected writes changed the store: %d resources, then %d", before, after)
	}
	c.ok(http.StatusOK, "DELETE", armAPI(armAG(srv, SecurityResourceGroup, "val-ag"), apiAG), nil)
}

// ---- tests ----

func TestARMResourceGroups(t *testing.T) {
	srv := startSim(t, Config{})
	runResourceGroupScenario(t, srv, mainARMClient(t, srv, nil))
}

func TestARMWorkspaces(t *testing.T) {
	srv := startSim(t, Config{})
	info := srv.Info()
	if info.ResourceGroup != SecurityResourceGroup ||
		info.WorkspaceID != "/subscriptions/"+info.SubscriptionID+"/resourceGroups/rg-security/providers/Microsoft.OperationalInsights/workspaces/law-security" {
		t.Fatalf("Info: %+v", info)
	}
	runWorkspaceScenario(t, srv, mainARMClient(t, srv, nil))
}

func TestARMDiagnosticSettings(t *testing.T) {
	srv := startSim(t, Config{})
	runDiagnosticSettingScenario(t, srv, mainARMClient(t, srv, nil))
}

// TestARMDiagnosticSettingStaleReads: within the replica window a GET answers the version before the last PUT,
// which for a new setting is 404; other kinds of ARM resource do not lag.
func TestARMDiagnosticSettingStaleReads(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainARMClient(t, srv, nil)
	ws := srv.Info().WorkspaceID
	path := armAPI(armDiag("bg-lag"), apiDiag)
	c.ok(http.StatusOK, "PUT", path, testDiagBody(ws, "SignInLogs", "NonInteractiveUserSignInLogs"))
	srv.SetKnobs(Knobs{StaleReadWindow: time.Hour, StaleReadRate: 1})
	c.fail(http.StatusNotFound, "ResourceNotFound", "GET", path, nil)
	c.ok(http.StatusOK, "PUT", path, testDiagBody(ws, "SignInLogs"))
	if logs := jsonAt(c.ok(http.StatusOK, "GET", path, nil), "properties")["logs"].([]any); len(logs) != 2 {
		t.Errorf("a stale read after the change shows %d categories, want the 2 from before it", len(logs))
	}
	c.ok(http.StatusOK, "GET", armAPI(armDiag(ForeignDiagnosticSetting), apiDiag), nil) // not written since the seed
	srv.SetKnobs(Knobs{})
	if logs := jsonAt(c.ok(http.StatusOK, "GET", path, nil), "properties")["logs"].([]any); len(logs) != 1 {
		t.Errorf("after the window a read shows %d categories, want 1", len(logs))
	}
}

func TestARMActionGroups(t *testing.T) {
	srv := startSim(t, Config{})
	runActionGroupScenario(t, srv, mainARMClient(t, srv, nil))
}

func TestARMScheduledQueryRules(t *testing.T) {
	srv := startSim(t, Config{})
	runScheduledQueryRuleScenario(t, srv, mainARMClient(t, srv, nil))
}

func TestARMValidation(t *testing.T) {
	srv := startSim(t, Config{})
	runValidationCases(t, srv, mainARMClient(t, srv, nil))
}

func TestARMUnsupportedMediaType(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainARMClient(t, srv, nil)
	c.header.Set("Content-Type", "text/plain")
	msg := c.fail(http.StatusUnsupportedMediaType, "UnsupportedMediaType", "PUT", armAPI(armAG(srv, SecurityResourceGroup, "ag"), apiAG), testAGBody())
	if msg != "The content media type 'text/plain' is not supported. Only 'application/json' is supported." {
		t.Fatal(msg)
	}
}

func TestARMAPIVersions(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainARMClient(t, srv, nil)
	info := srv.Info()
	ag := armAG(srv, SecurityResourceGroup, "versions-ag")
	c.ok(http.StatusCreated, "PUT", armAPI(ag, apiAG), testAGBody())
	accepted := map[string][]string{
		armRG(srv, SecurityResourceGroup):                {"2021-04-01", "2022-09-01", "2024-03-01"},
		info.WorkspaceID:                                 {"2022-10-01", "2023-09-01"},
		"/providers/microsoft.aadiam/diagnosticSettings": {"2017-04-01"},
		ag: {"2023-01-01", "2021-09-01"},
		armRG(srv, SecurityResourceGroup) + "/providers/Microsoft.Insights/scheduledQueryRules": {"2023-12-01", "2021-08-01"},
	}
	for path, versions := range accepted {
		for _, v := range versions {
			c.ok(http.StatusOK, "GET", armAPI(path, v), nil)
		}
	}
	msg := c.fail(http.StatusBadRequest, "InvalidApiVersionParameter", "GET", armAPI(armRG(srv, SecurityResourceGroup), "2015-01-01"), nil)
	if !strings.HasPrefix(msg, "The api-version '2015-01-01' is invalid. The supported versions are '2024-11-01,") {
		t.Fatal(msg)
	}
	msg = c.fail(http.StatusBadRequest, "NoRegisteredProviderFound", "GET", armAPI(ag, "2024-10-01-preview"), nil)
	if msg != "No registered resource provider found for location 'global' and API version '2024-10-01-preview' for type 'actionGroups'. The supported api-versions are '2023-01-01, 2021-09-01'. The supported locations are 'global, swedencentral, germanywestcentral, northcentralus, southcentralus'." {
		t.Fatal(msg)
	}
	msg = c.fail(http.StatusBadRequest, "NoRegisteredProviderFound", "PUT", armAPI(armSQR(srv, SecurityResourceGroup, "r"), "2023-03-15-preview"), testSQRBody(info.WorkspaceID, ag))
	if !strings.Contains(msg, "for location 'westeurope' and API version '2023-03-15-preview' for type 'scheduledQueryRules'. The supported api-versions are '2023-12-01, 2021-08-01'") {
		t.Fatal(msg)
	}
	c.fail(http.StatusBadRequest, "NoRegisteredProviderFound", "GET", armAPI(info.WorkspaceID, "2020-08-01"), nil)
	msg = c.fail(http.StatusBadRequest, "NoRegisteredProviderFound", "PUT", armAPI(armDiag("v"), "2021-05-01-preview"), testDiagBody(info.WorkspaceID, "SignInLogs"))
	if !strings.Contains(msg, "for type 'diagnosticSettings'. The supported api-versions are '2017-04-01'") {
		t.Fatal(msg)
	}
	c.fail(http.StatusBadRequest, "MissingApiVersionParameter", "GET", armDiag(ForeignDiagnosticSetting), nil)
	// Types the simulator does not serve still answer as ARM does for unknown types.
	c.fail(http.StatusNotFound, "InvalidResourceType", "GET", armAPI(armRG(srv, SecurityResourceGroup)+"/providers/Microsoft.Insights/metricAlerts/m", "2018-03-01"), nil)
}

func TestARMRoleBasedAccess(t *testing.T) {
	srv := startSim(t, Config{})
	info := srv.Info()
	main := mainARMClient(t, srv, nil)
	main.ok(http.StatusCreated, "PUT", armAPI(armRG(srv, "rg-other"), apiRG), map[string]any{"location": "westeurope"})
	rgScope := armRG(srv, SecurityResourceGroup)

	// No role assignments: every route is refused with ARM's message, naming the service principal's object id.
	none, noneID := appARMClient(t, srv, nil)
	oid, _ := srv.ServicePrincipalID(noneID)
	msg := none.fail(http.StatusForbidden, "AuthorizationFailed", "PUT", armAPI(armAG(srv, SecurityResourceGroup, "bg-ag"), apiAG), testAGBody())
	want := fmt.Sprintf("The client '%s' with object id '%s' does not have authorization to perform action 'Microsoft.Insights/actionGroups/write' over scope '%s' or the scope is invalid. If access was recently granted, please refresh your credentials.",
		oid, oid, armAG(srv, SecurityResourceGroup, "bg-ag"))
	if msg != want {
		t.Fatalf("got  %s\nwant %s", msg, want)
	}
	for _, check := range []struct{ method, path, action string }{
		{"GET", "/subscriptions/" + info.SubscriptionID + "/resourcegroups", "Microsoft.Resources/subscriptions/resourceGroups/read"},
		{"GET", rgScope, "Microsoft.Resources/subscriptions/resourceGroups/read"},
		{"GET", info.WorkspaceID, "Microsoft.OperationalInsights/workspaces/read"},
		{"GET", armDiag(ForeignDiagnosticSetting), "microsoft.aadiam/diagnosticSettings/read"},
		{"DELETE", armDiag(ForeignDiagnosticSetting), "microsoft.aadiam/diagnosticSettings/delete"},
		{"GET", armSQR(srv, SecurityResourceGroup, "r"), "Microsoft.Insights/scheduledQueryRules/read"},
	} {
		version := map[string]string{"GET": apiRG}[check.method]
		switch {
		case strings.Contains(check.path, "aadiam"):
			version = apiDiag
		case strings.Contains(check.path, "workspaces"):
			version = apiWS
		case strings.Contains(check.path, "scheduledQueryRules"):
			version = apiSQR
		}
		msg := none.fail(http.StatusForbidden, "AuthorizationFailed", check.method, armAPI(check.path, version), nil)
		if !strings.Contains(msg, "perform action '"+check.action+"' over scope '"+check.path+"'") {
			t.Errorf("%s %s: %s", check.method, check.path, msg)
		}
	}
	// A missing resource group is not revealed to a caller without access.
	none.fail(http.StatusForbidden, "AuthorizationFailed", "GET", armAPI(armAG(srv, "rg-none", "x"), apiAG), nil)

	// Monitoring Contributor on the resource group: alerts in it, reads of it, nothing else.
	mc, mcID := appARMClient(t, srv, nil, ARMRole{Role: "Monitoring Contributor", Scope: rgScope})
	ag := armAG(srv, SecurityResourceGroup, "bg-ag")
	mc.ok(http.StatusCreated, "PUT", armAPI(ag, apiAG), testAGBody())
	mc.ok(http.StatusCreated, "PUT", armAPI(armSQR(srv, SecurityResourceGroup, "bg-rule"), apiSQR), testSQRBody(info.WorkspaceID, ag))
	mc.ok(http.StatusOK, "GET", armAPI(info.WorkspaceID, apiWS), nil)
	mc.ok(http.StatusOK, "GET", armAPI(rgScope, apiRG), nil)
	groups := mc.ok(http.StatusOK, "GET", armAPI("/subscriptions/"+info.SubscriptionID+"/resourcegroups", apiRG), nil)
	if len(groups["value"].([]any)) != 1 || !armListHas(groups, rgScope) {
		t.Fatalf("the list shows only the groups the caller may read: %v", groups)
	}
	mc.fail(http.StatusForbidden, "AuthorizationFailed", "PUT", armAPI(rgScope, apiRG), map[string]any{"location": "westeurope"})
	mc.fail(http.StatusForbidden, "AuthorizationFailed", "PUT", armAPI(armAG(srv, "rg-other", "ag"), apiAG), testAGBody())
	mc.fail(http.StatusForbidden, "AuthorizationFailed", "PUT", armAPI(armDiag("bg-diag"), apiDiag), testDiagBody(info.WorkspaceID, "SignInLogs"))
	mc.ok(http.StatusOK, "DELETE", armAPI(armSQR(srv, SecurityResourceGroup, "bg-rule"), apiSQR), nil)

	// Writing a rule needs read access on its workspace and action groups too (linked access check).
	other, otherID := appARMClient(t, srv, nil, ARMRole{Role: "Monitoring Contributor", Scope: armRG(srv, "rg-other")})
	otherAG := armAG(srv, "rg-other", "ag")
	other.ok(http.StatusCreated, "PUT", armAPI(otherAG, apiAG), testAGBody())
	otherOID, _ := srv.ServicePrincipalID(otherID)
	rule := armSQR(srv, "rg-other", "rule")
	msg = other.fail(http.StatusForbidden, "LinkedAuthorizationFailed", "PUT", armAPI(rule, apiSQR), testSQRBody(info.WorkspaceID, otherAG))
	want = fmt.Sprintf("The client '%s' with object id '%s' has permission to perform action 'Microsoft.Insights/scheduledQueryRules/write' on scope '%s'; however, it does not have permission to perform action(s) 'Microsoft.OperationalInsights/workspaces/read' on the linked scope(s) '%s' (respectively) or the linked scope(s) are invalid.",
		otherOID, otherOID, rule, info.WorkspaceID)
	if msg != want {
		t.Fatalf("got  %s\nwant %s", msg, want)
	}
	// Access granted later applies to the next request.
	if err := srv.AssignARMRole(otherID, ARMRole{Role: "Monitoring Reader", Scope: rgScope}); err != nil {
		t.Fatal(err)
	}
	other.ok(http.StatusCreated, "PUT", armAPI(rule, apiSQR), testSQRBody(info.WorkspaceID, otherAG))

	// Reader reads but does not write; Contributor on /providers/Microsoft.aadiam writes Entra diagnostic settings.
	reader, _ := appARMClient(t, srv, nil, ARMRole{Role: "Reader", Scope: "/subscriptions/" + info.SubscriptionID})
	reader.ok(http.StatusOK, "GET", armAPI(ag, apiAG), nil)
	reader.fail(http.StatusForbidden, "AuthorizationFailed", "DELETE", armAPI(ag, apiAG), nil)
	reader.fail(http.StatusForbidden, "AuthorizationFailed", "GET", armAPI(armDiag(ForeignDiagnosticSetting), apiDiag), nil)
	diag, _ := appARMClient(t, srv, nil, ARMRole{Role: "Contributor", Scope: "/providers/Microsoft.aadiam"})
	diag.ok(http.StatusOK, "PUT", armAPI(armDiag("bg-diag"), apiDiag), testDiagBody(info.WorkspaceID, "SignInLogs"))
	diag.fail(http.StatusForbidden, "AuthorizationFailed", "GET", armAPI(ag, apiAG), nil)

	if err := srv.RegisterApp(App{ClientID: uuid.NewString(), ARMRoles: []ARMRole{{Role: "Global Administrator", Scope: "/"}}}); err == nil {
		t.Fatal("an unknown ARM role was accepted")
	}
	if err := srv.AssignARMRole(mcID, ARMRole{Role: "Reader", Scope: "subscriptions"}); err == nil {
		t.Fatal("a scope without a leading slash was accepted")
	}
}

func TestARMRoleDefinitions(t *testing.T) {
	for _, tc := range []struct {
		role, action string
		want         bool
	}{
		{"Owner", "microsoft.aadiam/diagnosticSettings/write", true},
		{"Contributor", "Microsoft.Insights/actionGroups/write", true},
		{"Contributor", "Microsoft.Authorization/roleAssignments/write", false},
		{"Reader", "Microsoft.Insights/scheduledQueryRules/read", true},
		{"Reader", "Microsoft.Insights/scheduledQueryRules/write", false},
		{"Monitoring Contributor", "Microsoft.Insights/actionGroups/delete", true},
		{"Monitoring Contributor", "Microsoft.Insights/scheduledQueryRules/write", true},
		{"Monitoring Contributor", "microsoft.aadiam/diagnosticSettings/write", false},
		{"Monitoring Contributor", "Microsoft.Resources/subscriptions/resourceGroups/write", false},
		{"Monitoring Reader", "Microsoft.Insights/actionGroups/read", true},
		{"Monitoring Reader", "Microsoft.Insights/actionGroups/write", false},
	} {
		if got := armRoleDefinitions[strings.ToLower(tc.role)].allows(tc.action); got != tc.want {
			t.Errorf("%s allows %s: %v, want %v", tc.role, tc.action, got, tc.want)
		}
	}
	if !scopeCovers("/subscriptions/s/resourceGroups/RG", "/subscriptions/s/resourcegroups/rg/providers/x/y/z") ||
		scopeCovers("/subscriptions/s/resourceGroups/rg", "/subscriptions/s/resourceGroups/rg2") || !scopeCovers("/", "/providers/x") {
		t.Fatal("scopeCovers")
	}
}

func TestARMFailRequests(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainARMClient(t, srv, nil)
	ag := armAG(srv, SecurityResourceGroup, "bg-fail")

	undo := srv.FailRequests(FailRule{Method: "PUT", PathContains: "/ACTIONGROUPS/bg-fail", Status: http.StatusBadRequest, Code: "InvalidRequestContent", Message: "Injected failure", Count: 1})
	msg := c.fail(http.StatusBadRequest, "InvalidRequestContent", "PUT", armAPI(ag, apiAG), testAGBody())
	if msg != "Injected failure" {
		t.Fatal(msg)
	}
	if _, ok := srv.ARMResource(ag); ok {
		t.Fatal("the failed request was executed")
	}
	c.ok(http.StatusCreated, "PUT", armAPI(ag, apiAG), testAGBody()) // Count 1 is used up
	undo()
	undo()

	// Until undone; other methods pass.
	undo = srv.FailRequests(FailRule{Method: "delete", PathContains: "bg-fail", Status: http.StatusConflict, Code: "ScopeLocked", Message: "locked"})
	for i := 0; i < 3; i++ {
		c.fail(http.StatusConflict, "ScopeLocked", "DELETE", armAPI(ag, apiAG), nil)
	}
	c.ok(http.StatusOK, "GET", armAPI(ag, apiAG), nil)
	undo()
	c.ok(http.StatusOK, "DELETE", armAPI(ag, apiAG), nil)

	// Graph requests fail in Graph's format, $batch items included; defaults fill what the rule leaves out.
	g := mainGraphClient(t, srv)
	undo = srv.FailRequests(FailRule{PathContains: "/V1.0/USERS", Status: http.StatusServiceUnavailable, Code: "serviceNotAvailable", Message: "Service unavailable"})
	resp, out := g.do("GET", "/v1.0/users", nil)
	e, _ := out["error"].(map[string]any)
	if resp.StatusCode != http.StatusServiceUnavailable || e["code"] != "serviceNotAvailable" || e["innerError"] == nil || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("%d %v %v", resp.StatusCode, resp.Header, out)
	}
	g.expect(http.StatusOK, "GET", "/v1.0/domains", nil)
	undo()
	g.expect(http.StatusOK, "GET", "/v1.0/users", nil)

	undo = srv.FailRequests(FailRule{Method: "GET", PathContains: "/domains", Count: 1})
	batch := g.expect(http.StatusOK, "POST", "/v1.0/$batch", map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "GET", "url": "/domains"},
		map[string]any{"id": "2", "method": "GET", "url": "/domains"},
	}})
	statuses := map[string]float64{}
	for _, item := range batch["responses"].([]any) {
		r := item.(map[string]any)
		statuses[fmt.Sprint(r["id"])] = r["status"].(float64)
		if r["status"] == float64(500) && jsonAt(r, "body", "error")["code"] != "InternalServerError" {
			t.Fatalf("batch item: %v", r)
		}
	}
	if statuses["1"]+statuses["2"] != 700 {
		t.Fatalf("one item fails, one succeeds: %v", batch)
	}
	undo()
}

func TestARMControlMethods(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainARMClient(t, srv, nil)
	info := srv.Info()
	ag := armAG(srv, SecurityResourceGroup, "bg-ag")
	c.ok(http.StatusCreated, "PUT", armAPI(ag, apiAG), testAGBody())
	rule := armSQR(srv, SecurityResourceGroup, "bg-rule")
	c.ok(http.StatusCreated, "PUT", armAPI(rule, apiSQR), testSQRBody(info.WorkspaceID, ag))
	c.ok(http.StatusOK, "PUT", armAPI(armDiag("bg-diag"), apiDiag), testDiagBody(info.WorkspaceID, "SignInLogs"))

	if got, ok := srv.ARMResource(strings.ToUpper(ag)); !ok || got["id"] != ag {
		t.Fatalf("ARMResource: %v %v", got, ok)
	}
	for suffix, want := range map[string]int{
		"Microsoft.Insights/actionGroups": 1, "actiongroups": 1, "microsoft.aadiam/diagnosticSettings": 2,
		"Microsoft.Insights/scheduledQueryRules": 1, "Microsoft.OperationalInsights/workspaces": 1, "groups": 0,
	} {
		if got := srv.ARMResources(suffix); len(got) != want {
			t.Errorf("ARMResources(%q): %d, want %d", suffix, len(got), want)
		}
	}

	// Drift made outside the provider shows in the next GET.
	if err := srv.SetARMResourceFields(rule, map[string]any{"properties": map[string]any{
		"enabled": false, "criteria": map[string]any{"allOf": []any{map[string]any{"query": "SigninLogs | take 1"}}},
	}}); err != nil {
		t.Fatal(err)
	}
	got := c.ok(http.StatusOK, "GET", armAPI(rule, apiSQR), nil)
	if jsonAt(got, "properties")["enabled"] != false || jsonAt(got, "properties", "criteria", "allOf", 0)["query"] != "SigninLogs | take 1" ||
		jsonAt(got, "properties")["severity"] != float64(0) {
		t.Fatalf("drifted rule: %v", got)
	}
	if err := srv.SetARMResourceFields(ag, map[string]any{"tags": nil, "properties": map[string]any{"smsReceivers": []any{}}}); err != nil {
		t.Fatal(err)
	}
	got = c.ok(http.StatusOK, "GET", armAPI(ag, apiAG), nil)
	if _, has := got["tags"]; has || len(jsonAt(got, "properties")["smsReceivers"].([]any)) != 0 || len(jsonAt(got, "properties")["emailReceivers"].([]any)) != 1 {
		t.Fatalf("drifted group: %v", got)
	}
	if err := srv.SetARMResourceFields(armDiag("bg-diag"), map[string]any{"properties": map[string]any{
		"logs": []any{map[string]any{"category": "SignInLogs", "enabled": false}},
	}}); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetARMResourceFields(ag+"-none", map[string]any{"tags": nil}); !errors.Is(err, errNoSuchARMResource) {
		t.Fatal(err)
	}
	if err := srv.SetARMResourceFields(ag, map[string]any{"name": "x"}); err == nil {
		t.Fatal("the name was changed")
	}
}

// armcheckNoFragment are codes for requests armcheck has no operation for: unsupported api-versions and
// Microsoft.Resources (resource groups), which the fragments do not cover.
var armcheckNoFragment = map[string]bool{"NoRegisteredProviderFound": true}

// armcheckModelErrors are the answers for bodies that break the swagger model; armcheck must reject those bodies
// too, and accept every other body the simulator answered.
var armcheckModelErrors = map[string]bool{"InvalidRequestContent": true, "LocationRequired": true, "GroupShortNameIsTooLong": true}

// TestARMRequestsPassArmcheck runs every scenario and validation case again, recorded, and checks each PUT and
// PATCH body with the fidelity ARM checker: the simulator and the official models must agree on which bodies are
// well-formed. It also feeds the fidelity examples to the simulator: each _ok example is accepted and each _bad
// one rejected.
func TestARMRequestsPassArmcheck(t *testing.T) {
	arm, err := fidelity.LoadARM()
	if err != nil {
		t.Fatal(err)
	}
	srv := startSim(t, Config{})
	rec := &armRecorder{}
	c := mainARMClient(t, srv, rec)
	runResourceGroupScenario(t, srv, c)
	runDiagnosticSettingScenario(t, srv, c)
	runActionGroupScenario(t, srv, c)
	runScheduledQueryRuleScenario(t, srv, c)
	runValidationCases(t, srv, c)
	mc, _ := appARMClient(t, srv, rec, ARMRole{Role: "Monitoring Contributor", Scope: armRG(srv, SecurityResourceGroup)})
	mc.fail(http.StatusForbidden, "AuthorizationFailed", "PUT", armAPI(armDiag("x"), apiDiag), testDiagBody(srv.Info().WorkspaceID, "SignInLogs"))
	runFidelityExamples(t, srv, c)

	checked := 0
	for _, r := range rec.records {
		if (r.method != "PUT" && r.method != "PATCH") || strings.Contains(strings.ToLower(r.path), "/resourcegroups/") && !strings.Contains(strings.ToLower(r.path), "/providers/") {
			continue // resource groups: no fragment
		}
		body := r.body
		if s, isString := r.body.(string); isString {
			if json.Unmarshal([]byte(s), &body) != nil {
				continue // not JSON: nothing for armcheck to check
			}
		}
		checked++
		raw, _ := json.Marshal(body)
		res := arm.CheckRequest(r.method, r.path, raw)
		exit := 0
		switch {
		case !res.Matched:
			exit = 2
		case len(res.Errors) > 0:
			exit = 1
		}
		want := r.armcheck
		switch {
		case want >= 0:
		case armcheckNoFragment[r.code]:
			want = 2
		case armcheckModelErrors[r.code]:
			want = 1
		default:
			want = 0
		}
		if exit != want {
			t.Errorf("%s %s answered %d %s; armcheck exit %d, want %d\nbody %s\n%+v", r.method, r.path, r.status, r.code, exit, want, armJSON(t, r.body), res)
		}
	}
	if checked < 60 {
		t.Fatalf("only %d requests to check", checked)
	}
	t.Logf("armcheck agreed on %d requests", checked)
}

// runFidelityExamples PUTs the fidelity examples (ids pointed at the simulated tenant's resources).
func runFidelityExamples(t *testing.T, srv *Server, c *armClient) {
	info := srv.Info()
	ag := armAG(srv, SecurityResourceGroup, "bg-alerts")
	c.ok(http.StatusCreated, "PUT", armAPI(ag, apiAG), testAGBody())
	read := func(name string) map[string]any { return fidelityExample(t, "arm", name) }
	pointAtTenant := func(body map[string]any) map[string]any {
		props := jsonAt(body, "properties")
		if _, ok := props["scopes"]; ok {
			props["scopes"] = []any{info.WorkspaceID}
		}
		if actions, ok := props["actions"].(map[string]any); ok {
			if _, ok := actions["actionGroups"]; ok {
				actions["actionGroups"] = []any{ag}
			}
		}
		if _, ok := props["workspaceId"]; ok {
			props["workspaceId"] = info.WorkspaceID
			// sentinel-export already sends AuditLogs to the workspace; that category would conflict.
			logs := []any{}
			for _, l := range props["logs"].([]any) {
				if l.(map[string]any)["category"] != "AuditLogs" {
					logs = append(logs, l)
				}
			}
			props["logs"] = logs
		}
		return body
	}
	for _, ex := range []struct{ file, path string }{
		{"ag-2023-01-01_ok.json", armAPI(armAG(srv, SecurityResourceGroup, "example-ag"), apiAG)},
		{"ag_ok.json", armAPI(armAG(srv, SecurityResourceGroup, "example-ag2"), apiAG)},
		{"sqr-2023-12-01_ok.json", armAPI(armSQR(srv, SecurityResourceGroup, "example-rule"), apiSQR)},
		{"sqr_ok.json", armAPI(armSQR(srv, SecurityResourceGroup, "example-rule2"), apiSQR)},
		{"diag_ok.json", armAPI(armDiag("example-diag"), apiDiag)},
	} {
		status, code, out := c.send("PUT", ex.path, pointAtTenant(read(ex.file)), -1)
		if status/100 != 2 {
			t.Errorf("%s: %d %s %v", ex.file, status, code, out)
		}
	}
	for _, ex := range []struct{ file, path string }{
		{"ag-2023-01-01_bad.json", armAPI(armAG(srv, SecurityResourceGroup, "example-bad-ag"), apiAG)},
		{"ag_bad.json", armAPI(armAG(srv, SecurityResourceGroup, "example-bad-ag2"), apiAG)},
		{"sqr-2023-12-01_bad.json", armAPI(armSQR(srv, SecurityResourceGroup, "example-bad-rule"), apiSQR)},
		{"sqr_bad.json", armAPI(armSQR(srv, SecurityResourceGroup, "example-bad-rule2"), apiSQR)},
		{"diag_bad.json", armAPI(armDiag("example-bad-diag"), apiDiag)},
	} {
		status, code, out := c.send("PUT", ex.path, read(ex.file), 1)
		if status != http.StatusBadRequest || !armcheckModelErrors[code] {
			t.Errorf("%s: %d %s %v", ex.file, status, code, out)
		}
	}
}
