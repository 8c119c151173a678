package tenantsim

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Resource identifiers of the simulated cloud. They are identifiers only (token audiences); every endpoint is
// served from the simulator's own https://127.0.0.1:PORT listener.
const (
	GraphResourceID = "https://graph.tenantsim.test/"
	ARMResourceID   = "https://management.tenantsim.test/"
)

// maxRequestBody bounds request bodies; Graph itself rejects payloads above 4 MB.
const maxRequestBody = 4 << 20

// Config configures Start.
type Config struct {
	Addr       string    // listen address; default "127.0.0.1:0"
	StateDir   string    // where ca.pem is written; default: a new temporary directory removed on Close
	SeedFile   string    // optional JSON seed merged over the default fixtures (see LoadSeed)
	RequestLog io.Writer // optional; one JSON object per request
	Knobs      Knobs
	RandSeed   int64 // seeds fault injection; 0 = time-based
}

// Info is what a client needs to reach the tenant; the standalone binary prints it as one JSON line.
type Info struct {
	MetadataHost   string `json:"metadata_host"` // "127.0.0.1:PORT", as users write metadata_host
	CAFile         string `json:"ca_file"`
	TenantID       string `json:"tenant_id"`
	ClientID       string `json:"client_id"` // the main app, with full permissions
	ClientSecret   string `json:"client_secret"`
	SubscriptionID string `json:"subscription_id"`
	WorkspaceID    string `json:"workspace_id"`   // the seeded Log Analytics workspace (full ARM id)
	ResourceGroup  string `json:"resource_group"` // its resource group, "rg-security"
}

// Server is a running simulated tenant.
type Server struct {
	httpServer *http.Server
	listener   net.Listener
	host       string // 127.0.0.1:PORT
	baseURL    string // https://127.0.0.1:PORT
	stateDir   string
	ownsState  bool
	caFile     string
	ca         *certAuthority
	tokenKey   *signingKey
	oidcKey    *signingKey
	outbound   outboundClient // fetches external issuers' JWKS
	dir        *directory
	logger     *requestLogger
	mux        *http.ServeMux

	knobsMu  sync.Mutex
	knobs    Knobs
	rng      *mrand.Rand
	caBucket caThrottle // Conditional Access write throttle (Knobs.CAWriteRate)

	mainApp     App
	msiClientID string
	msiHeader   string
	githubToken string
	closeOnce   sync.Once

	// secrets is nil until RecordSecrets: a server that does not record (the standalone binary, every test but the
	// leak scan) keeps no plaintext at all, only password digests.
	secrets atomic.Pointer[secretLedger]
}

// Start listens, loads the fixtures and serves until Close.
func Start(cfg Config) (_ *Server, err error) {
	if err := cfg.Knobs.validate(); err != nil {
		return nil, err
	}
	s := &Server{logger: &requestLogger{w: cfg.RequestLog}, knobs: cfg.Knobs}
	seed := cfg.RandSeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	s.rng = mrand.New(mrand.NewPCG(uint64(seed), uint64(seed)>>1|1))

	defer func() {
		if err != nil {
			s.cleanup()
		}
	}()
	if s.stateDir = cfg.StateDir; s.stateDir == "" {
		if s.stateDir, err = os.MkdirTemp("", "tenantsim-"); err != nil {
			return nil, err
		}
		s.ownsState = true
	} else if err = os.MkdirAll(s.stateDir, 0o755); err != nil {
		return nil, err
	}
	if s.ca, err = newCertAuthority(); err != nil {
		return nil, err
	}
	if s.caFile, err = s.ca.writePEM(s.stateDir); err != nil {
		return nil, err
	}
	addr := cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if s.listener, err = net.Listen("tcp", addr); err != nil {
		return nil, err
	}
	tcpAddr, ok := s.listener.Addr().(*net.TCPAddr)
	if !ok {
		return nil, fmt.Errorf("listener address %s is not TCP", s.listener.Addr())
	}
	s.host = advertisedHost(tcpAddr)
	s.baseURL = "https://" + s.host

	tokenRSA, oidcRSA, err := rsaKeys()
	if err != nil {
		return nil, err
	}
	if s.tokenKey, err = newSigningKey(s.ca, tokenRSA, "tenantsim token signing"); err != nil {
		return nil, err
	}
	if s.oidcKey, err = newSigningKey(s.ca, oidcRSA, "tenantsim external OIDC issuer"); err != nil {
		return nil, err
	}
	s.msiHeader, s.githubToken = randomHex(24), randomHex(24)

	s.dir = newDirectory()
	if err = s.loadFixtures(cfg.SeedFile); err != nil {
		return nil, err
	}

	cert, err := s.ca.serverCertificate()
	if err != nil {
		return nil, err
	}
	s.mux = s.routes()
	s.httpServer = &http.Server{
		Handler:           s,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 30 * time.Second,
		// Handshake failures from clients that do not trust the CA are the clients' problem, not ours to print.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go func() { _ = s.httpServer.ServeTLS(s.listener, "", "") }()
	return s, nil
}

// advertisedHost is the host[:port] clients use; a wildcard listener is advertised on IPv4 loopback.
func advertisedHost(addr *net.TCPAddr) string {
	ip := addr.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(addr.Port))
}

// outboundClient is built on first use. Loading the system roots at Start would freeze Go's process-wide system
// pool before an in-process test harness sets SSL_CERT_FILE to the simulator's CA.
type outboundClient struct {
	once   sync.Once
	client *http.Client
}

func (s *Server) outboundHTTP() *http.Client {
	s.outbound.once.Do(func() {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		pool.AddCert(s.ca.cert)
		s.outbound.client = &http.Client{
			Timeout:   externalFetchTimeout,
			Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
		}
	})
	return s.outbound.client
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Info describes how to reach the tenant.
func (s *Server) Info() Info {
	return Info{
		MetadataHost: s.host, CAFile: s.caFile, TenantID: s.dir.tenantID, ClientID: s.mainApp.ClientID,
		ClientSecret: s.mainApp.Secret, SubscriptionID: s.dir.subscriptionID,
		WorkspaceID: securityWorkspaceID(s.dir.subscriptionID), ResourceGroup: SecurityResourceGroup,
	}
}

// Close stops serving and removes a temporary state directory.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		if s.httpServer != nil {
			err = s.httpServer.Close()
		}
		s.cleanup()
	})
	return err
}

func (s *Server) cleanup() {
	if s.listener != nil {
		_ = s.listener.Close()
	}
	if s.ownsState && s.stateDir != "" {
		_ = os.RemoveAll(s.stateDir)
	}
}

// ---- per-request context ----

type requestInfo struct {
	requestID       string
	clientRequestID string
	clientID        string        // for the request log
	claims          *accessClaims // the caller's validated token on Graph and ARM routes
}

type requestInfoKey struct{}

func withRequestInfo(ctx context.Context, ri *requestInfo) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, ri)
}

func requestInfoFrom(ctx context.Context) *requestInfo {
	if ri, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		return ri
	}
	return &requestInfo{}
}

// routeClass decides which middleware applies to a path.
type routeClass int

const (
	classOther routeClass = iota // metadata, discovery, /_sim: no faults, no latency
	classToken                   // token endpoint: latency only
	classGraph
	classARM
)

func classify(path string) routeClass {
	lower := strings.ToLower(path)
	switch {
	case path == "/v1.0" || strings.HasPrefix(path, "/v1.0/"):
		return classGraph
	case strings.HasPrefix(lower, "/subscriptions/") || strings.HasPrefix(lower, "/providers/"):
		return classARM
	case strings.HasSuffix(path, "/oauth2/v2.0/token"):
		return classToken
	}
	return classOther
}

// ServeHTTP is the middleware chain: request ids, request log, knobs, then routing.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ri := &requestInfo{requestID: uuid.NewString(), clientRequestID: r.Header.Get("client-request-id")}
	if ri.clientRequestID == "" {
		ri.clientRequestID = ri.requestID
	}
	body, err := readBody(r)
	r.Body = io.NopCloser(bytes.NewReader(body))
	r = r.WithContext(withRequestInfo(r.Context(), ri))
	rec := &statusRecorder{ResponseWriter: w}
	rec.Header().Set("request-id", ri.requestID)
	rec.Header().Set("client-request-id", ri.clientRequestID)
	defer func() { s.logger.log(r, body, rec.status, start, ri.clientID) }()
	if err != nil {
		writeJSON(rec, http.StatusBadRequest, "application/json", map[string]any{"error": map[string]any{"code": "BadRequest", "message": err.Error()}})
		return
	}

	class := classify(r.URL.Path)
	if class != classOther {
		if latency := s.Knobs().Latency; latency > 0 {
			select {
			case <-time.After(latency):
			case <-r.Context().Done():
				return
			}
		}
	}
	switch class {
	case classGraph:
		s.serveGraph(rec, r)
	case classARM:
		s.serveARM(rec, r)
	default:
		s.mux.ServeHTTP(rec, r)
	}
}

// readBody reads the request body, inflating it when the client compressed it: kiota's compression handler
// sends Graph request bodies with Content-Encoding: gzip, which Graph accepts.
func readBody(r *http.Request) ([]byte, error) {
	var src io.Reader = r.Body
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, fmt.Errorf("the request body is not valid gzip: %w", err)
		}
		defer zr.Close()
		src = zr
		r.Header.Del("Content-Encoding")
	}
	return io.ReadAll(io.LimitReader(src, maxRequestBody))
}

// applyFault injects the knobs' faults into a Graph or ARM request; it reports whether the request was answered.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, arm bool) bool {
	f, k := s.drawFault(true)
	if f == faultReset {
		resetConnection(w)
		return true
	}
	return writeFault(w, r, f, k, arm)
}

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metadata/endpoints", s.handleMetadata)
	mux.HandleFunc("GET /common/discovery/instance", s.handleInstanceDiscovery)
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.handleOpenIDConfiguration)
	mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", s.handleKeys)
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.handleToken)
	mux.HandleFunc("GET /_sim/msi/token", s.handleManagedIdentity)
	mux.HandleFunc("GET /_sim/github/idtoken", s.handleGitHubIDToken)
	mux.HandleFunc("GET /_sim/oidc/.well-known/openid-configuration", s.handleOIDCDiscovery)
	mux.HandleFunc("GET /_sim/oidc/.well-known/jwks", s.handleOIDCKeys)
	s.controlRoutes(mux)
	return mux
}

// ---- Graph ----

// Permission sets from the Graph permissions reference; any one of a set grants access.
var (
	userReadRoles      = anyOf{"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	userWriteRoles     = anyOf{"User.ReadWrite.All", "Directory.ReadWrite.All"}
	userRestoreRoles   = anyOf{"User.ReadWrite.All", "User.DeleteRestore.All", "Directory.ReadWrite.All"}
	domainReadRoles    = anyOf{"Domain.Read.All", "Domain.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	orgReadRoles       = anyOf{"Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", "User.Read"}
	signInActivityRole = []string{"AuditLog.Read.All"}
)

// graphHandler serves one matched route. It writes a success answer itself or returns the error to write.
type graphHandler func(s *Server, w http.ResponseWriter, r *http.Request, params []string) *graphError

// graphRoute is one row of the Graph route and permission table: method, path pattern under /v1.0 ("{}" matches
// one segment, its value is passed in params), the permissions the caller needs (anyOf or allOf; nil = any valid
// token), and the handler. A new route is a new row.
type graphRoute struct {
	method  string
	pattern string
	roles   permissionRule
	handle  graphHandler
}

var graphRoutes []graphRoute

// init fills the table; a package-level literal would be an initialization cycle, because $batch dispatches
// through the table itself.
func init() {
	graphRoutes = []graphRoute{
		{"GET", "/users", userReadRoles, (*Server).listUsers},
		{"POST", "/users", userWriteRoles, (*Server).createUser},
		{"GET", "/users/$count", userReadRoles, (*Server).countUsers},
		{"GET", "/users/{}", userReadRoles, (*Server).getUser},
		{"PATCH", "/users/{}", userWriteRoles, (*Server).updateUser},
		{"DELETE", "/users/{}", userWriteRoles, (*Server).deleteUser},
		{"GET", "/directory/deletedItems/microsoft.graph.user", userReadRoles, (*Server).listDeletedUsers},
		{"GET", "/directory/deletedItems/{}", userReadRoles, (*Server).getDeletedItem},
		{"DELETE", "/directory/deletedItems/{}", userRestoreRoles, (*Server).purgeDeletedItem},
		{"POST", "/directory/deletedItems/{}/restore", userRestoreRoles, (*Server).restoreDeletedItem},
		{"GET", "/domains", domainReadRoles, (*Server).listDomains},
		{"GET", "/domains/{}", domainReadRoles, (*Server).getDomain},
		{"GET", "/organization", orgReadRoles, (*Server).listOrganization},
		{"GET", "/organization/{}", orgReadRoles, (*Server).getOrganization},
		{"POST", "/$batch", nil, (*Server).batch},

		// Role management for directory roles (graph_rolemanagement*.go).
		{"GET", "/roleManagement/directory/roleDefinitions", roleDefinitionReadRoles, (*Server).listRoleDefinitions},
		{"GET", "/roleManagement/directory/roleDefinitions/{}", roleDefinitionReadRoles, (*Server).getRoleDefinition},
		{"GET", "/roleManagement/directory/roleAssignments", roleAssignmentReadRoles, (*Server).listRoleAssignments},
		{"POST", "/roleManagement/directory/roleAssignments", roleAssignmentWriteRoles, (*Server).createRoleAssignment},
		{"GET", "/roleManagement/directory/roleAssignments/{}", roleAssignmentReadRoles, (*Server).getRoleAssignment},
		{"DELETE", "/roleManagement/directory/roleAssignments/{}", roleAssignmentWriteRoles, (*Server).deleteRoleAssignment},
		{"GET", "/roleManagement/directory/roleAssignmentScheduleRequests", assignmentScheduleReadRoles, (*Server).listAssignmentScheduleRequests},
		{"POST", "/roleManagement/directory/roleAssignmentScheduleRequests", assignmentRequestWriteRoles, (*Server).createAssignmentScheduleRequest},
		{"GET", "/roleManagement/directory/roleAssignmentScheduleRequests/{}", assignmentScheduleReadRoles, (*Server).getAssignmentScheduleRequest},
		{"GET", "/roleManagement/directory/roleAssignmentSchedules", assignmentScheduleReadRoles, (*Server).listAssignmentSchedules},
		{"GET", "/roleManagement/directory/roleAssignmentSchedules/{}", assignmentScheduleReadRoles, (*Server).getAssignmentSchedule},
		{"GET", "/roleManagement/directory/roleAssignmentScheduleInstances", assignmentScheduleReadRoles, (*Server).listAssignmentInstances},
		{"GET", "/roleManagement/directory/roleAssignmentScheduleInstances/{}", assignmentScheduleReadRoles, (*Server).getAssignmentInstance},
		{"GET", "/roleManagement/directory/roleEligibilityScheduleRequests", eligibilityScheduleReadRoles, (*Server).listEligibilityScheduleRequests},
		{"POST", "/roleManagement/directory/roleEligibilityScheduleRequests", eligibilityRequestWriteRoles, (*Server).createEligibilityScheduleRequest},
		{"GET", "/roleManagement/directory/roleEligibilityScheduleRequests/{}", eligibilityScheduleReadRoles, (*Server).getEligibilityScheduleRequest},
		{"GET", "/roleManagement/directory/roleEligibilitySchedules", eligibilityScheduleReadRoles, (*Server).listEligibilitySchedules},
		{"GET", "/roleManagement/directory/roleEligibilitySchedules/{}", eligibilityScheduleReadRoles, (*Server).getEligibilitySchedule},
		{"GET", "/roleManagement/directory/roleEligibilityScheduleInstances", eligibilityScheduleReadRoles, (*Server).listEligibilityInstances},
		{"GET", "/roleManagement/directory/roleEligibilityScheduleInstances/{}", eligibilityScheduleReadRoles, (*Server).getEligibilityInstance},
		{"GET", "/policies/roleManagementPolicies", rolePolicyReadRoles, (*Server).listRolePolicies},
		{"GET", "/policies/roleManagementPolicies/{}", rolePolicyReadRoles, (*Server).getRolePolicy},
		{"GET", "/policies/roleManagementPolicies/{}/rules", rolePolicyReadRoles, (*Server).listRolePolicyRules},
		{"GET", "/policies/roleManagementPolicies/{}/rules/{}", rolePolicyReadRoles, (*Server).getRolePolicyRule},
		{"PATCH", "/policies/roleManagementPolicies/{}/rules/{}", rolePolicyWriteRoles, (*Server).updateRolePolicyRule},
		{"GET", "/policies/roleManagementPolicyAssignments", rolePolicyReadRoles, (*Server).listRolePolicyAssignments},
		{"GET", "/policies/roleManagementPolicyAssignments/{}", rolePolicyReadRoles, (*Server).getRolePolicyAssignment},

		// Conditional Access policies (graph_conditionalaccess.go).
		{"GET", "/identity/conditionalAccess/policies", caReadRoles, (*Server).listCAPolicies},
		{"POST", "/identity/conditionalAccess/policies", caWriteRoles, (*Server).createCAPolicy},
		{"GET", "/identity/conditionalAccess/policies/{}", caReadRoles, (*Server).getCAPolicy},
		{"PATCH", "/identity/conditionalAccess/policies/{}", caWriteRoles, (*Server).updateCAPolicy},
		{"DELETE", "/identity/conditionalAccess/policies/{}", caDeleteRoles, (*Server).deleteCAPolicy},

		// Groups, applications, service principals, app role assignments (graph_groups.go, graph_applications.go).
		{"GET", "/groups", groupReadRoles, (*Server).listGroups},
		{"GET", "/groups/{}", groupReadRoles, (*Server).getGroup},
		{"GET", "/groups/{}/members", groupMemberReadRoles, (*Server).listGroupMembers},
		{"GET", "/groups/{}/members/microsoft.graph.user", groupMemberReadRoles, (*Server).listGroupUserMembers},
		{"GET", "/applications", applicationReadRoles, (*Server).listApplications},
		{"POST", "/applications", applicationCreateRoles, (*Server).createApplication},
		{"GET", "/applications/{}", applicationReadRoles, (*Server).getApplication},
		{"PATCH", "/applications/{}", applicationWriteRoles, (*Server).updateApplication},
		{"DELETE", "/applications/{}", applicationWriteRoles, (*Server).deleteApplication},
		{"POST", "/applications/{}/addPassword", applicationWriteRoles, (*Server).addApplicationPassword},
		{"POST", "/applications/{}/removePassword", applicationWriteRoles, (*Server).removeApplicationPassword},
		{"GET", "/applications/{}/owners", applicationReadRoles, (*Server).listApplicationOwners},
		{"GET", "/servicePrincipals", servicePrincipalReadRoles, (*Server).listServicePrincipals},
		{"POST", "/servicePrincipals", servicePrincipalCreateRoles, (*Server).createServicePrincipal},
		{"GET", "/servicePrincipals/{}", servicePrincipalReadRoles, (*Server).getServicePrincipal},
		{"DELETE", "/servicePrincipals/{}", servicePrincipalDeleteRoles, (*Server).deleteServicePrincipal},
		{"GET", "/servicePrincipals/{}/owners", servicePrincipalReadRoles, (*Server).listServicePrincipalOwners},
		{"GET", "/servicePrincipals/{}/appRoleAssignments", servicePrincipalReadRoles, (*Server).listAppRoleAssignments},
		{"POST", "/servicePrincipals/{}/appRoleAssignments", appRoleAssignmentWriteRoles, (*Server).createAppRoleAssignment},
		{"DELETE", "/servicePrincipals/{}/appRoleAssignments/{}", appRoleAssignmentWriteRoles, (*Server).deleteAppRoleGrant},
		{"GET", "/servicePrincipals/{}/appRoleAssignedTo", servicePrincipalReadRoles, (*Server).listAppRoleAssignedTo},
		{"POST", "/servicePrincipals/{}/appRoleAssignedTo", appRoleAssignmentWriteRoles, (*Server).createAppRoleAssignedTo},
		{"DELETE", "/servicePrincipals/{}/appRoleAssignedTo/{}", appRoleAssignmentWriteRoles, (*Server).deleteAppRoleGrant},
		{"POST", "/directoryObjects/getByIds", getByIdsRoles, (*Server).getByIds},

		// Licenses and authentication methods of users (graph_users.go, graph_authmethods.go).
		{"GET", "/users/{}/licenseDetails", licenseDetailsReadRoles, (*Server).listLicenseDetails},
		{"GET", "/users/{}/authentication/methods", authMethodReadRoles, (*Server).listAuthMethods},
		{"GET", "/users/{}/authentication/fido2Methods", fido2ReadRoles, (*Server).listFIDO2Methods},
		{"GET", "/users/{}/authentication/fido2Methods/{}", fido2ReadRoles, (*Server).getFIDO2Method},
		{"DELETE", "/users/{}/authentication/fido2Methods/{}", fido2WriteRoles, (*Server).deleteFIDO2Method},

		{"POST", "/users/{}/authentication/temporaryAccessPassMethods", tapWriteRoles, (*Server).createTAP},
		{"GET", "/users/{}/authentication/temporaryAccessPassMethods", tapReadRoles, (*Server).listTAPs},
		{"GET", "/users/{}/authentication/temporaryAccessPassMethods/{}", tapReadRoles, (*Server).getTAP},
		{"DELETE", "/users/{}/authentication/temporaryAccessPassMethods/{}", tapWriteRoles, (*Server).deleteTAP},

		// Administrative units (graph_administrativeunits.go).
		{"GET", "/directory/administrativeUnits", auReadRoles, (*Server).listAUs},
		{"POST", "/directory/administrativeUnits", auWriteRoles, (*Server).createAU},
		{"GET", "/directory/administrativeUnits/{}", auReadRoles, (*Server).getAU},
		{"PATCH", "/directory/administrativeUnits/{}", auWriteRoles, (*Server).updateAU},
		{"DELETE", "/directory/administrativeUnits/{}", auWriteRoles, (*Server).deleteAU},
		{"GET", "/directory/administrativeUnits/{}/members", auReadRoles, (*Server).listAUMembers},
		{"POST", "/directory/administrativeUnits/{}/members/$ref", auWriteRoles, (*Server).addAUMember},
		{"DELETE", "/directory/administrativeUnits/{}/members/{}/$ref", auWriteRoles, (*Server).removeAUMember},
		{"GET", "/users/{}/memberOf", userMemberOfRoles, (*Server).listUserMemberOf},

		// The authentication methods policy (graph_authmethods_policy.go).
		{"GET", "/policies/authenticationMethodsPolicy", authPolicyReadRoles, (*Server).getAuthMethodsPolicy},
		{"GET", "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{}", authPolicyReadRoles, (*Server).getAuthMethodConfig},
		{"PATCH", "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{}", authPolicyWriteRoles, (*Server).updateAuthMethodConfig},
	}
}

// matchGraphRoute finds the route for a path. Literal segments beat "{}" so that e.g. /users/$count is not read
// as a user key. Errors are Graph's: an unknown segment is 400 BadRequest, a known path with another method 405.
func matchGraphRoute(method string, segs []string) (*graphRoute, []string, *graphError) {
	var best *graphRoute
	var bestParams []string
	bestLiterals, pathKnown, deepest := -1, false, 0
	for i := range graphRoutes {
		route := &graphRoutes[i]
		pattern := pathSegments(route.pattern)
		matched, literals, params := 0, 0, []string(nil)
		for matched < len(pattern) && matched < len(segs) {
			if pattern[matched] == "{}" {
				params = append(params, segs[matched])
			} else if strings.EqualFold(pattern[matched], segs[matched]) {
				literals++
			} else {
				break
			}
			matched++
		}
		deepest = max(deepest, matched)
		if matched != len(pattern) || matched != len(segs) {
			continue
		}
		pathKnown = true
		if route.method == method && literals > bestLiterals {
			best, bestParams, bestLiterals = route, params, literals
		}
	}
	switch {
	case best != nil:
		return best, bestParams, nil
	case pathKnown:
		return nil, nil, newGraphError(http.StatusMethodNotAllowed, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
	case len(segs) == 0:
		return nil, nil, newGraphError(http.StatusBadRequest, "BadRequest", "Resource not found for the segment 'v1.0'.")
	}
	return nil, nil, newGraphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", segs[min(deepest, len(segs)-1)]))
}

// serveGraph authenticates a /v1.0 request, applies faults and dispatches it.
func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request) {
	claims, msg := s.parseAccessToken(bearerToken(r))
	if msg == "" && !sameResource(claims.Audience, GraphResourceID) {
		msg = "Access token validation failure. Invalid audience."
	}
	if msg != "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="`+s.baseURL+`/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`)
		writeGraphError(w, r, newGraphError(http.StatusUnauthorized, "InvalidAuthenticationToken", msg))
		return
	}
	ri := requestInfoFrom(r.Context())
	ri.claims, ri.clientID = claims, claims.AppID
	if s.applyFault(w, r, false) {
		return
	}
	s.dispatchGraph(w, r)
}

func sameResource(a, b string) bool {
	return a != "" && strings.EqualFold(strings.TrimRight(a, "/"), strings.TrimRight(b, "/"))
}

// dispatchGraph routes an authenticated Graph request, checks permissions and runs the handler. $batch items
// come through here too, so they get exactly the same routing and permission checks.
func (s *Server) dispatchGraph(w http.ResponseWriter, r *http.Request) {
	if s.failRequest(w, r, false) { // FailRequests rules (failrules.go)
		return
	}
	segs := pathSegments(strings.TrimPrefix(r.URL.EscapedPath(), "/v1.0"))
	route, params, gerr := matchGraphRoute(r.Method, segs)
	if gerr == nil && route.roles != nil && !route.roles.allows(requestInfoFrom(r.Context()).claims) {
		gerr = route.accessDenied()
	}
	if gerr == nil {
		gerr = route.handle(s, w, r, params)
	}
	if gerr != nil {
		writeGraphError(w, r, gerr)
	}
}

// ---- ARM ----

// serveARM authenticates ARM requests, dispatches them to the ARM route table (arm.go) and answers the way ARM
// does for resource types it does not know.
func (s *Server) serveARM(w http.ResponseWriter, r *http.Request) {
	token := bearerToken(r)
	if token == "" {
		writeARMError(w, http.StatusUnauthorized, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
		return
	}
	claims, msg := s.parseAccessToken(token)
	if msg != "" {
		w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="`+s.baseURL+`/`+s.dir.tenantID+`", error="invalid_token", error_description="The access token is invalid."`)
		writeARMError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "The access token is invalid.")
		return
	}
	if !sameResource(claims.Audience, ARMResourceID) {
		writeARMError(w, http.StatusUnauthorized, "InvalidAuthenticationTokenAudience",
			fmt.Sprintf("The access token has been obtained for wrong audience or resource '%s'. It should exactly match with one of the allowed audiences '%s'.", claims.Audience, ARMResourceID))
		return
	}
	ri := requestInfoFrom(r.Context())
	ri.claims, ri.clientID = claims, claims.AppID
	w.Header().Set("x-ms-request-id", ri.requestID)
	w.Header().Set("x-ms-correlation-request-id", ri.clientRequestID)
	if s.applyFault(w, r, true) || s.failRequest(w, r, true) {
		return
	}
	apiVersion := r.URL.Query().Get("api-version")
	if apiVersion == "" {
		writeARMError(w, http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
		return
	}
	segs := pathSegments(r.URL.EscapedPath())
	if strings.EqualFold(segs[0], "subscriptions") && len(segs) > 1 && !strings.EqualFold(segs[1], s.dir.subscriptionID) {
		writeARMError(w, http.StatusNotFound, "SubscriptionNotFound", fmt.Sprintf("The subscription '%s' could not be found.", segs[1]))
		return
	}
	if s.dispatchARM(w, r, segs, apiVersion) { // the ARM route table (arm.go)
		return
	}
	namespace, resourceType := "", ""
	for i, seg := range segs {
		if strings.EqualFold(seg, "providers") && i+2 < len(segs) {
			namespace, resourceType = segs[i+1], segs[i+2]
		}
	}
	writeARMError(w, http.StatusNotFound, "InvalidResourceType",
		fmt.Sprintf("The resource type '%s' could not be found in the namespace '%s' for api version '%s'.", resourceType, namespace, apiVersion))
}
