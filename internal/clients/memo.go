package clients

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"time"
)

// AreaState returns the state of type T that the provider instance c keeps between calls, building it with newT (T's
// zero value when newT is nil; newT runs under AreaState's lock, so it must not call AreaState) on first use. Each
// area (a package under internal/services) keeps what it remembers, its locks and its request limiters in one type
// of its own, so internal/clients holds the mechanisms (Once, Fresh, Newest, Handoff, KeyedMutex, Pace) and knows no
// feature.
//
// The state lives on the Client, so every resource and data source of that instance shares it and nothing else
// does: two provider blocks (aliases) or two test providers never see each other's values, and no package keeps a
// cache of its own. The key is T itself, not a name: issue #13 was a panic from two packages keeping different
// types under one string key, and two distinct types cannot share a key. An area keeps T unexported, so only it
// can reach its state, and exports accessors for what another area must share (posture paces its Conditional
// Access reads with conditionalaccess.Requests). What two areas need alike is kept once, by the area that owns the
// object, as Graph answered it: the other derives its own view from that copy instead of keeping a second one.
func AreaState[T any](c *Client, newT func() *T) *T {
	c.areas.mu.Lock()
	defer c.areas.mu.Unlock()
	key := reflect.TypeFor[T]()
	if s, ok := c.areas.m[key].(*T); ok {
		return s
	}
	s := new(T)
	if newT != nil {
		s = newT()
	}
	if c.areas.m == nil {
		c.areas.m = map[reflect.Type]any{}
	}
	c.areas.m[key] = s
	return s
}

// areaStates is every area's state of one Client, by the state's type (AreaState).
type areaStates struct {
	mu sync.Mutex
	m  map[reflect.Type]any
}

// Once is a value read at most once per provider instance. Terraform plans the resources of a configuration at
// the same time, so the first callers wait for one request instead of each sending their own; a failed read is
// not kept, and the next caller tries again.
type Once[T any] struct {
	mu     sync.Mutex
	value  T
	loaded bool
}

// Get returns the value, reading it with load the first time.
func (o *Once[T]) Get(ctx context.Context, load func(context.Context) (T, error)) (T, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.loaded {
		return o.value, nil
	}
	v, err := load(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	o.value, o.loaded = v, true
	return v, nil
}

// Fresh is a value that every caller shares while it is at most maxAge old. Terraform refreshes and plans the
// resources of a configuration at the same time, so the first callers wait for one request instead of each sending
// their own; a failed read is not kept; Forget drops the value after a write that changes what it holds.
type Fresh[T any] struct {
	mu    sync.Mutex
	value T
	at    time.Time
}

// Get returns the value if it is at most maxAge old, else reads it with load.
func (f *Fresh[T]) Get(ctx context.Context, maxAge time.Duration, load func(context.Context) (T, error)) (T, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.at.IsZero() && time.Since(f.at) <= maxAge {
		return f.value, nil
	}
	v, err := load(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	f.value, f.at = v, time.Now()
	return v, nil
}

// Forget drops the value: the next Get reads it again.
func (f *Fresh[T]) Forget() {
	f.mu.Lock()
	defer f.mu.Unlock()
	var zero T
	f.value, f.at = zero, time.Time{}
}

// Handoff passes a value read in one call to the call Terraform makes next for the same object (a refresh to the
// plan that follows it), keyed by an id. A value is taken once, and only while it is at most maxAge old: it
// saves a request in the same walk, it is never a cache of the tenant.
type Handoff[T any] struct {
	mu      sync.Mutex
	entries map[string]handed[T]
}

type handed[T any] struct {
	value T
	at    time.Time
}

// Put leaves v for the next Take of key, replacing what was left before.
func (h *Handoff[T]) Put(key string, v T) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.entries == nil {
		h.entries = map[string]handed[T]{}
	}
	h.entries[key] = handed[T]{v, time.Now()}
}

// Take removes and returns what Put left for key, if it is at most maxAge old.
func (h *Handoff[T]) Take(key string, maxAge time.Duration) (T, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.entries[key]
	delete(h.entries, key)
	if !ok || time.Since(e.at) > maxAge {
		var zero T
		return zero, false
	}
	return e.value, true
}

// Newest remembers, per key, the newest version time seen. Graph promises no monotonic reads: after a newer
// version was read, a replica that lags can still answer an older one. A read older than Newest knows is such an
// answer. No SDK keeps this, hence here.
type Newest struct {
	mu sync.Mutex
	m  map[string]time.Time
}

// See records that a read of key showed the version of time t, and returns the newest version seen of key.
func (n *Newest) See(key string, t time.Time) time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m == nil {
		n.m = map[string]time.Time{}
	}
	key = strings.ToLower(key)
	if t.After(n.m[key]) {
		n.m[key] = t
	}
	return n.m[key]
}
