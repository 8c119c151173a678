package tenantsim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/fidelity"
)

// fidelityExample reads a body from the fidelity examples (internal/fidelity/spec/{graph,arm}/examples).
func fidelityExample(t *testing.T, api, name string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "fidelity", "spec", api, "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkSessionLog runs session against a simulator that logs every request, then checks the log as CI checks the
// acceptance run's: every Graph and ARM request must match Microsoft's API descriptions. It returns the log's path.
func checkSessionLog(t *testing.T, session func(*testing.T, *Server)) string {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "requests.jsonl")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	srv := startSim(t, Config{RequestLog: f})
	session(t, srv)
	_ = srv.Close()
	_ = f.Close()
	checker, err := fidelity.NewLogChecker()
	if err != nil {
		t.Fatal(err)
	}
	var res fidelity.LogResult
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := checker.Check(logPath, bytes.NewReader(raw), &res); err != nil {
		t.Fatal(err)
	}
	if verdict := res.Verdict(false); verdict != "" {
		t.Fatalf("request log: %s\n%s\n%s", verdict, strings.Join(res.Failures, "\n"), res.Summary())
	}
	t.Logf("request log: %s", res.Summary())
	return logPath
}

// responseCheck is one answer to check against the CSDL: the answer to GET path, or body when set, checked as the
// answer for schemaPath.
type responseCheck struct {
	schemaPath, path string
	body             map[string]any
}

// checkGraphResponses checks every answer against the type its schema path resolves to in the v1.0 CSDL.
func checkGraphResponses(t *testing.T, c *graphClient, checks []responseCheck) {
	t.Helper()
	g, err := fidelity.LoadGraph()
	if err != nil {
		t.Fatal(err)
	}
	for _, check := range checks {
		answer := check.body
		if answer == nil {
			answer = c.expect(http.StatusOK, "GET", check.path, nil)
		}
		raw, _ := json.Marshal(answer)
		if errs := g.CheckResponse(check.schemaPath, raw); len(errs) > 0 {
			t.Errorf("answer checked as %s (GET %q):\n%s", check.schemaPath, check.path, strings.Join(errs, "\n"))
		}
	}
}

// lockedBuffer is a request log sink that tests read while the server may still write.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]byte{}, b.buf.Bytes()...)
}

const (
	scriptedPassword  = "Scr1pted-Secret-Passw0rd!"
	scriptedPassword2 = "Scr1pted-Second-Passw0rd!"
)

// runScriptedSession exercises every route with valid requests, as an acceptance run would.
func runScriptedSession(t *testing.T, srv *Server) {
	t.Helper()
	info := srv.Info()
	c := mainGraphClient(t, srv)
	body := newUserBody("logged")
	body["passwordProfile"] = map[string]any{"password": scriptedPassword, "forceChangePasswordNextSignIn": false}
	body["authorizationInfo"] = map[string]any{"certificateUserIds": []any{"X509:<PN>logged@contoso.com"}}
	id := c.expect(http.StatusCreated, "POST", "/v1.0/users", body)["id"].(string)
	c.expect(http.StatusOK, "GET", "/v1.0/users/"+id+"?$select=id,accountEnabled,onPremisesSyncEnabled,assignedLicenses,signInActivity", nil)
	c.expect(http.StatusOK, "GET", "/v1.0/users?$filter="+url.QueryEscape("userPrincipalName eq 'logged@contoso.onmicrosoft.com'")+"&$select=id,userPrincipalName", nil)
	c.expect(http.StatusNoContent, "PATCH", "/v1.0/users/"+id, map[string]any{"passwordProfile": map[string]any{"password": scriptedPassword2}, "jobTitle": "Break glass"})
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "POST", "/v1.0/users", newUserBody("logged"))
	status, out := postForm(t, srv, tokenPath(srv), url.Values{
		"grant_type": {"password"}, "client_id": {info.ClientID}, "client_secret": {info.ClientSecret},
		"username": {"logged@contoso.onmicrosoft.com"}, "password": {scriptedPassword2}, "scope": {GraphResourceID + ".default"},
	})
	if status != http.StatusOK {
		t.Fatalf("ROPC: %d %v", status, out)
	}
	c.expect(http.StatusOK, "POST", "/v1.0/$batch", map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "POST", "url": "/users", "headers": map[string]any{"Content-Type": "application/json"},
			"body": map[string]any{"accountEnabled": true, "displayName": "Batched", "mailNickname": "batched", "userPrincipalName": "batched@contoso.onmicrosoft.com",
				"passwordProfile": map[string]any{"password": scriptedPassword}}},
		map[string]any{"id": "2", "method": "GET", "url": "/domains"},
	}})
	runAuthMethodsSession(t, c, id)
	c.expect(http.StatusNoContent, "DELETE", "/v1.0/users/"+id, nil)
	c.expect(http.StatusOK, "GET", "/v1.0/directory/deletedItems/microsoft.graph.user", nil)
	c.expect(http.StatusOK, "GET", "/v1.0/directory/deletedItems/"+id, nil)
	c.expect(http.StatusOK, "POST", "/v1.0/directory/deletedItems/"+id+"/restore", nil)
	c.expect(http.StatusNoContent, "DELETE", "/v1.0/users/"+id, nil)
	c.expect(http.StatusNoContent, "DELETE", "/v1.0/directory/deletedItems/"+id, nil)
	c.expect(http.StatusOK, "GET", "/v1.0/organization", nil)
	c.expect(http.StatusOK, "GET", "/v1.0/domains/contoso.com", nil)
	c.header.Set("ConsistencyLevel", "eventual")
	c.expect(http.StatusOK, "GET", "/v1.0/users?$count=true&$top=1", nil)
	c.expect(http.StatusOK, "PATCH", "/_sim/users/"+FixtureLicensedUserID, map[string]any{"assignedLicenses": []any{}})
}

func TestRequestLogRedactsSecrets(t *testing.T) {
	var buf lockedBuffer
	srv := startSim(t, Config{RequestLog: &buf})
	runScriptedSession(t, srv)
	_ = srv.Close()
	raw := buf.Bytes()
	if len(scriptedTAPs) == 0 {
		t.Fatal("the session created no Temporary Access Pass")
	}
	for _, secret := range append([]string{scriptedPassword, scriptedPassword2, srv.Info().ClientSecret}, scriptedTAPs...) {
		if bytes.Contains(raw, []byte(secret)) {
			t.Fatalf("secret %q appears in the request log", secret)
		}
	}
	if !bytes.Contains(raw, []byte(redacted)) {
		t.Fatal("nothing redacted")
	}
	var sawToken, sawBatch, sawControl bool
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var entry map[string]any
		if err := json.Unmarshal(sc.Bytes(), &entry); err != nil {
			t.Fatalf("not a JSON line: %s", sc.Text())
		}
		for _, field := range []string{"time", "method", "url", "status", "duration_ms"} {
			if _, ok := entry[field]; !ok {
				t.Fatalf("missing %s: %v", field, entry)
			}
		}
		u := entry["url"].(string)
		switch {
		case strings.HasSuffix(u, "/oauth2/v2.0/token"):
			sawToken = true
			form := entry["body"].(map[string]any)
			if form["client_secret"] != redacted || (form["grant_type"] == "password" && form["password"] != redacted) {
				t.Fatalf("token form not redacted: %v", form)
			}
			if entry["client_id"] != srv.Info().ClientID {
				t.Fatalf("client_id %v", entry["client_id"])
			}
		case u == "/v1.0/$batch":
			sawBatch = true
		case strings.HasPrefix(u, "/_sim/"):
			sawControl = true
		case strings.HasPrefix(u, "/v1.0/") && entry["client_id"] != srv.Info().ClientID:
			t.Fatalf("Graph entry without client_id: %v", entry)
		}
	}
	if !sawToken || !sawBatch || !sawControl {
		t.Fatalf("token %v batch %v control %v", sawToken, sawBatch, sawControl)
	}
}

// runAuthMethodsSession adds the user to the TAP configuration's targets (a read-modify-write), creates a TAP and
// echoes it in a $batch body, which the log must redact.
func runAuthMethodsSession(t *testing.T, c *graphClient, id string) {
	t.Helper()
	tap := c.expect(http.StatusOK, "GET", pathAuthConfig+"TemporaryAccessPass", nil)
	targets, _ := tap["includeTargets"].([]any)
	c.expect(http.StatusNoContent, "PATCH", pathAuthConfig+"TemporaryAccessPass", map[string]any{
		"@odata.type":    "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration",
		"includeTargets": append(targets, map[string]any{"targetType": "user", "id": id, "isRegistrationRequired": false}),
	})
	path := "/v1.0/users/" + id + "/authentication/temporaryAccessPassMethods"
	pass := c.expect(http.StatusCreated, "POST", path, map[string]any{"lifetimeInMinutes": 60, "isUsableOnce": true})["temporaryAccessPass"].(string)
	c.expect(http.StatusOK, "GET", path, nil)
	c.expect(http.StatusOK, "POST", "/v1.0/$batch", map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "POST", "url": "/users/" + id + "/authentication/temporaryAccessPassMethods",
			"headers": map[string]any{"Content-Type": "application/json"}, "body": map[string]any{"temporaryAccessPass": pass}},
	}})
	scriptedTAPs = append(scriptedTAPs, pass)

	au := c.expect(http.StatusCreated, "POST", pathAUs, map[string]any{"displayName": "Logged unit", "description": "d", "visibility": "Public"})["id"].(string)
	c.expect(http.StatusNoContent, "PATCH", pathAUs+"/"+au, map[string]any{"description": "changed"})
	c.expect(http.StatusNoContent, "POST", pathAUs+"/"+au+"/members/$ref", memberRef(id))
	c.expect(http.StatusOK, "GET", pathAUs+"/"+au+"/members", nil)
	c.expect(http.StatusNoContent, "DELETE", pathAUs+"/"+au+"/members/"+id+"/$ref", nil)
	c.expect(http.StatusNoContent, "DELETE", pathAUs+"/"+au, nil)
}

// scriptedTAPs are the passes runAuthMethodsSession created, for the redaction check.
var scriptedTAPs []string

func TestRedactionRules(t *testing.T) {
	got := redactedBody("application/json", []byte(`{"temporaryAccessPass":"t","passwordProfile":{"password":"p"},"passwordCredentials":[{"secretText":"s","value":"v","displayName":"d"}],"value":"kept","keyCredentials":[{"key":"k"}]}`))
	raw, _ := json.Marshal(got)
	for _, secret := range []string{`"p"`, `"s"`, `"v"`, `"k"`, `"t"`} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Fatalf("%s not redacted: %s", secret, raw)
		}
	}
	if !bytes.Contains(raw, []byte(`"kept"`)) || !bytes.Contains(raw, []byte(`"d"`)) {
		t.Fatalf("over-redacted: %s", raw)
	}
	if redactedBody("text/plain", []byte("password=hunter2")) != redacted {
		t.Fatal("a non-JSON body is logged raw")
	}
}

// TestRequestLogPassesFidelityCheck checks every Graph request of a scripted session's log against the v1.0 CSDL.
func TestRequestLogPassesFidelityCheck(t *testing.T) {
	checkSessionLog(t, runScriptedSession)
}
