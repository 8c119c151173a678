package tenantsim

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Microsoft Graph v1.0 Temporary Access Pass methods of users: POST, GET (list and one) and DELETE
// /users/{id}/authentication/temporaryAccessPassMethods.
//
// Permissions ("Create temporaryAccessPassMethod", "Get temporaryAccessPassAuthenticationMethod", application rows):
// create and delete need UserAuthMethod-TAP.ReadWrite.All or UserAuthenticationMethod.ReadWrite.All; reads also take
// the two Read.All permissions. Without them: the authentication methods workload's 403 (authMethodsDenied).
//
// Rules:
//   - The pass is shown once: the POST answer carries temporaryAccessPass; every later read has it null ("Get
//     temporaryAccessPassAuthenticationMethod": the pass is returned only on creation). The simulator never stores it.
//   - A user has one TAP: "A user can only have one Temporary Access Pass that's usable within its specified
//     lifetime. If the user requires a new Temporary Access Pass while the current Temporary Access Pass is valid,
//     the admin can create a new Temporary Access Pass for the user, the previous Temporary Access Pass will be
//     deleted" (Create temporaryAccessPassMethod, v1.0). So a second POST replaces the first; it is not refused.
//   - The TAP method configuration must be enabled and target the user (included directly, through a direct group
//     or all_users, not excluded): otherwise 400 "Converged UserCredentialPolicy does not allow creating or updating
//     this authentication method. AuthMethodType [TemporaryAccessPass]." (MicrosoftDocs/azure-docs#111778, the
//     portal; glueckkanja/MyWorkID#47, the Graph SDK's ODataError). The older documentation's "you can create a TAP
//     for any user" is what #111778 found no longer true.
//   - lifetimeInMinutes must lie within the configuration's minimum and maximum (default: its default lifetime),
//     and a configuration with isUsableOnce true makes every pass one-time (Microsoft Entra "Configure Temporary
//     Access Pass": "all passes created in the tenant will be created as one-time use"). The wording of the
//     lifetime refusal is the simulator's.
//   - Privileged targets (Knobs.PrivilegedTargetRules, graph_users_privileged.go): a TAP takes over an account like
//     a password reset, so for a user holding a privileged role only a caller holding Privileged Authentication
//     Administrator or Global Administrator may create or delete one (Microsoft Entra "Privileged roles and
//     permissions", "Who can perform sensitive actions": Authentication Administrator manages methods of
//     non-admin users only).
//   - Restricted management administrative units apply (graph_administrativeunits.go, checkRestrictedMember).

var (
	tapReadRoles  = anyOf{"UserAuthMethod-TAP.Read.All", "UserAuthMethod-TAP.ReadWrite.All", "UserAuthenticationMethod.Read.All", "UserAuthenticationMethod.ReadWrite.All"}
	tapWriteRoles = anyOf{"UserAuthMethod-TAP.ReadWrite.All", "UserAuthenticationMethod.ReadWrite.All"}
)

var tapSchema = (&entitySchema{
	typeName: "microsoft.graph.temporaryAccessPassAuthenticationMethod", resourceName: "temporaryAccessPassAuthenticationMethod",
	properties: map[string]propKind{
		"id": propText, "createdDateTime": propText, "startDateTime": propText, "lifetimeInMinutes": propText,
		"isUsableOnce": propText, "isUsable": propText, "methodUsabilityReason": propText, "temporaryAccessPass": propText,
	},
	defaultSelect: []string{"id", "temporaryAccessPass", "createdDateTime", "startDateTime", "lifetimeInMinutes",
		"isUsableOnce", "isUsable", "methodUsabilityReason"},
}).init()

// tapWritable are the properties a create body may set; the other properties of the type are the service's.
var tapWritable = map[string]caProp{
	"startDateTime": {typ: "Edm.DateTimeOffset", nullable: true}, "lifetimeInMinutes": {typ: "Edm.Int32", nullable: true},
	"isUsableOnce": {typ: "Edm.Boolean", nullable: true},
}

const tapAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789@#$%&*+-="

func newTAPValue(length int) string {
	var b strings.Builder
	for range length {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(tapAlphabet))))
		b.WriteByte(tapAlphabet[n.Int64()])
	}
	return b.String()
}

// tapView is a stored TAP with its usability at now.
func tapView(m map[string]any, now time.Time) map[string]any {
	out := copyObject(m)
	raw, _ := m["startDateTime"].(string)
	start, _ := time.Parse(time.RFC3339Nano, raw)
	end := start.Add(time.Duration(intProp(m, "lifetimeInMinutes")) * time.Minute)
	switch {
	case now.Before(start):
		out["isUsable"], out["methodUsabilityReason"] = false, "NotYetValid"
	case !now.Before(end):
		out["isUsable"], out["methodUsabilityReason"] = false, "Expired"
	default:
		out["isUsable"], out["methodUsabilityReason"] = true, "EnabledByPolicy"
	}
	out["temporaryAccessPass"] = nil
	return out
}

func tapContext(baseURL, userID string, entity bool) string {
	return contextURL(baseURL, "users('"+userID+"')/authentication/temporaryAccessPassMethods", nil, entity)
}

// checkTAPBody validates a create body: only the writable properties, of their CSDL types.
func checkTAPBody(body map[string]any) *graphError {
	for key, value := range body {
		prop, ok := tapWritable[key]
		if !ok {
			if _, known := tapSchema.properties[key]; known {
				return badRequest(fmt.Sprintf("Property '%s' is read-only and cannot be set.", key))
			}
			return unknownProperty(key, tapSchema.typeName)
		}
		if msg := caCheckValue(prop, value, key); msg != "" {
			return primitiveMismatch(prop.typ)
		}
	}
	return nil
}

// createTAP is POST /users/{id}/authentication/temporaryAccessPassMethods.
func (s *Server) createTAP(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	body, gerr := decodeBody(r)
	if gerr == nil {
		gerr = checkTAPBody(body)
	}
	if gerr != nil {
		return gerr
	}
	now := time.Now().UTC()
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	u, gerr := s.authUser(params[0], now)
	if gerr != nil {
		return gerr
	}
	if gerr := s.checkAuthMethodWrite(r, u, now); gerr != nil {
		return gerr
	}
	config := s.dir.authPolicy.tap()
	if !s.dir.targets(config, u.id()) {
		return newGraphError(http.StatusBadRequest, "badRequest",
			"Converged UserCredentialPolicy does not allow creating or updating this authentication method. AuthMethodType [TemporaryAccessPass].")
	}
	lifetime := intProp(config, "defaultLifetimeInMinutes")
	if v, ok := body["lifetimeInMinutes"].(float64); ok {
		lifetime = int(v)
	}
	if minimum, maximum := intProp(config, "minimumLifetimeInMinutes"), intProp(config, "maximumLifetimeInMinutes"); lifetime < minimum || lifetime > maximum {
		return badRequest(fmt.Sprintf("lifetimeInMinutes %d is outside the Temporary Access Pass policy's range of %d to %d minutes.", lifetime, minimum, maximum))
	}
	once, _ := body["isUsableOnce"].(bool)
	if policyOnce, _ := config["isUsableOnce"].(bool); policyOnce {
		once = true
	}
	start := now
	if v, ok := body["startDateTime"].(string); ok {
		start, _ = time.Parse(time.RFC3339Nano, v)
	}
	stored := map[string]any{
		"id": uuid.NewString(), "createdDateTime": graphTime(now), "startDateTime": graphTime(start),
		"lifetimeInMinutes": float64(lifetime), "isUsableOnce": once,
	}
	s.dir.users.tap[strings.ToLower(u.id())] = stored
	pass := newTAPValue(intProp(config, "defaultLength"))
	s.notePassword(pass)
	resp := tapView(stored, now)
	resp["temporaryAccessPass"] = pass
	resp["@odata.context"] = tapContext(s.baseURL, u.id(), true)
	writeJSON(w, http.StatusCreated, graphContentType, resp)
	return nil
}

// listTAPs is GET /users/{id}/authentication/temporaryAccessPassMethods: at most one item.
func (s *Server) listTAPs(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	now := time.Now().UTC()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	u, gerr := s.authUser(params[0], now)
	if gerr != nil {
		return gerr
	}
	var items []map[string]any
	if m := s.dir.users.tap[strings.ToLower(u.id())]; m != nil {
		items = append(items, tapView(m, now))
	}
	q, gerr := parseListQuery(r, tapSchema, graphDefaultPage, graphMaxPage)
	if gerr != nil {
		return gerr
	}
	writeJSON(w, http.StatusOK, graphContentType, q.page(r, tapSchema, s.baseURL, tapContext(s.baseURL, u.id(), false), items))
	return nil
}

// getTAP is GET /users/{id}/authentication/temporaryAccessPassMethods/{methodId}.
func (s *Server) getTAP(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	now := time.Now().UTC()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	u, m, gerr := s.findTAP(params, now)
	if gerr != nil {
		return gerr
	}
	selected, gerr := parseSelect(r, tapSchema)
	if gerr != nil {
		return gerr
	}
	resp := tapSchema.project(tapView(m, now), selected)
	resp["@odata.context"] = tapContext(s.baseURL, u.id(), true)
	writeJSON(w, http.StatusOK, graphContentType, resp)
	return nil
}

// deleteTAP is DELETE /users/{id}/authentication/temporaryAccessPassMethods/{methodId}.
func (s *Server) deleteTAP(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	now := time.Now().UTC()
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	u, _, gerr := s.findTAP(params, now)
	if gerr != nil {
		return gerr
	}
	if gerr := s.checkAuthMethodWrite(r, u, now); gerr != nil {
		return gerr
	}
	delete(s.dir.users.tap, strings.ToLower(u.id()))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkAuthMethodWrite applies the privileged-target and restricted management rules to a write of a user's authentication methods. The
// caller holds the lock.
func (s *Server) checkAuthMethodWrite(r *http.Request, u *userRecord, now time.Time) *graphError {
	if gerr := s.checkPrivilegedTarget(nil, true, u.id(), callerClaims(r), now); gerr != nil {
		return gerr
	}
	return s.checkRestrictedMember(r, u.id(), now)
}

// findTAP finds the user (params[0]) and their TAP method (params[1]). The caller holds the lock.
func (s *Server) findTAP(params []string, now time.Time) (*userRecord, map[string]any, *graphError) {
	u, gerr := s.authUser(params[0], now)
	if gerr != nil {
		return nil, nil, gerr
	}
	m := s.dir.users.tap[strings.ToLower(u.id())]
	if id, _ := m["id"].(string); m == nil || !strings.EqualFold(id, params[1]) {
		return nil, nil, resourceNotFound(params[1])
	}
	return u, m, nil
}
