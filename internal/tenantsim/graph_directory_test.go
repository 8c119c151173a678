package tenantsim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestSoftDeleteRestoreAndPurge(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	id := createUser(t, c, "bg-delete")

	c.expect(http.StatusNoContent, "DELETE", "/v1.0/users/"+id, nil)
	msg := c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "GET", "/v1.0/users/"+id, nil)
	if msg != "Resource '"+id+"' does not exist or one of its queried reference-property objects are not present." {
		t.Fatal(msg)
	}
	if _, ok := srv.User(id); ok {
		t.Fatal("User() returns a soft-deleted user")
	}
	if deleted := srv.DeletedUsers(); len(deleted) != 1 || deleted[0]["deletedDateTime"] == nil {
		t.Fatalf("DeletedUsers %v", deleted)
	}

	item := c.expect(http.StatusOK, "GET", "/v1.0/directory/deletedItems/"+id, nil)
	if item["@odata.type"] != "#microsoft.graph.user" || item["deletedDateTime"] == nil || item["id"] != id {
		t.Fatalf("deleted item %v", item)
	}
	list := c.expect(http.StatusOK, "GET", "/v1.0/directory/deletedItems/microsoft.graph.user?$select=id,userPrincipalName,deletedDateTime", nil)
	// Entra renames a soft-deleted user to <object id without dashes><UPN>, freeing the UPN.
	mangled := strings.ReplaceAll(id, "-", "") + "bg-delete@contoso.onmicrosoft.com"
	if v := list["value"].([]any); len(v) != 1 || v[0].(map[string]any)["userPrincipalName"] != mangled {
		t.Fatalf("deleted list %v", list)
	}
	twin := createUser(t, c, "bg-delete")
	// A restore whose UPN is taken by then fails; once the twin is gone it succeeds with the original UPN.
	if msg := c.expectError(http.StatusBadRequest, "Request_BadRequest", "POST", "/v1.0/directory/deletedItems/"+id+"/restore", nil); msg != msgDuplicateUPN {
		t.Fatal(msg)
	}
	c.expect(http.StatusNoContent, "DELETE", "/v1.0/users/"+twin, nil)
	c.expect(http.StatusNoContent, "DELETE", "/v1.0/directory/deletedItems/"+twin, nil)

	restored := c.expect(http.StatusOK, "POST", "/v1.0/directory/deletedItems/"+id+"/restore", nil)
	if restored["id"] != id {
		t.Fatalf("restore %v", restored)
	}
	if got := c.expect(http.StatusOK, "GET", "/v1.0/users/"+id, nil)["userPrincipalName"]; got != "bg-delete@contoso.onmicrosoft.com" {
		t.Fatalf("restored UPN %v", got)
	}
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "GET", "/v1.0/directory/deletedItems/"+id, nil)

	c.expect(http.StatusNoContent, "DELETE", "/v1.0/users/"+id, nil)
	c.expect(http.StatusNoContent, "DELETE", "/v1.0/directory/deletedItems/"+id, nil)
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "GET", "/v1.0/directory/deletedItems/"+id, nil)
	if len(srv.DeletedUsers()) != 0 {
		t.Fatal("purged user still in deletedItems")
	}
	createUser(t, c, "bg-delete")

	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "DELETE", "/v1.0/users/"+uuid.NewString(), nil)
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "POST", "/v1.0/directory/deletedItems/"+uuid.NewString()+"/restore", nil)
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "DELETE", "/v1.0/users/"+FixtureSyncedAdminID, nil)
}

func TestDomainsAndOrganization(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	domains := c.expect(http.StatusOK, "GET", "/v1.0/domains", nil)["value"].([]any)
	byName := map[string]map[string]any{}
	for _, d := range domains {
		dom := d.(map[string]any)
		byName[dom["id"].(string)] = dom
	}
	if d := byName["contoso.onmicrosoft.com"]; d["isInitial"] != true || d["isVerified"] != true || d["isDefault"] != false {
		t.Fatalf("initial domain %v", d)
	}
	if d := byName["contoso.com"]; d["isDefault"] != true || d["isVerified"] != true {
		t.Fatalf("default domain %v", d)
	}
	if d := byName["contoso-unverified.com"]; d["isVerified"] != false {
		t.Fatalf("unverified domain %v", d)
	}
	one := c.expect(http.StatusOK, "GET", "/v1.0/domains/Contoso.com?$select=id,isDefault", nil)
	if len(one) != 3 || one["isDefault"] != true {
		t.Fatalf("domain %v", one)
	}
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "GET", "/v1.0/domains/fabrikam.com", nil)

	orgs := c.expect(http.StatusOK, "GET", "/v1.0/organization", nil)["value"].([]any)
	org := orgs[0].(map[string]any)
	if org["id"] != srv.Info().TenantID || org["displayName"] != "Contoso (simulated)" || len(org["verifiedDomains"].([]any)) != 2 {
		t.Fatalf("organization %v", org)
	}
	c.expect(http.StatusOK, "GET", "/v1.0/organization/"+srv.Info().TenantID+"?$select=id,displayName", nil)
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "GET", "/v1.0/organization/"+uuid.NewString(), nil)
}
