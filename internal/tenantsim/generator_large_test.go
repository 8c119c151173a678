package tenantsim

import (
	"net/http"
	"reflect"
	"testing"
	"time"
)

// TestGenerateLargeTenantFullSize generates the benchmark tenant (10,000 users, 5,000 active and 500 eligible role
// assignments, 3,000 service principals, 30,000 app role assignments) and lists it all through Graph paging.
func TestGenerateLargeTenantFullSize(t *testing.T) {
	srv := startSim(t, Config{RandSeed: 11})
	spec := LargeTenant{Users: 10000, RoleAssignments: 5000, EligibleAssignments: 500, ServicePrincipals: 3000, AppRoleAssignments: 30000}
	start := time.Now()
	if err := srv.GenerateLargeTenant(spec); err != nil {
		t.Fatal(err)
	}
	generated := time.Since(start)
	t.Logf("generated %+v in %s", spec, generated.Round(time.Millisecond))
	if generated > 10*time.Second {
		t.Errorf("generation took %s", generated)
	}
	if n := len(srv.Users()); n != 3+spec.Users {
		t.Fatalf("users %d", n)
	}
	if n := len(srv.RoleAssignments()); n != 1+spec.RoleAssignments {
		t.Fatalf("role assignments %d", n)
	}
	if n := len(srv.RoleEligibilitySchedules()); n != spec.EligibleAssignments {
		t.Fatalf("eligible %d", n)
	}

	c := mainGraphClient(t, srv)
	timed := func(name, path string, maxPage, want int) []map[string]any {
		t.Helper()
		begin := time.Now()
		all := pageAll(t, c, path, maxPage)
		ids := map[string]bool{}
		for _, item := range all {
			ids[item["id"].(string)] = true
		}
		if len(all) != want || len(ids) != want {
			t.Fatalf("%s: %d items (%d distinct), want %d", name, len(all), len(ids), want)
		}
		t.Logf("%s: %d items in %s", name, want, time.Since(begin).Round(time.Millisecond))
		return all
	}
	timed("users", "/v1.0/users?$top=999&$select=id,userPrincipalName,accountEnabled", 999, 3+spec.Users)
	timed("users, default page", "/v1.0/users?$select=id", 100, 3+spec.Users)
	timed("roleAssignments", pathRoleAssignments+"?$top=999", 999, 1+spec.RoleAssignments)
	timed("roleAssignmentSchedules", pathAssignmentSchedules+"?$top=999", 999, 1+spec.RoleAssignments)
	instances := timed("roleAssignmentScheduleInstances", pathAssignmentInstances+"?$top=999", 999, 1+spec.RoleAssignments)
	timed("roleEligibilitySchedules", pathEligibilitySchedules+"?$top=999", 999, spec.EligibleAssignments)
	timed("roleEligibilityScheduleInstances", pathEligibilityInstances+"?$top=999", 999, spec.EligibleAssignments)
	timed("servicePrincipals", pathServicePrincipals+"?$top=999&$select=id,appId,appOwnerOrganizationId", 999, 3+spec.ServicePrincipals)
	timed("Graph appRoleAssignedTo", pathGraphSP+"/appRoleAssignedTo?$top=999", 999, spec.AppRoleAssignments+2*len(mainAppRoles))
	timed("roleAssignments with $expand=principal", pathRoleAssignments+"?$top=999&$expand=principal", 999, 1+spec.RoleAssignments)

	activated, direct, timeBound := 0, 0, 0
	for _, inst := range instances {
		switch {
		case inst["assignmentType"] == "Activated":
			activated++
		case inst["startDateTime"] == nil:
			direct++
		case inst["endDateTime"] != nil:
			timeBound++
		}
	}
	if activated != spec.RoleAssignments/10 || direct < spec.RoleAssignments/5 || timeBound == 0 {
		t.Fatalf("activated %d, outside PIM %d, time-bound %d", activated, direct, timeBound)
	}
	expectCount(t, c, pathAssignmentInstances+filterQuery("assignmentType eq 'Activated'")+"&$top=999", activated)
	if n := len(values(c.expect(http.StatusOK, "GET", pathServicePrincipals+filterQuery("appOwnerOrganizationId eq "+MicrosoftTenantID)+"&$top=999", nil))); n != 1+spec.ServicePrincipals/10 {
		t.Fatalf("first-party service principals %d", n)
	}
}

// TestGenerateLargeTenantIsDeterministic: the same RandSeed gives the same tenant; a second call adds more.
func TestGenerateLargeTenantIsDeterministic(t *testing.T) {
	spec := LargeTenant{Users: 30, RoleAssignments: 40, EligibleAssignments: 10, ServicePrincipals: 12, AppRoleAssignments: 50}
	snapshot := func() ([]string, []string, []string) {
		srv := startSim(t, Config{RandSeed: 5})
		if err := srv.GenerateLargeTenant(spec); err != nil {
			t.Fatal(err)
		}
		var users, roles, grants []string
		for _, u := range srv.Users() {
			users = append(users, u["id"].(string)+u["userPrincipalName"].(string))
		}
		for _, r := range srv.RoleAssignments() {
			roles = append(roles, r["id"].(string))
		}
		for _, a := range srv.AppRoleAssignments(MicrosoftGraphServicePrincipalID) {
			grants = append(grants, a["id"].(string))
		}
		sp, _ := srv.ServicePrincipal(MicrosoftGraphAppID)
		if sp["id"] != MicrosoftGraphServicePrincipalID {
			t.Fatalf("Graph SP %v", sp["id"])
		}
		if err := srv.GenerateLargeTenant(spec); err != nil {
			t.Fatal(err)
		}
		if n := len(srv.Users()); n != 3+2*spec.Users {
			t.Fatalf("second run: %d users", n)
		}
		if _, ok := srv.User("large2.user00001@contoso.com"); !ok {
			t.Fatal("second run names")
		}
		return users, roles, grants
	}
	u1, r1, g1 := snapshot()
	u2, r2, g2 := snapshot()
	if !reflect.DeepEqual(u1, u2) || !reflect.DeepEqual(r1, r2) || !reflect.DeepEqual(g1, g2) {
		t.Fatal("GenerateLargeTenant is not deterministic for a RandSeed")
	}
	srv := startSim(t, Config{})
	for _, bad := range []LargeTenant{{Users: -1}, {AppRoleAssignments: 10}, {ServicePrincipals: 1, AppRoleAssignments: 1 + len(graphAppRoles)}} {
		if err := srv.GenerateLargeTenant(bad); err == nil {
			t.Fatalf("%+v accepted", bad)
		}
	}
	if lt, err := ParseLargeTenant("10000,5000,500,3000,30000"); err != nil || lt != (LargeTenant{10000, 5000, 500, 3000, 30000}) {
		t.Fatalf("ParseLargeTenant %+v %v", lt, err)
	}
	for _, bad := range []string{"1,2,3", "a,b,c,d,e", "1,2,3,4,-5"} {
		if _, err := ParseLargeTenant(bad); err == nil {
			t.Fatalf("%q accepted", bad)
		}
	}
}
