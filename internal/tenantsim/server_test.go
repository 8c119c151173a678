package tenantsim

import (
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStartWritesCAAndServesTLSOnly(t *testing.T) {
	dir := t.TempDir()
	srv := startSim(t, Config{StateDir: dir})
	info := srv.Info()
	if info.CAFile != filepath.Join(dir, "ca.pem") {
		t.Fatalf("ca file %s", info.CAFile)
	}
	if !strings.HasPrefix(info.MetadataHost, "127.0.0.1:") {
		t.Fatalf("metadata host %s", info.MetadataHost)
	}
	// A client without the CA must fail the handshake.
	if _, err := (&http.Client{}).Get("https://" + info.MetadataHost + "/metadata/endpoints?api-version=2022-09-01"); err == nil {
		t.Fatal("untrusted client connected")
	}
	resp, err := trustingClient(t, srv).Get("https://" + info.MetadataHost + "/metadata/endpoints?api-version=2022-09-01")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Fatal("not TLS 1.2+")
	}
	// Plain HTTP is not served.
	if resp, err := http.Get("http://" + info.MetadataHost + "/metadata/endpoints"); err == nil && resp.StatusCode < 400 {
		t.Fatal("plain HTTP answered")
	}
}

func TestCloseRemovesTemporaryStateDir(t *testing.T) {
	srv, err := Start(Config{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(srv.Info().CAFile)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("state dir %s still exists", dir)
	}
}

func TestCertificateCoversLoopbackNames(t *testing.T) {
	srv := startSim(t, Config{})
	port := strings.TrimPrefix(srv.Info().MetadataHost, "127.0.0.1:")
	client := trustingClient(t, srv)
	resp, err := client.Get("https://localhost:" + port + "/metadata/endpoints?api-version=2022-09-01")
	if err != nil {
		t.Fatalf("localhost: %v", err)
	}
	resp.Body.Close()
}

func TestMetadataEndpoint(t *testing.T) {
	srv := startSim(t, Config{})
	c := newGraphClient(t, srv, "")
	out := c.expect(http.StatusOK, "GET", "/metadata/endpoints?api-version=2022-09-01", nil)
	base := "https://" + srv.Info().MetadataHost
	auth := out["authentication"].(map[string]any)
	if auth["loginEndpoint"] != base || auth["tenant"] != "common" || auth["identityProvider"] != "AAD" {
		t.Fatalf("authentication %v", auth)
	}
	if aud := auth["audiences"].([]any); len(aud) != 1 || aud[0] != ARMResourceID {
		t.Fatalf("audiences %v", aud)
	}
	if out["resourceManager"] != base+"/" || out["graph"] != base+"/" || out["microsoftGraphResourceId"] != GraphResourceID {
		t.Fatalf("endpoints %v", out)
	}
	if out["suffixes"].(map[string]any)["keyVaultDns"] == "" || out["name"] == "" {
		t.Fatal("suffixes or name missing")
	}

	for _, path := range []string{"/metadata/endpoints", "/metadata/endpoints?api-version=2019-05-01"} {
		_, body := c.do("GET", path, nil)
		if e := body["error"].(map[string]any); e["code"] == "" || e["message"] == "" || e["innerError"] != nil {
			t.Fatalf("%s: not an ARM error: %v", path, body)
		}
	}
	if resp, _ := c.do("GET", "/metadata/endpoints", nil); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("missing api-version: %d", resp.StatusCode)
	}
}

func TestGraphRoutingErrorsAndHeaders(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	c.header.Set("client-request-id", "11111111-2222-4333-8444-555555555555")

	resp, out := c.do("GET", "/v1.0/notAThing", nil)
	if resp.StatusCode != http.StatusBadRequest || out["error"].(map[string]any)["message"] != "Resource not found for the segment 'notAThing'." {
		t.Fatalf("unknown segment: %d %v", resp.StatusCode, out)
	}
	if got := resp.Header.Get("client-request-id"); got != "11111111-2222-4333-8444-555555555555" {
		t.Fatalf("client-request-id not echoed: %q", got)
	}
	if resp.Header.Get("request-id") == "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json;odata.metadata=minimal") {
		t.Fatalf("headers %v", resp.Header)
	}
	inner := out["error"].(map[string]any)["innerError"].(map[string]any)
	if inner["client-request-id"] != "11111111-2222-4333-8444-555555555555" || inner["request-id"] == "" || inner["date"] == "" {
		t.Fatalf("innerError %v", inner)
	}
	msg := c.expectError(http.StatusBadRequest, "BadRequest", "GET", "/v1.0/users/"+FixtureLicensedUserID+"/bogus", nil)
	if msg != "Resource not found for the segment 'bogus'." {
		t.Fatal(msg)
	}
	c.expectError(http.StatusMethodNotAllowed, "Request_BadRequest", "PUT", "/v1.0/users/"+FixtureLicensedUserID, map[string]any{})
}

func TestGraphRejectsBadTokens(t *testing.T) {
	srv := startSim(t, Config{})
	for name, token := range map[string]string{"missing": "", "garbage": "not.a.jwt", "unsigned": "eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0."} {
		c := newGraphClient(t, srv, token)
		resp, out := c.do("GET", "/v1.0/users", nil)
		if resp.StatusCode != http.StatusUnauthorized || out["error"].(map[string]any)["code"] != "InvalidAuthenticationToken" {
			t.Fatalf("%s: %d %v", name, resp.StatusCode, out)
		}
		if resp.Header.Get("WWW-Authenticate") == "" {
			t.Fatalf("%s: no WWW-Authenticate", name)
		}
	}
}

func TestGzipRequestBodies(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_ = json.NewEncoder(zw).Encode(newUserBody("zipped"))
	_ = zw.Close()
	req, _ := http.NewRequest("POST", c.url("/v1.0/users"), &buf)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("gzip body: %d", resp.StatusCode)
	}
}
