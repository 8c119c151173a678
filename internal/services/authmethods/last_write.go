package authmethods

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

// A method configuration carries no version, ETag or modified time, so a later provider instance (the next
// Terraform command) cannot tell a lagging replica from the current configuration by the configuration alone.
// What it can tell is whether a read shows what the resource's own last write made true: its targets present,
// the targets it took out absent, the method enabled and the binding added when it did so. The targets are in
// state; the rest is kept in private state under lastWriteKey, and a read within clients.ReplicationWindow of
// that write which does not show it is a replica from before it (Microsoft Entra blog "Designing for Eventual
// Consistency for Microsoft Entra", 2026-03: a read may reach a replica a write has not reached). Building a
// write on such a read would bring back what the write took out, or take out what it added.

// lastWriteKey is the private state key of lastWrite.
const lastWriteKey = "last_write"

// lastWrite is what the resource's last write made true beyond its targets in state.
type lastWrite struct {
	Removed []string `json:"removed,omitempty"` // "user:<id>" or "group:<id>"
	Enabled bool     `json:"enabled,omitempty"`
	Binding bool     `json:"binding,omitempty"`
}

func (w lastWrite) change(targets []target) change {
	ch := change{add: targets, enable: w.Enabled, addBinding: w.Binding}
	for _, s := range w.Removed {
		if kind, id, ok := strings.Cut(s, ":"); ok {
			ch.remove = append(ch.remove, target{kind, id})
		}
	}
	return ch
}

// lastWriteOf is the part of ch a later read must show beyond the targets in state.
func lastWriteOf(ch change) lastWrite {
	w := lastWrite{Enabled: ch.enable, Binding: ch.addBinding}
	for _, t := range ch.remove {
		w.Removed = append(w.Removed, t.kind+":"+t.id)
	}
	return w
}

func rememberLastWrite(ctx context.Context, p clients.PrivateSetter, w lastWrite) diag.Diagnostics {
	value, _ := json.Marshal(w)
	return p.SetKey(ctx, lastWriteKey, value)
}

// recordedLastWrite is the record in private state; empty for an imported resource or one an older provider
// wrote, which so expect their targets only.
func recordedLastWrite(ctx context.Context, p clients.PrivateGetter) lastWrite {
	var w lastWrite
	if raw, diags := p.GetKey(ctx, lastWriteKey); !diags.HasError() && len(raw) > 0 {
		_ = json.Unmarshal(raw, &w) // an unreadable record expects the targets only
	}
	return w
}

// seenIn is the part of w that c shows. A refresh that settled on c keeps only that part, as it keeps only the
// targets c shows: what someone else undid is drift for the plan, and a later write must not wait for it.
func (w lastWrite) seenIn(c methodConfig) lastWrite {
	seen := lastWrite{Enabled: w.Enabled && c.state() == "enabled", Binding: w.Binding && c.hasCertificateUserIdsBinding()}
	for _, t := range w.change(nil).remove {
		if !c.has(t) {
			seen.Removed = append(seen.Removed, t.kind+":"+t.id)
		}
	}
	return seen
}

// priorWrite is the resource's own last write, when it is within clients.ReplicationWindow: what it made true
// and when.
type priorWrite struct {
	change change
	at     time.Time
}

// recentWrite is the resource's last write if it is recent, else nil.
func recentWrite(ctx context.Context, p clients.PrivateGetter, targets []target) *priorWrite {
	at, recent := clients.WrittenRecently(ctx, p)
	if !recent {
		return nil
	}
	return &priorWrite{change: recordedLastWrite(ctx, p).change(targets), at: at}
}

// unseenBy reports whether c, read within the replication window of the write, does not show it yet.
func (p *priorWrite) unseenBy(c methodConfig) bool {
	return p != nil && time.Since(p.at) < clients.ReplicationWindow && !p.change.shownBy(c)
}
