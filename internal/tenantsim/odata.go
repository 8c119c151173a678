package tenantsim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// propKind is the JSON shape of an entity property; it decides PATCH merge semantics and the value returned when
// the property was never set.
type propKind int

const (
	propText propKind = iota
	propBoolean
	propNumber
	propComplex
	propCollection
)

// entitySchema describes one Graph entity type for $select, $filter and response shaping. Property names come
// from the v1.0 CSDL (internal/fidelity/spec/graph).
type entitySchema struct {
	typeName      string              // e.g. "microsoft.graph.user"
	resourceName  string              // as Graph names it in filter errors, e.g. "User"
	properties    map[string]propKind // every structural property
	defaultSelect []string            // what Graph returns without $select; nil = every property
	filterable    map[string]bool     // properties $filter accepts
	writeOnly     map[string]bool     // always returned as null (passwordProfile)
	zeroValues    map[string]any      // value of an unset non-nullable primitive, as Graph returns it
	canonical     map[string]string   // lower-case name -> CSDL name; Graph matches property names case-insensitively
}

func (sc *entitySchema) init() *entitySchema {
	sc.canonical = make(map[string]string, len(sc.properties))
	for name := range sc.properties {
		sc.canonical[strings.ToLower(name)] = name
	}
	return sc
}

func (sc *entitySchema) lookup(name string) (string, bool) {
	c, ok := sc.canonical[strings.ToLower(name)]
	return c, ok
}

// project shapes a stored object for a response: the selected (or default) properties, unset ones as Graph
// returns them (null, [] for collections, or the type's zero value).
func (sc *entitySchema) project(obj map[string]any, selected []string) map[string]any {
	names := selected
	if names == nil {
		names = sc.defaultSelect
	}
	if names == nil {
		names = make([]string, 0, len(sc.properties))
		for name := range sc.properties {
			names = append(names, name)
		}
	}
	out := make(map[string]any, len(names)+1)
	for _, name := range names {
		out[name] = sc.valueOf(obj, name)
	}
	return out
}

func (sc *entitySchema) valueOf(obj map[string]any, name string) any {
	if sc.writeOnly[name] {
		return nil
	}
	if v, ok := obj[name]; ok {
		if v == nil && sc.properties[name] == propCollection {
			return []any{}
		}
		return deepCopy(v)
	}
	if z, ok := sc.zeroValues[name]; ok {
		return z
	}
	if sc.properties[name] == propCollection {
		return []any{}
	}
	return nil
}

// listQuery holds the OData options of a collection GET.
type listQuery struct {
	selected []string // nil = default properties
	filter   filterExpr
	top      int
	offset   int  // from $skiptoken
	count    bool // $count=true with ConsistencyLevel: eventual
}

// eventualConsistency reports whether the client asked for Graph's advanced query capabilities.
func eventualConsistency(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("ConsistencyLevel"), "eventual")
}

// parseSelect reads $select; unknown names fail the way Graph fails them.
func parseSelect(r *http.Request, sc *entitySchema) ([]string, *graphError) {
	raw := r.URL.Query().Get("$select")
	if raw == "" {
		return nil, nil
	}
	var out []string
	for _, part := range strings.Split(raw, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, ok := sc.lookup(part)
		if !ok {
			return nil, badRequest(fmt.Sprintf("Could not find a property named '%s' on type '%s'.", part, sc.typeName))
		}
		out = append(out, name)
	}
	return out, nil
}

// parseListQuery reads $select, $filter, $top, $skiptoken and $count for a collection.
func parseListQuery(r *http.Request, sc *entitySchema, defaultTop, maxTop int) (*listQuery, *graphError) { //nolint:unparam // limits are per collection; all allow 999 today
	q := &listQuery{top: defaultTop}
	var gerr *graphError
	if q.selected, gerr = parseSelect(r, sc); gerr != nil {
		return nil, gerr
	}
	values := r.URL.Query()
	advanced := eventualConsistency(r) && strings.EqualFold(values.Get("$count"), "true")
	q.count = advanced
	if raw := values.Get("$top"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxTop {
			return nil, badRequest(fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and %d inclusive.", raw, maxTop))
		}
		q.top = n
	}
	if raw := values.Get("$skiptoken"); raw != "" {
		offset, ok := decodeSkipToken(raw)
		if !ok {
			return nil, badRequest("Invalid skip token: '" + raw + "'.")
		}
		q.offset = offset
	}
	if raw := values.Get("$filter"); raw != "" {
		f, needsAdvanced, gerr := parseFilter(raw, sc)
		if gerr != nil {
			return nil, gerr
		}
		if needsAdvanced != "" && !advanced {
			return nil, newGraphError(http.StatusBadRequest, "Request_UnsupportedQuery",
				fmt.Sprintf("Operator '%s' is not supported because the required parameters might be missing. Try adding $count with a value of true and the ConsistencyLevel header with a value of eventual.", needsAdvanced))
		}
		q.filter = f
	}
	return q, nil
}

// page applies $filter, paging and projection and builds the collection response.
func (q *listQuery) page(r *http.Request, sc *entitySchema, baseURL, contextURL string, items []map[string]any) map[string]any {
	var matched []map[string]any
	for _, item := range items {
		if q.filter == nil || q.filter.match(item) {
			matched = append(matched, item)
		}
	}
	resp := map[string]any{"@odata.context": contextURL}
	if q.count {
		resp["@odata.count"] = len(matched)
	}
	end := min(q.offset+q.top, len(matched))
	value := make([]any, 0, max(end-q.offset, 0))
	for i := q.offset; i < end; i++ {
		value = append(value, sc.project(matched[i], q.selected))
	}
	resp["value"] = value
	if end < len(matched) {
		resp["@odata.nextLink"] = nextLink(r, baseURL, end)
	}
	return resp
}

// nextLink repeats the request's own query with a new $skiptoken, as Graph's nextLinks do.
func nextLink(r *http.Request, baseURL string, offset int) string {
	var kept []string
	for _, part := range strings.Split(r.URL.RawQuery, "&") {
		if part == "" || strings.HasPrefix(part, "$skiptoken=") || strings.HasPrefix(part, "%24skiptoken=") {
			continue
		}
		kept = append(kept, part)
	}
	kept = append(kept, "$skiptoken="+encodeSkipToken(offset))
	return baseURL + r.URL.EscapedPath() + "?" + strings.Join(kept, "&")
}

const skipTokenPrefix = "tenantsim:"

func encodeSkipToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(skipTokenPrefix + strconv.Itoa(offset)))
}

func decodeSkipToken(token string) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || !strings.HasPrefix(string(raw), skipTokenPrefix) {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(raw), skipTokenPrefix))
	return n, err == nil && n >= 0
}

// contextURL builds "@odata.context" the way Graph does: <root>/$metadata#<set>[(<select>)][/$entity].
func contextURL(baseURL, set string, selected []string, entity bool) string {
	u := baseURL + "/v1.0/$metadata#" + set
	if selected != nil {
		u += "(" + strings.Join(selected, ",") + ")"
	}
	if entity {
		u += "/$entity"
	}
	return u
}

// ---- $filter ----

// filterExpr is a parsed $filter expression evaluated against stored Graph JSON.
type filterExpr interface {
	match(obj map[string]any) bool
}

type compareExpr struct {
	property string
	negate   bool // ne
	value    any  // string, bool, float64 or nil
}

func (e compareExpr) match(obj map[string]any) bool {
	return valuesEqual(obj[e.property], e.value) != e.negate
}

type inExpr struct {
	property string
	values   []any
}

func (e inExpr) match(obj map[string]any) bool {
	for _, v := range e.values {
		if valuesEqual(obj[e.property], v) {
			return true
		}
	}
	return false
}

type startsWithExpr struct {
	property string
	prefix   string
}

func (e startsWithExpr) match(obj map[string]any) bool {
	s, ok := obj[e.property].(string)
	return ok && strings.HasPrefix(strings.ToLower(s), strings.ToLower(e.prefix))
}

type logicalExpr struct {
	and         bool
	left, right filterExpr
}

func (e logicalExpr) match(obj map[string]any) bool {
	if e.and {
		return e.left.match(obj) && e.right.match(obj)
	}
	return e.left.match(obj) || e.right.match(obj)
}

type notExpr struct{ inner filterExpr }

func (e notExpr) match(obj map[string]any) bool { return !e.inner.match(obj) }

// valuesEqual compares like the directory does: strings case-insensitively, null equal only to null.
func valuesEqual(stored, literal any) bool {
	switch l := literal.(type) {
	case nil:
		return stored == nil
	case string:
		s, ok := stored.(string)
		return ok && strings.EqualFold(s, l)
	default:
		return stored == literal
	}
}

type filterToken struct {
	kind string // "ident", "string", "punct"
	text string
	pos  int
}

var guidLiteral = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func tokenizeFilter(s string) ([]filterToken, error) {
	var toks []filterToken
	for i := 0; i < len(s); {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '(' || c == ')' || c == ',':
			toks = append(toks, filterToken{"punct", string(c), i})
			i++
		case c == '\'':
			var sb strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, fmt.Errorf("unterminated string literal at position %d", i)
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						sb.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				sb.WriteByte(s[j])
				j++
			}
			toks = append(toks, filterToken{"string", sb.String(), i})
			i = j + 1
		default:
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && !strings.ContainsRune("(),'", rune(s[j])) {
				j++
			}
			toks = append(toks, filterToken{"ident", s[i:j], i})
			i = j
		}
	}
	return toks, nil
}

type filterParser struct {
	toks     []filterToken
	pos      int
	schema   *entitySchema
	raw      string
	advanced string // first operator that needs ConsistencyLevel: eventual
}

// parseFilter parses eq, ne, in, startswith, not, and, or and parentheses over string, boolean, null and GUID
// literals. It returns the operator that needs Graph's advanced query mode, if any.
func parseFilter(raw string, sc *entitySchema) (filterExpr, string, *graphError) {
	toks, err := tokenizeFilter(raw)
	if err != nil {
		return nil, "", invalidFilter(raw, err.Error())
	}
	p := &filterParser{toks: toks, schema: sc, raw: raw}
	expr, gerr := p.parseOr()
	if gerr != nil {
		return nil, "", gerr
	}
	if p.pos != len(p.toks) {
		return nil, "", invalidFilter(raw, fmt.Sprintf("syntax error at position %d", p.toks[p.pos].pos))
	}
	return expr, p.advanced, nil
}

func invalidFilter(raw, detail string) *graphError {
	return newGraphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid filter clause: %s in '%s'.", detail, raw))
}

func (p *filterParser) peek() *filterToken {
	if p.pos < len(p.toks) {
		return &p.toks[p.pos]
	}
	return nil
}

func (p *filterParser) keyword(word string) bool {
	t := p.peek()
	if t != nil && t.kind == "ident" && strings.EqualFold(t.text, word) {
		p.pos++
		return true
	}
	return false
}

func (p *filterParser) expect(punct string) *graphError {
	t := p.peek()
	if t == nil || t.kind != "punct" || t.text != punct {
		at := len(p.raw)
		if t != nil {
			at = t.pos
		}
		return invalidFilter(p.raw, fmt.Sprintf("expected '%s' at position %d", punct, at))
	}
	p.pos++
	return nil
}

func (p *filterParser) parseOr() (filterExpr, *graphError) {
	left, gerr := p.parseAnd()
	for gerr == nil && p.keyword("or") {
		var right filterExpr
		if right, gerr = p.parseAnd(); gerr == nil {
			left = logicalExpr{and: false, left: left, right: right}
		}
	}
	return left, gerr
}

func (p *filterParser) parseAnd() (filterExpr, *graphError) {
	left, gerr := p.parseUnary()
	for gerr == nil && p.keyword("and") {
		var right filterExpr
		if right, gerr = p.parseUnary(); gerr == nil {
			left = logicalExpr{and: true, left: left, right: right}
		}
	}
	return left, gerr
}

func (p *filterParser) parseUnary() (filterExpr, *graphError) {
	if p.keyword("not") {
		p.needsAdvanced("not")
		inner, gerr := p.parseUnary()
		return notExpr{inner}, gerr
	}
	if t := p.peek(); t != nil && t.kind == "punct" && t.text == "(" {
		p.pos++
		inner, gerr := p.parseOr()
		if gerr != nil {
			return nil, gerr
		}
		return inner, p.expect(")")
	}
	if p.keyword("startswith") {
		if gerr := p.expect("("); gerr != nil {
			return nil, gerr
		}
		prop, kind, gerr := p.property()
		if gerr != nil {
			return nil, gerr
		}
		if gerr := p.expect(","); gerr != nil {
			return nil, gerr
		}
		lit, gerr := p.literal(kind)
		if gerr != nil {
			return nil, gerr
		}
		prefix, ok := lit.(string)
		if !ok {
			return nil, invalidFilter(p.raw, "startswith needs a string literal")
		}
		return startsWithExpr{prop, prefix}, p.expect(")")
	}
	prop, kind, gerr := p.property()
	if gerr != nil {
		return nil, gerr
	}
	switch {
	case p.keyword("eq"), p.keyword("ne"):
		op := strings.ToLower(p.toks[p.pos-1].text)
		if op == "ne" {
			p.needsAdvanced("ne")
		}
		lit, gerr := p.literal(kind)
		return compareExpr{property: prop, negate: op == "ne", value: lit}, gerr
	case p.keyword("in"):
		if gerr := p.expect("("); gerr != nil {
			return nil, gerr
		}
		var values []any
		for {
			lit, gerr := p.literal(kind)
			if gerr != nil {
				return nil, gerr
			}
			values = append(values, lit)
			if t := p.peek(); t != nil && t.kind == "punct" && t.text == "," {
				p.pos++
				continue
			}
			break
		}
		return inExpr{prop, values}, p.expect(")")
	}
	return nil, invalidFilter(p.raw, fmt.Sprintf("unsupported operator after '%s'", prop))
}

func (p *filterParser) needsAdvanced(op string) {
	if p.advanced == "" {
		p.advanced = op
	}
}

func (p *filterParser) property() (string, propKind, *graphError) {
	t := p.peek()
	if t == nil || t.kind != "ident" {
		return "", 0, invalidFilter(p.raw, "expected a property name")
	}
	p.pos++
	name, ok := p.schema.lookup(t.text)
	if !ok || !p.schema.filterable[name] {
		return "", 0, newGraphError(http.StatusBadRequest, "Request_UnsupportedQuery",
			fmt.Sprintf("Unsupported or invalid query filter clause specified for property '%s' of resource '%s'.", t.text, p.schema.resourceName))
	}
	return name, p.schema.properties[name], nil
}

// literal reads one literal and checks it against the property's type, as OData's binder does.
func (p *filterParser) literal(kind propKind) (any, *graphError) {
	t := p.peek()
	if t == nil || t.kind == "punct" {
		return nil, invalidFilter(p.raw, "expected a literal")
	}
	p.pos++
	var value any
	litType := "Edm.String"
	switch {
	case t.kind == "string":
		value = t.text
	case strings.EqualFold(t.text, "null"):
		return nil, nil
	case t.text == "true" || t.text == "false":
		value, litType = t.text == "true", "Edm.Boolean"
	case guidLiteral.MatchString(t.text):
		value, litType = t.text, "Edm.Guid"
	default:
		if f, err := strconv.ParseFloat(t.text, 64); err == nil {
			value, litType = f, "Edm.Int32"
		} else {
			return nil, invalidFilter(p.raw, fmt.Sprintf("unrecognized literal '%s' at position %d", t.text, t.pos))
		}
	}
	propType := map[propKind]string{propText: "Edm.String", propBoolean: "Edm.Boolean", propNumber: "Edm.Int32"}[kind]
	compatible := propType == litType || (propType == "Edm.String" && litType == "Edm.Guid")
	if !compatible {
		return nil, newGraphError(http.StatusBadRequest, "BadRequest",
			fmt.Sprintf("A binary operator with incompatible types was detected. Found operand types '%s' and '%s' for operator kind 'Equal'.", propType, litType))
	}
	return value, nil
}

// pathSegments splits an escaped URL path into unescaped segments, so that a UPN holding '#' or '/' (sent
// percent-encoded) stays one key segment.
func pathSegments(escapedPath string) []string {
	var out []string
	for _, part := range strings.Split(escapedPath, "/") {
		if part == "" {
			continue
		}
		if u, err := url.PathUnescape(part); err == nil {
			part = u
		}
		out = append(out, part)
	}
	return out
}
