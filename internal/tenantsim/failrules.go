package tenantsim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// FailRule makes matching Graph or ARM requests fail, for tests of what a client does when one step of a composite
// operation fails (e.g. the alert rule's PUT after the action group's succeeded).
//
// A request matches when Method is empty or equal (case-insensitive) and the request path contains PathContains
// (case-insensitive; the query string is not part of the path). A matching request is answered with Status (500
// when 0) and an error body in the API's own format, with Code and Message (defaults "InternalServerError" and
// "Injected failure."), and is not executed. Count is how many requests fail before the rule expires (0 = until
// undone). 429 and 503 answers carry Retry-After: 1.
//
// Rules apply after authentication and the knobs' faults; each Graph $batch item is matched on its own path (the
// /v1.0/$batch request itself is matched too). Note that clients with a retry policy (azcore, kiota) retry 408,
// 429, 500, 502, 503 and 504 answers, so a rule with a small Count on those statuses may be retried away.
//
// AfterExecute makes the failure a lost answer instead: the request is executed as usual (the write happens) and
// its answer is thrown away and replaced by the failure, as when a gateway times out or a connection drops after
// the service committed. It is for tests of what a client does with a write it believes failed: a create retried
// by hand must not leave a twin behind, state must record what may exist. For ARM requests the request runs
// through the route table without the api-version and subscription checks of a first attempt (the rule matched
// a request the client already sent in the right form).
type FailRule struct {
	Method       string
	PathContains string
	Status       int
	Code         string
	Message      string
	Count        int
	AfterExecute bool
}

// failRuleSet holds the active rules in the order they were added; the first match wins.
type failRuleSet struct {
	mu    sync.Mutex
	rules []*activeFailRule
}

type activeFailRule struct {
	FailRule
	remaining int // -1 = until undone
}

// FailRequests adds a rule and returns a function that removes it (safe to call more than once).
func (s *Server) FailRequests(rule FailRule) (undo func()) {
	set := &s.dir.arm.fail
	active := &activeFailRule{FailRule: rule, remaining: rule.Count}
	if rule.Count <= 0 {
		active.remaining = -1
	}
	if active.Status == 0 {
		active.Status = http.StatusInternalServerError
	}
	if active.Code == "" {
		active.Code = "InternalServerError"
	}
	if active.Message == "" {
		active.Message = "Injected failure."
	}
	set.mu.Lock()
	set.rules = append(set.rules, active)
	set.mu.Unlock()
	return func() {
		set.mu.Lock()
		defer set.mu.Unlock()
		set.removeLocked(active)
	}
}

func (set *failRuleSet) removeLocked(rule *activeFailRule) {
	for i, r := range set.rules {
		if r == rule {
			set.rules = append(set.rules[:i:i], set.rules[i+1:]...)
			return
		}
	}
}

// match finds the first rule for a request and uses up one of its failures.
func (set *failRuleSet) match(method, path string) *FailRule {
	set.mu.Lock()
	defer set.mu.Unlock()
	lower := strings.ToLower(path)
	for _, r := range set.rules {
		if r.Method != "" && !strings.EqualFold(r.Method, method) {
			continue
		}
		if !strings.Contains(lower, strings.ToLower(r.PathContains)) {
			continue
		}
		matched := r.FailRule
		if r.remaining > 0 {
			r.remaining--
			if r.remaining == 0 {
				set.removeLocked(r)
			}
		}
		return &matched
	}
	return nil
}

// executedKey marks a request that an AfterExecute rule runs itself, so that the rules are not matched again.
type executedKey struct{}

// failRequest answers a request that a FailRequests rule matches; it reports whether it did.
func (s *Server) failRequest(w http.ResponseWriter, r *http.Request, arm bool) bool {
	if s.dir == nil || s.dir.arm == nil || r.Context().Value(executedKey{}) != nil {
		return false
	}
	rule := s.dir.arm.fail.match(r.Method, r.URL.Path)
	if rule == nil {
		return false
	}
	if rule.AfterExecute {
		s.execute(r, arm)
	}
	if rule.Status == http.StatusTooManyRequests || rule.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	if arm {
		writeARMError(w, rule.Status, rule.Code, rule.Message)
	} else {
		writeGraphError(w, r, newGraphError(rule.Status, rule.Code, rule.Message))
	}
	return true
}

// execute runs a request whose answer an AfterExecute rule replaces, and discards the answer.
func (s *Server) execute(r *http.Request, arm bool) {
	rec := httptest.NewRecorder()
	r = r.WithContext(context.WithValue(r.Context(), executedKey{}, true))
	if !arm {
		s.dispatchGraph(rec, r)
		return
	}
	s.dispatchARM(rec, r, pathSegments(r.URL.EscapedPath()), r.URL.Query().Get("api-version"))
}
