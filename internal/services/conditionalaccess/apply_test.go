package conditionalaccess_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/conditionalaccess"
)

// TestAccApplyExclusions_inPlaceTakesNoWriteSlot: a policy the last refresh saw as wanted is checked before any
// write slot, so an update over many such policies does not wait about a second for each; any other policy waits
// for its slot before the read its write builds on. A limiter that never grants a slot tells the two apart.
func TestAccApplyExclusions_inPlaceTakesNoWriteSlot(t *testing.T) {
	acctest.Sim(t)
	ctx := context.Background()
	c := acctest.Client(t)
	all, err := conditionalaccess.ListPolicies(ctx, c)
	if err != nil || len(all) == 0 {
		t.Fatalf("listing policies: %d, %v", len(all), err)
	}
	policy, user := all[0].PolicyID(), uuid.NewString()
	if err := conditionalaccess.ApplyExclusions(ctx, c, policy, []string{user}, nil, true, false); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := conditionalaccess.ApplyExclusions(context.Background(), acctest.Client(t), policy, []string{user}, nil, false, false); err != nil {
			t.Error(err)
		}
	})

	c.CAWrites = rate.NewLimiter(0, 0)
	if err := conditionalaccess.ApplyExclusions(ctx, c, policy, []string{user}, nil, true, true); err != nil {
		t.Errorf("an exclusion in place, as the refresh saw it, needed a write slot: %v", err)
	}
	if err := conditionalaccess.ApplyExclusions(ctx, c, policy, []string{user}, nil, true, false); err == nil {
		t.Error("without the refresh's word the read must wait for a write slot, but none was asked for")
	}
	if err := conditionalaccess.ApplyExclusions(ctx, c, policy, []string{uuid.NewString()}, nil, true, true); err == nil {
		t.Error("a missing exclusion was written without a write slot")
	}
}
