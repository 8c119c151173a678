package conditionalaccess_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/conditionalaccess"
)

// TestAccCARequests_everyOneWaitsForASlot: the tenant's budget of one Conditional Access request per second counts
// reads too, so the list, the read before a write and the write itself each wait for a slot of the provider
// instance's limiter. A limiter that never grants one makes every such request fail before it is sent, and no
// other Graph request.
func TestAccCARequests_everyOneWaitsForASlot(t *testing.T) {
	acctest.Sim(t)
	ctx := context.Background()
	c := acctest.Client(t)
	all, err := conditionalaccess.ListPolicies(ctx, c)
	if err != nil || len(all) == 0 {
		t.Fatalf("listing policies: %d, %v", len(all), err)
	}
	policy := all[0].PolicyID()

	conditionalaccess.SetRequests(c, rate.NewLimiter(0, 0))
	if _, err := conditionalaccess.ListPolicies(ctx, c); !paced(err) {
		t.Errorf("the policy list was sent without a slot: %v", err)
	}
	for _, add := range []bool{true, false} {
		if _, err := conditionalaccess.ApplyExclusions(ctx, c, []string{policy}, []string{uuid.NewString()}, nil, add); !paced(err) {
			t.Errorf("add=%v: a policy was read or written without a slot: %v", add, err)
		}
	}
	if _, err := clients.Graph(c).Organization().Get(ctx, nil); err != nil {
		t.Errorf("a request outside Conditional Access waited for its slot: %v", err)
	}
}

// paced reports whether err is the limiter refusing a slot.
func paced(err error) bool {
	return err != nil && strings.Contains(err.Error(), "exceeds limiter's burst")
}
