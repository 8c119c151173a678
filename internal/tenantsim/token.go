package tenantsim

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

const (
	tokenLifetime        = time.Hour
	jwtBearerType        = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	defaultFederatedAud  = "api://AzureADTokenExchange"
	assertionClockSkew   = 5 * time.Minute
	githubDemoSubject    = "repo:entra-breakglass/demo:ref:refs/heads/main"
	githubDefaultAud     = "https://github.com/entra-breakglass"
	msiAPIVersion        = "2019-08-01"
	externalFetchTimeout = 5 * time.Second
)

// signingKey is an RSA key with the CA-issued certificate that the JWKS publishes; kid equals x5t, as in Entra.
type signingKey struct {
	private *rsa.PrivateKey
	cert    *x509.Certificate
	kid     string
}

// sharedRSAKeys caches the two RSA keys per process: key generation dominates Start, and tests start many
// servers. Tokens still cannot cross servers because every server has its own issuer URL.
var sharedRSAKeys struct {
	once        sync.Once
	token, oidc *rsa.PrivateKey
	err         error
}

func rsaKeys() (token, oidc *rsa.PrivateKey, err error) {
	sharedRSAKeys.once.Do(func() {
		if sharedRSAKeys.token, sharedRSAKeys.err = rsa.GenerateKey(rand.Reader, 2048); sharedRSAKeys.err == nil {
			sharedRSAKeys.oidc, sharedRSAKeys.err = rsa.GenerateKey(rand.Reader, 2048)
		}
	})
	return sharedRSAKeys.token, sharedRSAKeys.oidc, sharedRSAKeys.err
}

func newSigningKey(ca *certAuthority, key *rsa.PrivateKey, name string) (*signingKey, error) {
	cert, err := ca.signingCertificate(&key.PublicKey, name)
	if err != nil {
		return nil, err
	}
	return &signingKey{private: key, cert: cert, kid: thumbprintSHA1(cert)}, nil
}

func thumbprintSHA1(cert *x509.Certificate) string {
	sum := sha1.Sum(cert.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func sha1Digest(b []byte) []byte   { sum := sha1.Sum(b); return sum[:] }
func sha256Digest(b []byte) []byte { sum := sha256.Sum256(b); return sum[:] }

// thumbprintMatches compares an x5t / x5t#S256 header with a certificate digest. RFC 7515 says base64url, but
// MSAL sends standard base64 with padding, and Entra accepts both.
func thumbprintMatches(header string, digest []byte) bool {
	if header == "" {
		return false
	}
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.StdEncoding} {
		if got, err := enc.DecodeString(header); err == nil && bytes.Equal(got, digest) {
			return true
		}
	}
	return false
}

func (k *signingKey) sign(claims jwt.Claims) (string, error) {
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = k.kid
	tok.Header["x5t"] = k.kid
	return tok.SignedString(k.private)
}

func (k *signingKey) jwk(issuer string) map[string]any {
	pub := k.private.PublicKey
	jwk := map[string]any{
		"kty": "RSA", "use": "sig", "kid": k.kid, "x5t": k.kid,
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		"x5c": []string{base64.StdEncoding.EncodeToString(k.cert.Raw)},
	}
	if issuer != "" {
		jwk["issuer"] = issuer
	}
	return jwk
}

// accessClaims are the claims of the access tokens the simulator issues and accepts. aud is a plain string as
// in Entra's tokens; it shadows the embedded RegisteredClaims.Audience.
type accessClaims struct {
	jwt.RegisteredClaims
	Audience        string   `json:"aud"`
	TenantID        string   `json:"tid"`
	ObjectID        string   `json:"oid"`
	AppID           string   `json:"appid"`
	AuthorizedParty string   `json:"azp"`
	AppDisplayName  string   `json:"app_displayname,omitempty"`
	AppIDACR        string   `json:"appidacr,omitempty"`
	IDType          string   `json:"idtyp"`
	Roles           []string `json:"roles,omitempty"`
	Scope           string   `json:"scp,omitempty"`
	UPN             string   `json:"upn,omitempty"`
	Name            string   `json:"name,omitempty"`
	UTI             string   `json:"uti"`
	Version         string   `json:"ver"`
}

// permissions are the token's application roles plus its delegated scopes.
func (c *accessClaims) permissions() []string {
	return append(append([]string{}, c.Roles...), strings.Fields(c.Scope)...)
}

func (c *accessClaims) hasAny(roles []string) bool {
	for _, have := range c.permissions() {
		for _, want := range roles {
			if strings.EqualFold(have, want) {
				return true
			}
		}
	}
	return false
}

func (s *Server) issuer() string { return s.baseURL + "/" + s.dir.tenantID + "/v2.0" }

func (s *Server) tokenEndpoint(tenant string) string {
	return s.baseURL + "/" + tenant + "/oauth2/v2.0/token"
}

// resourceFor maps a scope ("<resource>/.default"), a resource id, or an empty string to a known resource's
// audience. Trailing slashes are ignored, as Entra does ("https://management.azure.com//.default" works).
func (s *Server) resourceFor(scopeOrResource string) (string, bool) {
	r := strings.TrimSuffix(strings.TrimSpace(scopeOrResource), "/.default")
	r = strings.TrimRight(r, "/")
	switch {
	case strings.EqualFold(r, strings.TrimRight(GraphResourceID, "/")):
		return strings.TrimRight(GraphResourceID, "/"), true
	case strings.EqualFold(r, strings.TrimRight(ARMResourceID, "/")):
		return ARMResourceID, true
	}
	return "", false
}

func (s *Server) issueAppToken(app *registeredApp, audience, acr string) (string, time.Time, error) {
	now := time.Now()
	exp := now.Add(tokenLifetime)
	claims := &accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: s.issuer(), Subject: app.servicePrincipalID,
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(exp),
		},
		Audience: audience, TenantID: s.dir.tenantID, ObjectID: app.servicePrincipalID,
		AppID: app.ClientID, AuthorizedParty: app.ClientID, AppDisplayName: app.DisplayName, AppIDACR: acr,
		IDType: "app", Roles: append([]string{}, app.Roles...), UTI: newUTI(), Version: "2.0",
	}
	tok, err := s.noteToken(s.tokenKey.sign(claims))
	return tok, exp, err
}

func (s *Server) issueUserToken(app *registeredApp, user map[string]any, audience, scope string) (string, error) {
	now := time.Now()
	id, _ := user["id"].(string)
	upn, _ := user["userPrincipalName"].(string)
	name, _ := user["displayName"].(string)
	claims := &accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: s.issuer(), Subject: pairwiseSubject(id, app.ClientID),
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(tokenLifetime)),
		},
		Audience: audience, TenantID: s.dir.tenantID, ObjectID: id, AppID: app.ClientID, AuthorizedParty: app.ClientID,
		AppDisplayName: app.DisplayName, IDType: "user", Scope: scope, UPN: upn, Name: name, UTI: newUTI(), Version: "2.0",
	}
	return s.noteToken(s.tokenKey.sign(claims))
}

// pairwiseSubject is stable per user and app, like Entra's sub claim.
func pairwiseSubject(userID, clientID string) string {
	sum := sha256.Sum256([]byte(userID + "|" + clientID))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func newUTI() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// parseAccessToken validates a bearer token and returns Graph's 401 message on failure.
func (s *Server) parseAccessToken(raw string) (*accessClaims, string) {
	if raw == "" {
		return nil, "Access token is empty."
	}
	claims := &accessClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid != s.tokenKey.kid {
			return nil, errors.New("unknown signing key")
		}
		return &s.tokenKey.private.PublicKey, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(s.issuer()), jwt.WithExpirationRequired())
	switch {
	case err == nil:
		return claims, ""
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, "Lifetime validation failed, the token is expired."
	case errors.Is(err, jwt.ErrTokenMalformed):
		return nil, "Invalid JWT token. The token is malformed."
	default:
		return nil, "Access token validation failure."
	}
}

func bearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// ---- login endpoints ----

// writeAADError writes the token service's error body: error, error_description with the AADSTS code, trace and
// correlation ids and timestamp, error_codes, timestamp, trace_id, correlation_id, error_uri.
func (s *Server) writeAADError(w http.ResponseWriter, r *http.Request, status int, errCode string, aadsts int, description string) {
	ri := requestInfoFrom(r.Context())
	ts := time.Now().UTC().Format("2006-01-02 15:04:05Z")
	writeJSON(w, status, "application/json; charset=utf-8", map[string]any{
		"error": errCode,
		"error_description": fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s",
			aadsts, description, ri.requestID, ri.clientRequestID, ts),
		"error_codes":    []int{aadsts},
		"timestamp":      ts,
		"trace_id":       ri.requestID,
		"correlation_id": ri.clientRequestID,
		"error_uri":      s.baseURL + "/error?code=" + strconv.Itoa(aadsts),
	})
}

func (s *Server) writeTenantNotFound(w http.ResponseWriter, r *http.Request, tenant string) {
	s.writeAADError(w, r, http.StatusBadRequest, "invalid_tenant", 90002, fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", tenant))
}

// isMultiTenantAlias reports the authority aliases Entra accepts in place of a tenant.
func isMultiTenantAlias(tenant string) bool {
	switch strings.ToLower(tenant) {
	case "common", "organizations":
		return true
	}
	return false
}

// handleOpenIDConfiguration serves /{tenant}/v2.0/.well-known/openid-configuration, which MSAL reads first.
func (s *Server) handleOpenIDConfiguration(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	s.dir.mu.RLock()
	known := s.dir.knowsTenant(tenant)
	s.dir.mu.RUnlock()
	pathTenant, issuer := s.dir.tenantID, s.issuer()
	switch {
	case isMultiTenantAlias(tenant):
		pathTenant, issuer = strings.ToLower(tenant), s.baseURL+"/{tenantid}/v2.0"
	case !known:
		s.writeTenantNotFound(w, r, tenant)
		return
	}
	base := s.baseURL + "/" + pathTenant
	writeJSON(w, http.StatusOK, "application/json; charset=utf-8", map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                issuer,
		"request_uri_parameter_supported":       false,
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "nbf", "name", "oid", "preferred_username", "tid", "ver"},
		"tenant_region_scope":                   "NA",
		"cloud_instance_name":                   "tenantsim.test",
		"cloud_graph_host_name":                 "graph.tenantsim.test",
		"msgraph_host":                          "graph.tenantsim.test",
	})
}

// handleInstanceDiscovery answers /common/discovery/instance like Entra; clients of a private cloud normally
// disable instance discovery, but an answer keeps those that do not working.
func (s *Server) handleInstanceDiscovery(w http.ResponseWriter, r *http.Request) {
	tenant := "common"
	if u, err := url.Parse(r.URL.Query().Get("authorization_endpoint")); err == nil {
		if segs := pathSegments(u.EscapedPath()); len(segs) > 0 {
			tenant = segs[0]
		}
	}
	writeJSON(w, http.StatusOK, "application/json; charset=utf-8", map[string]any{
		"tenant_discovery_endpoint": s.baseURL + "/" + tenant + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata": []any{map[string]any{
			"preferred_network": s.host, "preferred_cache": s.host, "aliases": []string{s.host},
		}},
	})
}

// handleKeys serves the tenant's JWKS (/{tenant}/discovery/v2.0/keys).
func (s *Server) handleKeys(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, "application/json; charset=utf-8", map[string]any{"keys": []any{s.tokenKey.jwk(s.issuer())}})
}

// handleToken is POST /{tenant}/oauth2/v2.0/token.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if err := r.ParseForm(); err != nil {
		s.writeAADError(w, r, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
		return
	}
	form := r.PostForm
	s.notePresented(form)
	requestInfoFrom(r.Context()).clientID = form.Get("client_id")
	grant := form.Get("grant_type")
	s.dir.mu.RLock()
	known := s.dir.knowsTenant(tenant)
	s.dir.mu.RUnlock()
	if !known && !(grant == "password" && isMultiTenantAlias(tenant)) {
		s.writeTenantNotFound(w, r, tenant)
		return
	}
	switch grant {
	case "client_credentials":
		s.clientCredentialsGrant(w, r, tenant, form)
	case "password":
		s.passwordGrant(w, r, form)
	case "":
		s.writeAADError(w, r, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
	default:
		s.writeAADError(w, r, http.StatusBadRequest, "unsupported_grant_type", 70003, fmt.Sprintf("The app requested an unsupported grant type '%s'.", grant))
	}
}

// lookupApp finds the client or writes AADSTS700016.
func (s *Server) lookupApp(w http.ResponseWriter, r *http.Request, clientID string) *registeredApp {
	if clientID == "" {
		s.writeAADError(w, r, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.")
		return nil
	}
	s.dir.mu.RLock()
	app := s.dir.app(clientID)
	s.dir.mu.RUnlock()
	if app == nil {
		s.writeAADError(w, r, http.StatusBadRequest, "unauthorized_client", 700016, fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, s.orgDisplayName()))
	}
	return app
}

func (s *Server) orgDisplayName() string {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	name, _ := s.dir.organization["displayName"].(string)
	return name
}

func secretMatches(want, got string) bool {
	a, b := sha256.Sum256([]byte(want)), sha256.Sum256([]byte(got))
	return want != "" && subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

func (s *Server) writeBadSecret(w http.ResponseWriter, r *http.Request, app *registeredApp) {
	s.writeAADError(w, r, http.StatusUnauthorized, "invalid_client", 7000215, fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", app.ClientID))
}

func (s *Server) clientCredentialsGrant(w http.ResponseWriter, r *http.Request, tenant string, form url.Values) {
	app := s.lookupApp(w, r, form.Get("client_id"))
	if app == nil {
		return
	}
	// MSAL always adds the OpenID Connect scopes; Entra ignores them in this flow.
	var resourceScopes []string
	for _, sc := range strings.Fields(form.Get("scope")) {
		if !oidcOnlyScopes[strings.ToLower(sc)] {
			resourceScopes = append(resourceScopes, sc)
		}
	}
	scope := strings.Join(resourceScopes, " ")
	if len(resourceScopes) != 1 || !strings.HasSuffix(scope, "/.default") {
		s.writeAADError(w, r, http.StatusBadRequest, "invalid_scope", 1002012, fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope))
		return
	}
	audience, ok := s.resourceFor(scope)
	if !ok {
		s.writeAADError(w, r, http.StatusBadRequest, "invalid_resource", 500011, fmt.Sprintf("The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", strings.TrimSuffix(scope, "/.default"), s.orgDisplayName()))
		return
	}
	var acr string
	switch {
	case form.Get("client_secret") != "":
		if !secretMatches(app.Secret, form.Get("client_secret")) {
			s.writeBadSecret(w, r, app)
			return
		}
		acr = "1"
	case form.Get("client_assertion") != "":
		if form.Get("client_assertion_type") != jwtBearerType {
			s.writeAADError(w, r, http.StatusBadRequest, "invalid_request", 700023, fmt.Sprintf("Invalid client_assertion_type '%s'. The only supported value is '%s'.", form.Get("client_assertion_type"), jwtBearerType))
			return
		}
		if aerr := s.verifyClientAssertion(app, tenant, form.Get("client_assertion")); aerr != nil {
			s.writeAADError(w, r, aerr.status, "invalid_client", aerr.code, aerr.message)
			return
		}
		acr = "2"
	default:
		s.writeAADError(w, r, http.StatusUnauthorized, "invalid_client", 7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.")
		return
	}
	token, _, err := s.issueAppToken(app, audience, acr)
	if err != nil {
		s.writeAADError(w, r, http.StatusInternalServerError, "server_error", 90033, "A transient error has occurred. Please try again.")
		return
	}
	writeTokenResponse(w, map[string]any{"token_type": "Bearer", "access_token": token})
}

func writeTokenResponse(w http.ResponseWriter, body map[string]any) {
	secs := int(tokenLifetime.Seconds()) - 1
	body["expires_in"], body["ext_expires_in"] = secs, secs
	w.Header().Set("Cache-Control", "no-store, no-cache")
	writeJSON(w, http.StatusOK, "application/json; charset=utf-8", body)
}

// assertionError is a rejected client assertion with its AADSTS code.
type assertionError struct {
	status  int
	code    int
	message string
}

func rejectAssertion(code int, format string, args ...any) *assertionError {
	return &assertionError{status: http.StatusUnauthorized, code: code, message: fmt.Sprintf(format, args...)}
}

// verifyClientAssertion accepts either a certificate assertion (iss = sub = client id, signed by the app's
// registered certificate) or a federated assertion (a token from a trusted external issuer that matches one of
// the app's federated credentials).
func (s *Server) verifyClientAssertion(app *registeredApp, tenant, assertion string) *assertionError {
	unverified := jwt.MapClaims{}
	tok, _, err := jwt.NewParser().ParseUnverified(assertion, unverified)
	if err != nil {
		return rejectAssertion(50027, "JWT token is invalid or malformed.")
	}
	issuer, _ := unverified["iss"].(string)
	if strings.EqualFold(issuer, app.ClientID) {
		return s.verifyCertificateAssertion(app, tenant, tok, assertion)
	}
	return s.verifyFederatedAssertion(app, issuer, assertion)
}

func (s *Server) verifyCertificateAssertion(app *registeredApp, tenant string, tok *jwt.Token, assertion string) *assertionError {
	x5t, _ := tok.Header["x5t"].(string)
	x5t256, _ := tok.Header["x5t#S256"].(string)
	if app.Certificate == nil || !(thumbprintMatches(x5t, sha1Digest(app.Certificate.Raw)) || thumbprintMatches(x5t256, sha256Digest(app.Certificate.Raw))) {
		return rejectAssertion(700027, "Client assertion failed signature validation. (Reason - The key was not found., Thumbprint of key used by client: '%s'.)", x5t+x5t256)
	}
	claims := jwt.MapClaims{}
	_, err := jwt.NewParser(jwt.WithValidMethods([]string{"RS256", "PS256"}), jwt.WithoutClaimsValidation()).
		ParseWithClaims(assertion, claims, func(*jwt.Token) (any, error) { return app.Certificate.PublicKey, nil })
	if err != nil {
		return rejectAssertion(700027, "Client assertion failed signature validation.")
	}
	if sub, _ := claims["sub"].(string); !strings.EqualFold(sub, app.ClientID) {
		return rejectAssertion(700021, "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .")
	}
	if !audienceIncludes(claims, s.tokenEndpoint(tenant), s.tokenEndpoint(s.dir.tenantID), s.baseURL+"/"+s.dir.tenantID+"/oauth2/token") {
		return rejectAssertion(50012, "Client assertion audience claim does not match Realm issuer.")
	}
	return assertionLifetime(claims)
}

func audienceIncludes(claims jwt.MapClaims, accepted ...string) bool {
	auds, _ := claims.GetAudience()
	for _, aud := range auds {
		for _, want := range accepted {
			if strings.EqualFold(aud, want) {
				return true
			}
		}
	}
	return false
}

func assertionLifetime(claims jwt.MapClaims) *assertionError {
	now := time.Now()
	exp, _ := claims.GetExpirationTime()
	nbf, _ := claims.GetNotBefore()
	if exp == nil || now.After(exp.Add(assertionClockSkew)) || (nbf != nil && now.Add(assertionClockSkew).Before(nbf.Time)) {
		from, to := "", ""
		if nbf != nil {
			from = nbf.UTC().Format(time.RFC3339)
		}
		if exp != nil {
			to = exp.UTC().Format(time.RFC3339)
		}
		return rejectAssertion(700024, "Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .", now.UTC().Format(time.RFC3339), from, to)
	}
	return nil
}

func (s *Server) verifyFederatedAssertion(app *registeredApp, issuer, assertion string) *assertionError {
	var candidates []FederatedCredential
	for _, fc := range app.Federated {
		if fc.Issuer == issuer { // Entra compares issuers case-sensitively
			candidates = append(candidates, fc)
		}
	}
	if len(candidates) == 0 {
		return rejectAssertion(700211, "No matching federated identity record found for presented assertion issuer '%s'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation", issuer)
	}
	keys, err := s.issuerKeys(issuer)
	if err != nil {
		return rejectAssertion(50166, "Request to External OIDC endpoint failed.")
	}
	claims := jwt.MapClaims{}
	_, err = jwt.NewParser(jwt.WithValidMethods([]string{"RS256", "PS256", "ES256"}), jwt.WithoutClaimsValidation()).
		ParseWithClaims(assertion, claims, func(t *jwt.Token) (any, error) {
			kid, _ := t.Header["kid"].(string)
			if key, ok := keys[kid]; ok {
				return key, nil
			}
			if len(keys) == 1 && kid == "" {
				for _, key := range keys {
					return key, nil
				}
			}
			return nil, errors.New("no key for kid " + kid)
		})
	if err != nil {
		return rejectAssertion(50013, "Assertion failed signature validation. [Reason - The key was not found.]")
	}
	if aerr := assertionLifetime(claims); aerr != nil {
		return aerr
	}
	subject, _ := claims["sub"].(string)
	var subjectMatches []FederatedCredential
	for _, fc := range candidates {
		if fc.Subject == subject {
			subjectMatches = append(subjectMatches, fc)
		}
	}
	if len(subjectMatches) == 0 {
		return rejectAssertion(700213, "No matching federated identity record found for presented assertion subject '%s'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation", subject)
	}
	for _, fc := range subjectMatches {
		want := fc.Audience
		if want == "" {
			want = defaultFederatedAud
		}
		if audienceIncludes(claims, want) {
			return nil
		}
	}
	auds, _ := claims.GetAudience()
	return rejectAssertion(700212, "No matching federated identity record found for presented assertion audience '%s'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation", strings.Join(auds, ","))
}

// issuerKeys returns the signature keys of a federated issuer by kid: the built-in issuer's key directly, any
// other issuer's keys through its OpenID discovery document and JWKS.
func (s *Server) issuerKeys(issuer string) (map[string]crypto.PublicKey, error) {
	if issuer == s.OIDCIssuer() {
		return map[string]crypto.PublicKey{s.oidcKey.kid: &s.oidcKey.private.PublicKey}, nil
	}
	var discovery struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := s.fetchJSON(strings.TrimRight(issuer, "/")+"/.well-known/openid-configuration", &discovery); err != nil {
		return nil, err
	}
	var set struct {
		Keys []struct {
			Kty, Kid, N, E, Crv, X, Y string
		} `json:"keys"`
	}
	if err := s.fetchJSON(discovery.JWKSURI, &set); err != nil {
		return nil, err
	}
	keys := map[string]crypto.PublicKey{}
	for _, k := range set.Keys {
		switch k.Kty {
		case "RSA":
			n, errN := base64.RawURLEncoding.DecodeString(k.N)
			e, errE := base64.RawURLEncoding.DecodeString(k.E)
			if errN == nil && errE == nil {
				keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
			}
		case "EC":
			x, errX := base64.RawURLEncoding.DecodeString(k.X)
			y, errY := base64.RawURLEncoding.DecodeString(k.Y)
			if k.Crv != "P-256" || errX != nil || errY != nil || len(x) != 32 || len(y) != 32 {
				continue
			}
			if pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...)); err == nil {
				keys[k.Kid] = pub
			}
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("issuer publishes no usable keys")
	}
	return keys, nil
}

func (s *Server) fetchJSON(u string, v any) error {
	resp, err := s.outboundHTTP().Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// oidcOnlyScopes are OpenID Connect scopes that name no resource.
var oidcOnlyScopes = map[string]bool{"openid": true, "profile": true, "offline_access": true, "email": true}

// passwordGrant is the resource-owner password flow: it checks the user's password and account state and records
// the attempt in signInActivity, as Entra's sign-in logs feed that property.
func (s *Server) passwordGrant(w http.ResponseWriter, r *http.Request, form url.Values) {
	app := s.lookupApp(w, r, form.Get("client_id"))
	if app == nil {
		return
	}
	if secret := form.Get("client_secret"); secret != "" && !secretMatches(app.Secret, secret) {
		s.writeBadSecret(w, r, app)
		return
	}
	audience, scope, ok := s.delegatedScope(app, form.Get("scope"))
	if !ok {
		s.writeAADError(w, r, http.StatusBadRequest, "invalid_resource", 500011, fmt.Sprintf("The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", form.Get("scope"), s.orgDisplayName()))
		return
	}
	username, password := form.Get("username"), form.Get("password")
	ri := requestInfoFrom(r.Context())
	now := time.Now().UTC()

	s.dir.mu.Lock()
	user := s.dir.liveUser(username, now)
	var status, code int
	var errCode, message string
	switch {
	case user == nil:
		status, errCode, code, message = http.StatusBadRequest, "invalid_grant", 50034, fmt.Sprintf("The user account {EUII Hidden} does not exist in the %s directory. To sign into this application, the account must be added to the directory.", s.dir.tenantID)
	case !user.password.matches(password):
		status, errCode, code, message = http.StatusBadRequest, "invalid_grant", 50126, "Error validating credentials due to invalid username or password."
	case user.data["accountEnabled"] != true:
		status, errCode, code, message = http.StatusBadRequest, "invalid_grant", 50057, "The user account is disabled."
	case user.forceChange:
		status, errCode, code, message = http.StatusBadRequest, "invalid_grant", 50055, "The password is expired."
	}
	var snapshot map[string]any
	if user != nil {
		recordSignIn(user, now, ri.requestID, status == 0)
		snapshot = copyObject(user.data)
	}
	s.dir.mu.Unlock()

	if status != 0 {
		s.writeAADError(w, r, status, errCode, code, message)
		return
	}
	token, err := s.issueUserToken(app, snapshot, audience, scope)
	if err != nil {
		s.writeAADError(w, r, http.StatusInternalServerError, "server_error", 90033, "A transient error has occurred. Please try again.")
		return
	}
	body := map[string]any{"token_type": "Bearer", "scope": form.Get("scope"), "access_token": token}
	if strings.Contains(" "+form.Get("scope")+" ", " openid ") {
		if body["id_token"], err = s.issueIDToken(app, snapshot); err != nil {
			s.writeAADError(w, r, http.StatusInternalServerError, "server_error", 90033, "A transient error has occurred. Please try again.")
			return
		}
	}
	if form.Get("client_info") == "1" {
		uid, _ := snapshot["id"].(string)
		info, _ := json.Marshal(map[string]string{"uid": uid, "utid": s.dir.tenantID})
		body["client_info"] = base64.RawURLEncoding.EncodeToString(info)
	}
	writeTokenResponse(w, body)
}

// delegatedScope maps a delegated scope list to the token audience and scp claim. "<resource>/.default" grants
// what the app has been consented to, which the simulator equates with the app's permissions.
func (s *Server) delegatedScope(app *registeredApp, scopeParam string) (audience, scp string, ok bool) {
	var names []string
	audience, _ = s.resourceFor(GraphResourceID)
	for _, sc := range strings.Fields(scopeParam) {
		if oidcOnlyScopes[strings.ToLower(sc)] {
			continue
		}
		name := sc
		if i := strings.LastIndex(sc, "/"); i > 0 && strings.Contains(sc, "://") {
			if audience, ok = s.resourceFor(sc[:i]); !ok {
				return "", "", false
			}
			name = sc[i+1:]
		}
		if name == ".default" {
			names = append(names, app.Roles...)
		} else {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		names = []string{"User.Read"}
	}
	return audience, strings.Join(names, " "), true
}

func recordSignIn(u *userRecord, now time.Time, requestID string, success bool) {
	activity, _ := u.data["signInActivity"].(map[string]any)
	if activity == nil {
		activity = map[string]any{
			"lastSignInDateTime": nil, "lastSignInRequestId": nil,
			"lastNonInteractiveSignInDateTime": nil, "lastNonInteractiveSignInRequestId": nil,
			"lastSuccessfulSignInDateTime": nil, "lastSuccessfulSignInRequestId": nil,
		}
		u.data["signInActivity"] = activity
	}
	stamp := now.Format(time.RFC3339)
	activity["lastSignInDateTime"], activity["lastSignInRequestId"] = stamp, requestID
	if success {
		activity["lastSuccessfulSignInDateTime"], activity["lastSuccessfulSignInRequestId"] = stamp, requestID
	}
}

func (s *Server) issueIDToken(app *registeredApp, user map[string]any) (string, error) {
	now := time.Now()
	id, _ := user["id"].(string)
	return s.noteToken(s.tokenKey.sign(jwt.MapClaims{
		"aud": app.ClientID, "iss": s.issuer(), "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(tokenLifetime).Unix(),
		"sub": pairwiseSubject(id, app.ClientID), "oid": id, "tid": s.dir.tenantID,
		"name": user["displayName"], "preferred_username": user["userPrincipalName"], "ver": "2.0",
	}))
}

// MintToken issues an app-only access token for a registered app, e.g. for a fake `az` CLI in tests. resource
// is a resource id or scope, e.g. GraphResourceID.
func (s *Server) MintToken(clientID, resource string) (string, time.Time, error) {
	s.dir.mu.RLock()
	app := s.dir.app(clientID)
	s.dir.mu.RUnlock()
	if app == nil {
		return "", time.Time{}, fmt.Errorf("no app registration with client id %s", clientID)
	}
	audience, ok := s.resourceFor(resource)
	if !ok {
		return "", time.Time{}, fmt.Errorf("unknown resource %q", resource)
	}
	return s.issueAppToken(app, audience, "1")
}

// ---- managed identity ----

// ManagedIdentity returns an App Service-style managed identity endpoint (IDENTITY_ENDPOINT), its secret header
// value (IDENTITY_HEADER) and the identity's client id. The identity has the main app's permissions.
func (s *Server) ManagedIdentity() (endpoint, header, clientID string) {
	return s.baseURL + "/_sim/msi/token", s.msiHeader, s.msiClientID
}

func (s *Server) handleManagedIdentity(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-IDENTITY-HEADER")), []byte(s.msiHeader)) != 1 {
		writeJSON(w, http.StatusUnauthorized, "application/json; charset=utf-8", map[string]any{"statusCode": 401, "message": "Unauthorized: the X-IDENTITY-HEADER header is missing or invalid."})
		return
	}
	if q.Get("api-version") != msiAPIVersion {
		writeJSON(w, http.StatusBadRequest, "application/json; charset=utf-8", map[string]any{"statusCode": 400, "message": "Invalid api-version '" + q.Get("api-version") + "'; supported: " + msiAPIVersion})
		return
	}
	if id := q.Get("client_id"); id != "" && !strings.EqualFold(id, s.msiClientID) {
		writeJSON(w, http.StatusBadRequest, "application/json; charset=utf-8", map[string]any{"statusCode": 400, "message": "No managed identity found for client id " + id})
		return
	}
	resource := q.Get("resource")
	audience, ok := s.resourceFor(resource)
	if !ok {
		writeJSON(w, http.StatusBadRequest, "application/json; charset=utf-8", map[string]any{"statusCode": 400, "message": "AADSTS500011: The resource principal named " + resource + " was not found in the tenant."})
		return
	}
	s.dir.mu.RLock()
	app := s.dir.app(s.msiClientID)
	s.dir.mu.RUnlock()
	token, exp, err := s.issueAppToken(app, audience, "2")
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, "application/json; charset=utf-8", map[string]any{"statusCode": 500, "message": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, "application/json; charset=utf-8", map[string]any{
		"access_token": token, "expires_on": strconv.FormatInt(exp.Unix(), 10), "resource": resource,
		"token_type": "Bearer", "client_id": s.msiClientID,
	})
}

// ---- external OIDC issuer (stands in for GitHub Actions or any IdP) ----

// OIDCIssuer is the issuer URL of the simulator's built-in external identity provider.
func (s *Server) OIDCIssuer() string { return s.baseURL + "/_sim/oidc" }

// IssueOIDCToken returns a JWT from the built-in issuer, for use as a federated client assertion.
func (s *Server) IssueOIDCToken(subject, audience string) (string, error) {
	return s.issueOIDC(subject, audience, nil)
}

func (s *Server) issueOIDC(subject, audience string, extra map[string]any) (string, error) {
	now := time.Now()
	claims := jwt.MapClaims{
		"iss": s.OIDCIssuer(), "sub": subject, "aud": audience, "jti": uuid.NewString(),
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
	}
	for k, v := range extra {
		claims[k] = v
	}
	return s.noteToken(s.oidcKey.sign(claims))
}

// GitHubRequestToken is the bearer token (ACTIONS_ID_TOKEN_REQUEST_TOKEN) that GitHubRequestURL accepts.
func (s *Server) GitHubRequestToken() string { return s.githubToken }

// GitHubRequestURL stands in for ACTIONS_ID_TOKEN_REQUEST_URL; clients append &audience=....
func (s *Server) GitHubRequestURL() string { return s.baseURL + "/_sim/github/idtoken?api-version=2.0" }

func (s *Server) handleGitHubIDToken(w http.ResponseWriter, r *http.Request) {
	if subtle.ConstantTimeCompare([]byte(bearerToken(r)), []byte(s.githubToken)) != 1 {
		writeJSON(w, http.StatusUnauthorized, "application/json; charset=utf-8", map[string]any{"message": "Unauthorized"})
		return
	}
	audience := r.URL.Query().Get("audience")
	if audience == "" {
		audience = githubDefaultAud
	}
	token, err := s.issueOIDC(githubDemoSubject, audience, map[string]any{
		"repository": "entra-breakglass/demo", "repository_owner": "entra-breakglass", "ref": "refs/heads/main",
		"ref_type": "branch", "event_name": "push", "workflow": "ci", "runner_environment": "github-hosted",
	})
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, "application/json; charset=utf-8", map[string]any{"message": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, "application/json; charset=utf-8", map[string]any{"count": 1, "value": token})
}

func (s *Server) handleOIDCDiscovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, "application/json; charset=utf-8", map[string]any{
		"issuer":                                s.OIDCIssuer(),
		"jwks_uri":                              s.OIDCIssuer() + "/.well-known/jwks",
		"subject_types_supported":               []string{"public", "pairwise"},
		"response_types_supported":              []string{"id_token"},
		"claims_supported":                      []string{"sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "repository", "repository_owner", "workflow", "event_name", "runner_environment"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid"},
	})
}

func (s *Server) handleOIDCKeys(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, "application/json; charset=utf-8", map[string]any{"keys": []any{s.oidcKey.jwk("")}})
}
