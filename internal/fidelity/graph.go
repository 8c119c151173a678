package fidelity

import (
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Graph is the Microsoft Graph v1.0 model: types, the entity container and the bound operations of the CSDL.
type Graph struct {
	types     map[string]*edmType
	container map[string]string           // entity set or singleton -> its type (a collection for entity sets)
	bound     map[string][]boundOperation // name -> overloads, in document order
}

type edmType struct {
	kind       string // EntityType, ComplexType or EnumType
	base       string
	abstract   bool
	flags      bool
	properties []edmProperty
	navs       []edmProperty
	members    []string
}

type edmProperty struct {
	Name     string `xml:"Name,attr"`
	Type     string `xml:"Type,attr"`
	Nullable string `xml:"Nullable,attr"`
}

type boundOperation struct {
	binding string // type of the first parameter, normalised
	returns string // raw return type; empty for none
	params  []string
}

var (
	graphOnce  sync.Once
	graphModel *Graph
	graphErr   error
)

// LoadGraph parses the embedded CSDL once per process (about a second) and shares the model.
func LoadGraph() (*Graph, error) {
	graphOnce.Do(func() {
		f, err := specFS.Open(csdlFile)
		if err != nil {
			graphErr = err
			return
		}
		defer f.Close()
		z, err := gzip.NewReader(f)
		if err != nil {
			graphErr = err
			return
		}
		graphModel, graphErr = parseCSDL(z)
	})
	return graphModel, graphErr
}

func parseCSDL(r io.Reader) (*Graph, error) {
	g := &Graph{types: map[string]*edmType{}, container: map[string]string{}, bound: map[string][]boundOperation{}}
	dec := xml.NewDecoder(r)
	ns := ""
	depth, schemaDepth := 0, -1
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("CSDL: %w", err)
		}
		switch el := tok.(type) {
		case xml.EndElement:
			depth--
			if depth == schemaDepth {
				schemaDepth = -1
			}
		case xml.StartElement:
			depth++
			if el.Name.Local == "Schema" {
				ns, schemaDepth = attr(el, "Namespace"), depth
				continue
			}
			if schemaDepth < 0 || depth != schemaDepth+1 {
				continue
			}
			if err := g.addSchemaElement(dec, el, ns); err != nil {
				return nil, err
			}
			depth-- // the element was consumed whole
		}
	}
	return g, nil
}

func attr(el xml.StartElement, name string) string {
	for _, a := range el.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// addSchemaElement reads one child of a Schema: a type, an operation or the entity container.
func (g *Graph) addSchemaElement(dec *xml.Decoder, el xml.StartElement, ns string) error {
	switch el.Name.Local {
	case "EntityType", "ComplexType", "EnumType":
		var t struct {
			Name       string        `xml:"Name,attr"`
			BaseType   string        `xml:"BaseType,attr"`
			Abstract   string        `xml:"Abstract,attr"`
			IsFlags    string        `xml:"IsFlags,attr"`
			Properties []edmProperty `xml:"Property"`
			Navs       []edmProperty `xml:"NavigationProperty"`
			Members    []struct {
				Name string `xml:"Name,attr"`
			} `xml:"Member"`
		}
		if err := dec.DecodeElement(&t, &el); err != nil {
			return err
		}
		et := &edmType{kind: el.Name.Local, base: norm(t.BaseType), abstract: t.Abstract == "true", flags: t.IsFlags == "true",
			properties: t.Properties, navs: t.Navs}
		for _, m := range t.Members {
			et.members = append(et.members, m.Name)
		}
		g.types[ns+"."+t.Name] = et
	case "Action", "Function":
		var op struct {
			Name    string        `xml:"Name,attr"`
			IsBound string        `xml:"IsBound,attr"`
			Params  []edmProperty `xml:"Parameter"`
			Return  *edmProperty  `xml:"ReturnType"`
		}
		if err := dec.DecodeElement(&op, &el); err != nil {
			return err
		}
		if op.IsBound != "true" || len(op.Params) == 0 {
			return nil
		}
		b := boundOperation{binding: norm(op.Params[0].Type)}
		if op.Return != nil {
			b.returns = op.Return.Type
		}
		for _, p := range op.Params[1:] {
			b.params = append(b.params, p.Name)
		}
		g.bound[op.Name] = append(g.bound[op.Name], b)
	case "EntityContainer":
		var c struct {
			Sets []struct {
				Name       string `xml:"Name,attr"`
				EntityType string `xml:"EntityType,attr"`
			} `xml:"EntitySet"`
			Singletons []struct {
				Name string `xml:"Name,attr"`
				Type string `xml:"Type,attr"`
			} `xml:"Singleton"`
		}
		if err := dec.DecodeElement(&c, &el); err != nil {
			return err
		}
		for _, s := range c.Sets {
			g.container[s.Name] = "Collection(" + s.EntityType + ")"
		}
		for _, s := range c.Singletons {
			g.container[s.Name] = s.Type
		}
	default:
		return dec.Skip()
	}
	return nil
}

// norm spells the CSDL's alias "graph." as the namespace "microsoft.graph.".
func norm(t string) string {
	return strings.ReplaceAll(strings.ReplaceAll(t, "graph.", "microsoft.graph."), "microsoft.microsoft.", "microsoft.")
}

type member struct {
	typ      string
	nullable bool
}

// members returns the structural and navigation properties of fq with those of its base types, and the chain of
// type names from fq up.
func (g *Graph) members(fq string) (props map[string]member, navs map[string]string, chain []string) {
	props, navs = map[string]member{}, map[string]string{}
	for fq != "" {
		t, ok := g.types[fq]
		if !ok {
			break
		}
		chain = append(chain, fq)
		for _, p := range t.properties {
			if _, seen := props[p.Name]; !seen {
				props[p.Name] = member{norm(p.Type), p.Nullable != "false"}
			}
		}
		for _, p := range t.navs {
			if _, seen := navs[p.Name]; !seen {
				navs[p.Name] = norm(p.Type)
			}
		}
		fq = t.base
	}
	return props, navs, chain
}

func (g *Graph) derives(t, base string) bool {
	_, _, chain := g.members(t)
	return slices.Contains(chain, base)
}

func splitColl(t string) (bool, string) {
	if strings.HasPrefix(t, "Collection(") && strings.HasSuffix(t, ")") {
		return true, t[len("Collection(") : len(t)-1]
	}
	return false, t
}

var (
	hostPrefix       = regexp.MustCompile(`^https?://[^/]+`)
	versionPrefix    = regexp.MustCompile(`^/(v1\.0|beta)(/|$)`)
	parenthesised    = regexp.MustCompile(`\(.*\)$`)
	batchAbsoluteURL = regexp.MustCompile(`^(https?:|/?(v1\.0|beta)/)`)
)

// Resolve follows url segment by segment through the CSDL and returns the type it addresses, "$batch" for the
// batch endpoint, or the problems that stopped it.
func (g *Graph) Resolve(url string) (string, []string) {
	u, _, _ := strings.Cut(hostPrefix.ReplaceAllString(url, ""), "?")
	if m := versionPrefix.FindStringSubmatchIndex(u); m != nil {
		u = u[m[3]:] // keep the slash after the version
	}
	var segs []string
	for _, s := range strings.Split(u, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	if len(segs) == 0 {
		return "", []string{"empty path"}
	}
	if len(segs) == 1 && segs[0] == "$batch" {
		return "$batch", nil
	}
	cur, ok := g.container[segs[0]]
	if !ok {
		return "", []string{fmt.Sprintf("'%s' is not an entity set or singleton of the v1.0 EntityContainer", segs[0])}
	}
	cur = norm(cur)
	for _, s := range segs[1:] {
		coll, t := splitColl(cur)
		switch s {
		case "$count":
			cur = "Edm.Int32"
			continue
		case "$value", "$ref":
			continue
		}
		if _, isType := g.types[s]; isType && strings.HasPrefix(s, "microsoft.graph.") { // type cast
			if !g.derives(s, t) {
				return "", []string{fmt.Sprintf("cast '%s' is not derived from %s", s, t)}
			}
			cur = s
			if coll {
				cur = "Collection(" + s + ")"
			}
			continue
		}
		name := strings.ReplaceAll(parenthesised.ReplaceAllString(s, ""), "microsoft.graph.", "")
		if op, found := g.boundOn(name, coll, t); found {
			cur = norm(op.returns)
			if cur == "" {
				cur = "None"
			}
			continue
		}
		if coll { // key segment
			if et, isType := g.types[t]; !isType || et.kind != "EntityType" {
				return "", []string{fmt.Sprintf("key segment '%s' after non-entity collection %s", s, cur)}
			}
			cur = t
			continue
		}
		if _, isType := g.types[t]; !isType {
			return "", []string{fmt.Sprintf("cannot navigate '%s' from %s", s, cur)}
		}
		props, navs, _ := g.members(t)
		if nav, isNav := navs[s]; isNav {
			cur = nav
		} else if p, isProp := props[s]; isProp {
			cur = p.typ
		} else {
			return "", []string{fmt.Sprintf("'%s' is not a property/navigation/bound operation of %s", s, t)}
		}
	}
	return cur, nil
}

// boundOn finds the first operation called name bound to t (or a base type of t), as a collection when coll.
func (g *Graph) boundOn(name string, coll bool, t string) (boundOperation, bool) {
	for _, op := range g.bound[name] {
		opColl, opType := splitColl(op.binding)
		if opColl == coll && g.derives(t, opType) {
			return op, true
		}
	}
	return boundOperation{}, false
}

// ActionParameters lists, sorted, the non-binding parameters of the bound operation name whose binding parameter
// has type binding (e.g. "microsoft.graph.application" or "Collection(microsoft.graph.directoryObject)").
func (g *Graph) ActionParameters(name, binding string) []string {
	var out []string
	for _, op := range g.bound[name] {
		if op.binding == binding {
			out = slices.Sorted(slices.Values(op.params))
		}
	}
	return out
}

var primitives = map[string]func(any) bool{
	"Edm.String":  isString,
	"Edm.Boolean": func(v any) bool { _, ok := v.(bool); return ok },
	"Edm.Int32":   isInteger,
	"Edm.Int64":   isInteger,
	"Edm.Int16":   isInteger,
	"Edm.Byte":    isInteger,
	"Edm.Double": func(v any) bool {
		return isNumber(v) || v == "NaN" || v == "INF" || v == "-INF"
	},
	"Edm.Single":         isNumber,
	"Edm.Decimal":        isNumber,
	"Edm.Guid":           matches(`^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$`),
	"Edm.DateTimeOffset": matches(`^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$`),
	"Edm.Date":           matches(`^\d{4}-\d\d-\d\d$`),
	"Edm.TimeOfDay":      matches(`^\d\d:\d\d(:\d\d(\.\d+)?)?$`),
	"Edm.Duration": func(v any) bool {
		return matches(`^-?P(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$`)(v) && v != "P" && v != "PT"
	},
	"Edm.Binary":  matches(`^[A-Za-z0-9+/_-]*={0,2}$`),
	"Edm.Stream":  func(any) bool { return true },
	"Edm.Untyped": func(any) bool { return true },
}

func isString(v any) bool {
	_, ok := v.(string)
	return ok
}

func matches(pattern string) func(any) bool {
	rx := regexp.MustCompile(pattern)
	return func(v any) bool {
		s, ok := v.(string)
		return ok && rx.MatchString(s)
	}
}

func (g *Graph) checkValue(t string, v any, where string, errs *[]string, nullable bool) {
	coll, et := splitColl(t)
	if v == nil {
		if !nullable {
			*errs = append(*errs, fmt.Sprintf("%s: null not allowed (Nullable=false, %s)", where, t))
		}
		return
	}
	if coll {
		list, ok := v.([]any)
		if !ok {
			*errs = append(*errs, fmt.Sprintf("%s: expected JSON array for %s", where, t))
			return
		}
		for i, x := range list {
			g.checkValue(et, x, fmt.Sprintf("%s[%d]", where, i), errs, false)
		}
		return
	}
	if valid, ok := primitives[et]; ok {
		if !valid(v) {
			*errs = append(*errs, fmt.Sprintf("%s: %s is not a valid %s", where, repr(v), et))
		}
		return
	}
	typ, ok := g.types[et]
	if !ok {
		*errs = append(*errs, fmt.Sprintf("%s: unknown type %s", where, et))
		return
	}
	if typ.kind == "EnumType" {
		values := []any{v}
		if s, isStr := v.(string); isStr && typ.flags {
			values = nil
			for _, x := range strings.Split(s, ",") {
				values = append(values, strings.TrimSpace(x))
			}
		}
		for _, x := range values {
			if s, isStr := x.(string); !isStr || !slices.Contains(typ.members, s) {
				*errs = append(*errs, fmt.Sprintf("%s: %s is not a member of enum %s %v", where, repr(x), et, typ.members))
			}
		}
		return
	}
	g.checkObject(et, v, where, errs)
}

func (g *Graph) checkObject(t string, v any, where string, errs *[]string) {
	obj, ok := v.(map[string]any)
	if !ok {
		*errs = append(*errs, fmt.Sprintf("%s: expected JSON object for %s", where, t))
		return
	}
	if ot, _ := obj["@odata.type"].(string); ot != "" {
		d := norm(strings.TrimLeft(ot, "#"))
		switch {
		case g.types[d] == nil:
			*errs = append(*errs, fmt.Sprintf("%s: @odata.type %s is unknown", where, ot))
		case !g.derives(d, t):
			*errs = append(*errs, fmt.Sprintf("%s: @odata.type %s does not derive from %s", where, d, t))
		default:
			t = d
		}
	}
	props, navs, _ := g.members(t)
	for _, k := range sortedKeys(obj) {
		w := where + "." + k
		if strings.HasPrefix(k, "@") {
			continue
		}
		if strings.Contains(k, "@odata.") {
			base, _, _ := strings.Cut(k, "@")
			_, isNav := navs[base]
			_, isProp := props[base]
			if base != "" && !isNav && !isProp {
				*errs = append(*errs, fmt.Sprintf("%s: annotation on unknown property/navigation '%s' of %s", w, base, t))
			}
			continue
		}
		if p, isProp := props[k]; isProp {
			g.checkValue(p.typ, obj[k], w, errs, p.nullable)
		} else if nav, isNav := navs[k]; isNav {
			g.checkValue(nav, obj[k], w, errs, true) // deep insert
		} else {
			*errs = append(*errs, fmt.Sprintf("%s: '%s' is not a property of %s (or its base types)", w, k, t))
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// pyStr spells a batch id as Python's str() does, so ids compare as they did in graphcheck.py.
func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	default:
		return repr(x)
	}
}

var batchMembers = []string{"atomicityGroup", "body", "dependsOn", "headers", "id", "method", "url"}

func (g *Graph) checkBatch(body any, errs *[]string) {
	obj, _ := body.(map[string]any)
	reqs, _ := obj["requests"].([]any)
	if len(reqs) == 0 {
		*errs = append(*errs, `$batch: body must be {"requests": [...]} with at least one request`)
		return
	}
	if len(reqs) > 20 {
		*errs = append(*errs, fmt.Sprintf("$batch: %d requests; JSON batching allows at most 20", len(reqs)))
	}
	ids, allIDs := map[string]bool{}, map[string]bool{}
	for _, x := range reqs {
		if r, isObj := x.(map[string]any); isObj {
			allIDs[strings.ToLower(pyStr(r["id"]))] = true
		}
	}
	for i, x := range reqs {
		r, _ := x.(map[string]any)
		w := fmt.Sprintf("$batch.requests[%d]", i)
		for _, k := range []string{"id", "method", "url"} {
			if !isString(r[k]) {
				*errs = append(*errs, fmt.Sprintf("%s: %s (string) is required", w, k))
			}
		}
		var extra []string
		for _, k := range sortedKeys(r) {
			if !slices.Contains(batchMembers, k) {
				extra = append(extra, "'"+k+"'")
			}
		}
		if len(extra) > 0 {
			*errs = append(*errs, fmt.Sprintf("%s: unexpected members [%s]", w, strings.Join(extra, ", ")))
		}
		id := strings.ToLower(pyStr(r["id"])) // ids are case-insensitive and must be unique
		if ids[id] {
			*errs = append(*errs, fmt.Sprintf("%s: duplicate id %s", w, repr(r["id"])))
		}
		ids[id] = true
		url, urlIsString := r["url"].(string)
		if urlIsString && batchAbsoluteURL.MatchString(url) {
			*errs = append(*errs, fmt.Sprintf(`%s: url must be relative to the version root (e.g. "/users/{id}"), got %s`, w, repr(url)))
		}
		if _, hasBody := r["body"]; hasBody {
			if _, isObj := r["headers"].(map[string]any); !isObj {
				*errs = append(*errs, fmt.Sprintf("%s: a request with a body needs headers (Content-Type)", w))
			}
		}
		deps, _ := r["dependsOn"].([]any)
		for _, d := range deps {
			if dep := strings.ToLower(pyStr(d)); !allIDs[dep] || dep == id {
				*errs = append(*errs, fmt.Sprintf("%s: dependsOn %s does not name another request id in the batch", w, repr(d)))
			}
		}
		if method, isStr := r["method"].(string); isStr && urlIsString {
			g.checkRequest(method, url, r["body"], errs, w+": ")
		}
	}
}

// checkRequest resolves url and checks the body of a write against the addressed type; it returns the type, or ""
// when the path does not resolve.
func (g *Graph) checkRequest(method, url string, body any, errs *[]string, prefix string) string {
	t, probs := g.Resolve(url)
	for _, p := range probs {
		*errs = append(*errs, prefix+p)
	}
	if t == "" {
		return ""
	}
	m := strings.ToUpper(method)
	if t == "$batch" {
		if m != "POST" {
			*errs = append(*errs, prefix+"$batch must be POST")
		}
		g.checkBatch(body, errs)
		return t
	}
	if body != nil && (m == "POST" || m == "PATCH" || m == "PUT") {
		coll, et := splitColl(t)
		typ, known := g.types[et]
		if m == "POST" && !coll && known && typ.kind == "EntityType" {
			*errs = append(*errs, prefix+fmt.Sprintf("POST to a single entity %s (not a collection/action)", et))
		}
		if known {
			g.checkObject(et, body, prefix+et, errs)
		}
	}
	return t
}

// CheckRequest checks one Graph request (url with or without /v1.0 and host; body nil when there is none): the
// path resolves, and a POST, PATCH or PUT body fits the addressed type. A $batch body is checked as an envelope and
// every inner request as a request of its own.
func (g *Graph) CheckRequest(method, url string, body []byte) []string {
	v, errs := decodeBody(body)
	if errs != nil {
		return errs
	}
	return g.check(method, url, v)
}

func (g *Graph) check(method, url string, body any) []string {
	var errs []string
	if t := g.checkRequest(method, url, body, &errs, ""); t == "" && len(errs) == 0 {
		errs = append(errs, "path does not resolve in the CSDL")
	}
	return errs
}

// CheckResponse checks a GET answer for url: {"value": [...]} of the element type for a collection, an object of
// the type otherwise.
func (g *Graph) CheckResponse(url string, body []byte) []string {
	v, errs := decodeBody(body)
	if errs != nil {
		return errs
	}
	t, errs := g.Resolve(url)
	if t == "" {
		return errs
	}
	coll, et := splitColl(t)
	if !coll {
		g.checkValue(et, v, et, &errs, false)
		return errs
	}
	obj, _ := v.(map[string]any)
	values, ok := obj["value"].([]any)
	if !ok {
		return append(errs, `collection response must be {"value": [...]}`)
	}
	for _, k := range sortedKeys(obj) {
		if k != "value" && !strings.HasPrefix(k, "@odata.") {
			errs = append(errs, fmt.Sprintf("unexpected top-level member '%s' in collection response", k))
		}
	}
	for i, x := range values {
		g.checkValue(et, x, fmt.Sprintf("%s.value[%d]", et, i), &errs, false)
	}
	return errs
}

// decodeBody reads a JSON body; nil or empty input is no body.
func decodeBody(body []byte) (any, []string) {
	if len(body) == 0 {
		return nil, nil
	}
	v, err := decodeJSON(body)
	if err != nil {
		return nil, []string{"body is not JSON: " + err.Error()}
	}
	return v, nil
}

// Type describes one CSDL type as declared (base types not merged), for comparisons with the simulator's schemas.
type Type struct {
	Kind       string // EntityType, ComplexType or EnumType
	BaseType   string
	Abstract   bool
	IsFlags    bool
	Members    []string
	Properties map[string]Property
	Navigation map[string]string // name -> type
}

// Property is a structural property of a Type.
type Property struct {
	Type     string
	Nullable bool
}

// Type returns the declared shape of the type named fq (e.g. "microsoft.graph.conditionalAccessPolicy").
func (g *Graph) Type(fq string) (Type, bool) {
	t, ok := g.types[fq]
	if !ok {
		return Type{}, false
	}
	out := Type{Kind: t.kind, BaseType: t.base, Abstract: t.abstract, IsFlags: t.flags, Members: t.members,
		Properties: map[string]Property{}, Navigation: map[string]string{}}
	for _, p := range t.properties {
		out.Properties[p.Name] = Property{norm(p.Type), p.Nullable != "false"}
	}
	for _, p := range t.navs {
		out.Navigation[p.Name] = norm(p.Type)
	}
	return out, true
}
