package acctest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// GraphRequests counts the Graph requests the provider logged into logs (a tflogtest.RootLogger's buffer), every
// attempt and retry included: the request budgets of the data sources are checked against it.
func GraphRequests(t *testing.T, logs *bytes.Buffer) int {
	t.Helper()
	entries, err := tflogtest.MultilineJSONDecode(logs)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e["@message"] == "HTTP request" && e["api"] == "graph" {
			n++
		}
	}
	return n
}

// GraphPages is how many list pages Graph answers n rows in at the largest page size the provider asks for (999);
// an empty list is still one page.
func GraphPages(n int) int { return max(1, (n+998)/999) }

// RequestLog is a simulated tenant's request log kept in memory (tenantsim.Config.RequestLog), for the suites
// that count what each Terraform command cost.
type RequestLog struct {
	mu    sync.Mutex
	lines [][]byte
}

// LoggedRequest is what the counts need of one logged request.
type LoggedRequest struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	Status int    `json:"status"`
}

func (l *RequestLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range bytes.Split(bytes.TrimRight(p, "\n"), []byte("\n")) {
		l.lines = append(l.lines, append([]byte(nil), line...))
	}
	return len(p), nil
}

// Len is how many requests are logged so far: the from of a later Since.
func (l *RequestLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

// Since returns the requests logged from index from on. The tenant logs a request just after answering it, so it
// waits until two reads 50 ms apart agree.
func (l *RequestLog) Since(from int) ([]LoggedRequest, error) {
	for last := -1; ; time.Sleep(50 * time.Millisecond) {
		n := l.Len()
		if n == last {
			break
		}
		last = n
	}
	l.mu.Lock()
	lines := slices.Clone(l.lines[from:])
	l.mu.Unlock()
	out := make([]LoggedRequest, 0, len(lines))
	for _, line := range lines {
		var e LoggedRequest
		if err := json.Unmarshal(line, &e); err != nil {
			return out, fmt.Errorf("request log line %q: %w", line, err)
		}
		out = append(out, e)
	}
	return out, nil
}
