package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tfcli"
)

// caBenchPolicies is how many policies the exclusion benchmark targets.
const caBenchPolicies = 50

// Targets for the 50-policy apply. Each request of Conditional Access costs a second of the tenant's budget, so
// the floor of the wall time is one second per request; the provider paces at 0.9 requests per second (just under
// the limit, see conditionalaccess.requestsPerSecond), which alone is 1.11 times the floor.
const (
	// caListPages: the 50 policies and the tenant's 7 make two pages of Graph's 50 (tenantsim caDefaultPage).
	caListPages = 2
	// caMaxThrottled: each Terraform graph walk starts a provider instance whose first request may come less than
	// a second after the last one of the instance before it (terraform apply: a plan walk, then an apply walk).
	caMaxThrottled = 2
	// caMaxRequests: a read and a write per policy; three lists (the plan walk's, the apply walk's, the one that
	// verifies the writes); each 429's retry.
	caMaxRequests  = 2*caBenchPolicies + 3*caListPages + caMaxThrottled
	caMaxWallRatio = 1.25
)

// BenchmarkCAFiftyPolicies applies one breakglass_ca_policy_exclusion over 50 Conditional Access policies through
// Terraform against a tenant with Conditional Access's documented budget: one request per second per tenant,
// reads included, 429 without Retry-After. It reports the Conditional Access requests of the apply (plan included)
// and its wall time against the floor that budget sets, and fails when either misses its target or the tenant had
// to throttle more than one request per provider instance.
func BenchmarkCAFiftyPolicies(b *testing.B) {
	for b.Loop() {
		log := &acctest.RequestLog{}
		sim, err := tenantsim.Start(tenantsim.Config{RequestLog: log, RandSeed: 7,
			Knobs: tenantsim.Knobs{CAWriteRate: 1, CAThrottleReads: true, CAOmitRetryAfter: true}})
		if err != nil {
			b.Fatal(err)
		}
		ids, err := sim.AddMFAPolicies(caBenchPolicies, "Bench policy")
		if err != nil {
			b.Fatal(err)
		}
		policyIDs, _ := json.Marshal(ids)
		dir := b.TempDir()
		config := fmt.Sprintf(`terraform {
  required_providers {
    breakglass = { source = "entra-breakglass/breakglass" }
  }
}

provider "breakglass" {}

resource "breakglass_ca_policy_exclusion" "bench" {
  user_ids   = [%q]
  policy_ids = %s
}
`, uuid.NewString(), policyIDs)
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
			b.Fatal(err)
		}
		ws := tfcli.New(b, sim, dir)
		from, start := log.Len(), time.Now()
		ws.Must(b, context.Background(), "apply", "-auto-approve", "-input=false")
		wall := time.Since(start)
		o, err := since(log, from)
		if err != nil {
			b.Fatal(err)
		}
		_ = sim.Close()
		ca := 0
		for route, n := range o.routes {
			if strings.Contains(route, "/identity/conditionalAccess/") {
				ca += n
			}
		}
		floor := time.Duration(ca) * time.Second
		addRow(b, "CA exclusion over 50 policies, apply: CA requests", fmt.Sprint(ca), fmt.Sprintf("%d answered 429", o.throttled),
			fmt.Sprintf("<= %d, <= %d 429", caMaxRequests, caMaxThrottled), ca <= caMaxRequests && o.throttled <= caMaxThrottled, true)
		addRow(b, "CA exclusion over 50 policies, apply: wall time", wall.Round(time.Second).String(),
			fmt.Sprintf("floor %s at 1 request/s, ratio %.2f", floor, wall.Seconds()/floor.Seconds()),
			fmt.Sprintf("<= floor x %.2f", caMaxWallRatio), wall.Seconds() <= floor.Seconds()*caMaxWallRatio, true)
	}
}
