package tenantsim

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// startSim starts a simulator for one test and closes it when the test ends.
func startSim(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.RandSeed == 0 {
		cfg.RandSeed = 42
	}
	srv, err := Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// trustingClient is an HTTP client that trusts only the simulator's CA file, as SSL_CERT_FILE would.
func trustingClient(t *testing.T, srv *Server) *http.Client {
	t.Helper()
	pemBytes, err := os.ReadFile(srv.Info().CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("ca.pem holds no certificate")
	}
	return &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
}

// graphClient calls the simulator with one bearer token.
type graphClient struct {
	t      *testing.T
	srv    *Server
	http   *http.Client
	token  string
	header http.Header
}

func newGraphClient(t *testing.T, srv *Server, token string) *graphClient {
	return &graphClient{t: t, srv: srv, http: trustingClient(t, srv), token: token, header: http.Header{}}
}

// mainGraphClient gets a Graph token for the main app through the token endpoint.
func mainGraphClient(t *testing.T, srv *Server) *graphClient {
	t.Helper()
	info := srv.Info()
	return newGraphClient(t, srv, clientSecretToken(t, srv, info.ClientID, info.ClientSecret, GraphResourceID+".default"))
}

func (c *graphClient) url(path string) string {
	return "https://" + c.srv.Info().MetadataHost + path
}

// do sends a request; body may be nil, a string or a JSON value. It returns the response and its JSON body.
func (c *graphClient) do(method, path string, body any) (*http.Response, map[string]any) {
	c.t.Helper()
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		reader = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.url(path), reader)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if reader != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp, out
}

// expect checks the status and returns the body.
func (c *graphClient) expect(status int, method, path string, body any) map[string]any {
	c.t.Helper()
	resp, out := c.do(method, path, body)
	if resp.StatusCode != status {
		c.t.Fatalf("%s %s: status %d, want %d; body %v", method, path, resp.StatusCode, status, out)
	}
	return out
}

// expectError checks status and Graph error code and returns the error message.
func (c *graphClient) expectError(status int, code, method, path string, body any) string {
	c.t.Helper()
	out := c.expect(status, method, path, body)
	e, _ := out["error"].(map[string]any)
	if e["code"] != code {
		c.t.Fatalf("%s %s: error code %v, want %s; body %v", method, path, e["code"], code, out)
	}
	msg, _ := e["message"].(string)
	return msg
}

// postForm posts a token request and returns status and JSON body.
func postForm(t *testing.T, srv *Server, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := trustingClient(t, srv).PostForm("https://"+srv.Info().MetadataHost+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func tokenPath(srv *Server) string { return "/" + srv.Info().TenantID + "/oauth2/v2.0/token" }

func clientSecretToken(t *testing.T, srv *Server, clientID, secret, scope string) string {
	t.Helper()
	status, out := postForm(t, srv, tokenPath(srv), url.Values{
		"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}, "scope": {scope},
	})
	if status != http.StatusOK {
		t.Fatalf("token: status %d: %v", status, out)
	}
	return out["access_token"].(string)
}

// newUserBody is a valid POST /users body.
func newUserBody(nick string) map[string]any {
	return map[string]any{
		"accountEnabled": true, "displayName": "Test " + nick, "mailNickname": nick,
		"userPrincipalName": nick + "@contoso.onmicrosoft.com",
		"passwordProfile":   map[string]any{"password": "Str0ng-Passw0rd!", "forceChangePasswordNextSignIn": false},
		"passwordPolicies":  "DisablePasswordExpiration",
	}
}

func createUser(t *testing.T, c *graphClient, nick string) string {
	t.Helper()
	out := c.expect(http.StatusCreated, "POST", "/v1.0/users", newUserBody(nick))
	return out["id"].(string)
}
