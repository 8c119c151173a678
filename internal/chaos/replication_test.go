package chaos_test

import (
	"testing"
	"time"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

// replicationDelay applies examples/complete while new objects stay invisible for d (Knobs.ReplicationDelay: to
// reads by id and UPN, to lists, and to PIM; PIMReplicationDelay adds PIM's own lag). One apply must succeed
// within the resources' default timeouts, without a rerun.
func replicationDelay(t *testing.T, seed int64, k tenantsim.Knobs) {
	e := newEnv(t, seed)
	e.sim.SetKnobs(k)
	began := time.Now()
	e.apply()
	t.Logf("apply with %s replication delay (+%s PIM) took %s", k.ReplicationDelay, k.PIMReplicationDelay, time.Since(began).Round(time.Second))
	e.planEmpty()
	want := e.checkApplied(e.outputs())
	e.destroy()
	e.checkDestroyed(want.Users)
}

// TestChaosReplicationDelay30s is the short set's cell.
func TestChaosReplicationDelay30s(t *testing.T) {
	requireAcc(t)
	t.Parallel()
	replicationDelay(t, 501, tenantsim.Knobs{ReplicationDelay: 30 * time.Second})
}

// TestChaosReplicationDelay is the long set: 90 s for every read, and 90 s of PIM lag on top of 30 s.
func TestChaosReplicationDelay(t *testing.T) {
	requireFull(t)
	t.Parallel()
	for _, c := range []struct {
		name  string
		knobs tenantsim.Knobs
	}{
		{"90s", tenantsim.Knobs{ReplicationDelay: 90 * time.Second}},
		{"30s_pim_90s", tenantsim.Knobs{ReplicationDelay: 30 * time.Second, PIMReplicationDelay: 90 * time.Second}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			replicationDelay(t, 502, c.knobs)
		})
	}
}
