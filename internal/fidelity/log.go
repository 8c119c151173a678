package fidelity

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// LogResult is the verdict on request logs: what was checked and the distinct problems found.
type LogResult struct {
	Graph, ARM, Beta, Skipped int
	Failures                  []string
	seen                      map[string]bool
}

// Summary is the count line check-log.py printed.
func (r *LogResult) Summary() string {
	return fmt.Sprintf("requests: %d Graph, %d ARM checked; %d beta unchecked; %d other skipped; %d distinct problems",
		r.Graph, r.ARM, r.Beta, r.Skipped, len(r.Failures))
}

// Verdict is empty when the logs pass, else why they fail: a problem, a /beta request (unless allowUnchecked:
// it cannot be checked against v1.0), or no Graph or ARM request at all.
func (r *LogResult) Verdict(allowUnchecked bool) string {
	switch {
	case len(r.Failures) > 0:
		return fmt.Sprintf("%d distinct problems", len(r.Failures))
	case r.Beta > 0 && !allowUnchecked:
		return "beta requests cannot be checked against v1.0 (use --allow-unchecked to accept)"
	case r.Graph+r.ARM == 0:
		return "no Graph or ARM request found in the log"
	}
	return ""
}

// LogChecker checks request logs, one JSON object a line with method, url (or path, uri), body (or request_body,
// requestBody; an object, a JSON string or absent) and optional status: Graph /v1.0 requests against the CSDL, ARM
// requests (/subscriptions/..., /providers/...) against the fragments. Token, metadata and the simulator's own
// routes are skipped, /beta requests counted as unchecked. Redacted secrets are fine: only their JSON kind counts.
type LogChecker struct {
	graph *Graph
	arm   *ARM
}

// NewLogChecker loads both models.
func NewLogChecker() (*LogChecker, error) {
	g, err := LoadGraph()
	if err != nil {
		return nil, err
	}
	a, err := LoadARM()
	if err != nil {
		return nil, err
	}
	return &LogChecker{graph: g, arm: a}, nil
}

var (
	armRoot = regexp.MustCompile(`(?i)^/(subscriptions|providers)/`)
	guid    = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f-]{27}`)
)

// Check adds the requests of one log (named name in failures) to res.
func (c *LogChecker) Check(name string, r io.Reader, res *LogResult) error {
	if res.seen == nil {
		res.seen = map[string]bool{}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 64*1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if strings.TrimSpace(string(line)) == "" {
			continue
		}
		v, err := decodeJSON(line)
		rec, isObj := v.(map[string]any)
		if err != nil || !isObj {
			res.Failures = append(res.Failures, fmt.Sprintf("%s:%d: not a JSON line", name, n))
			continue
		}
		method := strings.ToUpper(pyStrOrEmpty(field(rec, "method")))
		url := pyStrOrEmpty(field(rec, "url", "path", "uri"))
		p := hostPrefix.ReplaceAllString(url, "")
		var errs []string
		switch {
		case strings.HasPrefix(p, "/v1.0/"):
			res.Graph++
			errs = c.graph.check(method, strings.TrimPrefix(p, "/v1.0"), bodyOf(rec))
		case strings.HasPrefix(p, "/beta/"):
			res.Beta++
			continue
		case armRoot.MatchString(p):
			res.ARM++
			errs = c.checkARM(method, url, bodyOf(rec))
		default:
			res.Skipped++
			continue
		}
		path, _, _ := strings.Cut(url, "?")
		for _, e := range errs {
			key := method + " " + guid.ReplaceAllString(path, "{id}") + " " + e
			if res.seen[key] {
				continue
			}
			res.seen[key] = true
			res.Failures = append(res.Failures, fmt.Sprintf("%s:%d: %s %s: %s", name, n, method, url, e))
		}
	}
	return sc.Err()
}

func (c *LogChecker) checkARM(method, url string, body any) []string {
	res := c.arm.checkRequest(method, url, body)
	if !res.Matched {
		msg := fmt.Sprintf("no ARM spec operation for %s %s", method, url)
		if len(res.Near) > 0 {
			msg += "; " + strings.Join(res.Near, "; ")
		}
		return []string{msg}
	}
	return res.Errors
}

// field returns the first of names present in rec (null included).
func field(rec map[string]any, names ...string) any {
	for _, n := range names {
		if v, ok := rec[n]; ok {
			return v
		}
	}
	return nil
}

func pyStrOrEmpty(v any) string {
	if v == nil || v == "" || v == false {
		return ""
	}
	return pyStr(v)
}

// bodyOf reads the logged body: a JSON value, or a string holding JSON (kept as the string when it is not JSON).
func bodyOf(rec map[string]any) any {
	b := field(rec, "body", "request_body", "requestBody")
	s, isStr := b.(string)
	if !isStr {
		return b
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if v, err := decodeJSON([]byte(s)); err == nil {
		return v
	}
	return s
}
