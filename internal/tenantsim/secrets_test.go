package tenantsim

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// TestIssuedSecrets checks that a recording server remembers every password, token and client secret it
// receives or issues, and that a server that does not record keeps only its standing credentials.
func TestIssuedSecrets(t *testing.T) {
	srv := startSim(t, Config{})
	info := srv.Info()
	_, msiHeader, _ := srv.ManagedIdentity()
	standing := []string{info.ClientSecret, msiHeader, srv.GitHubRequestToken()}

	before := clientSecretToken(t, srv, info.ClientID, info.ClientSecret, GraphResourceID+".default")
	got := srv.IssuedSecrets()
	if len(got.Passwords) != 0 || len(got.Tokens) != 0 || !slices.Equal(got.ClientSecrets, standing) {
		t.Fatalf("without RecordSecrets: %+v", got)
	}

	srv.RecordSecrets()
	srv.RecordSecrets() // idempotent: keeps the ledger
	c := mainGraphClient(t, srv)
	id := createUser(t, c, "ledger")
	c.expect(http.StatusNoContent, "PATCH", "/v1.0/users/"+id, map[string]any{"passwordProfile": map[string]any{"password": "An0ther-Passw0rd!"}})
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "PATCH", "/v1.0/users/"+id, map[string]any{"passwordProfile": map[string]any{"password": "weak"}})
	status, out := postForm(t, srv, tokenPath(srv), url.Values{
		"grant_type": {"password"}, "client_id": {info.ClientID}, "username": {"ledger@contoso.onmicrosoft.com"},
		"password": {"Wr0ng-Passw0rd!"}, "scope": {GraphResourceID + ".default"},
	})
	if status != http.StatusBadRequest {
		t.Fatalf("ropc with a wrong password: %d %v", status, out)
	}
	wrongSecret := "not-the-secret-Q~0123456789"
	if status, _ := postForm(t, srv, tokenPath(srv), url.Values{
		"grant_type": {"client_credentials"}, "client_id": {info.ClientID}, "client_secret": {wrongSecret}, "scope": {GraphResourceID + ".default"},
	}); status != http.StatusUnauthorized {
		t.Fatalf("wrong client secret: status %d", status)
	}
	writer, _ := appClient(t, srv, "Application.ReadWrite.All") // presents its own secret and gets a third token
	app := writer.expect(http.StatusCreated, "POST", pathApplications, map[string]any{"displayName": "Ledger"})
	issued := writer.expect(http.StatusOK, "POST", pathApplications+"/"+app["id"].(string)+"/addPassword", map[string]any{})["secretText"].(string)
	oidc, err := srv.IssueOIDCToken("subject", "aud")
	if err != nil {
		t.Fatal(err)
	}

	got = srv.IssuedSecrets()
	if want := []string{"Str0ng-Passw0rd!", "An0ther-Passw0rd!", "weak", "Wr0ng-Passw0rd!"}; !slices.Equal(got.Passwords, want) {
		t.Errorf("Passwords = %q, want %q", got.Passwords, want)
	}
	if n := len(got.ClientSecrets); n != len(standing)+3 || !slices.Equal(got.ClientSecrets[:len(standing)], standing) ||
		got.ClientSecrets[len(standing)] != wrongSecret || got.ClientSecrets[n-1] != issued {
		t.Errorf("ClientSecrets = %q, want the standing ones, the wrong secret, the test app's and the issued one", got.ClientSecrets)
	}
	if slices.Contains(got.Tokens, before) || !slices.Contains(got.Tokens, c.token) || !slices.Contains(got.Tokens, writer.token) ||
		!slices.Contains(got.Tokens, oidc) || len(got.Tokens) != 3 {
		t.Errorf("Tokens: %d recorded; want the three tokens issued after RecordSecrets only", len(got.Tokens))
	}

	other := startSim(t, Config{})
	mainGraphClient(t, other)
	if got := other.IssuedSecrets(); len(got.Tokens) != 0 || len(got.Passwords) != 0 {
		t.Errorf("a server that does not record kept %+v", got)
	}
}
