package chaos_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tfcli"
)

// exclusionConfig is a configuration holding one breakglass_ca_policy_exclusion for users, on every policy with a
// grant control (the same policies in both workspaces).
func exclusionConfig(users []string) string {
	list, _ := json.Marshal(users)
	return fmt.Sprintf(`terraform {
  required_providers {
    breakglass = {
      source = "entra-breakglass/breakglass"
    }
  }
}

provider "breakglass" {}

resource "breakglass_ca_policy_exclusion" "this" {
  user_ids = %s
  match    = "grant_controls"
}
`, list)
}

// concurrentExclusions runs two terraform apply processes at once, with separate state, each excluding its own
// principals from the same policies, while another team's script (Knobs.CAOutsideWriterRate) adds exclusions
// between reads and writes, Conditional Access allows one request per second, reads included, and answers 429
// without Retry-After, and for 8 s after each write half of all reads show the version before it. At the end every
// principal of both is excluded from every matched policy and no exclusion of the outside writer is lost.
func concurrentExclusions(t *testing.T, seed int64) {
	sim, err := tenantsim.Start(tenantsim.Config{RandSeed: seed})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	var added []map[string]any
	var ids []string
	for i := range 4 {
		id := uuid.NewString()
		ids = append(ids, id)
		added = append(added, map[string]any{"id": id, "displayName": fmt.Sprintf("Chaos Principal %d", i),
			"userPrincipalName": fmt.Sprintf("chaos%d@contoso.onmicrosoft.com", i), "mailNickname": fmt.Sprintf("chaos%d", i),
			"accountEnabled": true})
	}
	if err := sim.AddUsers(added); err != nil {
		t.Fatal(err)
	}
	groups := [][]string{ids[:2], ids[2:]}
	var workspaces []*tfcli.Workspace
	for _, g := range groups {
		workspaces = append(workspaces, tfcli.New(t, sim, writeConfig(t, map[string]string{"main.tf": exclusionConfig(g)})))
	}
	e := &env{t: t, sim: sim, base: take(sim)}
	policies := e.grantControlPolicies()
	sim.SetKnobs(tenantsim.Knobs{CAOutsideWriterRate: 0.3, CAWriteRate: 1, CAThrottleReads: true, CAOmitRetryAfter: true,
		StaleReadWindow: 8 * time.Second, StaleReadRate: 0.5})

	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	var wg sync.WaitGroup
	results := make([]string, len(workspaces))
	failed := make([]bool, len(workspaces))
	began := time.Now()
	for i, ws := range workspaces {
		cmd := ws.Command(ctx, nil, "apply", "-auto-approve", "-input=false")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := cmd.Wait()
			var ee *exec.ExitError
			failed[i] = err != nil
			if err != nil && !errors.As(err, &ee) {
				results[i] = err.Error()
			}
			results[i] += out.String()
		}()
	}
	wg.Wait()
	t.Logf("two concurrent applies took %s", time.Since(began).Round(100*time.Millisecond))
	for i := range workspaces {
		if failed[i] {
			t.Errorf("apply %d failed:\n%s", i+1, results[i])
		}
	}

	var outsiders int
	for _, p := range sim.CAPolicies() {
		id := lower(p["id"])
		have := excludeUsers(p)
		if slices.Contains(policies, id) {
			for _, u := range ids {
				if !slices.Contains(have, strings.ToLower(u)) {
					t.Errorf("policy %s (%s) lost principal %s: excludeUsers = %v", id, p["displayName"], u, have)
				}
			}
		}
		for _, o := range sim.OutsideWriterExclusions(id) {
			outsiders++
			if !slices.Contains(have, strings.ToLower(o)) {
				t.Errorf("policy %s (%s) lost the outside writer's exclusion %s: excludeUsers = %v", id, p["displayName"], o, have)
			}
		}
		for _, u := range e.base.excluded[id] {
			if !slices.Contains(have, u) {
				t.Errorf("policy %s (%s) lost the seeded exclusion %s", id, p["displayName"], u)
			}
		}
	}
	t.Logf("%d policies matched; the outside writer added %d exclusions", len(policies), outsiders)
	if len(policies) == 0 {
		t.Fatal("no policy with grant controls in the tenant")
	}
	// Each workspace's next plan is empty: neither sees its exclusions undone.
	sim.SetKnobs(tenantsim.Knobs{})
	for i, ws := range workspaces {
		res, err := ws.Run(ctx, "plan", "-detailed-exitcode", "-input=false")
		if err != nil || res.ExitCode != 0 {
			t.Errorf("plan %d after the concurrent applies is not empty (exit %d, %v):\n%s%s", i+1, res.ExitCode, err, res.Stdout, res.Stderr)
		}
	}
}

// TestChaosConcurrentExclusions is the short set's cell.
func TestChaosConcurrentExclusions(t *testing.T) {
	requireAcc(t)
	t.Parallel()
	concurrentExclusions(t, 601)
}

// TestChaosConcurrentExclusionsRepeated is the long set: more rounds, other seeds.
func TestChaosConcurrentExclusionsRepeated(t *testing.T) {
	requireFull(t)
	t.Parallel()
	for i := range 3 {
		t.Run(fmt.Sprintf("round%d", i+1), func(t *testing.T) {
			t.Parallel()
			concurrentExclusions(t, int64(610+i))
		})
	}
}
