package account

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/odatatest"
)

// pathRecorder is a Graph stand-in that records each request's path and query as they arrive on the wire and
// answers with an empty user.
type pathRecorder struct {
	mu       sync.Mutex
	requests []*url.URL
}

func (rec *pathRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.mu.Lock()
	rec.requests = append(rec.requests, r.URL)
	rec.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"id": "3f2504e0-4f89-41d3-9a0c-0305e82c3301"})
}

// FuzzGetUserPath: an import id is any text the user types, object id or UPN, and getUser puts it in the URL path.
// Whatever it holds (/, ?, #, %, .., spaces), the request must be GET /v1.0/users/{one segment} whose decoded value
// is the id, with the $select the provider asks for and no other query: the id cannot reach another resource or
// add query options.
func FuzzGetUserPath(f *testing.F) {
	for _, s := range []string{"ops-7k2m@contoso.onmicrosoft.com", "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "a/../../groups",
		"..", ".", "x?$filter=true", "x#y", "%2F", "%", "a b+c", "$x@contoso.com", "x&$select=id", "ü@bücher.example", "x\ny"} {
		f.Add(s)
	}
	rec := &pathRecorder{}
	c := odatatest.GraphClient(f, rec)
	f.Fuzz(func(t *testing.T, idOrUPN string) {
		if idOrUPN == "" || !utf8.ValidString(idOrUPN) {
			t.Skip("Terraform import ids are non-empty text")
		}
		rec.mu.Lock()
		rec.requests = nil
		rec.mu.Unlock()
		_, err := getUser(context.Background(), c, idOrUPN)
		rec.mu.Lock()
		requests := rec.requests
		rec.mu.Unlock()
		if err != nil {
			// A request that never left (an id the URL template refuses) is an error, not a wrong request.
			if len(requests) == 0 {
				return
			}
			t.Fatalf("%q: %v", idOrUPN, err)
		}
		if len(requests) != 1 {
			t.Fatalf("%q: %d requests, want 1", idOrUPN, len(requests))
		}
		u := requests[0]
		segments := strings.Split(u.EscapedPath(), "/")
		if len(segments) != 4 || segments[0] != "" || segments[1] != "v1.0" || segments[2] != "users" {
			t.Fatalf("%q is requested as %s, want /v1.0/users/{one segment}", idOrUPN, u.EscapedPath())
		}
		if got, err := url.PathUnescape(segments[3]); err != nil || got != idOrUPN {
			t.Fatalf("%q arrives as the segment %q (%q, %v)", idOrUPN, segments[3], got, err)
		}
		query := u.Query()
		if len(query) != 1 || query.Get("$select") != strings.Join(userSelect, ",") {
			t.Fatalf("%q gives the query %q, want only $select", idOrUPN, u.RawQuery)
		}
	})
}
