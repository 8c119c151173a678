package tenantsim

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/uuid"
)

func batchResponses(t *testing.T, out map[string]any) map[string]map[string]any {
	t.Helper()
	byID := map[string]map[string]any{}
	for _, r := range out["responses"].([]any) {
		item := r.(map[string]any)
		byID[item["id"].(string)] = item
	}
	return byID
}

func TestBatch(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	missing := uuid.NewString()
	out := c.expect(http.StatusOK, "POST", "/v1.0/$batch", map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "POST", "url": "/users", "headers": map[string]any{"Content-Type": "application/json"}, "body": newUserBody("batched")},
		map[string]any{"id": "2", "method": "GET", "url": "/users/batched@contoso.onmicrosoft.com?$select=id,accountEnabled", "dependsOn": []any{"1"}},
		map[string]any{"id": "3", "method": "GET", "url": "users/" + missing},
		map[string]any{"id": "4", "method": "PATCH", "url": "/users/" + missing, "headers": map[string]any{"Content-Type": "application/json"}, "body": map[string]any{"jobTitle": "x"}},
		map[string]any{"id": "5", "method": "GET", "url": "/users/" + missing, "dependsOn": []any{"4"}},
		map[string]any{"id": "6", "method": "GET", "url": "/domains"},
	}})
	res := batchResponses(t, out)
	if res["1"]["status"] != float64(201) || res["2"]["status"] != float64(200) {
		t.Fatalf("create/get: %v %v", res["1"], res["2"])
	}
	if body := res["2"]["body"].(map[string]any); body["accountEnabled"] != true {
		t.Fatalf("inner body %v", body)
	}
	if res["3"]["status"] != float64(404) || res["3"]["body"].(map[string]any)["error"].(map[string]any)["code"] != "Request_ResourceNotFound" {
		t.Fatalf("inner 404: %v", res["3"])
	}
	if res["5"]["status"] != float64(424) {
		t.Fatalf("failed dependency: %v", res["5"])
	}
	if h := res["6"]["headers"].(map[string]any); h["Content-Type"] == nil {
		t.Fatalf("inner headers %v", h)
	}

	var many []any
	for i := 0; i < 21; i++ {
		many = append(many, map[string]any{"id": fmt.Sprint(i), "method": "GET", "url": "/users"})
	}
	c.expectError(http.StatusBadRequest, "BadRequest", "POST", "/v1.0/$batch", map[string]any{"requests": many})
	c.expectError(http.StatusBadRequest, "BadRequest", "POST", "/v1.0/$batch", map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "GET", "url": "/users"}, map[string]any{"id": "1", "method": "GET", "url": "/users"},
	}})
	c.expectError(http.StatusBadRequest, "BadRequest", "POST", "/v1.0/$batch", map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "GET", "url": "/users", "dependsOn": []any{"9"}},
	}})
}

func TestBatchItemsKeepPermissionChecks(t *testing.T) {
	srv := startSim(t, Config{})
	readerID := uuid.NewString()
	if err := srv.RegisterApp(App{ClientID: readerID, Secret: "s3cret-value", Roles: []string{"User.Read.All"}}); err != nil {
		t.Fatal(err)
	}
	c := newGraphClient(t, srv, clientSecretToken(t, srv, readerID, "s3cret-value", GraphResourceID+".default"))
	out := c.expect(http.StatusOK, "POST", "/v1.0/$batch", map[string]any{"requests": []any{
		map[string]any{"id": "a", "method": "GET", "url": "/users?$top=1"},
		map[string]any{"id": "b", "method": "DELETE", "url": "/users/" + FixtureLicensedUserID},
	}})
	res := batchResponses(t, out)
	if res["a"]["status"] != float64(200) || res["b"]["status"] != float64(403) {
		t.Fatalf("statuses %v %v", res["a"]["status"], res["b"]["status"])
	}
	if _, ok := srv.User(FixtureLicensedUserID); !ok {
		t.Fatal("a denied batch item took effect")
	}
}
