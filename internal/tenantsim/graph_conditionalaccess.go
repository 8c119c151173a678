package tenantsim

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Microsoft Graph v1.0 Conditional Access policies: /identity/conditionalAccess/policies list, get, create, update
// and delete, with the CSDL's shapes (graph_conditionalaccess_schema.go), OData PATCH merge, the tenant's write
// throttle and an outside writer (Knobs.CAWriteRate, Knobs.CAOutsideWriterRate).
//
// Permissions (Graph API reference; application permissions):
//   - read (list, get): Policy.Read.All, the only permission the v1.0 "List policies" and "Get
//     conditionalAccessPolicy" pages name. Graph's known issue "Conditional access policy requires consent to
//     additional permission" adds that Policy.ReadWrite.ConditionalAccess does not (yet) let an app read policies,
//     and Policy.Read.ConditionalAccess is named by neither page, so neither grants reads here.
//   - create and update: Policy.ReadWrite.ConditionalAccess and Policy.Read.All (least privileged) or
//     Policy.ReadWrite.ConditionalAccess and Application.Read.All (higher privileged), as "Create
//     conditionalAccessPolicy" and "Update conditionalaccesspolicy" list them; the same known issue says POST and
//     PATCH need Policy.Read.All (Microsoft365DSC#4150 hit it in practice).
//   - delete: Policy.Read.All and Policy.ReadWrite.ConditionalAccess ("Delete conditionalAccessPolicy").
//   - A caller without them gets 403 AccessDenied "You cannot perform the requested operation, required scopes are
//     missing in the token." (the body Conditional Access returns: AlexFilipin/ConditionalAccess#10,
//     Cyberlorians/Articles#11, hugobatista/zerotrust-ca-powertoys#8).
//
// Error answers:
//   - A body that does not match the type (unknown or misspelled property, wrong JSON kind, a value outside an
//     enum, null where the CSDL says Nullable=false, an unknown @odata.type): 400 BadRequest "1007: Incoming
//     ConditionalAccessPolicy object is null or does not match the schema of ConditionalAccessPolicy type. For
//     examples, please see API documentation at <create or update page>." Verbatim from
//     microsoft/terraform-provider-msgraph#63 (PATCH, 2025, misspelled and unknown properties; the link names the
//     update page) and hashicorp/terraform-provider-azuread#730 and #790 (POST, an enum value the service rejects;
//     the link names the create page). Graph gives no detail; the simulator adds one in innerError.message,
//     prefixed "tenantsim:".
//   - A well-formed policy that breaks a rule: 400 BadRequest "The server could not process the request because it
//     is malformed or incorrect." with the reason in innerError.message, the shape Conditional Access uses for its
//     numbered validation errors (e.g. "1012: 'applications' condition cannot include both ...",
//     nicolonsky/ModernWorkplaceConcierge#50; "1060: ...", AlexFilipin/ConditionalAccess#1). The numbers and wording
//     of the rules below were not found in public sources, so their reasons are the simulator's own, without a
//     number: a users condition without any include (the create page asks for "at least one user rule"), no
//     application rule, no grant or session control, an exclude or include id that is neither a GUID nor one of the
//     documented special values, an unknown authentication strength, and any change to a Microsoft-managed policy
//     other than its state and exclusions, or its deletion (Microsoft's "Microsoft-managed policies" page: they
//     can't be renamed or deleted; administrators may set the state and exclude users, groups and roles).
//   - Ids that are well-formed GUIDs but name no object are accepted: no source shows Graph rejecting them, and
//     policies demonstrably keep ids of deleted users and groups (Microsoft365DSC#2151, prowler#11063).
//   - An unknown policy id: 404 NotFound (code and wording are the simulator's; clients key on the status).
//   - Throttled writes: 429 TooManyRequests "Too many requests." (hashicorp/terraform-provider-azuread#1784) with
//     Retry-After unless Knobs.CAOmitRetryAfter.
//
// Throttling: Graph's "Identity protection and conditional access service limits" (throttling-limits) give 1
// request per second per tenant for all apps, for any request on conditionalAccessPolicy, and say these resources
// return no Retry-After on 429. The simulator throttles writes, and reads too with Knobs.CAThrottleReads (the
// documented "any request"; the acceptance tests run with it), with a bucket of one request refilled at
// Knobs.CAWriteRate, and sends Retry-After (the wait for the next token, whole seconds, at least 1) unless
// Knobs.CAOmitRetryAfter asks for the documented behaviour. Requests are counted before validation; 429 answers
// are not counted.
//
// The outside writer (Knobs.CAOutsideWriterRate) plays another team's careful script. Right after the simulator
// answers a GET of one policy, with the knob's probability, it adds a new random GUID to that policy's
// conditions.users.excludeUsers (a real write: modifiedDateTime moves), as if it had written between the caller's
// read and write. It remembers every id it added. Before answering each later request that touches the policy
// (GET or list, PATCH, DELETE), it re-adds any of its ids that are missing, as its own verify-and-retry loop would,
// and counts that request against the id; after outsiderPersistence requests it considers the id done and stops
// watching it, so an id removed after that stays removed. Its writes bypass the write throttle.

const (
	caRoutePrefix = "/identity/conditionalAccess/policies"
	caEntitySet   = "identity/conditionalAccess/policies"

	// outsiderPersistence is how many requests touching a policy the outside writer keeps re-adding an id for.
	outsiderPersistence = 50

	// caDefaultPage is the list's page size without $top. Graph does not document it; 50 makes a client that
	// ignores @odata.nextLink miss policies in any tenant of realistic size (fixtures plus a few dozen).
	caDefaultPage = 50

	msgCAMalformed      = "The server could not process the request because it is malformed or incorrect."
	msgCASchemaMismatch = "1007: Incoming ConditionalAccessPolicy object is null or does not match the schema of ConditionalAccessPolicy type. For examples, please see API documentation at %s."
	docCACreate         = "https://docs.microsoft.com/en-us/graph/api/conditionalaccessroot-post-policies?view=graph-rest-1.0"
	docCAUpdate         = "https://docs.microsoft.com/en-us/graph/api/conditionalaccesspolicy-update?view=graph-rest-1.0"
)

var (
	caReadRoles   = anyOf{"Policy.Read.All"}
	caWriteRoles  = allOf{anyOf{"Policy.ReadWrite.ConditionalAccess"}, anyOf{"Policy.Read.All", "Application.Read.All"}}
	caDeleteRoles = allOf{anyOf{"Policy.ReadWrite.ConditionalAccess"}, anyOf{"Policy.Read.All"}}
)

func caAccessDenied() *graphError {
	return newGraphError(http.StatusForbidden, "AccessDenied", "You cannot perform the requested operation, required scopes are missing in the token.")
}

func caSchemaMismatch(doc, detail string) *graphError {
	e := newGraphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf(msgCASchemaMismatch, doc))
	e.inner = "tenantsim: " + detail
	return e
}

func caInvalid(detail string) *graphError {
	e := newGraphError(http.StatusBadRequest, "BadRequest", msgCAMalformed)
	e.inner = detail
	return e
}

func caNotFound(id string) *graphError {
	return newGraphError(http.StatusNotFound, "NotFound", fmt.Sprintf("Conditional access policy '%s' was not found.", id))
}

// caPolicySchema serves $select, $filter and paging; the values come from caPolicyView.
var caPolicySchema = (&entitySchema{
	typeName:     "microsoft.graph.conditionalAccessPolicy",
	resourceName: "conditionalAccessPolicy",
	properties: map[string]propKind{
		"id": propText, "templateId": propText, "displayName": propText, "description": propText,
		"createdDateTime": propText, "modifiedDateTime": propText, "deletedDateTime": propText, "state": propText,
		"conditions": propComplex, "grantControls": propComplex, "sessionControls": propComplex,
	},
	// What a v1.0 GET returns without $select (the documented examples): description and deletedDateTime only on
	// request.
	defaultSelect: []string{"id", "templateId", "displayName", "createdDateTime", "modifiedDateTime", "state",
		"sessionControls", "conditions", "grantControls"},
	filterable: map[string]bool{"id": true, "displayName": true, "state": true},
}).init()

// ---- state ----

// caPolicyRecord is one policy: its Graph JSON (grantControls.authenticationStrength expanded, no annotations).
type caPolicyRecord struct {
	versioned
	microsoftManaged bool
}

// versioned is a directory-replicated object's Graph JSON with the replica model (Knobs.StaleReadWindow): when it
// was last written, and the version before that write (nil: the write created it).
type versioned struct {
	data      map[string]any
	writtenAt time.Time
	before    map[string]any
}

func (p *caPolicyRecord) id() string { s, _ := p.data["id"].(string); return s }

// write replaces the policy's data, keeping the version before for stale reads.
func (p *caPolicyRecord) write(data map[string]any, now time.Time) {
	p.versioned.write(data, now)
	p.data["modifiedDateTime"] = graphTime(now)
}

// write replaces the data, keeping the version before for stale reads.
func (v *versioned) write(data map[string]any, now time.Time) {
	v.before, v.data, v.writtenAt = v.data, data, now
}

// excludeUser adds id to conditions.users.excludeUsers as a write of its own.
func (p *caPolicyRecord) excludeUser(id string, now time.Time) {
	next := copyObject(p.data)
	addExcludedUser(next, id)
	p.write(next, now)
}

// replica is the object as a read at now sees it: for Knobs.StaleReadWindow after a write, with probability
// Knobs.StaleReadRate, drawn for each read, the version before the write, or nil if the write created it. Microsoft
// Entra blog "Designing for Eventual Consistency for Microsoft Entra" (2026-03); azuread polls after a Conditional
// Access policy PATCH until a read shows the change, for the same reason.
func (s *Server) replica(p *versioned, now time.Time) map[string]any {
	if s.drawStaleRead(p.writtenAt, now) {
		return p.before
	}
	return p.data
}

// outsiderExclusion is one id the outside writer added to a policy.
type outsiderExclusion struct {
	id          string
	touchesLeft int
}

// caState holds the tenant's Conditional Access policies; the directory lock guards it.
type caState struct {
	policies map[string]*caPolicyRecord // key: lower-case id
	order    []string                   // keys in creation order
	outsider map[string][]*outsiderExclusion
}

func newCAState() *caState {
	return &caState{policies: map[string]*caPolicyRecord{}, outsider: map[string][]*outsiderExclusion{}}
}

func (st *caState) policy(id string) *caPolicyRecord { return st.policies[strings.ToLower(id)] }

func (st *caState) insert(p *caPolicyRecord) {
	key := strings.ToLower(p.id())
	if _, exists := st.policies[key]; !exists {
		st.order = append(st.order, key)
	}
	st.policies[key] = p
}

func (st *caState) remove(id string) {
	key := strings.ToLower(id)
	delete(st.policies, key)
	delete(st.outsider, key)
	st.order = slices.DeleteFunc(st.order, func(k string) bool { return k == key })
}

func (st *caState) all() []*caPolicyRecord {
	out := make([]*caPolicyRecord, 0, len(st.order))
	for _, key := range st.order {
		out = append(out, st.policies[key])
	}
	return out
}

// touch runs the outside writer's verify-and-retry for one policy before a request that touches it is answered.
func (st *caState) touch(p *caPolicyRecord, now time.Time) {
	key := strings.ToLower(p.id())
	for _, ex := range st.outsider[key] {
		if ex.touchesLeft <= 0 {
			continue
		}
		ex.touchesLeft--
		if !slices.Contains(ExcludedUsers(p.data), ex.id) {
			p.excludeUser(ex.id, now)
		}
	}
}

// ExcludedUsers returns a policy's conditions.users.excludeUsers, for the simulator and for tests that inspect
// what CAPolicies returns.
func ExcludedUsers(policy map[string]any) []string {
	conditions, _ := policy["conditions"].(map[string]any)
	users, _ := conditions["users"].(map[string]any)
	list, _ := users["excludeUsers"].([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func addExcludedUser(policy map[string]any, id string) {
	conditions, _ := policy["conditions"].(map[string]any)
	if conditions == nil {
		return
	}
	users, _ := conditions["users"].(map[string]any)
	if users == nil {
		users = map[string]any{}
		caNormalize(users, "conditionalAccessUsers")
		conditions["users"] = users
	}
	list, _ := users["excludeUsers"].([]any)
	users["excludeUsers"] = append(list, id)
}

// ---- write throttle ----

// caThrottle is the tenant's token bucket for Conditional Access requests: it holds one and refills at
// Knobs.CAWriteRate per second.
type caThrottle struct {
	mu        sync.Mutex
	tokens    float64
	last      time.Time
	throttled int // requests answered 429, for CAThrottled
}

// take consumes a token; when none is left it returns how long until one is.
func (b *caThrottle) take(rate float64, now time.Time) (time.Duration, bool) {
	if rate <= 0 {
		return 0, true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.last.IsZero() {
		b.tokens = 1
	} else {
		b.tokens = math.Min(1, b.tokens+now.Sub(b.last).Seconds()*rate)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	b.throttled++
	return time.Duration((1 - b.tokens) / rate * float64(time.Second)), false
}

// throttleCA answers a request beyond the bucket with 429; reads count only with Knobs.CAThrottleReads.
func (s *Server) throttleCA(w http.ResponseWriter, read bool) *graphError {
	k := s.Knobs()
	if read && !k.CAThrottleReads {
		return nil
	}
	wait, ok := s.caBucket.take(k.CAWriteRate, time.Now())
	if ok {
		return nil
	}
	if !k.CAOmitRetryAfter {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	}
	return newGraphError(http.StatusTooManyRequests, "TooManyRequests", "Too many requests.")
}

// ---- outside writer ----

// drawOutsider decides with the seeded generator whether the outside writer writes now, and draws its GUID.
func (s *Server) drawOutsider() (string, bool) {
	s.knobsMu.Lock()
	defer s.knobsMu.Unlock()
	rate := s.knobs.CAOutsideWriterRate
	if rate <= 0 || s.rng.Float64() >= rate {
		return "", false
	}
	var u uuid.UUID
	binary.LittleEndian.PutUint64(u[:8], s.rng.Uint64())
	binary.LittleEndian.PutUint64(u[8:], s.rng.Uint64())
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String(), true
}

// outsiderWrites lets the outside writer add an exclusion right after a GET of the policy. The caller holds the
// directory lock.
func (s *Server) outsiderWrites(p *caPolicyRecord, now time.Time) {
	id, ok := s.drawOutsider()
	if !ok {
		return
	}
	p.excludeUser(id, now)
	key := strings.ToLower(p.id())
	s.dir.ca.outsider[key] = append(s.dir.ca.outsider[key], &outsiderExclusion{id: id, touchesLeft: outsiderPersistence})
}

// ---- body validation ----

// caOp names the page Graph's 1007 error points at.
type caOp string

const (
	caCreate caOp = docCACreate
	caUpdate caOp = docCAUpdate
)

// caReadOnly are set by the service; bodies may carry them (a policy read and sent back) and they are ignored.
var caReadOnly = []string{"id", "createdDateTime", "modifiedDateTime", "deletedDateTime", "templateId"}

// caPropsOf returns the structural properties of a type including inherited ones.
func caPropsOf(name string) map[string]caProp {
	out := map[string]caProp{}
	for t := caTypes[name]; t != nil; t = caTypes[t.base] {
		for k, v := range t.props {
			if _, set := out[k]; !set {
				out[k] = v
			}
		}
		if t.base == "" {
			break
		}
	}
	return out
}

func caDerives(name, base string) bool {
	for t := name; t != ""; {
		if t == base {
			return true
		}
		ct := caTypes[t]
		if ct == nil {
			return false
		}
		t = ct.base
	}
	return false
}

// caCheckObject validates a JSON object against a CA type as OData deserialization does and strips annotations.
// It keeps @odata.type (normalized) where the value's type is not the declared one, e.g. derived session or tenant
// types, because responses need it there. It returns what is wrong, or "".
func caCheckObject(declared string, obj map[string]any, path string) string {
	actual := declared
	if raw, ok := obj["@odata.type"]; ok {
		s, _ := raw.(string)
		name := strings.TrimPrefix(strings.TrimPrefix(s, "#"), "microsoft.graph.")
		if caTypes[name] == nil || !caDerives(name, declared) {
			return fmt.Sprintf("%s: @odata.type %q is not %s or a type derived from it", path, s, declared)
		}
		actual = name
	}
	for key := range obj {
		if strings.HasPrefix(key, "@") || strings.Contains(key, "@odata.") {
			delete(obj, key)
		}
	}
	if ct := caTypes[actual]; ct.abstract {
		return fmt.Sprintf("%s: %s is abstract; @odata.type must name a derived type", path, actual)
	}
	if actual != declared {
		obj["@odata.type"] = "#microsoft.graph." + actual
	}
	props := caPropsOf(actual)
	navs := caTypes[actual].navs
	for key, value := range obj {
		if key == "@odata.type" {
			continue
		}
		where := path + "." + key
		if nav, ok := navs[key]; ok {
			if value == nil {
				continue
			}
			if elem, isColl := strings.CutPrefix(nav, "Collection("); isColl {
				if msg := caCheckValue(caProp{typ: strings.TrimSuffix(elem, ")"), coll: true}, value, where); msg != "" {
					return msg
				}
				continue
			}
			m, ok := value.(map[string]any)
			if !ok {
				return where + ": expected an object"
			}
			if msg := caCheckObject(nav, m, where); msg != "" {
				return msg
			}
			continue
		}
		prop, ok := props[key]
		if !ok {
			return fmt.Sprintf("%s: %q is not a property of microsoft.graph.%s", where, key, actual)
		}
		if msg := caCheckValue(prop, value, where); msg != "" {
			return msg
		}
	}
	return ""
}

func caCheckValue(prop caProp, value any, where string) string {
	if value == nil {
		if !prop.nullable || prop.coll {
			return where + ": null is not allowed"
		}
		return ""
	}
	if prop.coll {
		list, ok := value.([]any)
		if !ok {
			return fmt.Sprintf("%s: expected a JSON array of %s", where, prop.typ)
		}
		for i, item := range list {
			if msg := caCheckValue(caProp{typ: prop.typ}, item, fmt.Sprintf("%s[%d]", where, i)); msg != "" {
				return msg
			}
		}
		return ""
	}
	switch prop.typ {
	case "Edm.String":
		if _, ok := value.(string); !ok {
			return where + ": expected a string"
		}
		return ""
	case "Edm.Boolean":
		if _, ok := value.(bool); !ok {
			return where + ": expected true or false"
		}
		return ""
	case "Edm.Int32":
		if f, ok := value.(float64); !ok || f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
			return where + ": expected a 32-bit integer"
		}
		return ""
	case "Edm.Guid":
		if s, ok := value.(string); !ok || uuid.Validate(s) != nil {
			return where + ": expected a GUID"
		}
		return ""
	case "Edm.DateTimeOffset":
		s, ok := value.(string)
		if _, err := time.Parse(time.RFC3339Nano, s); !ok || err != nil {
			return where + ": expected an ISO 8601 date and time"
		}
		return ""
	}
	ct := caTypes[prop.typ]
	if ct == nil {
		return fmt.Sprintf("%s: unknown type %s", where, prop.typ)
	}
	if ct.kind == caEnum {
		s, ok := value.(string)
		if !ok {
			return fmt.Sprintf("%s: expected a member of %s", where, prop.typ)
		}
		parts := []string{s}
		if ct.flags {
			parts = strings.Split(s, ",")
		}
		for _, part := range parts {
			if !slices.Contains(ct.members, strings.TrimSpace(part)) {
				return fmt.Sprintf("%s: %q is not a member of microsoft.graph.%s %v", where, part, prop.typ, ct.members)
			}
		}
		return ""
	}
	obj, ok := value.(map[string]any)
	if !ok {
		return fmt.Sprintf("%s: expected a JSON object of microsoft.graph.%s", where, prop.typ)
	}
	return caCheckObject(prop.typ, obj, where)
}

// caCheckBody validates a POST or PATCH body and drops the read-only properties.
func caCheckBody(body map[string]any, op caOp) *graphError {
	for _, name := range caReadOnly {
		delete(body, name)
	}
	if msg := caCheckObject("conditionalAccessPolicy", body, "conditionalAccessPolicy"); msg != "" {
		return caSchemaMismatch(string(op), msg)
	}
	return nil
}

// caTypeOf is the type of a stored complex value: its @odata.type or the declared one.
func caTypeOf(declared string, obj map[string]any) string {
	if s, ok := obj["@odata.type"].(string); ok {
		return strings.TrimPrefix(s, "#microsoft.graph.")
	}
	return declared
}

// caMerge applies OData PATCH to a CA value: primitives and collections are replaced, complex values merged
// member by member (unless the patch switches to another derived type), navigation properties replaced.
func caMerge(dst, patch map[string]any, typeName string) {
	props := caPropsOf(caTypeOf(typeName, dst))
	for key, value := range patch {
		prop, isProp := props[key]
		src, isObj := value.(map[string]any)
		cur, hasObj := dst[key].(map[string]any)
		if isProp && !prop.coll && isObj && hasObj && caTypes[prop.typ] != nil && caTypes[prop.typ].kind == caComplex &&
			caTypeOf(prop.typ, src) == caTypeOf(prop.typ, cur) {
			caMerge(cur, src, prop.typ)
			continue
		}
		dst[key] = deepCopy(value)
	}
}

// caNormalize gives a stored complex value every property of its type, as Graph returns them: collections as
// [], the rest as null, with the service's defaults where it sets them.
func caNormalize(obj map[string]any, declared string) {
	actual := caTypeOf(declared, obj)
	for name, prop := range caPropsOf(actual) {
		value, present := obj[name]
		switch {
		case !present && prop.coll:
			obj[name] = []any{}
		case !present:
			obj[name] = nil
		case value != nil && !prop.coll && caTypes[prop.typ] != nil && caTypes[prop.typ].kind != caEnum:
			if m, ok := value.(map[string]any); ok {
				caNormalize(m, prop.typ)
			}
		}
	}
	if actual == "signInFrequencySessionControl" {
		if obj["authenticationType"] == nil {
			obj["authenticationType"] = "primaryAndSecondaryAuthentication"
		}
		if obj["frequencyInterval"] == nil {
			obj["frequencyInterval"] = "timeBased"
		}
	}
	if actual == "conditionalAccessGrantControls" {
		if _, set := obj["authenticationStrength"]; !set {
			obj["authenticationStrength"] = nil
		}
	}
}

// ---- policy rules ----

var (
	includeUserValues = []string{"All", "None", "GuestsOrExternalUsers"}
	excludeUserValues = []string{"GuestsOrExternalUsers"}
)

func stringList(obj map[string]any, name string) []string {
	list, _ := obj[name].([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// checkPrincipalIDs requires object ids (GUIDs) or one of the documented special values.
func checkPrincipalIDs(users map[string]any, name string, special []string) *graphError {
	for _, id := range stringList(users, name) {
		if uuid.Validate(id) != nil && !slices.Contains(special, id) {
			allowed := "an object id (GUID)"
			if len(special) > 0 {
				allowed += " or " + strings.Join(special, ", ")
			}
			return caInvalid(fmt.Sprintf("conditions.users.%s holds '%s', which is not %s.", name, id, allowed))
		}
	}
	return nil
}

// checkRequired finds non-nullable members missing from present complex values (a schema error, 1007).
func checkRequired(obj map[string]any, typeName, path string) string {
	actual := caTypeOf(typeName, obj)
	for name, prop := range caPropsOf(actual) {
		value := obj[name]
		if value == nil && !prop.nullable && !prop.coll {
			return fmt.Sprintf("%s.%s is required", path, name)
		}
		if m, ok := value.(map[string]any); ok && !prop.coll {
			if msg := checkRequired(m, prop.typ, path+"."+name); msg != "" {
				return msg
			}
		}
	}
	return ""
}

// checkCAPolicy applies Conditional Access's rules to a whole policy (after a PATCH is merged).
// checkWorkloadIdentityPolicy refuses users in a policy for workload identities. Such a policy assigns service
// principals (conditions.clientApplications) and applies to nothing else: Microsoft Learn, "Conditional Access
// for workload identities", builds one by choosing "Workload identities" instead of users, and the users condition
// then holds includeUsers ["None"] only. So no user or group can be excluded from it.
func checkWorkloadIdentityPolicy(conditions, users map[string]any) *graphError {
	clientApps, _ := conditions["clientApplications"].(map[string]any)
	if len(stringList(clientApps, "includeServicePrincipals")) == 0 && clientApps["servicePrincipalFilter"] == nil {
		return nil
	}
	for _, name := range []string{"excludeUsers", "excludeGroups", "excludeRoles", "includeGroups", "includeRoles"} {
		if len(stringList(users, name)) > 0 {
			return caInvalid(fmt.Sprintf("conditions.users.%s must be empty in a policy for workload identities "+
				"(conditions.clientApplications): such a policy applies to service principals only.", name))
		}
	}
	if include := stringList(users, "includeUsers"); len(include) != 1 || include[0] != "None" {
		return caInvalid("conditions.users.includeUsers must be [\"None\"] in a policy for workload identities (conditions.clientApplications).")
	}
	return nil
}

func checkCAPolicy(p map[string]any, op caOp) *graphError {
	if msg := checkRequired(p, "conditionalAccessPolicy", "conditionalAccessPolicy"); msg != "" {
		return caSchemaMismatch(string(op), msg)
	}
	if name, _ := p["displayName"].(string); strings.TrimSpace(name) == "" {
		return caInvalid("displayName must not be empty.")
	}
	conditions, _ := p["conditions"].(map[string]any)
	users, _ := conditions["users"].(map[string]any)
	if users == nil || (len(stringList(users, "includeUsers")) == 0 && len(stringList(users, "includeGroups")) == 0 &&
		len(stringList(users, "includeRoles")) == 0 && users["includeGuestsOrExternalUsers"] == nil) {
		return caInvalid("conditions.users must include users, groups, roles or guests or external users " +
			"(includeUsers, includeGroups, includeRoles or includeGuestsOrExternalUsers); use includeUsers [\"None\"] for none.")
	}
	if gerr := checkWorkloadIdentityPolicy(conditions, users); gerr != nil {
		return gerr
	}
	for _, check := range []struct {
		name    string
		special []string
	}{
		{"includeUsers", includeUserValues}, {"excludeUsers", excludeUserValues}, {"includeGroups", nil},
		{"excludeGroups", nil}, {"includeRoles", nil}, {"excludeRoles", nil},
	} {
		if gerr := checkPrincipalIDs(users, check.name, check.special); gerr != nil {
			return gerr
		}
	}
	apps, _ := conditions["applications"].(map[string]any)
	if apps == nil || (len(stringList(apps, "includeApplications")) == 0 && len(stringList(apps, "includeUserActions")) == 0 &&
		len(stringList(apps, "includeAuthenticationContextClassReferences")) == 0) {
		return caInvalid("conditions.applications must include applications, user actions or authentication contexts; " +
			"use includeApplications [\"None\"] for none.")
	}
	grant, _ := p["grantControls"].(map[string]any)
	session, _ := p["sessionControls"].(map[string]any)
	if grant != nil {
		if op, _ := grant["operator"].(string); op != "AND" && op != "OR" {
			return caInvalid("grantControls.operator must be AND or OR.")
		}
		if len(stringList(grant, "builtInControls")) == 0 && len(stringList(grant, "termsOfUse")) == 0 &&
			len(stringList(grant, "customAuthenticationFactors")) == 0 && grant["authenticationStrength"] == nil {
			grant = nil
		}
	}
	if grant == nil && !hasSessionControl(session) {
		return caInvalid("A policy needs at least one grant control or session control.")
	}
	return nil
}

func hasSessionControl(session map[string]any) bool {
	for name, value := range session {
		if name == "disableResilienceDefaults" {
			if b, _ := value.(bool); b {
				return true
			}
			continue
		}
		if value != nil {
			return true
		}
	}
	return false
}

// resolveAuthStrength replaces grantControls.authenticationStrength {"id": ...} with the policy it names.
func resolveAuthStrength(body map[string]any) *graphError {
	grant, _ := body["grantControls"].(map[string]any)
	ref, ok := grant["authenticationStrength"].(map[string]any)
	if !ok {
		return nil
	}
	id, _ := ref["id"].(string)
	strength := builtInAuthStrength(id)
	if strength == nil {
		return caInvalid(fmt.Sprintf("grantControls.authenticationStrength: authentication strength policy '%s' does not exist.", id))
	}
	grant["authenticationStrength"] = strength
	return nil
}

// managedChangeAllowed reports whether an update of a Microsoft-managed policy changes only what Microsoft lets
// administrators change: the state and the excluded users, groups, roles and guests.
func managedChangeAllowed(before, after map[string]any) bool {
	strip := func(p map[string]any) map[string]any {
		c := copyObject(p)
		delete(c, "state")
		delete(c, "modifiedDateTime")
		if conditions, ok := c["conditions"].(map[string]any); ok {
			if users, ok := conditions["users"].(map[string]any); ok {
				for _, name := range []string{"excludeUsers", "excludeGroups", "excludeRoles", "excludeGuestsOrExternalUsers"} {
					delete(users, name)
				}
			}
		}
		return c
	}
	return reflect.DeepEqual(strip(before), strip(after))
}

// ---- responses ----

// caPolicyView is a version of a stored policy as Graph serves it, with the authenticationStrength context
// annotation.
func (s *Server) caPolicyView(data map[string]any) map[string]any {
	out := copyObject(data)
	if grant, ok := out["grantControls"].(map[string]any); ok {
		id, _ := data["id"].(string)
		grant["authenticationStrength@odata.context"] = fmt.Sprintf("%s/v1.0/$metadata#%s('%s')/grantControls/authenticationStrength/$entity",
			s.baseURL, caEntitySet, id)
	}
	return out
}

// listCAPolicies is GET /identity/conditionalAccess/policies.
func (s *Server) listCAPolicies(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	if gerr := s.throttleCA(w, true); gerr != nil {
		return gerr
	}
	q, gerr := parseListQuery(r, caPolicySchema, caDefaultPage, graphMaxPage)
	if gerr != nil {
		return gerr
	}
	now := time.Now()
	s.dir.mu.Lock()
	policies := s.dir.ca.all()
	views := make([]map[string]any, 0, len(policies))
	for _, p := range policies {
		s.dir.ca.touch(p, now)
		if data := s.replica(&p.versioned, now); data != nil {
			views = append(views, s.caPolicyView(data))
		}
	}
	s.dir.mu.Unlock()
	resp := q.page(r, caPolicySchema, s.baseURL, contextURL(s.baseURL, caEntitySet, q.selected, false), views)
	writeJSON(w, http.StatusOK, graphContentType, resp)
	return nil
}

// getCAPolicy is GET /identity/conditionalAccess/policies/{id}. Once it is answered, the outside writer may write.
func (s *Server) getCAPolicy(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	if gerr := s.throttleCA(w, true); gerr != nil {
		return gerr
	}
	selected, gerr := parseSelect(r, caPolicySchema)
	if gerr != nil {
		return gerr
	}
	now := time.Now()
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	p := s.dir.ca.policy(params[0])
	if p == nil {
		return caNotFound(params[0])
	}
	s.dir.ca.touch(p, now)
	data := s.replica(&p.versioned, now)
	if data == nil {
		return caNotFound(params[0])
	}
	resp := caPolicySchema.project(s.caPolicyView(data), selected)
	resp["@odata.context"] = contextURL(s.baseURL, caEntitySet, selected, true)
	writeJSON(w, http.StatusOK, graphContentType, resp)
	s.outsiderWrites(p, now)
	return nil
}

// newCAPolicyData builds a stored policy from a validated create body.
func newCAPolicyData(body map[string]any, now time.Time) (map[string]any, *graphError) {
	data := copyObject(body)
	data["id"] = uuid.NewString()
	data["templateId"] = nil
	data["createdDateTime"] = graphTime(now)
	data["modifiedDateTime"] = nil
	data["deletedDateTime"] = nil
	if gerr := resolveAuthStrength(data); gerr != nil {
		return nil, gerr
	}
	if gerr := checkCAPolicy(data, caCreate); gerr != nil {
		return nil, gerr
	}
	caNormalize(data, "conditionalAccessPolicy")
	return data, nil
}

// createCAPolicy is POST /identity/conditionalAccess/policies.
func (s *Server) createCAPolicy(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	if gerr := s.throttleCA(w, false); gerr != nil {
		return gerr
	}
	body, gerr := decodeBody(r)
	if gerr == nil {
		gerr = caCheckBody(body, caCreate)
	}
	if gerr != nil {
		return gerr
	}
	now := time.Now()
	data, gerr := newCAPolicyData(body, now)
	if gerr != nil {
		return gerr
	}
	p := &caPolicyRecord{versioned: versioned{data: data, writtenAt: now}}
	s.dir.mu.Lock()
	s.dir.ca.insert(p)
	resp := caPolicySchema.project(s.caPolicyView(p.data), nil)
	s.dir.mu.Unlock()
	resp["@odata.context"] = contextURL(s.baseURL, caEntitySet, nil, true)
	w.Header().Set("Location", s.baseURL+"/v1.0/"+caEntitySet+"/"+p.id())
	writeJSON(w, http.StatusCreated, graphContentType, resp)
	return nil
}

// updateCAPolicy is PATCH /identity/conditionalAccess/policies/{id}: OData merge, 204 No Content.
func (s *Server) updateCAPolicy(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	if gerr := s.throttleCA(w, false); gerr != nil {
		return gerr
	}
	body, gerr := decodeBody(r)
	if gerr == nil {
		gerr = caCheckBody(body, caUpdate)
	}
	if gerr == nil {
		gerr = resolveAuthStrength(body)
	}
	if gerr != nil {
		return gerr
	}
	now := time.Now()
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	p := s.dir.ca.policy(params[0])
	if p == nil {
		return caNotFound(params[0])
	}
	s.dir.ca.touch(p, now)
	merged := copyObject(p.data)
	caMerge(merged, body, "conditionalAccessPolicy")
	if gerr := checkCAPolicy(merged, caUpdate); gerr != nil {
		return gerr
	}
	caNormalize(merged, "conditionalAccessPolicy")
	if p.microsoftManaged && !managedChangeAllowed(p.data, merged) {
		return caInvalid("Microsoft-managed policies allow changes to the state and to the excluded users, groups and roles only.")
	}
	p.write(merged, now)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteCAPolicy is DELETE /identity/conditionalAccess/policies/{id}.
func (s *Server) deleteCAPolicy(w http.ResponseWriter, _ *http.Request, params []string) *graphError {
	if gerr := s.throttleCA(w, false); gerr != nil {
		return gerr
	}
	now := time.Now()
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	p := s.dir.ca.policy(params[0])
	if p == nil {
		return caNotFound(params[0])
	}
	s.dir.ca.touch(p, now)
	if p.microsoftManaged {
		return caInvalid("Microsoft-managed policies can't be deleted; set their state to disabled instead.")
	}
	s.dir.ca.remove(p.id())
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ---- direct access for tests and the control routes ----

// errNoSuchCAPolicy is returned by the state helpers for an unknown policy id.
var errNoSuchCAPolicy = errors.New("no such conditional access policy")

// importCAPolicy validates a policy given directly (seed, AddCAPolicy, AddMicrosoftManagedCAPolicy) and stores it. A
// missing id is generated and missing timestamps are set. managed marks a Microsoft-managed policy: Graph v1.0 shows
// no property for it (the CSDL's conditionalAccessPolicy has none, and Microsoft Entra "Microsoft-managed Conditional
// Access policies" names none), so the simulator keeps the mark beside the policy, not in its JSON or its name. The
// caller holds the lock.
func (d *directory) importCAPolicy(raw map[string]any, now time.Time, managed bool) (string, error) {
	data, err := normalizeJSON(raw)
	if err != nil {
		return "", err
	}
	id, _ := data["id"].(string)
	if id == "" {
		id = uuid.NewString()
	} else if uuid.Validate(id) != nil {
		return "", fmt.Errorf("conditional access policy id %q is not a GUID", id)
	}
	meta := map[string]any{}
	for _, name := range caReadOnly {
		if v, ok := data[name]; ok {
			meta[name] = v
		}
	}
	if gerr := caCheckBody(data, caCreate); gerr != nil {
		return "", fmt.Errorf("conditional access policy %s: %s", id, gerr.inner)
	}
	if gerr := resolveAuthStrength(data); gerr != nil {
		return "", fmt.Errorf("conditional access policy %s: %s", id, gerr.inner)
	}
	data["id"] = id
	if gerr := checkCAPolicy(data, caCreate); gerr != nil {
		detail := gerr.inner
		if gerr.inner == "" {
			detail = gerr.message
		}
		return "", fmt.Errorf("conditional access policy %s: %s", id, strings.TrimPrefix(detail, "tenantsim: "))
	}
	caNormalize(data, "conditionalAccessPolicy")
	data["id"] = id
	data["templateId"], data["createdDateTime"], data["modifiedDateTime"], data["deletedDateTime"] = nil, graphTime(now), nil, nil
	for name, v := range meta {
		if name != "id" {
			data[name] = v
		}
	}
	if d.ca.policy(id) != nil {
		return "", fmt.Errorf("a conditional access policy with id %s exists", id)
	}
	d.ca.insert(&caPolicyRecord{versioned: versioned{data: data}, microsoftManaged: managed})
	return id, nil
}

// CAThrottled returns how many Conditional Access requests the tenant has answered 429 so far: a client that
// paces itself to the tenant's budget sees none.
func (s *Server) CAThrottled() int {
	s.caBucket.mu.Lock()
	defer s.caBucket.mu.Unlock()
	return s.caBucket.throttled
}

// AddCAPolicy stores a Conditional Access policy directly, bypassing throttling and the outside writer, e.g. to
// make "a new policy appear" or to load many policies. It is validated like a POST body; an "id" may be given (a
// GUID), as may createdDateTime, modifiedDateTime and templateId. It returns the policy id.
func (s *Server) AddCAPolicy(policy map[string]any) (string, error) {
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	return s.dir.importCAPolicy(policy, time.Now(), false)
}

// AddMicrosoftManagedCAPolicy is AddCAPolicy for a policy Microsoft creates in the tenant (POST never makes one):
// administrators may change only its state and exclusions, and cannot delete it.
func (s *Server) AddMicrosoftManagedCAPolicy(policy map[string]any) (string, error) {
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	return s.dir.importCAPolicy(policy, time.Now(), true)
}

// AddMFAPolicies adds n enabled policies requiring MFA for all users, each excluding one random id of its own
// (someone else's exclusion the client must keep), named "<prefix> NN", and returns their ids: a tenant with many
// policies for scale tests and benchmarks.
func (s *Server) AddMFAPolicies(n int, prefix string) ([]string, error) {
	ids := make([]string, n)
	for i := range ids {
		id, err := s.AddCAPolicy(map[string]any{
			"displayName": fmt.Sprintf("%s %02d", prefix, i), "state": "enabled",
			"conditions": map[string]any{
				"users":          map[string]any{"includeUsers": []any{"All"}, "excludeUsers": []any{uuid.NewString()}},
				"applications":   map[string]any{"includeApplications": []any{"All"}},
				"clientAppTypes": []any{"all"},
			},
			"grantControls": map[string]any{"operator": "OR", "builtInControls": []any{"mfa"}},
		})
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return ids, nil
}

// CAPolicy returns the stored Graph JSON of a Conditional Access policy (authenticationStrength expanded).
func (s *Server) CAPolicy(id string) (map[string]any, bool) {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	p := s.dir.ca.policy(id)
	if p == nil {
		return nil, false
	}
	return copyObject(p.data), true
}

// CAPolicies returns every Conditional Access policy in creation order.
func (s *Server) CAPolicies() []map[string]any {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	policies := s.dir.ca.all()
	out := make([]map[string]any, len(policies))
	for i, p := range policies {
		out[i] = copyObject(p.data)
	}
	return out
}

// SetCAPolicyFields merges fields into a policy with Graph's PATCH semantics (complex values merged, collections
// replaced) but without validation, throttling, the Microsoft-managed rules or the outside writer, for drift tests
// ("someone removed our exclusion"). modifiedDateTime moves unless fields set it.
func (s *Server) SetCAPolicyFields(id string, fields map[string]any) error {
	fields, err := normalizeJSON(fields)
	if err != nil {
		return err
	}
	if newID, ok := fields["id"]; ok && !strings.EqualFold(fmt.Sprint(newID), id) {
		return fmt.Errorf("the policy id cannot be changed")
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	p := s.dir.ca.policy(id)
	if p == nil {
		return fmt.Errorf("%w: %s", errNoSuchCAPolicy, id)
	}
	merged := copyObject(p.data)
	caMerge(merged, fields, "conditionalAccessPolicy")
	caNormalize(merged, "conditionalAccessPolicy")
	if _, set := fields["modifiedDateTime"]; !set {
		merged["modifiedDateTime"] = graphTime(time.Now())
	}
	p.data = merged
	return nil
}

// ExcludeUserAsOutsider adds id to a policy's conditions.users.excludeUsers as another application's write would:
// modifiedDateTime moves and replicas lag it (Knobs.StaleReadWindow), but it costs the tenant's Conditional Access
// budget nothing, so a test's own writer does not starve the client under test. It reports whether the id was
// missing (false: already there, nothing written).
func (s *Server) ExcludeUserAsOutsider(policyID, id string) (bool, error) {
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	p := s.dir.ca.policy(policyID)
	if p == nil {
		return false, fmt.Errorf("%w: %s", errNoSuchCAPolicy, policyID)
	}
	if slices.ContainsFunc(ExcludedUsers(p.data), func(v string) bool { return strings.EqualFold(v, id) }) {
		return false, nil
	}
	p.excludeUser(id, time.Now())
	return true, nil
}

// OutsideWriterExclusions returns the ids the outside writer added to a policy's excludeUsers, in order.
func (s *Server) OutsideWriterExclusions(policyID string) []string {
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	var out []string
	for _, ex := range s.dir.ca.outsider[strings.ToLower(policyID)] {
		out = append(out, ex.id)
	}
	return out
}
