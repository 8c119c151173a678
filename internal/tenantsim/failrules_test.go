package tenantsim

import (
	"net/http"
	"testing"
)

// TestFailRequestsAfterExecute: an AfterExecute rule lets the write happen and answers with the failure, on ARM,
// on Graph and on a Graph $batch item; the rules are not matched again by the executed request.
func TestFailRequestsAfterExecute(t *testing.T) {
	srv := startSim(t, Config{})

	c := mainARMClient(t, srv, nil)
	ag := armAG(srv, SecurityResourceGroup, "bg-lost")
	srv.FailRequests(FailRule{Method: "PUT", PathContains: "/actionGroups/bg-lost", Status: http.StatusConflict,
		Code: "Conflict", Message: "Lost answer", Count: 1, AfterExecute: true})
	if msg := c.fail(http.StatusConflict, "Conflict", "PUT", armAPI(ag, apiAG), testAGBody()); msg != "Lost answer" {
		t.Fatal(msg)
	}
	if _, ok := srv.ARMResource(ag); !ok {
		t.Fatal("the action group was not created although the rule executes the request")
	}
	c.ok(http.StatusOK, "PUT", armAPI(ag, apiAG), testAGBody()) // Count 1 is used up; the PUT updates

	g := mainGraphClient(t, srv)
	undo := srv.FailRequests(FailRule{Method: "POST", PathContains: "/v1.0/users", Status: http.StatusBadRequest, AfterExecute: true})
	user := map[string]any{
		"accountEnabled": true, "displayName": "Lost Answer", "mailNickname": "lost",
		"userPrincipalName": "lost@" + initialDomainOf(t, g),
		"passwordProfile":   map[string]any{"password": "Lost-Answer-Passw0rd!", "forceChangePasswordNextSignIn": false},
	}
	resp, out := g.do("POST", "/v1.0/users", user)
	if e, _ := out["error"].(map[string]any); resp.StatusCode != http.StatusBadRequest || e["code"] != "InternalServerError" {
		t.Fatalf("%d %v", resp.StatusCode, out)
	}
	undo()
	if _, ok := srv.User(user["userPrincipalName"].(string)); !ok {
		t.Fatal("the user was not created although the rule executes the request")
	}

	// A $batch item: executed, answered with the failure; the other item is untouched.
	srv.FailRequests(FailRule{Method: "PATCH", PathContains: "/users/", Status: http.StatusConflict, Count: 1, AfterExecute: true})
	batch := g.expect(http.StatusOK, "POST", "/v1.0/$batch", map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "PATCH", "url": "/users/" + user["userPrincipalName"].(string),
			"headers": map[string]any{"Content-Type": "application/json"}, "body": map[string]any{"displayName": "Renamed"}},
	}})
	item := batch["responses"].([]any)[0].(map[string]any)
	if item["status"] != float64(http.StatusConflict) {
		t.Fatalf("batch item: %v", item)
	}
	if u, _ := srv.User(user["userPrincipalName"].(string)); u["displayName"] != "Renamed" {
		t.Fatalf("the batch item was not executed: %v", u["displayName"])
	}
}

// initialDomainOf finds the tenant's initial domain through Graph.
func initialDomainOf(t *testing.T, g *graphClient) string {
	t.Helper()
	out := g.expect(http.StatusOK, "GET", "/v1.0/domains", nil)
	for _, d := range out["value"].([]any) {
		if dm := d.(map[string]any); dm["isInitial"] == true {
			return dm["id"].(string)
		}
	}
	t.Fatal("no initial domain")
	return ""
}
