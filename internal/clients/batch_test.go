package clients

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/authentication"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
)

// batchServer is a Graph $batch endpoint whose answer to each item is up to answer (given the item's URL and how
// often that URL was asked before); it records the size of every envelope.
type batchServer struct {
	mu        sync.Mutex
	envelopes []int
	asked     map[string]int
}

type batchAnswer struct {
	status  int
	headers map[string]string
	body    any
}

func newBatchServer(t *testing.T, answer func(url string, asked int) batchAnswer) (*batchServer, abstractions.RequestAdapter) {
	t.Helper()
	s := &batchServer{asked: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Requests []struct{ ID, URL string }
		}
		body := io.Reader(r.Body)
		if r.Header.Get("Content-Encoding") == "gzip" { // kiota's default middleware compresses request bodies
			gz, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body = gz
		}
		if r.URL.Path != "/v1.0/$batch" || json.NewDecoder(body).Decode(&in) != nil {
			http.Error(w, "not a $batch", http.StatusBadRequest)
			return
		}
		var out struct {
			Responses []map[string]any `json:"responses"`
		}
		s.mu.Lock()
		s.envelopes = append(s.envelopes, len(in.Requests))
		for _, item := range in.Requests {
			a := answer(item.URL, s.asked[item.URL])
			s.asked[item.URL]++
			if a.headers == nil {
				a.headers = map[string]string{}
			}
			a.headers["Content-Type"] = "application/json" // as Graph answers; msgraph-sdk-go-core parses bodies by it
			out.Responses = append(out.Responses, map[string]any{"id": item.ID, "status": a.status, "headers": a.headers, "body": a.body})
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	adapter, err := msgraphsdk.NewGraphRequestAdapter(&authentication.AnonymousAuthenticationProvider{})
	if err != nil {
		t.Fatal(err)
	}
	adapter.SetBaseUrl(srv.URL + "/v1.0")
	msgraphsdk.NewGraphServiceClient(adapter) // registers the JSON parser and writer, as the provider's client does
	return s, adapter
}

// userRequests are n GETs of /users/{i}.
func userRequests(t *testing.T, adapter abstractions.RequestAdapter, n int) []*abstractions.RequestInformation {
	t.Helper()
	out := make([]*abstractions.RequestInformation, n)
	for i := range out {
		ri, err := Graph(&Client{GraphAdapter: adapter}).Users().ByUserId(strconv.Itoa(i)).ToGetRequestInformation(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = ri
	}
	return out
}

func ok(url string) batchAnswer {
	return batchAnswer{status: 200, body: map[string]any{"id": strings.TrimPrefix(url, "/users/")}}
}

func throttled(retryAfter string) batchAnswer {
	return batchAnswer{status: 429, headers: map[string]string{"Retry-After": retryAfter},
		body: map[string]any{"error": map[string]any{"code": "TooManyRequests", "message": "Too many requests."}}}
}

// settled collects the final answers by request index.
func settled(answers map[int]BatchResponse) func(int, BatchResponse) error {
	return func(i int, r BatchResponse) error {
		answers[i] = r
		return nil
	}
}

// TestSendBatch_split: 45 requests go in envelopes of 20, 20 and 5, and each answer reaches its own request.
func TestSendBatch_split(t *testing.T) {
	s, adapter := newBatchServer(t, func(url string, _ int) batchAnswer { return ok(url) })
	answers := map[int]BatchResponse{}
	sent, err := SendBatch(context.Background(), adapter, userRequests(t, adapter, 45), settled(answers))
	if err != nil {
		t.Fatal(err)
	}
	if sent != 3 || len(s.envelopes) != 3 || s.envelopes[0] != 20 || s.envelopes[1] != 20 || s.envelopes[2] != 5 {
		t.Errorf("sent %d envelopes of %v, want 20, 20, 5", sent, s.envelopes)
	}
	for i := range 45 {
		var body struct{ ID string }
		if err := json.Unmarshal(answers[i].Body, &body); err != nil || answers[i].Status != 200 || body.ID != strconv.Itoa(i) {
			t.Errorf("request %d got %d %s", i, answers[i].Status, answers[i].Body)
		}
	}
}

// TestSendBatch_retryAfter: a request throttled inside a 200 envelope is sent again, alone, after its own
// Retry-After; the others are not sent twice.
func TestSendBatch_retryAfter(t *testing.T) {
	s, adapter := newBatchServer(t, func(url string, asked int) batchAnswer {
		if url == "/users/3" && asked == 0 {
			return throttled("1")
		}
		return ok(url)
	})
	answers := map[int]BatchResponse{}
	start := time.Now()
	sent, err := SendBatch(context.Background(), adapter, userRequests(t, adapter, 5), settled(answers))
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("the retry came after %s, before Retry-After: 1", waited)
	}
	if sent != 2 || s.envelopes[1] != 1 || answers[3].Status != 200 {
		t.Errorf("sent %d envelopes of %v, request 3 got %d; want the throttled request alone in a second envelope", sent, s.envelopes, answers[3].Status)
	}
}

// TestSendBatch_retriesRunOut: a request throttled on every try is retried the policy's number of times, each
// Retry-After capped, and then settles with its 429 as an ODataError.
func TestSendBatch_retriesRunOut(t *testing.T) {
	s, adapter := newBatchServer(t, func(string, int) batchAnswer { return throttled("3600") })
	policy := batchPolicy{size: 20, retries: 2, maxWait: 10 * time.Millisecond, fallback: time.Millisecond}
	answers := map[int]BatchResponse{}
	start := time.Now()
	sent, err := policy.send(context.Background(), adapter, userRequests(t, adapter, 1), settled(answers))
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited > 10*time.Second {
		t.Errorf("waited %s: Retry-After: 3600 was not capped", waited)
	}
	if sent != 3 || len(s.envelopes) != 3 {
		t.Errorf("sent %d envelopes, want 1 + 2 retries", sent)
	}
	ge, isGraph := AsGraphError(answers[0].Err())
	if !isGraph || ge.Status != 429 || ge.Code != "TooManyRequests" {
		t.Errorf("final answer %+v (%v), want the 429 as a Graph error", ge, isGraph)
	}
}

// TestSendBatch_itemErrors: a refused request settles on its own, as the error a direct call gives (403 with
// Graph's code), and its neighbours still succeed; an error from settle stops the sending.
func TestSendBatch_itemErrors(t *testing.T) {
	_, adapter := newBatchServer(t, func(url string, _ int) batchAnswer {
		if url == "/users/1" {
			return batchAnswer{status: 403, body: map[string]any{"error": map[string]any{"code": "Authorization_RequestDenied",
				"message": "Insufficient privileges to complete the operation."}}}
		}
		return ok(url)
	})
	answers := map[int]BatchResponse{}
	if _, err := SendBatch(context.Background(), adapter, userRequests(t, adapter, 3), settled(answers)); err != nil {
		t.Fatal(err)
	}
	if answers[0].Err() != nil || answers[2].Err() != nil {
		t.Errorf("requests 0 and 2 failed: %v, %v", answers[0].Err(), answers[2].Err())
	}
	if !IsForbidden(answers[1].Err()) || !strings.Contains(Explain("reading", Permission{Name: "User.Read.All"}, answers[1].Err()), "User.Read.All") {
		t.Errorf("request 1: %v, want a 403 that Explain names the permission for", answers[1].Err())
	}

	stop := context.Canceled
	sent, err := SendBatch(context.Background(), adapter, userRequests(t, adapter, 45), func(int, BatchResponse) error { return stop })
	if !errors.Is(err, stop) || sent != 1 {
		t.Errorf("settle's error: got %v after %d envelopes, want it returned after the first", err, sent)
	}
}

// TestBatchRetryAfter: Retry-After in seconds (any header case) is capped; without one the wait doubles per retry.
func TestBatchRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		headers map[string]string
		attempt int
		want    time.Duration
	}{
		{map[string]string{"Retry-After": "7"}, 0, 7 * time.Second},
		{map[string]string{"retry-after": " 3 "}, 5, 3 * time.Second},
		{map[string]string{"Retry-After": "600"}, 0, time.Minute},
		{nil, 0, time.Second},
		{map[string]string{"Retry-After": "soon"}, 2, 4 * time.Second},
		{nil, 8, time.Minute},
	} {
		if got := graphBatch.retryAfter(tc.headers, tc.attempt); got != tc.want {
			t.Errorf("retryAfter(%v, %d) = %s, want %s", tc.headers, tc.attempt, got, tc.want)
		}
	}
}
