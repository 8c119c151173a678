package conditionalaccess

import (
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"golang.org/x/time/rate"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

// instanceState is what one provider instance keeps for Conditional Access between calls (clients.AreaState).
type instanceState struct {
	// requests paces every Conditional Access request, reads included, to the API's documented limit of one
	// request per second per tenant (Graph throttling limits, "Identity protection and conditional access service
	// limits"), so a plan touching 50 policies succeeds without hammering into 429s that carry no Retry-After.
	requests *rate.Limiter
	// policyLocks serializes read-modify-write per policy id: the API has no ETags, so two exclusions writing the
	// same policy in one apply must take turns.
	policyLocks clients.KeyedMutex
	// policies is the policy list (all pages) that the refreshes and plans of every breakglass_ca_policy_exclusion
	// share while it is seconds old: each list costs a second of the tenant's budget, and a configuration with
	// twenty exclusions would otherwise list twenty times per plan. The provider's own writes forget it.
	policies clients.Fresh[[]models.ConditionalAccessPolicyable]
	// policyVersions is the newest modifiedDateTime this instance has seen of each policy, so that a read older
	// than that is known to come from a lagging replica.
	policyVersions clients.Newest
}

// requestsPerSecond stays just under Conditional Access's limit of one request per second per tenant: pacing
// exactly at the limit lands every other request on the wrong side of the service's own bucket (measured on
// writes: 99 extra 429s for 50 policies).
const requestsPerSecond = 0.9

func stateOf(c *clients.Client) *instanceState {
	return clients.AreaState(c, func() *instanceState {
		return &instanceState{requests: rate.NewLimiter(rate.Limit(requestsPerSecond), 1)}
	})
}

// Requests is the limiter every Conditional Access request of the provider instance c waits on (clients.PacedRead,
// clients.PacedWrite): the tenant's budget counts all of them, so breakglass_posture's policy reads wait on it too.
func Requests(c *clients.Client) *rate.Limiter { return stateOf(c).requests }

// PolicyVersions is the newest version of each policy the provider instance c has seen: a list read by
// breakglass_posture that shows an older one comes from a lagging replica.
func PolicyVersions(c *clients.Client) *clients.Newest { return &stateOf(c).policyVersions }
