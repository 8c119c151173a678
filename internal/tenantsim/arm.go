package tenantsim

// Azure Resource Manager: the subscription's state, the route table and dispatch, ARM errors and request bodies
// for the resource types the provider manages. Role-based access control is in arm_rbac.go, body validation in
// arm_schema.go; the resource types in arm_resources.go (resource groups and Log Analytics workspaces) and
// arm_monitor.go (Entra diagnostic settings, action groups and scheduled query rules). Fidelity references: the
// ARM swagger fragments in internal/fidelity/spec/arm.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ---- state ----

// armState is the subscription's and tenant's ARM resources. Everything but fail is guarded by directory.mu.
type armState struct {
	subscriptionID string
	resources      map[string]*armResource // key: lower-case resource id
	order          []string                // keys in creation order; lists keep it
	fail           failRuleSet             // FailRequests rules (Graph and ARM), with their own lock
}

// armResource is one stored resource: the JSON ARM answers with (the body the caller sent plus server fields).
type armResource struct {
	kind *armKind
	data map[string]any
	// writtenAt and before are the replica model (Knobs.StaleReadWindow) for the kinds that lag their writes:
	// when the last PUT happened, and the version before it (nil: the PUT created the resource).
	writtenAt time.Time
	before    map[string]any
}

func (r *armResource) id() string { s, _ := r.data["id"].(string); return s }

func newARMState(subscriptionID string) *armState {
	a := &armState{subscriptionID: subscriptionID, resources: map[string]*armResource{}}
	a.seed()
	return a
}

func (a *armState) get(id string) *armResource { return a.resources[strings.ToLower(id)] }

func (a *armState) put(res *armResource) {
	key := strings.ToLower(res.id())
	if _, ok := a.resources[key]; !ok {
		a.order = append(a.order, key)
	}
	a.resources[key] = res
}

func (a *armState) remove(id string) bool {
	key := strings.ToLower(id)
	if _, ok := a.resources[key]; !ok {
		return false
	}
	delete(a.resources, key)
	for i, k := range a.order {
		if k == key {
			a.order = append(a.order[:i:i], a.order[i+1:]...)
			break
		}
	}
	return true
}

// list returns the resources of a kind whose id starts with prefix (a scope, case-insensitive), in creation order.
func (a *armState) list(kind *armKind, prefix string) []*armResource {
	prefix = strings.ToLower(strings.TrimRight(prefix, "/")) + "/"
	var out []*armResource
	for _, key := range a.order {
		res := a.resources[key]
		if res.kind == kind && (prefix == "/" || strings.HasPrefix(key, prefix)) {
			out = append(out, res)
		}
	}
	return out
}

// resourceGroup finds a resource group by name (case-insensitive).
func (a *armState) resourceGroup(name string) *armResource {
	return a.get(armResourceGroupID(a.subscriptionID, name))
}

func armResourceGroupID(subscriptionID, name string) string {
	return "/subscriptions/" + subscriptionID + "/resourceGroups/" + name
}

// ---- resource kinds ----

// armKind describes a resource type: its RBAC action prefix, the "type" ARM answers with, the api-versions it
// accepts (newest first) and the locations it can live in.
type armKind struct {
	namespace, typeName string // for api-version errors: "Microsoft.Insights", "actionGroups"
	actionPrefix        string // RBAC actions are actionPrefix + "/read|write|delete"
	answerType          string // "type" of the answers, cased as ARM serves it
	versions            []string
	locations           []string // nil for tenant-level types
	resourceManager     bool     // Microsoft.Resources itself: api-version errors are InvalidApiVersionParameter
	// project adjusts a stored resource for an answer in an older api-version (drops what it does not have).
	project func(data map[string]any, apiVersion string)
}

func (k *armKind) fullType() string { return k.namespace + "/" + k.typeName }

func (k *armKind) supports(apiVersion string) bool {
	for _, v := range k.versions {
		if v == apiVersion {
			return true
		}
	}
	return false
}

// apiVersionError is ARM's answer for an api-version the type does not have.
func (k *armKind) apiVersionError(apiVersion, location string) *armError {
	if k.resourceManager {
		return newARMError(http.StatusBadRequest, "InvalidApiVersionParameter",
			fmt.Sprintf("The api-version '%s' is invalid. The supported versions are '%s'.", apiVersion, strings.Join(k.versions, ",")))
	}
	if location == "" {
		location = "global"
	}
	return newARMError(http.StatusBadRequest, "NoRegisteredProviderFound",
		fmt.Sprintf("No registered resource provider found for location '%s' and API version '%s' for type '%s'. The supported api-versions are '%s'. The supported locations are '%s'.",
			location, apiVersion, k.typeName, strings.Join(k.versions, ", "), strings.Join(k.locations, ", ")))
}

// armRegions are the regions the simulated cloud knows, in ARM's normalized form.
var armRegions = []string{
	"australiaeast", "brazilsouth", "canadacentral", "centralindia", "centralus", "eastasia", "eastus", "eastus2",
	"francecentral", "germanywestcentral", "japaneast", "koreacentral", "northcentralus", "northeurope", "norwayeast",
	"southafricanorth", "southcentralus", "southeastasia", "swedencentral", "switzerlandnorth", "uaenorth", "uksouth",
	"ukwest", "westcentralus", "westeurope", "westus", "westus2", "westus3",
}

// normalizeLocation turns "West Europe" into "westeurope", as ARM compares locations.
func normalizeLocation(location string) string {
	return strings.ToLower(strings.ReplaceAll(location, " ", ""))
}

func (k *armKind) knowsLocation(location string) bool {
	norm := normalizeLocation(location)
	for _, l := range k.locations {
		if l == norm {
			return true
		}
	}
	return false
}

// ---- errors ----

// armError is an ARM error answer; handlers return it and dispatch writes it.
type armError struct {
	status        int
	code, message string
}

func newARMError(status int, code, message string) *armError {
	return &armError{status: status, code: code, message: message}
}

// armInvalidContent is the answer for a body that does not deserialize into the resource's model (unknown member,
// wrong JSON type, missing required member), worded like the Newtonsoft.Json errors that ARM and the resource
// providers wrap.
func armInvalidContent(inner string) *armError {
	return newARMError(http.StatusBadRequest, "InvalidRequestContent",
		"The request content was invalid and could not be deserialized: '"+inner+"'.")
}

func armBadRequest(message string) *armError {
	return newARMError(http.StatusBadRequest, "BadRequest", message)
}

func armLocationRequired() *armError {
	return newARMError(http.StatusBadRequest, "LocationRequired", "The location property is required for this definition.")
}

// ---- routes ----

// armHandler serves one matched route. It writes a success answer itself or returns the error to write.
type armHandler func(s *Server, w http.ResponseWriter, c *armCall) *armError

// armRoute is one row of the ARM route table: method, path pattern ("{}" matches one segment; literal segments
// match case-insensitively, as ARM resource ids are case-insensitive), the resource kind (api-versions, RBAC
// action prefix) and the handler. The RBAC action is the kind's prefix plus read (GET, HEAD), write (PUT, PATCH)
// or delete (DELETE), checked at the request path. filtered routes check access themselves (a list that shows
// only what the caller may read).
type armRoute struct {
	method   string
	pattern  string
	kind     *armKind
	handle   armHandler
	filtered bool
}

// armCall is one matched, authenticated ARM request.
type armCall struct {
	r          *http.Request
	segs       []string // unescaped path segments as the caller cased them
	params     []string // values of the pattern's "{}" segments
	id         string   // the request path: the resource id as the caller cased it
	apiVersion string
	principal  armPrincipal
	route      *armRoute
}

// rg is the resource group segment of the path ("" when the path has none).
func (c *armCall) rg() string {
	if len(c.segs) > 3 && strings.EqualFold(c.segs[2], "resourceGroups") {
		return c.segs[3]
	}
	return ""
}

// name is the last path segment, the resource's name.
func (c *armCall) name() string { return c.segs[len(c.segs)-1] }

var armRoutes []armRoute

func init() {
	const rgPath = "/subscriptions/{}/resourceGroups/{}"
	wsPath := "/providers/Microsoft.OperationalInsights/workspaces"
	agPath := "/providers/Microsoft.Insights/actionGroups"
	sqrPath := "/providers/Microsoft.Insights/scheduledQueryRules"
	armRoutes = []armRoute{
		// Resource groups (arm_resources.go).
		{"GET", "/subscriptions/{}/resourceGroups", kindResourceGroup, (*Server).listResourceGroups, true},
		{"GET", rgPath, kindResourceGroup, (*Server).getResourceGroup, false},
		{"HEAD", rgPath, kindResourceGroup, (*Server).headResourceGroup, false},
		{"PUT", rgPath, kindResourceGroup, (*Server).putResourceGroup, false},
		{"DELETE", rgPath, kindResourceGroup, (*Server).deleteResourceGroup, false},

		// Log Analytics workspaces, seeded only (arm_resources.go).
		{"GET", "/subscriptions/{}" + wsPath, kindWorkspace, (*Server).listWorkspaces, false},
		{"GET", rgPath + wsPath, kindWorkspace, (*Server).listWorkspaces, false},
		{"GET", rgPath + wsPath + "/{}", kindWorkspace, (*Server).getARMResource, false},

		// Entra ID (tenant) diagnostic settings (arm_monitor.go).
		{"GET", "/providers/microsoft.aadiam/diagnosticSettings", kindDiagnosticSetting, (*Server).listDiagnosticSettings, false},
		{"GET", "/providers/microsoft.aadiam/diagnosticSettings/{}", kindDiagnosticSetting, (*Server).getARMResource, false},
		{"PUT", "/providers/microsoft.aadiam/diagnosticSettings/{}", kindDiagnosticSetting, (*Server).putDiagnosticSetting, false},
		{"DELETE", "/providers/microsoft.aadiam/diagnosticSettings/{}", kindDiagnosticSetting, (*Server).deleteARMResource, false},
		{"GET", "/providers/microsoft.aadiam/diagnosticSettingsCategories", kindDiagnosticCategory, (*Server).listDiagnosticCategories, false},

		// Action groups (arm_monitor.go).
		{"GET", "/subscriptions/{}" + agPath, kindActionGroup, (*Server).listARMResources, false},
		{"GET", rgPath + agPath, kindActionGroup, (*Server).listARMResources, false},
		{"GET", rgPath + agPath + "/{}", kindActionGroup, (*Server).getARMResource, false},
		{"PUT", rgPath + agPath + "/{}", kindActionGroup, (*Server).putActionGroup, false},
		{"PATCH", rgPath + agPath + "/{}", kindActionGroup, (*Server).patchActionGroup, false},
		{"DELETE", rgPath + agPath + "/{}", kindActionGroup, (*Server).deleteARMResource, false},

		// Scheduled query rules (log search alerts) (arm_monitor.go).
		{"GET", "/subscriptions/{}" + sqrPath, kindScheduledQueryRule, (*Server).listARMResources, false},
		{"GET", rgPath + sqrPath, kindScheduledQueryRule, (*Server).listARMResources, false},
		{"GET", rgPath + sqrPath + "/{}", kindScheduledQueryRule, (*Server).getARMResource, false},
		{"PUT", rgPath + sqrPath + "/{}", kindScheduledQueryRule, (*Server).putScheduledQueryRule, false},
		{"PATCH", rgPath + sqrPath + "/{}", kindScheduledQueryRule, (*Server).patchScheduledQueryRule, false},
		{"DELETE", rgPath + sqrPath + "/{}", kindScheduledQueryRule, (*Server).deleteARMResource, false},
	}
}

// matchARMRoute finds the route for a path; pathKnown reports a path served with other methods.
func matchARMRoute(method string, segs []string) (route *armRoute, params []string, pathKnown bool) {
	for i := range armRoutes {
		candidate := &armRoutes[i]
		pattern := pathSegments(candidate.pattern)
		if len(pattern) != len(segs) {
			continue
		}
		var values []string
		matched := true
		for j, p := range pattern {
			if p == "{}" {
				values = append(values, segs[j])
			} else if !strings.EqualFold(p, segs[j]) {
				matched = false
				break
			}
		}
		if !matched {
			continue
		}
		pathKnown = true
		if candidate.method == method {
			return candidate, values, true
		}
	}
	return nil, nil, pathKnown
}

// dispatchARM serves an authenticated ARM request whose subscription (if any) exists and which has an
// api-version. It reports false when no route serves the path, so that serveARM answers as ARM does for unknown
// resource types. Order of checks, as ARM applies them: api-version of the type, role-based access at the
// request path, the resource group's existence, then the resource provider's own handling.
func (s *Server) dispatchARM(w http.ResponseWriter, r *http.Request, segs []string, apiVersion string) bool {
	route, params, known := matchARMRoute(r.Method, segs)
	if route == nil {
		if !known {
			return false
		}
		writeARMError(w, http.StatusMethodNotAllowed, "MethodNotAllowed",
			fmt.Sprintf("The requested resource does not support http method '%s'.", r.Method))
		return true
	}
	c := &armCall{r: r, segs: segs, params: params, id: "/" + strings.Join(segs, "/"), apiVersion: apiVersion, route: route}
	aerr := s.checkARMCall(c)
	if aerr == nil {
		aerr = route.handle(s, w, c)
	}
	if aerr != nil {
		if r.Method == http.MethodHead {
			w.WriteHeader(aerr.status)
			return true
		}
		writeARMError(w, aerr.status, aerr.code, aerr.message)
	}
	return true
}

func (s *Server) checkARMCall(c *armCall) *armError {
	if !c.route.kind.supports(c.apiVersion) {
		return c.route.kind.apiVersionError(c.apiVersion, s.locationFor(c))
	}
	c.principal = s.armPrincipalFor(requestInfoFrom(c.r.Context()).claims)
	if !c.route.filtered {
		if aerr := c.principal.authorize(armAction(c.route.kind, c.r.Method), c.id); aerr != nil {
			return aerr
		}
	}
	if rg := c.rg(); rg != "" && len(c.segs) > 4 {
		s.dir.mu.RLock()
		exists := s.dir.arm.resourceGroup(rg) != nil
		s.dir.mu.RUnlock()
		if !exists {
			return armResourceGroupNotFound(rg)
		}
	}
	return nil
}

// locationFor is the location named in api-version errors: the stored resource's, else the resource group's.
func (s *Server) locationFor(c *armCall) string {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	if res := s.dir.arm.get(c.id); res != nil {
		if l, _ := res.data["location"].(string); l != "" {
			return normalizeLocation(l)
		}
	}
	if rg := s.dir.arm.resourceGroup(c.rg()); rg != nil {
		l, _ := rg.data["location"].(string)
		return l
	}
	return ""
}

func armResourceGroupNotFound(name string) *armError {
	return newARMError(http.StatusNotFound, "ResourceGroupNotFound", fmt.Sprintf("Resource group '%s' could not be found.", name))
}

// resourceNotFound is ARM's 404 for a resource in a resource group, naming the type as the caller cased it, or
// for a tenant diagnostic setting.
func (c *armCall) resourceNotFound() *armError {
	if c.rg() == "" {
		return newARMError(http.StatusNotFound, "ResourceNotFound",
			fmt.Sprintf("The diagnostic setting '%s' doesn't exist.", c.name()))
	}
	n := len(c.segs)
	return newARMError(http.StatusNotFound, "ResourceNotFound",
		fmt.Sprintf("The Resource '%s/%s/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
			c.segs[n-3], c.segs[n-2], c.segs[n-1], c.rg()))
}

// ---- generic handlers ----

// getARMResource answers GET of one stored resource.
func (s *Server) getARMResource(w http.ResponseWriter, c *armCall) *armError {
	s.dir.mu.RLock()
	res := s.dir.arm.get(c.id)
	var out map[string]any
	if res != nil && res.kind == c.route.kind {
		data := res.data
		if s.drawStaleRead(res.writtenAt, time.Now()) {
			data = res.before // a replica the last PUT has not reached; nil: it has not seen the resource at all
		}
		if data != nil {
			out = res.kind.present(data, c.apiVersion)
		}
	}
	s.dir.mu.RUnlock()
	if out == nil {
		return c.resourceNotFound()
	}
	writeARMJSON(w, http.StatusOK, out)
	return nil
}

// listARMResources answers a list of the route's kind under the request's scope (subscription or resource group).
func (s *Server) listARMResources(w http.ResponseWriter, c *armCall) *armError {
	scope := "/" + strings.Join(c.segs[:len(c.segs)-3], "/")
	s.dir.mu.RLock()
	value := []any{}
	for _, res := range s.dir.arm.list(c.route.kind, scope) {
		value = append(value, res.kind.present(res.data, c.apiVersion))
	}
	s.dir.mu.RUnlock()
	writeARMJSON(w, http.StatusOK, map[string]any{"value": value})
	return nil
}

// deleteARMResource answers DELETE: 200 when the resource existed, 204 when it did not (both in the specs).
func (s *Server) deleteARMResource(w http.ResponseWriter, c *armCall) *armError {
	s.dir.mu.Lock()
	res := s.dir.arm.get(c.id)
	deleted := res != nil && res.kind == c.route.kind && s.dir.arm.remove(c.id)
	s.dir.mu.Unlock()
	if deleted {
		w.WriteHeader(http.StatusOK)
	} else {
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

// present is the answer for a stored resource in a given api-version.
func (k *armKind) present(data map[string]any, apiVersion string) map[string]any {
	out := copyObject(data)
	if k.project != nil {
		k.project(out, apiVersion)
	}
	return out
}

func writeARMJSON(w http.ResponseWriter, status int, v any) {
	writeJSON(w, status, "application/json; charset=utf-8", v)
}

// ---- request bodies ----

// readARMBody decodes a JSON object body, keeping numbers exact so integers can be told from fractions.
func readARMBody(r *http.Request) (map[string]any, *armError) {
	raw, err := armReadAll(r)
	if err != nil {
		return nil, armInvalidContent(err.Error())
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, armInvalidContent("The request body is empty.")
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || !(mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")) {
			return nil, newARMError(http.StatusUnsupportedMediaType, "UnsupportedMediaType",
				fmt.Sprintf("The content media type '%s' is not supported. Only 'application/json' is supported.", ct))
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, armInvalidContent("Unexpected character encountered while parsing value: " + err.Error() + ". Path ''")
	}
	if dec.More() {
		return nil, armInvalidContent("Additional text encountered after finished reading JSON content. Path ''")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, armInvalidContent("Cannot deserialize the current JSON value into an object because the type requires a JSON object (e.g. {\"name\":\"value\"}) to deserialize correctly. Path ''")
	}
	return obj, nil
}

func armReadAll(r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(r.Body)
	return buf.Bytes(), err
}

// armPlainJSON turns decoded values (json.Number) into the plain JSON values the store keeps (float64).
func armPlainJSON(v map[string]any) map[string]any {
	out, err := normalizeJSON(v)
	if err != nil {
		return copyObject(v)
	}
	return out
}

// ---- control API (tests) ----

// errNoSuchARMResource is returned by SetARMResourceFields for an unknown id.
var errNoSuchARMResource = errors.New("no such ARM resource")

// ARMResource returns the stored JSON of an ARM resource by id (case-insensitive), as GET answers it in the newest
// api-version.
func (s *Server) ARMResource(id string) (map[string]any, bool) {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	res := s.dir.arm.get(strings.TrimRight(id, "/"))
	if res == nil {
		return nil, false
	}
	return copyObject(res.data), true
}

// ARMResources returns the stored resources whose type ends with typeSuffix (case-insensitive, on a "/"
// boundary), e.g. "Microsoft.Insights/actionGroups", "actionGroups", "microsoft.aadiam/diagnosticSettings" or
// "Microsoft.Insights/scheduledQueryRules", in creation order. An empty typeSuffix returns every resource.
func (s *Server) ARMResources(typeSuffix string) []map[string]any {
	suffix := strings.ToLower(strings.Trim(typeSuffix, "/"))
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	var out []map[string]any
	for _, key := range s.dir.arm.order {
		res := s.dir.arm.resources[key]
		full := strings.ToLower(res.kind.fullType())
		if suffix == "" || full == suffix || strings.HasSuffix(full, "/"+suffix) {
			out = append(out, copyObject(res.data))
		}
	}
	return out
}

// SetARMResourceFields deep-merges fields into a stored resource without validation, to simulate drift made
// outside the provider (a rule disabled, a query edited, a receiver removed, a category turned off). Objects are
// merged member by member, arrays and other values replaced, and a nil value deletes the member (JSON merge
// patch, RFC 7386). id, name and type cannot be changed.
func (s *Server) SetARMResourceFields(id string, fields map[string]any) error {
	fields, err := normalizeJSON(fields)
	if err != nil {
		return err
	}
	for _, key := range []string{"id", "name", "type"} {
		if _, ok := fields[key]; ok {
			return fmt.Errorf("%s cannot be changed", key)
		}
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	res := s.dir.arm.get(strings.TrimRight(id, "/"))
	if res == nil {
		return fmt.Errorf("%w: %s", errNoSuchARMResource, id)
	}
	armMergePatch(res.data, fields)
	return nil
}

// armMergePatch applies an RFC 7386 merge patch in place.
func armMergePatch(dst, patch map[string]any) {
	for key, value := range patch {
		switch v := value.(type) {
		case nil:
			delete(dst, key)
		case map[string]any:
			cur, ok := dst[key].(map[string]any)
			if !ok {
				cur = map[string]any{}
				dst[key] = cur
			}
			armMergePatch(cur, v)
		default:
			dst[key] = deepCopy(value)
		}
	}
}

// systemData is the common-types systemData for a write by the caller.
func armSystemData(c *armCall, existing map[string]any, now time.Time) map[string]any {
	claims := requestInfoFrom(c.r.Context()).claims
	by, byType := "", "Application"
	if claims != nil {
		by = claims.AppID
		if claims.IDType == "user" {
			by, byType = claims.UPN, "User"
		}
	}
	out := map[string]any{
		"createdBy": by, "createdByType": byType, "createdAt": now.UTC().Format(time.RFC3339Nano),
		"lastModifiedBy": by, "lastModifiedByType": byType, "lastModifiedAt": now.UTC().Format(time.RFC3339Nano),
	}
	if prev, ok := existing["systemData"].(map[string]any); ok {
		for _, k := range []string{"createdBy", "createdByType", "createdAt"} {
			if v, ok := prev[k]; ok {
				out[k] = v
			}
		}
	}
	return out
}

// armNewPrincipalID is the object id of a resource's system-assigned identity.
func armNewPrincipalID() string { return uuid.NewString() }
