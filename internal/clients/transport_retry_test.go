package clients

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	khttp "github.com/microsoft/kiota-http-go"
)

// TestGraphTransportRetry: a request whose connection is dropped without an answer is sent again, body included,
// until it gets an answer; a dead server is given up on after graphTransportRetries retries.
func TestGraphTransportRetry(t *testing.T) {
	defer func(w, m time.Duration) { transportRetryWait, transportRetryMaxWait = w, m }(transportRetryWait, transportRetryMaxWait)
	transportRetryWait, transportRetryMaxWait = time.Millisecond, 2*time.Millisecond

	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if calls.Add(1) <= 2 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	client := khttp.GetDefaultClient(graphTransportRetry{})

	req, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
	req.Body = khttp.NopCloser(strings.NewReader(`{"displayName":"x"}`)) // as kiota sends bodies: seekable, no GetBody
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("not retried: %v", err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != `{"displayName":"x"}` || calls.Load() != 3 {
		t.Fatalf("after %d calls the body echoed was %q", calls.Load(), got)
	}

	srv.Close()
	calls.Store(0)
	req, _ = http.NewRequest(http.MethodGet, srv.URL, nil)
	if _, err := client.Do(req); err == nil {
		t.Fatal("a closed server answered")
	}
}
