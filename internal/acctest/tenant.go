package acctest

import (
	"os"
	"testing"
	"time"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

// sim is the simulated tenant Main starts, shared by every test of the binary.
var sim *tenantsim.Server

// Realistic are the rules of Entra that every acceptance test meets, at magnitudes short enough for the suite
// (issue #14): PIM refuses to end an active assignment younger than PIMMinActiveDuration (5 minutes in Entra);
// Conditional Access allows one request per second per tenant, reads included, and its 429s carry no
// Retry-After (Entra's own magnitude); for StaleReadWindow after a write, a read of the object may, with
// StaleReadRate, see the version before (users, Conditional Access policies, Entra diagnostic settings); the
// password, accountEnabled and CBA ids of a user holding a privileged role need a caller holding Privileged
// Authentication Administrator. Tests that change the knobs start from these and put them back.
var Realistic = tenantsim.Knobs{
	PIMMinActiveDuration: 5 * time.Second,
	CAWriteRate:          1, CAThrottleReads: true, CAOmitRetryAfter: true,
	StaleReadWindow: 2 * time.Second, StaleReadRate: 0.3,
	PrivilegedTargetRules: true,
}

// WaitOutReplication waits until replicas have caught up with a write made behind Terraform's back, before a step
// that must see it as drift: against the simulated tenant the replica window of Realistic, against a real tenant
// as long (Entra usually replicates within seconds).
func WaitOutReplication() { time.Sleep(Realistic.StaleReadWindow) }

// Sim returns the simulated tenant, skipping the test on a live tenant: such tests inspect or change what Graph
// cannot (a user's stored password, on-premises sync, fault injection).
func Sim(t *testing.T) *tenantsim.Server {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does)")
	}
	if Live() {
		t.Skip("needs the simulated tenant's controls; skipped on a live tenant (" + LiveEnv + "=1)")
	}
	if sim == nil {
		t.Fatal("the simulated tenant is not running: run acceptance tests with TF_ACC=1 and acctest.Main as TestMain")
	}
	return sim
}

// AuditTenant is the simulated tenant with the audit data sources' fixtures loaded (AddAuditFixtures). Loading is
// idempotent, so every test may call it.
func AuditTenant(t *testing.T) *tenantsim.Server {
	t.Helper()
	sim := Sim(t)
	if err := sim.AddAuditFixtures(); err != nil {
		t.Fatal(err)
	}
	return sim
}
