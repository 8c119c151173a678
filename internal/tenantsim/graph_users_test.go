package tenantsim

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestCreateAndGetUser(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	out := c.expect(http.StatusCreated, "POST", "/v1.0/users", newUserBody("bg-one"))
	id := out["id"].(string)
	if uuid.Validate(id) != nil || out["userPrincipalName"] != "bg-one@contoso.onmicrosoft.com" {
		t.Fatalf("create response %v", out)
	}
	if !strings.HasSuffix(out["@odata.context"].(string), "/v1.0/$metadata#users/$entity") {
		t.Fatalf("context %v", out["@odata.context"])
	}
	if _, leaked := out["passwordProfile"]; leaked {
		t.Fatal("create response holds passwordProfile")
	}

	// Without $select Graph returns only its default properties.
	got := c.expect(http.StatusOK, "GET", "/v1.0/users/"+id, nil)
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := append([]string{"@odata.context"}, userSchema.defaultSelect...)
	sort.Strings(want)
	if !reflect.DeepEqual(keys, want) {
		t.Fatalf("default properties %v, want %v", keys, want)
	}

	sel := c.expect(http.StatusOK, "GET", "/v1.0/users/"+id+"?$select=id,accountEnabled,userType,creationType,onPremisesSyncEnabled,assignedLicenses,passwordProfile,passwordPolicies,createdDateTime,authorizationInfo,signInActivity", nil)
	checks := map[string]any{"accountEnabled": true, "userType": "Member", "creationType": nil, "onPremisesSyncEnabled": nil,
		"passwordProfile": nil, "passwordPolicies": "DisablePasswordExpiration", "signInActivity": nil}
	for k, v := range checks {
		if sel[k] != v {
			t.Fatalf("%s = %v, want %v", k, sel[k], v)
		}
	}
	if l := sel["assignedLicenses"].([]any); len(l) != 0 || sel["createdDateTime"] == nil {
		t.Fatalf("selected %v", sel)
	}
	if !strings.Contains(sel["@odata.context"].(string), "#users(id,accountEnabled,") {
		t.Fatalf("context %v", sel["@odata.context"])
	}
	// Property names in $select are case-insensitive and come back in CSDL spelling.
	if out := c.expect(http.StatusOK, "GET", "/v1.0/users/"+id+"?$select=authorizationinfo", nil); out["authorizationInfo"] == nil {
		t.Fatalf("authorizationinfo: %v", out)
	}

	// Lookup by UPN, any case.
	byUPN := c.expect(http.StatusOK, "GET", "/v1.0/users/BG-ONE@contoso.onmicrosoft.com", nil)
	if byUPN["id"] != id {
		t.Fatalf("by UPN %v", byUPN)
	}
	if !srv.CheckUserPassword(id, "Str0ng-Passw0rd!") || srv.CheckUserPassword(id, "other") {
		t.Fatal("password not stored")
	}

	msg := c.expectError(http.StatusBadRequest, "Request_BadRequest", "GET", "/v1.0/users/"+id+"?$select=id,shoeSize", nil)
	if msg != "Could not find a property named 'shoeSize' on type 'microsoft.graph.user'." {
		t.Fatal(msg)
	}
	missing := uuid.NewString()
	msg = c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "GET", "/v1.0/users/"+missing, nil)
	if msg != "Resource '"+missing+"' does not exist or one of its queried reference-property objects are not present." {
		t.Fatal(msg)
	}
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "GET", "/v1.0/users/not-a-key", nil)
}

func TestCreateUserValidation(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	createUser(t, c, "taken")

	cases := []struct {
		name   string
		mutate func(map[string]any)
		code   string
		msg    string
	}{
		{"missing displayName", func(b map[string]any) { delete(b, "displayName") }, "Request_BadRequest", "Property displayName value is required but is empty or missing."},
		{"missing accountEnabled", func(b map[string]any) { delete(b, "accountEnabled") }, "Request_BadRequest", "Property accountEnabled value is required but is empty or missing."},
		{"missing mailNickname", func(b map[string]any) { delete(b, "mailNickname") }, "Request_BadRequest", "Property mailNickname value is required but is empty or missing."},
		{"missing UPN", func(b map[string]any) { delete(b, "userPrincipalName") }, "Request_BadRequest", "Property userPrincipalName value is required but is empty or missing."},
		{"missing password", func(b map[string]any) { delete(b, "passwordProfile") }, "Request_BadRequest", "A password must be specified to create a new user."},
		{"duplicate UPN", func(b map[string]any) { b["userPrincipalName"] = "TAKEN@contoso.onmicrosoft.com" }, "Request_BadRequest", msgDuplicateUPN},
		{"unverified domain", func(b map[string]any) { b["userPrincipalName"] = "x@contoso-unverified.com" }, "Request_BadRequest", msgBadDomain},
		{"foreign domain", func(b map[string]any) { b["userPrincipalName"] = "x@fabrikam.com" }, "Request_BadRequest", msgBadDomain},
		{"bad UPN", func(b map[string]any) { b["userPrincipalName"] = "a b@contoso.com" }, "Request_BadRequest", "Invalid value specified for property 'userPrincipalName' of resource 'User'."},
		{"dot before @", func(b map[string]any) { b["userPrincipalName"] = "ab.@contoso.com" }, "Request_BadRequest", "Invalid value specified for property 'userPrincipalName' of resource 'User'."},
		{"nickname with space", func(b map[string]any) { b["mailNickname"] = "a b" }, "Request_BadRequest", "Invalid value specified for property 'mailNickname' of resource 'User'."},
		{"nickname too long", func(b map[string]any) { b["mailNickname"] = strings.Repeat("a", 65) }, "Request_BadRequest", "Invalid value specified for property 'mailNickname' of resource 'User'."},
		{"short password", func(b map[string]any) { b["passwordProfile"] = map[string]any{"password": "Ab1!"} }, "Request_BadRequest", msgBadPassword},
		{"two classes", func(b map[string]any) { b["passwordProfile"] = map[string]any{"password": "abcdefgh12345"} }, "Request_BadRequest", msgBadPassword},
		{"unicode", func(b map[string]any) { b["passwordProfile"] = map[string]any{"password": "Pässwörd-123"} }, "Request_BadRequest", msgBadPassword},
		{"too long", func(b map[string]any) {
			b["passwordProfile"] = map[string]any{"password": "Aa1!" + strings.Repeat("x", 253)}
		}, "Request_BadRequest", msgBadPassword},
		{"unknown property", func(b map[string]any) { b["shoeSize"] = 42 }, "BadRequest", "The property 'shoeSize' does not exist on type 'microsoft.graph.user'. Make sure to only use property names that are defined by the type or mark the type as open type."},
		{"read-only property", func(b map[string]any) { b["onPremisesSyncEnabled"] = true }, "Request_BadRequest", "Property 'onPremisesSyncEnabled' is read-only and cannot be set."},
		{"wrong kind", func(b map[string]any) { b["accountEnabled"] = "true" }, "BadRequest", "Cannot convert a primitive value to the expected type 'Edm.Boolean'. See the inner exception for more details."},
		{"bad passwordPolicies", func(b map[string]any) { b["passwordPolicies"] = "NeverExpire" }, "Request_BadRequest", "Invalid value specified for property 'passwordPolicies' of resource 'User'."},
		{"bad certificateUserIds", func(b map[string]any) {
			b["authorizationInfo"] = map[string]any{"certificateUserIds": []any{"bob@contoso.com"}}
		}, "Request_BadRequest", "Invalid value specified for property 'certificateUserIds' of resource 'User'."},
		{"lowercase x509 prefix", func(b map[string]any) {
			b["authorizationInfo"] = map[string]any{"certificateUserIds": []any{"x509:<PN>bob@contoso.com"}}
		}, "Request_BadRequest", "Invalid value specified for property 'certificateUserIds' of resource 'User'."},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := newUserBody(fmt.Sprintf("case%d", i))
			tc.mutate(body)
			msg := c.expectError(http.StatusBadRequest, tc.code, "POST", "/v1.0/users", body)
			if msg != tc.msg {
				t.Fatalf("message %q, want %q", msg, tc.msg)
			}
		})
	}
	c.expectError(http.StatusBadRequest, "BadRequest", "POST", "/v1.0/users", "{not json")
}

func TestPasswordPolicy(t *testing.T) {
	for _, pw := range []string{"Str0ng-Passw0rd!", "abcdEFGH1234", "abcd efgh 12!", "ABCDEFG1" + AllowedPasswordSymbols, strings.Repeat("aB3", 85)} {
		if !passwordComplies(pw, false) {
			t.Errorf("%q rejected", pw)
		}
	}
	for _, pw := range []string{"Ab1!xyz", "abcdefghij", "ABCDEFGH12", "Abcdefgh€1", "Abcdefgh1\t", strings.Repeat("aB3", 86)} {
		if passwordComplies(pw, false) {
			t.Errorf("%q accepted", pw)
		}
	}
	if !passwordComplies("abcdefghij", true) || passwordComplies("abc", true) {
		t.Error("DisableStrongPassword")
	}
}

func TestCertificateUserIDForms(t *testing.T) {
	for _, v := range []string{"X509:<PN>bob@woodgrove.com", "X509:<PN>bob@woodgrove", "X509:<RFC822>user@woodgrove.com",
		"X509:<I>DC=com,DC=contoso,CN=CONTOSO-DC-CA<S>DC=com,DC=contoso,OU=UserAccounts,CN=mfatest",
		"X509:<S>DC=com,DC=contoso,OU=UserAccounts,CN=mfatest", "X509:<SKI>aB1cD2eF3gH4iJ5kL6mN7oP8qR",
		"X509:<SHA1-PUKEY>cD2eF3gH4iJ5kL6mN7oP8qR9sT", "X509:<I>DC=com,DC=contoso,CN=CONTOSO-DC-CA<SR>b24134139f069b49997212a86ba0ef48"} {
		if !certificateUserIDPattern.MatchString(v) {
			t.Errorf("%q rejected", v)
		}
	}
	for _, v := range []string{"X509:<PN>", "X509:<XYZ>abc", "<PN>bob@woodgrove.com", "x509:<PN>bob@woodgrove.com", "X509:<I>only-issuer"} {
		if certificateUserIDPattern.MatchString(v) {
			t.Errorf("%q accepted", v)
		}
	}
}

func TestPatchUserMergeSemantics(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	body := newUserBody("patchme")
	body["jobTitle"] = "Emergency access"
	body["authorizationInfo"] = map[string]any{"certificateUserIds": []any{"X509:<PN>a@contoso.com", "X509:<SKI>abc"}}
	id := c.expect(http.StatusCreated, "POST", "/v1.0/users", body)["id"].(string)

	c.expect(http.StatusNoContent, "PATCH", "/v1.0/users/"+id, map[string]any{"displayName": "Renamed"})
	u, _ := srv.User(id)
	if u["displayName"] != "Renamed" || u["jobTitle"] != "Emergency access" || u["mailNickname"] != "patchme" {
		t.Fatalf("one-field patch changed others: %v", u)
	}
	// A collection inside a complex value is replaced, not appended to.
	c.expect(http.StatusNoContent, "PATCH", "/v1.0/users/"+id, map[string]any{"authorizationInfo": map[string]any{"certificateUserIds": []any{"X509:<RFC822>b@contoso.com"}}})
	u, _ = srv.User(id)
	if got := certificateUserIDs(u); !reflect.DeepEqual(got, []string{"X509:<RFC822>b@contoso.com"}) {
		t.Fatalf("certificateUserIds %v", got)
	}
	// Unique across the tenant.
	other := createUser(t, c, "other")
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "PATCH", "/v1.0/users/"+other, map[string]any{"authorizationInfo": map[string]any{"certificateUserIds": []any{"X509:<RFC822>b@contoso.com"}}})

	// Password change: validated, stored as a new hash, lastPasswordChangeDateTime moves.
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "PATCH", "/v1.0/users/"+id, map[string]any{"passwordProfile": map[string]any{"password": "weak"}})
	c.expect(http.StatusNoContent, "PATCH", "/v1.0/users/"+id, map[string]any{"passwordProfile": map[string]any{"password": "N3w-Passw0rd-Value!"}})
	if !srv.CheckUserPassword(id, "N3w-Passw0rd-Value!") || srv.CheckUserPassword(id, "Str0ng-Passw0rd!") {
		t.Fatal("password not changed")
	}

	// Renaming keeps the sign-in identity in step and respects uniqueness and domains.
	c.expect(http.StatusNoContent, "PATCH", "/v1.0/users/patchme@contoso.onmicrosoft.com", map[string]any{"userPrincipalName": "patched@contoso.com"})
	u, _ = srv.User(id)
	if identity := u["identities"].([]any)[0].(map[string]any); identity["issuerAssignedId"] != "patched@contoso.com" {
		t.Fatalf("identities %v", u["identities"])
	}
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "PATCH", "/v1.0/users/"+other, map[string]any{"userPrincipalName": "patched@contoso.com"})
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "PATCH", "/v1.0/users/"+other, map[string]any{"userPrincipalName": "x@contoso-unverified.com"})
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "PATCH", "/v1.0/users/"+uuid.NewString(), map[string]any{"displayName": "x"})
}

func TestSyncedUserIsMasteredOnPremises(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	msg := c.expectError(http.StatusBadRequest, "Request_BadRequest", "PATCH", "/v1.0/users/"+FixtureSyncedAdminID, map[string]any{"displayName": "x"})
	if msg != msgOnPremMastered {
		t.Fatal(msg)
	}
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "PATCH", "/v1.0/users/"+FixtureSyncedAdminID, map[string]any{"passwordProfile": map[string]any{"password": "N3w-Passw0rd-Value!"}})
	// Cloud-owned attributes stay writable.
	c.expect(http.StatusNoContent, "PATCH", "/v1.0/users/"+FixtureSyncedAdminID, map[string]any{"usageLocation": "DE"})
}

func TestListUsersFilterPagingCount(t *testing.T) {
	srv := startSim(t, Config{})
	if err := srv.AddUsers(GenerateUsers(250)); err != nil {
		t.Fatal(err)
	}
	c := mainGraphClient(t, srv)

	// Default page size 100 with nextLinks that carry the query along.
	seen := map[string]bool{}
	next := "/v1.0/users?$select=id,displayName"
	pages := 0
	for next != "" {
		out := c.expect(http.StatusOK, "GET", next, nil)
		pages++
		for _, v := range out["value"].([]any) {
			item := v.(map[string]any)
			if len(item) != 2 {
				t.Fatalf("$select ignored: %v", item)
			}
			seen[item["id"].(string)] = true
		}
		next = ""
		if link, ok := out["@odata.nextLink"].(string); ok {
			u, err := url.Parse(link)
			if err != nil || !strings.Contains(link, "$select=id,displayName") || !strings.Contains(link, "$skiptoken=") {
				t.Fatalf("nextLink %s", link)
			}
			next = u.RequestURI()
		}
	}
	if pages != 3 || len(seen) != 253 {
		t.Fatalf("pages %d users %d", pages, len(seen))
	}

	out := c.expect(http.StatusOK, "GET", "/v1.0/users?$top=999", nil)
	if len(out["value"].([]any)) != 253 || out["@odata.nextLink"] != nil {
		t.Fatalf("$top=999: %d", len(out["value"].([]any)))
	}
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "GET", "/v1.0/users?$top=1000", nil)

	count := func(filter string, advanced bool) int {
		t.Helper()
		c.header = http.Header{}
		path := "/v1.0/users?$top=999&$filter=" + url.QueryEscape(filter)
		if advanced {
			c.header.Set("ConsistencyLevel", "eventual")
			path += "&$count=true"
		}
		out := c.expect(http.StatusOK, "GET", path, nil)
		n := len(out["value"].([]any))
		if advanced && int(out["@odata.count"].(float64)) != n {
			t.Fatalf("@odata.count %v vs %d", out["@odata.count"], n)
		}
		return n
	}
	if n := count("userPrincipalName eq 'MEGAN.BOWEN@contoso.com'", false); n != 1 {
		t.Fatalf("eq: %d", n)
	}
	if n := count("startswith(displayName,'Generated User 001')", false); n != 100 {
		t.Fatalf("startswith: %d", n)
	}
	if n := count("accountEnabled eq false", false); n != 13 { // 12 generated + the disabled fixture
		t.Fatalf("accountEnabled: %d", n)
	}
	if n := count("onPremisesSyncEnabled eq true and (startswith(mailNickname,'gen.') or id eq '"+FixtureSyncedAdminID+"')", false); n != 26 {
		t.Fatalf("and/or: %d", n)
	}
	if n := count("id in ('"+FixtureSyncedAdminID+"','"+FixtureLicensedUserID+"')", false); n != 2 {
		t.Fatalf("in: %d", n)
	}
	if n := count("onPremisesSyncEnabled ne true", true); n != 253-26 {
		t.Fatalf("ne: %d", n)
	}
	c.header = http.Header{}
	msg := c.expectError(http.StatusBadRequest, "Request_UnsupportedQuery", "GET", "/v1.0/users?$filter="+url.QueryEscape("accountEnabled ne true"), nil)
	if !strings.Contains(msg, "Operator 'ne' is not supported") {
		t.Fatal(msg)
	}
	c.expectError(http.StatusBadRequest, "Request_UnsupportedQuery", "GET", "/v1.0/users?$filter="+url.QueryEscape("jobTitle eq 'x'"), nil)
	c.expectError(http.StatusBadRequest, "BadRequest", "GET", "/v1.0/users?$filter="+url.QueryEscape("displayName eq 'x"), nil)
	c.expectError(http.StatusBadRequest, "BadRequest", "GET", "/v1.0/users?$filter="+url.QueryEscape("accountEnabled eq 'true'"), nil)

	// $count=true without ConsistencyLevel is ignored, as in Graph.
	if out := c.expect(http.StatusOK, "GET", "/v1.0/users?$count=true&$top=1", nil); out["@odata.count"] != nil {
		t.Fatal("@odata.count without ConsistencyLevel")
	}
	c.expectError(http.StatusBadRequest, "Request_UnsupportedQuery", "GET", "/v1.0/users/$count", nil)
	c.header.Set("ConsistencyLevel", "eventual")
	resp, _ := c.do("GET", "/v1.0/users/$count", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("$count: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestFilterParser(t *testing.T) {
	obj := map[string]any{"displayName": "O'Brien", "accountEnabled": true, "onPremisesSyncEnabled": nil, "id": "8b2e7d41-93c5-4a0f-b6e8-5d1c3f9a2e70"}
	for filter, want := range map[string]bool{
		"displayName eq 'o''brien'":                  true,
		"not (displayName eq 'x')":                   true,
		"onPremisesSyncEnabled eq null":              true,
		"onPremisesSyncEnabled eq true":              false,
		"id eq 8b2e7d41-93c5-4a0f-b6e8-5d1c3f9a2e70": true,
		"accountEnabled eq true and (displayName eq 'a' or startswith(displayName, 'O'''))": true,
		"DISPLAYNAME IN ('a', 'O''Brien')":                                                  true,
	} {
		expr, _, gerr := parseFilter(filter, userSchema)
		if gerr != nil {
			t.Fatalf("%s: %v", filter, gerr)
		}
		if got := expr.match(obj); got != want {
			t.Errorf("%s = %v, want %v", filter, got, want)
		}
	}
	for _, bad := range []string{"displayName eq", "(displayName eq 'a'", "displayName gt 'a'", "startswith(displayName)", "displayName eq 'a' xor id eq 'b'"} {
		if _, _, gerr := parseFilter(bad, userSchema); gerr == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestPermissions(t *testing.T) {
	srv := startSim(t, Config{})
	readerID, writerID := uuid.NewString(), uuid.NewString()
	if err := srv.RegisterApp(App{ClientID: readerID, Secret: "reader-secret", Roles: []string{"User.Read.All"}}); err != nil {
		t.Fatal(err)
	}
	if err := srv.RegisterApp(App{ClientID: writerID, Secret: "writer-secret", Roles: []string{"User.ReadWrite.All"}}); err != nil {
		t.Fatal(err)
	}
	if err := srv.RegisterApp(App{ClientID: readerID}); err == nil {
		t.Fatal("duplicate registration accepted")
	}
	reader := newGraphClient(t, srv, clientSecretToken(t, srv, readerID, "reader-secret", GraphResourceID+".default"))
	writer := newGraphClient(t, srv, clientSecretToken(t, srv, writerID, "writer-secret", GraphResourceID+".default"))

	reader.expect(http.StatusOK, "GET", "/v1.0/users", nil)
	msg := reader.expectError(http.StatusForbidden, "Authorization_RequestDenied", "POST", "/v1.0/users", newUserBody("denied"))
	if msg != "Insufficient privileges to complete the operation." {
		t.Fatal(msg)
	}
	reader.expectError(http.StatusForbidden, "Authorization_RequestDenied", "PATCH", "/v1.0/users/"+FixtureLicensedUserID, map[string]any{"jobTitle": "x"})
	reader.expectError(http.StatusForbidden, "Authorization_RequestDenied", "GET", "/v1.0/domains", nil)
	reader.expectError(http.StatusForbidden, "Authorization_RequestDenied", "GET", "/v1.0/organization", nil)
	// signInActivity needs AuditLog.Read.All on top.
	writer.expectError(http.StatusForbidden, "Authorization_RequestDenied", "GET", "/v1.0/users/"+FixtureLicensedUserID+"?$select=signInActivity", nil)
	writer.expectError(http.StatusForbidden, "Authorization_RequestDenied", "GET", "/v1.0/users?$select=id,signInActivity", nil)
	out := mainGraphClient(t, srv).expect(http.StatusOK, "GET", "/v1.0/users/"+FixtureLicensedUserID+"?$select=signInActivity", nil)
	if out["signInActivity"].(map[string]any)["lastSuccessfulSignInDateTime"] == nil {
		t.Fatalf("signInActivity %v", out)
	}
	writer.expect(http.StatusCreated, "POST", "/v1.0/users", newUserBody("allowed"))
	// A deny does not depend on whether the target exists: permissions are checked first.
	reader.expectError(http.StatusForbidden, "Authorization_RequestDenied", "DELETE", "/v1.0/directory/deletedItems/"+uuid.NewString(), nil)
}

func TestConcurrentWrites(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	const workers = 16
	ids := make(chan string, workers)
	errs := make(chan string, workers)
	for i := 0; i < workers; i++ {
		go func(i int) {
			body := newUserBody(fmt.Sprintf("parallel%02d", i))
			resp, out := c.do("POST", "/v1.0/users", body)
			if resp.StatusCode != http.StatusCreated {
				errs <- fmt.Sprintf("create %d: %d %v", i, resp.StatusCode, out)
				return
			}
			id := out["id"].(string)
			if resp, _ := c.do("PATCH", "/v1.0/users/"+id, map[string]any{"jobTitle": "x"}); resp.StatusCode != http.StatusNoContent {
				errs <- fmt.Sprintf("patch %d: %d", i, resp.StatusCode)
				return
			}
			if resp, _ := c.do("GET", "/v1.0/users?$select=id,jobTitle", nil); resp.StatusCode != http.StatusOK {
				errs <- fmt.Sprintf("list %d: %d", i, resp.StatusCode)
				return
			}
			ids <- id
		}(i)
	}
	seen := map[string]bool{}
	for i := 0; i < workers; i++ {
		select {
		case id := <-ids:
			seen[id] = true
		case e := <-errs:
			t.Fatal(e)
		}
	}
	if len(seen) != workers || len(srv.Users()) != 3+workers {
		t.Fatalf("ids %d users %d", len(seen), len(srv.Users()))
	}
}
