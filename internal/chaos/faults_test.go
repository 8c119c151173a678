package chaos_test

import (
	"testing"
	"time"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

// faultRate is the share of Graph and ARM requests that fail in the fault cells.
const faultRate = 0.2

// mixedKnobs fail about 20% of requests in all, a third each as 429, 503 and connection reset:
// 1 - (1-0.072)^3 ≈ 0.2.
var mixedKnobs = tenantsim.Knobs{ThrottleRate: 0.072, ServerErrorRate: 0.072, ResetRate: 0.072, RetryAfter: time.Second}

// convergeUnderFaults applies examples/complete with the knobs on, for every command: apply succeeds without a
// rerun, the next plan is empty, the tenant holds exactly the example's objects, and destroy leaves only the
// soft-deleted accounts.
func convergeUnderFaults(t *testing.T, seed int64, k tenantsim.Knobs) {
	e := newEnv(t, seed)
	e.sim.SetKnobs(k)
	e.apply()
	e.planEmpty()
	want := e.checkApplied(e.outputs())
	e.destroy()
	e.checkDestroyed(want.Users)
	t.Logf("faults answered: %s; %d writes", e.writes.faultCounts(), len(e.writes.list()))
}

// TestChaosMixedFaults is the short set's fault cell (make test): 20% of requests fail, mixed.
func TestChaosMixedFaults(t *testing.T) {
	requireAcc(t)
	t.Parallel()
	convergeUnderFaults(t, 101, mixedKnobs)
}

// TestChaosFaults is the long set's fault matrix: 20% of requests answered 429, 503 or reset, each alone.
func TestChaosFaults(t *testing.T) {
	requireFull(t)
	t.Parallel()
	for _, c := range []struct {
		name  string
		seed  int64
		knobs tenantsim.Knobs
	}{
		{"throttle_429", 201, tenantsim.Knobs{ThrottleRate: faultRate, RetryAfter: time.Second}},
		{"unavailable_503", 202, tenantsim.Knobs{ServerErrorRate: faultRate, RetryAfter: time.Second}},
		{"reset", 203, tenantsim.Knobs{ResetRate: faultRate}},
		{"mixed_seed2", 204, mixedKnobs},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			convergeUnderFaults(t, c.seed, c.knobs)
		})
	}
}
