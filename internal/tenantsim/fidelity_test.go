package tenantsim

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestResponsesMatchGraphSchema dumps real answers and validates them with graphcheck.py against the v1.0 CSDL.
func TestResponsesMatchGraphSchema(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not on PATH")
	}
	srv := startSim(t, Config{})
	if err := srv.AddUsers(GenerateUsers(5)); err != nil {
		t.Fatal(err)
	}
	c := mainGraphClient(t, srv)
	body := newUserBody("schema")
	body["authorizationInfo"] = map[string]any{"certificateUserIds": []any{"X509:<PN>schema@contoso.com"}}
	id := c.expect(http.StatusCreated, "POST", "/v1.0/users", body)["id"].(string)

	var every []string
	for name := range userSchema.properties {
		every = append(every, name)
	}
	sort.Strings(every)
	selectAll := "?$select=" + strings.Join(every, ",")
	deleted := createUser(t, c, "schema-deleted")
	c.expect(http.StatusNoContent, "DELETE", "/v1.0/users/"+deleted, nil)

	checks := []struct{ schemaPath, path string }{
		{"/v1.0/users/" + id, "/v1.0/users/" + id},
		{"/v1.0/users/" + id, "/v1.0/users/" + id + selectAll},
		{"/v1.0/users/" + FixtureLicensedUserID, "/v1.0/users/" + FixtureLicensedUserID + selectAll},
		{"/v1.0/users/" + FixtureSyncedAdminID, "/v1.0/users/" + FixtureSyncedAdminID + selectAll},
		{"/v1.0/users", "/v1.0/users"},
		{"/v1.0/users", "/v1.0/users?$top=3&$select=id,accountEnabled,signInActivity,onPremisesSyncEnabled,assignedLicenses,authorizationInfo"},
		{"/v1.0/directory/deletedItems/microsoft.graph.user", "/v1.0/directory/deletedItems/microsoft.graph.user"},
		{"/v1.0/directory/deletedItems/" + deleted, "/v1.0/directory/deletedItems/" + deleted},
		{"/v1.0/domains", "/v1.0/domains"},
		{"/v1.0/domains/contoso.com", "/v1.0/domains/contoso.com"},
		{"/v1.0/organization", "/v1.0/organization"},
	}
	dir := t.TempDir()
	for i, check := range checks {
		out := c.expect(http.StatusOK, "GET", check.path, nil)
		raw, _ := json.Marshal(out)
		file := filepath.Join(dir, "response.json")
		if err := os.WriteFile(file, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		result, err := exec.Command(python, filepath.Join(fidelityDir, "graph", "graphcheck.py"), "response", check.schemaPath, file).CombinedOutput()
		if err != nil {
			t.Errorf("check %d, GET %s: %v\n%s", i, check.path, err, result)
		}
	}
}
