package fidelity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// ARM is the set of swagger fragments: one per resource provider file and api-version.
type ARM struct {
	specs []*armSpec // by file name, as armcheck.py globbed them
}

type armSpec struct {
	file       string
	apiVersion string
	paths      []armPath // in file order: the first matching template wins
	defs       map[string]map[string]any
}

type armPath struct {
	template string
	rx       *regexp.Regexp
	ops      map[string]ARMOperation // lower-case method
}

// ARMOperation is one operation of a fragment.
type ARMOperation struct {
	OperationID  string `json:"operationId"`
	Body         string `json:"body"` // definition of the request body; empty when the operation takes none
	BodyRequired bool   `json:"bodyRequired"`
}

var (
	armOnce  sync.Once
	armModel *ARM
	armErr   error
)

// LoadARM reads the embedded swagger fragments once per process.
func LoadARM() (*ARM, error) {
	armOnce.Do(func() { armModel, armErr = loadARM() })
	return armModel, armErr
}

func loadARM() (*ARM, error) {
	files, err := fs.Glob(specFS, path.Join(armDir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	a := &ARM{}
	for _, f := range files {
		raw, err := fs.ReadFile(specFS, f)
		if err != nil {
			return nil, err
		}
		spec, err := parseARMSpec(path.Base(f), raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		a.specs = append(a.specs, spec)
	}
	return a, nil
}

func parseARMSpec(file string, raw []byte) (*armSpec, error) {
	var doc struct {
		APIVersion  string                     `json:"apiVersion"`
		Paths       json.RawMessage            `json:"paths"`
		Definitions map[string]json.RawMessage `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	s := &armSpec{file: file, apiVersion: doc.APIVersion, defs: map[string]map[string]any{}}
	for name, def := range doc.Definitions {
		v, err := decodeJSON(def)
		if err != nil {
			return nil, err
		}
		m, _ := v.(map[string]any)
		s.defs[name] = m
	}
	templates, err := objectKeys(doc.Paths)
	if err != nil {
		return nil, err
	}
	var ops map[string]map[string]ARMOperation
	if err := json.Unmarshal(doc.Paths, &ops); err != nil {
		return nil, err
	}
	for _, tmpl := range templates {
		s.paths = append(s.paths, armPath{template: tmpl, rx: templateRegexp(tmpl), ops: ops[tmpl]})
	}
	return s, nil
}

// objectKeys lists the keys of a JSON object in the order they are written.
func objectKeys(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		keys = append(keys, key)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

var templateParam = regexp.MustCompile(`\{[^}]+\}`)

// templateRegexp matches a path template case-insensitively, each {parameter} standing for one segment.
func templateRegexp(tmpl string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?i)^")
	last := 0
	for _, m := range templateParam.FindAllStringIndex(tmpl, -1) {
		b.WriteString(regexp.QuoteMeta(tmpl[last:m[0]]))
		b.WriteString("[^/]+")
		last = m[1]
	}
	b.WriteString(regexp.QuoteMeta(tmpl[last:]))
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// ARMResult is the verdict on one ARM request.
type ARMResult struct {
	Matched   bool     // an operation of a fragment has this method, path and api-version
	Near      []string // when not matched: templates that matched the path but not the method or api-version
	Operation ARMOperation
	Errors    []string
	Warnings  []string // values outside extensible enums, readOnly properties sent
}

// match finds the operations for method and url (which carries ?api-version=).
func (a *ARM) match(method, url string) (hits []armHit, near []string) {
	p, q, _ := strings.Cut(url, "?")
	p = hostPrefix.ReplaceAllString(p, "")
	apiVersion, hasVersion := "", false
	for _, kv := range strings.Split(q, "&") {
		if k, v, ok := strings.Cut(kv, "="); ok && k == "api-version" {
			apiVersion, hasVersion = v, true
		}
	}
	for _, spec := range a.specs {
		for _, tp := range spec.paths {
			if !tp.rx.MatchString(p) {
				continue
			}
			op, ok := tp.ops[strings.ToLower(method)]
			switch {
			case !ok:
				near = append(near, fmt.Sprintf("%s: method %s not defined for %s", spec.file, method, tp.template))
			case !hasVersion || apiVersion != spec.apiVersion:
				got := "None"
				if hasVersion {
					got = "'" + apiVersion + "'"
				}
				near = append(near, fmt.Sprintf("%s: api-version %s != %s", spec.file, got, spec.apiVersion))
			default:
				hits = append(hits, armHit{spec, op})
			}
		}
	}
	return hits, near
}

type armHit struct {
	spec *armSpec
	op   ARMOperation
}

// CheckRequest matches an ARM request to its operation and checks a PUT, PATCH or POST body (nil when there is
// none) against the operation's body definition. A body that is not JSON gives Errors only.
func (a *ARM) CheckRequest(method, url string, body []byte) ARMResult {
	v, errs := decodeBody(body)
	if errs != nil {
		return ARMResult{Errors: errs}
	}
	return a.checkRequest(method, url, v)
}

func (a *ARM) checkRequest(method, url string, body any) ARMResult {
	var res ARMResult
	hits, near := a.match(method, url)
	if len(hits) == 0 {
		res.Near = near
		return res
	}
	hit := hits[0]
	res.Matched, res.Operation = true, hit.op
	write := method == "PUT" || method == "PATCH" || method == "POST"
	switch {
	case body != nil && write && hit.op.Body == "":
		res.Errors = append(res.Errors, fmt.Sprintf("operation %s takes no body", hit.op.OperationID))
	case body != nil && write:
		hit.spec.check(map[string]any{"$ref": "#/definitions/" + hit.op.Body}, body, hit.op.Body, &res)
	case body == nil && write && hit.op.BodyRequired:
		res.Errors = append(res.Errors, "body required for "+hit.op.OperationID)
	}
	return res
}

// deref follows local $refs; readOnly and required written beside a $ref are kept.
func (s *armSpec) deref(schema any) map[string]any {
	m, _ := schema.(map[string]any)
	for {
		ref, _ := m["$ref"].(string)
		if !strings.HasPrefix(ref, "#/definitions/") {
			return m
		}
		def := s.defs[ref[strings.LastIndex(ref, "/")+1:]]
		merged := make(map[string]any, len(def)+2)
		for k, v := range def {
			merged[k] = v
		}
		for _, k := range []string{"readOnly", "required"} {
			if v, ok := m[k]; ok {
				merged[k] = v
			}
		}
		m = merged
	}
}

// flatten merges an allOf chain into its properties, required names and additionalProperties.
func (s *armSpec) flatten(schema any) (props map[string]any, required []string, additional any) {
	m := s.deref(schema)
	props = map[string]any{}
	if req, ok := m["required"].([]any); ok {
		for _, r := range req {
			if name, isStr := r.(string); isStr {
				required = append(required, name)
			}
		}
	}
	bases, _ := m["allOf"].([]any)
	for _, base := range bases {
		p, r, _ := s.flatten(base)
		for k, v := range p {
			props[k] = v
		}
		required = append(required, r...)
	}
	own, _ := m["properties"].(map[string]any)
	for k, v := range own {
		props[k] = v
	}
	return props, required, m["additionalProperties"]
}

// isoDuration is armcheck.py's duration pattern; RE2 has no lookahead, so "P" alone and "T" without a number
// after it are refused in isDuration.
var isoDuration = regexp.MustCompile(`^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$`)

func isDuration(v string) bool {
	m := isoDuration.FindStringSubmatch(v)
	return m != nil && v != "P" && (m[5] == "" || len(m[5]) > 1)
}

// check adds to res what armcheck.py reports for v against schema: errors for what the API refuses, warnings for
// values outside an extensible enum and readOnly properties sent.
func (s *armSpec) check(schema any, v any, where string, res *ARMResult) {
	if m, ok := schema.(map[string]any); ok {
		if ref, isStr := m["$ref"].(string); isStr && !strings.HasPrefix(ref, "#/") {
			return // external common-types ref (e.g. systemData): not transcribed
		}
	}
	sch := s.deref(schema)
	errf := func(format string, args ...any) { res.Errors = append(res.Errors, fmt.Sprintf(format, args...)) }
	if v == nil {
		if sch["x-nullable"] == false {
			errf("%s: null not allowed", where)
		}
		return
	}
	t, _ := sch["type"].(string)
	if t == "" {
		_, hasProps := sch["properties"]
		_, hasAllOf := sch["allOf"]
		if hasProps || hasAllOf {
			t = "object"
		}
	}
	if enum, ok := sch["enum"].([]any); ok && !inEnum(v, enum, t) {
		xms, _ := sch["x-ms-enum"].(map[string]any)
		if xms["modelAsString"] == false {
			errf("%s: %s not in closed enum %s", where, repr(v), repr(enum))
		} else {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: %s not in extensible enum %s", where, repr(v), repr(enum)))
		}
	}
	switch t {
	case "string":
		checkString(sch, v, where, errf)
	case "boolean":
		if _, ok := v.(bool); !ok {
			errf("%s: expected boolean, got %s", where, repr(v))
		}
	case "integer", "number":
		checkNumber(sch, t, v, where, errf)
	case "array":
		s.checkArray(sch, v, where, res, errf)
	case "object":
		s.checkObject(schema, v, where, res, errf)
	}
}

func checkString(sch map[string]any, v any, where string, errf func(string, ...any)) {
	str, ok := v.(string)
	if !ok {
		errf("%s: expected string, got %s", where, repr(v))
		return
	}
	if sch["format"] == "duration" && !isDuration(str) {
		errf("%s: %s is not an ISO-8601 duration", where, repr(str))
	}
	if maxLen, ok := sch["maxLength"]; ok && isNumber(maxLen) && float64(utf8.RuneCountInString(str)) > number(maxLen) {
		errf("%s: length %d > maxLength %s", where, utf8.RuneCountInString(str), repr(maxLen))
	}
}

func checkNumber(sch map[string]any, t string, v any, where string, errf func(string, ...any)) {
	if !isNumber(v) || (t == "integer" && number(v) != math.Trunc(number(v))) {
		errf("%s: expected %s, got %s", where, t, repr(v))
		return
	}
	if minimum, ok := sch["minimum"]; ok && isNumber(minimum) && number(v) < number(minimum) {
		errf("%s: %s < minimum %s", where, repr(v), repr(minimum))
	}
}

func (s *armSpec) checkArray(sch map[string]any, v any, where string, res *ARMResult, errf func(string, ...any)) {
	list, ok := v.([]any)
	if !ok {
		errf("%s: expected array", where)
		return
	}
	items := sch["items"]
	if items == nil {
		items = map[string]any{}
	}
	for i, x := range list {
		s.check(items, x, fmt.Sprintf("%s[%d]", where, i), res)
	}
}

// checkObject checks required properties, then each property present: known ones against their schema (a readOnly
// one sent is a warning), unknown ones against additionalProperties (absent or false: an error).
func (s *armSpec) checkObject(schema any, v any, where string, res *ARMResult, errf func(string, ...any)) {
	obj, ok := v.(map[string]any)
	if !ok {
		errf("%s: expected object", where)
		return
	}
	props, required, additional := s.flatten(schema)
	for _, r := range required {
		if _, present := obj[r]; !present {
			errf("%s: required property '%s' missing", where, r)
		}
	}
	for _, k := range sortedKeys(obj) {
		if ps, known := props[k]; known {
			psm, _ := ps.(map[string]any)
			if s.deref(ps)["readOnly"] == true || psm["readOnly"] == true {
				res.Warnings = append(res.Warnings, fmt.Sprintf("%s.%s: readOnly property sent in request", where, k))
			}
			s.check(ps, obj[k], where+"."+k, res)
			continue
		}
		switch additional := additional.(type) {
		case map[string]any:
			s.check(additional, obj[k], where+"."+k, res)
		case bool:
			if !additional {
				errf("%s.%s: unknown property", where, k)
			}
		default:
			errf("%s.%s: unknown property", where, k)
		}
	}
}

// inEnum compares as Python's "in" did: numbers by value; a number also matches its spelling in a string enum.
func inEnum(v any, enum []any, t string) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false // enums list scalars
	}
	for _, e := range enum {
		switch {
		case isNumber(v) && isNumber(e):
			if number(v) == number(e) {
				return true
			}
		case v == e:
			return true
		}
	}
	if n, ok := v.(json.Number); ok && t == "number" && len(enum) > 0 && isString(enum[0]) {
		for _, e := range enum {
			if e == string(n) {
				return true
			}
		}
	}
	return false
}
