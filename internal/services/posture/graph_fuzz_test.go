package posture

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/odatatest"
)

// filterRecorder is a Graph stand-in for GET /users: it records each $filter as it arrives on the wire and answers
// with one user per literal of the filter, so the ids make the whole round trip.
type filterRecorder struct {
	mu      sync.Mutex
	filters []string
}

func (rec *filterRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	filter := r.URL.Query().Get("$filter")
	rec.mu.Lock()
	rec.filters = append(rec.filters, filter)
	rec.mu.Unlock()
	_, literals, _ := odatatest.Skeleton(filter)
	users := make([]map[string]any, 0, len(literals))
	for _, id := range literals {
		users = append(users, map[string]any{"id": id})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"value": users})
}

// FuzzReadUsersFilter sends up to three fuzzed account ids (split at NUL) through readUsers to a recording Graph:
// the $filter that arrives must be "id in (…)" with exactly the ids as literals, so no id can add a clause, and the
// users the answer names must be matched back to the ids.
func FuzzReadUsersFilter(f *testing.F) {
	for _, s := range []string{"3f2504e0-4f89-41d3-9a0c-0305e82c3301", "a\x00b\x00c", "x') or (id ne '", "'", "''\x00'",
		"&$top=1&", "#fragment", "%27%20or", "+ +", "ü,'\n)", "\x00"} {
		f.Add(s)
	}
	rec := &filterRecorder{}
	c := odatatest.GraphClient(f, rec)
	f.Fuzz(func(t *testing.T, joined string) {
		ids := strings.SplitN(joined, "\x00", 3)
		if !slices.ContainsFunc(ids, func(id string) bool { return id != "" }) || slices.ContainsFunc(ids, func(id string) bool { return !utf8.ValidString(id) }) {
			t.Skip("ids are GUIDs from the configuration: never all empty, always text")
		}
		rec.mu.Lock()
		rec.filters = nil
		rec.mu.Unlock()
		var got facts
		if err := readUsers(context.Background(), c, ids, &got); err != nil {
			t.Fatalf("ids %q: %v", ids, err)
		}
		rec.mu.Lock()
		filters := rec.filters
		rec.mu.Unlock()
		if len(filters) != 1 {
			t.Fatalf("ids %q: %d requests, want 1: %q", ids, len(filters), filters)
		}
		skeleton, literals, err := odatatest.Skeleton(filters[0])
		if err != nil {
			t.Fatal(err)
		}
		want := "id in (" + strings.TrimSuffix(strings.Repeat(odatatest.LiteralMarker+",", len(ids)), ",") + ")"
		if skeleton != want || !slices.Equal(literals, ids) {
			t.Fatalf("ids %q arrive as the filter %q: skeleton %q, literals %q", ids, filters[0], skeleton, literals)
		}
		for i, a := range got.Accounts {
			if !a.Found && ids[i] != "" {
				t.Fatalf("ids %q: account %d was not matched to the user Graph returned", ids, i)
			}
		}
	})
}
