package tenantsim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// decodeClaims reads a JWT's claims without verifying it.
func decodeClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func expectAADError(t *testing.T, status int, out map[string]any, wantStatus int, wantError string, wantCode float64) {
	t.Helper()
	if status != wantStatus || out["error"] != wantError {
		t.Fatalf("status %d error %v, want %d %s: %v", status, out["error"], wantStatus, wantError, out)
	}
	codes, _ := out["error_codes"].([]any)
	if len(codes) != 1 || codes[0] != wantCode {
		t.Fatalf("error_codes %v, want %v", codes, wantCode)
	}
	for _, field := range []string{"error_description", "timestamp", "trace_id", "correlation_id"} {
		if s, _ := out[field].(string); s == "" {
			t.Fatalf("missing %s: %v", field, out)
		}
	}
	if !strings.HasPrefix(out["error_description"].(string), "AADSTS") {
		t.Fatalf("error_description %q", out["error_description"])
	}
}

func TestClientSecretFlow(t *testing.T) {
	srv := startSim(t, Config{})
	info := srv.Info()
	token := clientSecretToken(t, srv, info.ClientID, info.ClientSecret, GraphResourceID+".default")
	claims := decodeClaims(t, token)
	if claims["aud"] != "https://graph.tenantsim.test" || claims["tid"] != info.TenantID || claims["appid"] != info.ClientID ||
		claims["iss"] != "https://"+info.MetadataHost+"/"+info.TenantID+"/v2.0" || claims["idtyp"] != "app" {
		t.Fatalf("claims %v", claims)
	}
	roles := claims["roles"].([]any)
	if len(roles) != len(mainAppRoles) {
		t.Fatalf("roles %v", roles)
	}
	exp, iat := claims["exp"].(float64), claims["iat"].(float64)
	if exp-iat != 3600 {
		t.Fatalf("lifetime %v", exp-iat)
	}

	status, out := postForm(t, srv, tokenPath(srv), url.Values{
		"grant_type": {"client_credentials"}, "client_id": {info.ClientID}, "client_secret": {"wrong"},
		"scope": {GraphResourceID + ".default"},
	})
	expectAADError(t, status, out, http.StatusUnauthorized, "invalid_client", 7000215)

	status, out = postForm(t, srv, tokenPath(srv), url.Values{
		"grant_type": {"client_credentials"}, "client_id": {uuid.NewString()}, "client_secret": {"x"},
		"scope": {GraphResourceID + ".default"},
	})
	expectAADError(t, status, out, http.StatusBadRequest, "unauthorized_client", 700016)

	status, out = postForm(t, srv, "/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {info.ClientID}, "client_secret": {info.ClientSecret},
		"scope": {GraphResourceID + ".default"},
	})
	expectAADError(t, status, out, http.StatusBadRequest, "invalid_tenant", 90002)

	status, out = postForm(t, srv, tokenPath(srv), url.Values{
		"grant_type": {"client_credentials"}, "client_id": {info.ClientID}, "client_secret": {info.ClientSecret},
		"scope": {"https://vault.example/.default"},
	})
	expectAADError(t, status, out, http.StatusBadRequest, "invalid_resource", 500011)

	// The tenant's initial domain works in place of its id, and a double slash before .default is tolerated.
	status, out = postForm(t, srv, "/contoso.onmicrosoft.com/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {info.ClientID}, "client_secret": {info.ClientSecret},
		"scope": {ARMResourceID + "/.default"},
	})
	if status != http.StatusOK || decodeClaims(t, out["access_token"].(string))["aud"] != ARMResourceID {
		t.Fatalf("ARM token: %d %v", status, out)
	}
}

func TestAudienceIsCheckedPerAPI(t *testing.T) {
	srv := startSim(t, Config{})
	info := srv.Info()
	armToken := clientSecretToken(t, srv, info.ClientID, info.ClientSecret, ARMResourceID+".default")
	graphToken := clientSecretToken(t, srv, info.ClientID, info.ClientSecret, GraphResourceID+".default")

	msg := newGraphClient(t, srv, armToken).expectError(http.StatusUnauthorized, "InvalidAuthenticationToken", "GET", "/v1.0/users", nil)
	if !strings.Contains(msg, "audience") {
		t.Fatal(msg)
	}
	armPath := "/subscriptions/" + info.SubscriptionID + "/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/ag?api-version=2023-01-01"
	newGraphClient(t, srv, graphToken).expectError(http.StatusUnauthorized, "InvalidAuthenticationTokenAudience", "GET", armPath, nil)
	// With the right audience ARM gets as far as the resource group, which does not exist.
	newGraphClient(t, srv, armToken).expectError(http.StatusNotFound, "ResourceGroupNotFound", "GET", armPath, nil)
	newGraphClient(t, srv, armToken).expectError(http.StatusBadRequest, "MissingApiVersionParameter", "GET", strings.Split(armPath, "?")[0], nil)
	newGraphClient(t, srv, armToken).expectError(http.StatusNotFound, "SubscriptionNotFound", "GET", "/subscriptions/"+uuid.NewString()+"/resourceGroups?api-version=2021-04-01", nil)
}

func TestExpiredTokenIsRejected(t *testing.T) {
	srv := startSim(t, Config{})
	now := time.Now()
	expired, err := srv.tokenKey.sign(&accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{Issuer: srv.issuer(), ExpiresAt: jwt.NewNumericDate(now.Add(-time.Minute)), IssuedAt: jwt.NewNumericDate(now.Add(-time.Hour))},
		Audience:         "https://graph.tenantsim.test", Roles: mainAppRoles,
	})
	if err != nil {
		t.Fatal(err)
	}
	msg := newGraphClient(t, srv, expired).expectError(http.StatusUnauthorized, "InvalidAuthenticationToken", "GET", "/v1.0/users", nil)
	if !strings.Contains(msg, "expired") {
		t.Fatal(msg)
	}
}

func TestOpenIDConfigurationAndKeys(t *testing.T) {
	srv := startSim(t, Config{})
	info := srv.Info()
	c := newGraphClient(t, srv, "")
	cfg := c.expect(http.StatusOK, "GET", "/"+info.TenantID+"/v2.0/.well-known/openid-configuration", nil)
	base := "https://" + info.MetadataHost + "/" + info.TenantID
	if cfg["token_endpoint"] != base+"/oauth2/v2.0/token" || cfg["issuer"] != base+"/v2.0" || cfg["jwks_uri"] != base+"/discovery/v2.0/keys" || cfg["authorization_endpoint"] == nil {
		t.Fatalf("openid configuration %v", cfg)
	}
	c.expect(http.StatusBadRequest, "GET", "/not-a-tenant/v2.0/.well-known/openid-configuration", nil)
	disc := c.expect(http.StatusOK, "GET", "/common/discovery/instance?api-version=1.1&authorization_endpoint="+url.QueryEscape(base+"/oauth2/v2.0/authorize"), nil)
	if disc["tenant_discovery_endpoint"] != base+"/v2.0/.well-known/openid-configuration" {
		t.Fatalf("instance discovery %v", disc)
	}

	// A token verifies against the published JWKS.
	keys := c.expect(http.StatusOK, "GET", "/"+info.TenantID+"/discovery/v2.0/keys", nil)["keys"].([]any)
	jwk := keys[0].(map[string]any)
	n, _ := base64.RawURLEncoding.DecodeString(jwk["n"].(string))
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537}
	token := clientSecretToken(t, srv, info.ClientID, info.ClientSecret, GraphResourceID+".default")
	parsed, err := jwt.Parse(token, func(tok *jwt.Token) (any, error) {
		if tok.Header["kid"] != jwk["kid"] {
			t.Fatalf("kid %v vs %v", tok.Header["kid"], jwk["kid"])
		}
		return pub, nil
	}, jwt.WithValidMethods([]string{"RS256"}))
	if err != nil || !parsed.Valid {
		t.Fatalf("token does not verify against JWKS: %v", err)
	}
}

// testCertificate makes a self-signed client certificate, as an app registration would hold.
func testCertificate(t *testing.T) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "breakglass-ci"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func certificateAssertion(t *testing.T, method jwt.SigningMethod, key *rsa.PrivateKey, cert *x509.Certificate, clientID, aud string, exp time.Time) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, jwt.MapClaims{
		"aud": aud, "iss": clientID, "sub": clientID, "jti": uuid.NewString(),
		"nbf": time.Now().Add(-time.Minute).Unix(), "exp": exp.Unix(),
	})
	tok.Header["x5t"] = thumbprintSHA1(cert)
	signed, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func TestCertificateAssertionFlow(t *testing.T) {
	srv := startSim(t, Config{})
	cert, key := testCertificate(t)
	otherCert, otherKey := testCertificate(t)
	clientID := uuid.NewString()
	if err := srv.RegisterApp(App{ClientID: clientID, DisplayName: "cert app", Certificate: cert, Roles: []string{"User.Read.All"}}); err != nil {
		t.Fatal(err)
	}
	endpoint := "https://" + srv.Info().MetadataHost + tokenPath(srv)
	try := func(assertion string) (int, map[string]any) {
		return postForm(t, srv, tokenPath(srv), url.Values{
			"grant_type": {"client_credentials"}, "client_id": {clientID}, "scope": {GraphResourceID + ".default"},
			"client_assertion_type": {jwtBearerType}, "client_assertion": {assertion},
		})
	}
	for _, method := range []jwt.SigningMethod{jwt.SigningMethodRS256, jwt.SigningMethodPS256} {
		status, out := try(certificateAssertion(t, method, key, cert, clientID, endpoint, time.Now().Add(5*time.Minute)))
		if status != http.StatusOK {
			t.Fatalf("%s: %d %v", method.Alg(), status, out)
		}
		if claims := decodeClaims(t, out["access_token"].(string)); claims["appidacr"] != "2" || claims["roles"].([]any)[0] != "User.Read.All" {
			t.Fatalf("claims %v", claims)
		}
	}
	status, out := try(certificateAssertion(t, jwt.SigningMethodRS256, otherKey, otherCert, clientID, endpoint, time.Now().Add(5*time.Minute)))
	expectAADError(t, status, out, http.StatusUnauthorized, "invalid_client", 700027)
	// Right thumbprint, wrong key: the signature does not verify.
	forged := certificateAssertion(t, jwt.SigningMethodRS256, otherKey, cert, clientID, endpoint, time.Now().Add(5*time.Minute))
	status, out = try(forged)
	expectAADError(t, status, out, http.StatusUnauthorized, "invalid_client", 700027)
	status, out = try(certificateAssertion(t, jwt.SigningMethodRS256, key, cert, clientID, "https://elsewhere/token", time.Now().Add(5*time.Minute)))
	expectAADError(t, status, out, http.StatusUnauthorized, "invalid_client", 50012)
	status, out = try(certificateAssertion(t, jwt.SigningMethodRS256, key, cert, clientID, endpoint, time.Now().Add(-time.Hour)))
	expectAADError(t, status, out, http.StatusUnauthorized, "invalid_client", 700024)
}

func TestFederatedAssertionFlow(t *testing.T) {
	srv := startSim(t, Config{})
	clientID := uuid.NewString()
	if err := srv.RegisterApp(App{ClientID: clientID, Roles: []string{"User.Read.All"}, Federated: []FederatedCredential{
		{Issuer: srv.OIDCIssuer(), Subject: "repo:org/infra:environment:prod"},
	}}); err != nil {
		t.Fatal(err)
	}
	try := func(assertion string) (int, map[string]any) {
		return postForm(t, srv, tokenPath(srv), url.Values{
			"grant_type": {"client_credentials"}, "client_id": {clientID}, "scope": {GraphResourceID + ".default"},
			"client_assertion_type": {jwtBearerType}, "client_assertion": {assertion},
		})
	}
	issue := func(subject, audience string) string {
		tok, err := srv.IssueOIDCToken(subject, audience)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	if status, out := try(issue("repo:org/infra:environment:prod", defaultFederatedAud)); status != http.StatusOK {
		t.Fatalf("federated: %d %v", status, out)
	}
	status, out := try(issue("repo:org/infra:environment:dev", defaultFederatedAud))
	expectAADError(t, status, out, http.StatusUnauthorized, "invalid_client", 700213)
	status, out = try(issue("repo:org/infra:environment:prod", "api://other"))
	expectAADError(t, status, out, http.StatusUnauthorized, "invalid_client", 700212)

	// A token from an issuer the app does not trust.
	foreign, err := srv.tokenKey.sign(jwt.MapClaims{"iss": "https://token.actions.githubusercontent.com", "sub": "x", "aud": defaultFederatedAud, "exp": time.Now().Add(time.Minute).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	status, out = try(foreign)
	expectAADError(t, status, out, http.StatusUnauthorized, "invalid_client", 700211)

	// The right issuer name but a signature from another key.
	forged, err := srv.tokenKey.sign(jwt.MapClaims{"iss": srv.OIDCIssuer(), "sub": "repo:org/infra:environment:prod", "aud": defaultFederatedAud, "exp": time.Now().Add(time.Minute).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	status, out = try(forged)
	expectAADError(t, status, out, http.StatusUnauthorized, "invalid_client", 50013)
}

func TestGitHubActionsTokenForMainApp(t *testing.T) {
	srv := startSim(t, Config{})
	client := trustingClient(t, srv)
	req, _ := http.NewRequest("GET", srv.GitHubRequestURL()+"&audience="+url.QueryEscape(defaultFederatedAud), nil)
	req.Header.Set("Authorization", "Bearer "+srv.GitHubRequestToken())
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Value string `json:"value"`
		Count int    `json:"count"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || body.Count != 1 || body.Value == "" {
		t.Fatalf("idtoken: %d %+v", resp.StatusCode, body)
	}
	if claims := decodeClaims(t, body.Value); claims["sub"] != githubDemoSubject || claims["iss"] != srv.OIDCIssuer() {
		t.Fatalf("claims %v", claims)
	}
	status, out := postForm(t, srv, tokenPath(srv), url.Values{
		"grant_type": {"client_credentials"}, "client_id": {srv.Info().ClientID}, "scope": {GraphResourceID + ".default"},
		"client_assertion_type": {jwtBearerType}, "client_assertion": {body.Value},
	})
	if status != http.StatusOK {
		t.Fatalf("main app federated token: %d %v", status, out)
	}

	req, _ = http.NewRequest("GET", srv.GitHubRequestURL(), nil)
	req.Header.Set("Authorization", "Bearer wrong")
	if resp, err := client.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong request token accepted: %v", err)
	}

	c := newGraphClient(t, srv, "")
	disco := c.expect(http.StatusOK, "GET", "/_sim/oidc/.well-known/openid-configuration", nil)
	if disco["issuer"] != srv.OIDCIssuer() || disco["jwks_uri"] != srv.OIDCIssuer()+"/.well-known/jwks" {
		t.Fatalf("discovery %v", disco)
	}
	if keys := c.expect(http.StatusOK, "GET", "/_sim/oidc/.well-known/jwks", nil)["keys"].([]any); len(keys) != 1 {
		t.Fatalf("jwks %v", keys)
	}
}

func TestManagedIdentityEndpoint(t *testing.T) {
	srv := startSim(t, Config{})
	endpoint, header, clientID := srv.ManagedIdentity()
	client := trustingClient(t, srv)
	get := func(query, secret string) (int, map[string]any) {
		req, _ := http.NewRequest("GET", endpoint+"?"+query, nil)
		if secret != "" {
			req.Header.Set("X-IDENTITY-HEADER", secret)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	status, out := get("api-version=2019-08-01&resource="+url.QueryEscape("https://graph.tenantsim.test"), header)
	if status != http.StatusOK || out["token_type"] != "Bearer" || out["client_id"] != clientID || out["resource"] != "https://graph.tenantsim.test" {
		t.Fatalf("msi: %d %v", status, out)
	}
	if _, ok := out["expires_on"].(string); !ok {
		t.Fatalf("expires_on is not a string: %v", out["expires_on"])
	}
	newGraphClient(t, srv, out["access_token"].(string)).expect(http.StatusOK, "GET", "/v1.0/users", nil)

	if status, _ := get("api-version=2019-08-01&resource=https://graph.tenantsim.test", "wrong"); status != http.StatusUnauthorized {
		t.Fatalf("wrong header: %d", status)
	}
	if status, _ := get("api-version=2019-08-01&resource=https://graph.tenantsim.test&client_id="+uuid.NewString(), header); status != http.StatusBadRequest {
		t.Fatalf("unknown client id: %d", status)
	}
	if _, _, err := srv.MintToken(clientID, GraphResourceID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := srv.MintToken(uuid.NewString(), GraphResourceID); err == nil {
		t.Fatal("MintToken accepted an unknown app")
	}
}

func TestPasswordGrant(t *testing.T) {
	srv := startSim(t, Config{})
	info := srv.Info()
	ropc := func(username, password string) (int, map[string]any) {
		return postForm(t, srv, tokenPath(srv), url.Values{
			"grant_type": {"password"}, "client_id": {info.ClientID}, "username": {username}, "password": {password},
			"scope": {GraphResourceID + ".default openid profile offline_access"}, "client_info": {"1"},
		})
	}
	before := time.Now().UTC().Truncate(time.Second)
	status, out := ropc("MEGAN.BOWEN@contoso.com", FixturePassword)
	if status != http.StatusOK || out["id_token"] == nil || out["client_info"] == nil {
		t.Fatalf("ropc: %d %v", status, out)
	}
	claims := decodeClaims(t, out["access_token"].(string))
	if claims["oid"] != FixtureLicensedUserID || claims["idtyp"] != "user" || claims["scp"] == "" || claims["upn"] != "megan.bowen@contoso.com" {
		t.Fatalf("claims %v", claims)
	}
	user, _ := srv.User(FixtureLicensedUserID)
	activity := user["signInActivity"].(map[string]any)
	last, err := time.Parse(time.RFC3339, activity["lastSuccessfulSignInDateTime"].(string))
	if err != nil || last.Before(before) || activity["lastSignInDateTime"] != activity["lastSuccessfulSignInDateTime"] {
		t.Fatalf("signInActivity %v", activity)
	}

	status, out = ropc("megan.bowen@contoso.com", "Wrong-Passw0rd!")
	expectAADError(t, status, out, http.StatusBadRequest, "invalid_grant", 50126)
	user, _ = srv.User(FixtureLicensedUserID)
	if a := user["signInActivity"].(map[string]any); a["lastSignInRequestId"] == a["lastSuccessfulSignInRequestId"] {
		t.Fatalf("failed attempt not recorded: %v", a)
	}
	status, out = ropc("diego.siciliani@contoso.com", FixturePassword)
	expectAADError(t, status, out, http.StatusBadRequest, "invalid_grant", 50057)
	status, out = ropc("nobody@contoso.com", FixturePassword)
	expectAADError(t, status, out, http.StatusBadRequest, "invalid_grant", 50034)

	// A user who must change the password cannot use the password grant.
	c := mainGraphClient(t, srv)
	body := newUserBody("mustchange")
	body["passwordProfile"] = map[string]any{"password": "Str0ng-Passw0rd!", "forceChangePasswordNextSignIn": true}
	c.expect(http.StatusCreated, "POST", "/v1.0/users", body)
	status, out = ropc("mustchange@contoso.onmicrosoft.com", "Str0ng-Passw0rd!")
	expectAADError(t, status, out, http.StatusBadRequest, "invalid_grant", 50055)
}

func TestUnsupportedGrantAndScope(t *testing.T) {
	srv := startSim(t, Config{})
	info := srv.Info()
	status, out := postForm(t, srv, tokenPath(srv), url.Values{"grant_type": {"implicit"}, "client_id": {info.ClientID}})
	expectAADError(t, status, out, http.StatusBadRequest, "unsupported_grant_type", 70003)
	status, out = postForm(t, srv, tokenPath(srv), url.Values{
		"grant_type": {"client_credentials"}, "client_id": {info.ClientID}, "client_secret": {info.ClientSecret}, "scope": {"https://graph.tenantsim.test/User.Read"},
	})
	expectAADError(t, status, out, http.StatusBadRequest, "invalid_scope", 1002012)
	status, out = postForm(t, srv, tokenPath(srv), url.Values{
		"grant_type": {"client_credentials"}, "client_id": {info.ClientID}, "scope": {GraphResourceID + ".default"},
	})
	expectAADError(t, status, out, http.StatusUnauthorized, "invalid_client", 7000216)
}
