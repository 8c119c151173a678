package clients

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Entra ID replicates a new object to its other replicas within seconds, sometimes minutes (PIM): a read or a
// reference right after a create can answer 404. These helpers retry exactly that case, with backoff, until the
// context's deadline (each resource sets it from its timeouts). No SDK offers this for Graph, hence hand-written.

// Backoff is the wait schedule between attempts; tests shorten it.
var Backoff = backoff{Initial: time.Second, Max: 10 * time.Second}

type backoff struct{ Initial, Max time.Duration }

func (b backoff) next(d time.Duration) time.Duration {
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

// RetryWhile is RetryWhileNotFound for any transient condition (e.g. PIM's "principal not found" codes).
func RetryWhile(ctx context.Context, what string, transient func(error) bool, op func(context.Context) error) error {
	start := time.Now()
	var wait time.Duration
	for attempt := 1; ; attempt++ {
		err := op(ctx)
		if err == nil || !transient(err) {
			return err
		}
		wait = Backoff.next(wait)
		tflog.Debug(ctx, "waiting for Entra ID replication", map[string]any{"object": what, "attempt": attempt, "next_wait": wait.String()})
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s was still not visible after waiting %s for Entra ID replication (%d attempts): %w",
				what, time.Since(start).Round(time.Second), attempt, err)
		case <-time.After(wait):
		}
	}
}
