package clients

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// Memo is everything a provider instance remembers between calls, one typed field per value. It lives on the
// Client, so it is shared by every resource and data source of that instance and by nothing else: two provider
// blocks (aliases) or two test providers never see each other's values. Each field holds what Graph answered,
// not a feature's reading of it, so two packages that need the same list derive their own views from one copy
// and cannot disagree about its type (issue #13: two packages kept different types under one key and the
// provider panicked).
type Memo struct {
	// Domains is the tenant's domain list: it changes rarely and every account in a plan needs it.
	Domains Once[[]models.Domainable]
	// RoleDefinitions is every directory role definition of the tenant (all pages): the PIM assignments and the
	// audit data sources of a configuration resolve roles from one list request.
	RoleDefinitions Once[[]models.UnifiedRoleDefinitionable]
	// CAPolicies is the Conditional Access policy list (all pages) that the refreshes and plans of every
	// breakglass_ca_policy_exclusion share while it is seconds old: each list costs a second of the tenant's
	// budget, and a configuration with twenty exclusions would otherwise list twenty times per plan. The
	// provider's own writes forget it.
	CAPolicies Fresh[[]models.ConditionalAccessPolicyable]
	// CAPolicyVersions is the newest modifiedDateTime this instance has seen of each Conditional Access policy, so
	// that a read older than that is known to come from a lagging replica.
	CAPolicyVersions Newest
	// DiagnosticSettingNames hands the names of the tenant's Entra diagnostic settings that breakglass_alert's
	// ModifyPlan listed to the Create or Update that follows: a list seconds old tells whether a name is free.
	DiagnosticSettingNames Handoff[[]string]

	fitnessMu   sync.Mutex
	userFitness map[string]UserFitness // lower-case object id -> what the last read of the user showed
}

// UserFitness is whether a user is synced from on-premises and how many licenses it holds.
type UserFitness struct {
	Synced   bool
	Licenses int
}

// RememberUserFitness records what a read of the user just returned. breakglass_account reads both properties
// with every user it creates or refreshes, so an assignment planned for that user in the same Terraform walk
// warns from this instead of reading the user a second time.
func (m *Memo) RememberUserFitness(id string, f UserFitness) {
	m.fitnessMu.Lock()
	defer m.fitnessMu.Unlock()
	if m.userFitness == nil {
		m.userFitness = map[string]UserFitness{}
	}
	m.userFitness[strings.ToLower(id)] = f
}

// KnownUserFitness returns what RememberUserFitness recorded for the user, if anything.
func (m *Memo) KnownUserFitness(id string) (UserFitness, bool) {
	m.fitnessMu.Lock()
	defer m.fitnessMu.Unlock()
	f, ok := m.userFitness[strings.ToLower(id)]
	return f, ok
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
