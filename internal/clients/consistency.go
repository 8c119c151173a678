package clients

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Entra ID replicates a new object to its other replicas within seconds, sometimes minutes (PIM): a read or a
// reference right after a create can answer 404, and a read right after a change the previous values. These helpers
// retry such answers, and refusals that only time ends (RetryWhileRefused), with backoff, until the context's
// deadline (each resource sets it from its timeouts); RememberWrite and WrittenRecently let a refresh tell a
// replica's 404 from a deletion. No SDK offers this for Graph, hence hand-written.

// Backoff is the wait schedule between attempts; tests shorten it.
var Backoff = backoff{Initial: time.Second, Max: 10 * time.Second}

type backoff struct{ Initial, Max time.Duration }

// Next is the wait after d (0: the first wait).
func (b backoff) Next(d time.Duration) time.Duration {
	if d == 0 {
		return b.Initial
	}
	if d*2 > b.Max {
		return b.Max
	}
	return d * 2
}

// RetryWhileNotFound calls op until it stops failing with "not found", the context ends, or op fails otherwise.
// what names the object in the final error, which also says how long it waited.
func RetryWhileNotFound(ctx context.Context, what string, op func(context.Context) error) error {
	return RetryWhile(ctx, what, IsNotFound, op)
}

// RetryWhile is RetryWhileNotFound for any transient condition of replication (e.g. PIM's "principal not found"
// codes).
func RetryWhile(ctx context.Context, what string, transient func(error) bool, op func(context.Context) error) error {
	return retry(ctx, what+" was still not visible", "Entra ID replication", transient, op)
}

// RetryWhileRefused calls op while it fails with a refusal that only time ends (transient), e.g. PIM's refusal
// to end an assignment younger than five minutes; why names the wait in the logs and the final error.
func RetryWhileRefused(ctx context.Context, what, why string, transient func(error) bool, op func(context.Context) error) error {
	return retry(ctx, what, why, transient, op)
}

func retry(ctx context.Context, what, why string, transient func(error) bool, op func(context.Context) error) error {
	start := time.Now()
	var wait time.Duration
	var last error // the last transient answer
	gaveUp := func(attempts int) error {
		return fmt.Errorf("%s after waiting %s for %s (%d attempts): %w", what, time.Since(start).Round(time.Second), why, attempts, last)
	}
	for attempt := 1; ; attempt++ {
		err := op(ctx)
		if err != nil && last != nil && ctx.Err() != nil {
			// The wait ran out during this attempt, so its error is the deadline's, not the service's: the answer is
			// still the last one. Callers that bound the wait (a refresh confirming a 404) must see that 404, or a
			// lagging replica fails the refresh depending on whether the deadline fell in a sleep or in a request.
			return gaveUp(attempt - 1)
		}
		if err == nil || !transient(err) {
			return err
		}
		last = err
		wait = Backoff.Next(wait)
		tflog.Debug(ctx, "waiting for "+why, map[string]any{"object": what, "attempt": attempt, "next_wait": wait.String()})
		if !Sleep(ctx, wait) {
			return gaveUp(attempt)
		}
	}
}

// ReplicationWindow is how long after the provider's own write to an object a read may still reach a replica
// that write has not reached: a 404 for an object just created, the previous values for one just changed.
// Microsoft's guidance ("Designing for Eventual Consistency for Microsoft Entra", Entra blog, 2026-03) gives
// seconds as usual and minutes as possible; within this window the provider does not take a 404 as a deletion.
const ReplicationWindow = 5 * time.Minute

// writtenAtKey is the private state key holding when the provider last wrote the object (RFC 3339).
const writtenAtKey = "written_at"

// PrivateSetter and PrivateGetter are the framework's per-resource private state (resp.Private, req.Private),
// which Terraform keeps with the resource but never shows in plans.
type (
	PrivateSetter interface {
		SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
	}
	PrivateGetter interface {
		GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	}
)

// RememberWrite records in private state that the provider wrote the object now.
func RememberWrite(ctx context.Context, p PrivateSetter) diag.Diagnostics {
	value, _ := json.Marshal(time.Now().UTC().Format(time.RFC3339Nano))
	return p.SetKey(ctx, writtenAtKey, value)
}

// WrittenRecently reports whether RememberWrite recorded a write less than ReplicationWindow ago, and when.
// Imported objects, and those written by older versions of the provider, have no record: not recent.
func WrittenRecently(ctx context.Context, p PrivateGetter) (time.Time, bool) {
	raw, diags := p.GetKey(ctx, writtenAtKey)
	if diags.HasError() || len(raw) == 0 {
		return time.Time{}, false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return time.Time{}, false
	}
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return at, time.Since(at) < ReplicationWindow
}

// Sleep waits d, or less if ctx ends first; it reports whether the wait ran its course.
func Sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}
