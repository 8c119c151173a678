package fidelity

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func example(t *testing.T, api, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("spec", api, "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func mustGraph(t *testing.T) *Graph {
	t.Helper()
	g, err := LoadGraph()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func mustARM(t *testing.T) *ARM {
	t.Helper()
	a, err := LoadARM()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestCSDLIsTheOneSourcesNames: the embedded CSDL is the snapshot SOURCES.md pins, so a refresh updates both.
func TestCSDLIsTheOneSourcesNames(t *testing.T) {
	sources, err := os.ReadFile(filepath.Join("spec", "SOURCES.md"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := specFS.Open(csdlFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, z); err != nil {
		t.Fatal(err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); !strings.Contains(string(sources), "sha256 `"+sum+"`") {
		t.Fatalf("spec/SOURCES.md does not name the embedded CSDL's sha256 %s", sum)
	}
}

// TestGraphExamples: every _ok example passes; every _bad one fails with as many errors as graphcheck.py found, each
// naming the mistake it was written for.
func TestGraphExamples(t *testing.T) {
	g := mustGraph(t)
	for _, tc := range []struct {
		file, method, url string
		response          bool
		want              []string // one substring per expected error
	}{
		{file: "batch_ok.json", method: "POST", url: "/v1.0/$batch"},
		{file: "batch_bad.json", method: "POST", url: "/v1.0/$batch", want: []string{"url must be relative", "duplicate id", "needs headers",
			"'acountEnabled' is not a property", "dependsOn \"9\"", "'fido2Methods' is not a property/navigation"}},
		{file: "ca_patch_ok.json", method: "PATCH", url: "/v1.0/identity/conditionalAccess/policies/ID"},
		{file: "ca_patch_bad.json", method: "PATCH", url: "/v1.0/identity/conditionalAccess/policies/ID", want: []string{
			"grantControls.builtInControls[0]: \"MFA\" is not a member", "clientAppTypes[0]: \"everything\"",
			"includeUsers: expected JSON array", "'excludedUsers' is not a property", "state: \"reportOnly\""}},
		{file: "role_assign_ok.json", method: "POST", url: "/v1.0/roleManagement/directory/roleAssignmentScheduleRequests"},
		{file: "role_assign_bad.json", method: "POST", url: "/v1.0/roleManagement/directory/roleAssignmentScheduleRequests", want: []string{
			"action: \"AdminAssign\"", "'expirationType' is not a property", "\"1 day\" is not a valid Edm.Duration",
			"\"2024-01-01\" is not a valid Edm.DateTimeOffset", "type: \"NoExpiration\""}},
		{file: "user_create.json", method: "POST", url: "/v1.0/users"},
		{file: "fido2_response.json", url: "/v1.0/users/u1/authentication/fido2Methods", response: true},
		{file: "fido2_response_bad.json", url: "/v1.0/users/u1/authentication/fido2Methods", response: true, want: []string{
			"'nextLink'", "attestationLevel: \"Attested\"", "'created' is not a property"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body := example(t, "graph", tc.file)
			var errs []string
			if tc.response {
				errs = g.CheckResponse(tc.url, body)
			} else {
				errs = g.CheckRequest(tc.method, tc.url, body)
			}
			expectErrors(t, errs, tc.want)
		})
	}
}

// expectErrors wants exactly one error per substring of want.
func expectErrors(t *testing.T, errs, want []string) {
	t.Helper()
	if len(errs) != len(want) {
		t.Fatalf("%d errors, want %d:\n%s", len(errs), len(want), strings.Join(errs, "\n"))
	}
	for _, w := range want {
		found := false
		for _, e := range errs {
			found = found || strings.Contains(e, w)
		}
		if !found {
			t.Errorf("no error mentions %q:\n%s", w, strings.Join(errs, "\n"))
		}
	}
}

func TestGraphResolve(t *testing.T) {
	g := mustGraph(t)
	for _, tc := range []struct{ url, want, problem string }{
		{url: "/v1.0/users/{id}/authentication/fido2Methods", want: "Collection(microsoft.graph.fido2AuthenticationMethod)"},
		{url: "https://graph.microsoft.com/v1.0/users?$top=5", want: "Collection(microsoft.graph.user)"},
		{url: "/v1.0/users/$count", want: "Edm.Int32"},
		{url: "/v1.0/groups/g/members/microsoft.graph.user", want: "Collection(microsoft.graph.user)"},
		{url: "/v1.0/directory/deletedItems/microsoft.graph.user", want: "Collection(microsoft.graph.user)"},
		{url: "/v1.0/applications/a/addPassword", want: "microsoft.graph.passwordCredential"},
		{url: "/v1.0/applications/a/removePassword", want: "None"},
		{url: "/v1.0/directoryObjects/getByIds", want: "Collection(microsoft.graph.directoryObject)"},
		{url: "/v1.0/identity/conditionalAccess/policies/p", want: "microsoft.graph.conditionalAccessPolicy"},
		{url: "/v1.0/$batch", want: "$batch"},
		{url: "/v1.0/nothing", problem: "'nothing' is not an entity set"},
		{url: "/v1.0/users/u/fido2Methods", problem: "'fido2Methods' is not a property/navigation/bound operation of microsoft.graph.user"},
		{url: "/v1.0/users/microsoft.graph.group", problem: "cast 'microsoft.graph.group' is not derived from microsoft.graph.user"},
		{url: "/v1.0/", problem: "empty path"},
	} {
		got, problems := g.Resolve(tc.url)
		if got != tc.want || strings.Join(problems, "; ") != "" != (tc.problem != "") || !strings.Contains(strings.Join(problems, "; "), tc.problem) {
			t.Errorf("%s: %q %v, want %q %q", tc.url, got, problems, tc.want, tc.problem)
		}
	}
}

func TestGraphBodies(t *testing.T) {
	g := mustGraph(t)
	for _, tc := range []struct {
		name, method, url, body string
		want                    []string
	}{
		{"derived type by @odata.type", "POST", "/v1.0/identity/conditionalAccess/policies",
			`{"conditions":{"users":{"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"b2bCollaborationGuest,internalGuest",` +
				`"externalTenants":{"@odata.type":"#microsoft.graph.conditionalAccessEnumeratedExternalTenants","membershipKind":"enumerated","members":["t"]}}}}}`, nil},
		{"property of a sibling type", "POST", "/v1.0/identity/conditionalAccess/policies",
			`{"conditions":{"users":{"excludeGuestsOrExternalUsers":{"externalTenants":{"membershipKind":"enumerated","members":["t"]}}}}}`,
			[]string{"'members' is not a property of microsoft.graph.conditionalAccessExternalTenants"}},
		{"unknown @odata.type", "PATCH", "/v1.0/users/u", `{"@odata.type":"#microsoft.graph.nothing"}`, []string{"@odata.type #microsoft.graph.nothing is unknown"}},
		{"unrelated @odata.type", "PATCH", "/v1.0/users/u", `{"@odata.type":"#microsoft.graph.group"}`, []string{"does not derive from microsoft.graph.user"}},
		{"flags enum member", "POST", "/v1.0/identity/conditionalAccess/policies",
			`{"conditions":{"users":{"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"b2bCollaborationGuest, nobody"}}}}`,
			[]string{`"nobody" is not a member`}},
		{"integer expected", "POST", "/v1.0/users", `{"assignedLicenses":[{"skuId":"x"}]}`, []string{`"x" is not a valid Edm.Guid`}},
		{"null where not nullable", "PATCH", "/v1.0/users/u", `{"businessPhones":[null]}`, []string{"null not allowed"}},
		{"bind annotation", "POST", "/v1.0/groups", `{"members@odata.bind":["x"],"nobody@odata.bind":["y"]}`,
			[]string{"annotation on unknown property/navigation 'nobody'"}},
		{"POST to an entity", "POST", "/v1.0/users/u", `{}`, []string{"POST to a single entity microsoft.graph.user"}},
		{"batch by GET", "GET", "/v1.0/$batch", `{"requests":[{"id":"1","method":"GET","url":"/users"}]}`, []string{"$batch must be POST"}},
		{"empty batch", "POST", "/v1.0/$batch", `{"requests":[]}`, []string{"at least one request"}},
		{"batch member", "POST", "/v1.0/$batch", `{"requests":[{"id":"1","method":"GET","url":"/users","extra":1}]}`, []string{"unexpected members ['extra']"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectErrors(t, g.CheckRequest(tc.method, tc.url, []byte(tc.body)), tc.want)
		})
	}
}

func TestActionParameters(t *testing.T) {
	g := mustGraph(t)
	if got := strings.Join(g.ActionParameters("getByIds", "Collection(microsoft.graph.directoryObject)"), ","); got != "ids,types" {
		t.Fatalf("getByIds parameters %q", got)
	}
}

const insights = "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Insights"

// TestARMExamples: each _ok example passes and each _bad one fails with armcheck.py's error and warning counts
// (fidelity README: the 2023 SQR example has 6 errors, the 2023 AG one 7).
func TestARMExamples(t *testing.T) {
	a := mustARM(t)
	ag := insights + "/actionGroups/AG?api-version=2023-01-01"
	sqr := insights + "/scheduledQueryRules/R?api-version=2023-12-01"
	diag := "/providers/microsoft.aadiam/diagnosticSettings/N?api-version=2017-04-01"
	for _, tc := range []struct {
		file, url      string
		errors, warns  int
		someErrorNames string
	}{
		{"ag-2023-01-01_ok.json", ag, 0, 0, ""},
		{"ag-2023-01-01_bad.json", ag, 7, 0, "required property 'location' missing"},
		{"ag_ok.json", ag, 0, 0, ""},
		{"ag_bad.json", ag, 5, 1, "email: unknown property"},
		{"sqr-2023-12-01_ok.json", sqr, 0, 0, ""},
		{"sqr-2023-12-01_bad.json", sqr, 6, 1, `evaluationFrequency: "5m" is not an ISO-8601 duration`},
		{"sqr-2023-12-01_ok.json", insights + "/scheduledQueryRules/R?api-version=2023-03-15-preview", 1, 0, "resolveConfiguration: unknown property"},
		{"sqr_ok.json", sqr, 0, 0, ""},
		{"sqr_bad.json", sqr, 7, 2, "severity: expected integer"},
		{"diag_ok.json", diag, 0, 1, ""},
		{"diag_bad.json", diag, 4, 1, `enabled: expected boolean, got "true"`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			res := a.CheckRequest("PUT", tc.url, example(t, "arm", tc.file))
			if !res.Matched || len(res.Errors) != tc.errors || len(res.Warnings) != tc.warns ||
				!strings.Contains(strings.Join(res.Errors, "\n"), tc.someErrorNames) {
				t.Fatalf("%+v", res)
			}
		})
	}
}

func TestARMRequests(t *testing.T) {
	a := mustARM(t)
	ag := insights + "/actionGroups/AG"
	for _, tc := range []struct {
		name, method, url, body string
		matched                 bool
		errors                  int
	}{
		{"delete", "DELETE", ag + "?api-version=2023-01-01", "", true, 0},
		{"case-insensitive path", "DELETE", strings.ToLower(ag) + "?api-version=2023-01-01", "", true, 0},
		{"other api-version", "PUT", ag + "?api-version=2099-01-01", "{}", false, 0},
		{"no api-version", "GET", ag, "", false, 0},
		{"body required", "PUT", ag + "?api-version=2023-01-01", "", true, 1},
		{"a GET body is not checked", "GET", ag + "?api-version=2023-01-01", `{"x":1}`, true, 0},
		{"PATCH takes tags and enabled only", "PATCH", ag + "?api-version=2023-01-01", `{"tags":{},"properties":{"enabled":false,"groupShortName":"x"}}`, true, 1},
		{"closed enum", "PUT", insights + "/scheduledQueryRules/R?api-version=2023-12-01",
			`{"identity":{"type":"Everyone"},` + string(example(t, "arm", "sqr_ok.json"))[1:], true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			res := a.CheckRequest(tc.method, tc.url, body)
			if res.Matched != tc.matched || len(res.Errors) != tc.errors {
				t.Fatalf("%+v", res)
			}
			if !tc.matched && len(res.Near) == 0 {
				t.Fatalf("no near miss named: %+v", res)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	for v, want := range map[string]bool{"PT5M": true, "P1D": true, "PT1H30M": true, "P1DT2H": true, "PT0.5S": true, "P1W": true,
		"P": false, "PT": false, "P1DT": false, "5m": false, "PT5m": false, "": false} {
		if isDuration(v) != want {
			t.Errorf("%q: %v", v, !want)
		}
	}
}

// TestCheckLog counts and verdicts as check-log.py gave them.
func TestCheckLog(t *testing.T) {
	c, err := NewLogChecker()
	if err != nil {
		t.Fatal(err)
	}
	log := strings.Join([]string{
		`{"method":"GET","url":"/v1.0/users?$top=5","status":200}`,
		`{"method":"PATCH","url":"https://graph.microsoft.com/v1.0/users/0a1b2c3d-0000-4000-8000-000000000001","body":"{\"acountEnabled\":false}"}`,
		`{"method":"PATCH","url":"https://graph.microsoft.com/v1.0/users/0a1b2c3d-0000-4000-8000-000000000002","body":{"acountEnabled":false}}`,
		`{"method":"POST","url":"/v1.0/users","body":{"passwordProfile":{"password":"REDACTED"}}}`,
		`{"method":"GET","url":"/beta/users"}`,
		`{"method":"POST","url":"/tenant/oauth2/v2.0/token"}`,
		`{"method":"GET","path":"` + insights + `/actionGroups/AG?api-version=2023-01-01"}`,
		`{"method":"PUT","uri":"` + insights + `/actionGroups/AG?api-version=2023-01-01","request_body":{"location":"Global"}}`,
		`not json`,
		``,
	}, "\n")
	var res LogResult
	if err := c.Check("log", strings.NewReader(log), &res); err != nil {
		t.Fatal(err)
	}
	// The two acountEnabled PATCHes differ only in the user id: one problem.
	want := "requests: 4 Graph, 2 ARM checked; 1 beta unchecked; 1 other skipped; 2 distinct problems"
	if res.Summary() != want {
		t.Fatalf("%s\n%s", res.Summary(), strings.Join(res.Failures, "\n"))
	}
	if !strings.Contains(res.Failures[0], "log:2: PATCH") || !strings.Contains(res.Failures[1], "log:9: not a JSON line") {
		t.Fatalf("%s", strings.Join(res.Failures, "\n"))
	}
	if res.Verdict(true) == "" {
		t.Fatal("problems pass")
	}
	for _, tc := range []struct {
		log, verdict string
		allow        bool
	}{
		{`{"method":"GET","url":"/v1.0/users"}`, "", false},
		{`{"method":"GET","url":"/v1.0/users"}` + "\n" + `{"method":"GET","url":"/beta/users"}`, "beta requests cannot be checked", false},
		{`{"method":"GET","url":"/v1.0/users"}` + "\n" + `{"method":"GET","url":"/beta/users"}`, "", true},
		{`{"method":"GET","url":"/metadata/endpoints"}`, "no Graph or ARM request", true},
	} {
		var r LogResult
		if err := c.Check("log", strings.NewReader(tc.log), &r); err != nil {
			t.Fatal(err)
		}
		if got := r.Verdict(tc.allow); !strings.Contains(got, tc.verdict) || (got == "") != (tc.verdict == "") {
			t.Errorf("%q: verdict %q, want %q", tc.log, got, tc.verdict)
		}
	}
}
