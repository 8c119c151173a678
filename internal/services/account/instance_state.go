package account

import (
	"strings"
	"sync"

	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

// instanceState is what one provider instance keeps for its accounts between calls (clients.AreaState).
type instanceState struct {
	// domains is the tenant's domain list: it changes rarely and every account in a plan needs it.
	domains clients.Once[[]models.Domainable]

	fitnessMu sync.Mutex
	fitness   map[string]UserFitness // lower-case object id -> what the last read of the user showed

	tapMu       sync.Mutex
	tapRequests map[string]*tapRequest // request id -> a Temporary Access Pass request this instance created

	// tapAllowed hands ModifyPlan's finding that the policy allows a pass (key: user id and lifetime) to the
	// Create that follows it in the same apply, which then need not read the policy again.
	tapAllowed clients.Handoff[bool]
}

func stateOf(c *clients.Client) *instanceState { return clients.AreaState[instanceState](c, nil) }

// UserFitness is whether a user is synced from on-premises and how many licenses it holds: what
// breakglass_pim_permanent_assignment warns about when such a user is planned to hold a role.
type UserFitness struct {
	Synced   bool
	Licenses int
}

// RememberUserFitness records what a read of the user just returned. breakglass_account reads both properties
// with every user it creates or refreshes, so an assignment planned for that user in the same Terraform walk
// warns from this instead of reading the user a second time. The user is this package's object, so the record
// lives here, and the role assignments read it (KnownUserFitness).
func RememberUserFitness(c *clients.Client, id string, f UserFitness) {
	s := stateOf(c)
	s.fitnessMu.Lock()
	defer s.fitnessMu.Unlock()
	if s.fitness == nil {
		s.fitness = map[string]UserFitness{}
	}
	s.fitness[strings.ToLower(id)] = f
}

// KnownUserFitness returns what RememberUserFitness recorded for the user in the provider instance c, if anything.
func KnownUserFitness(c *clients.Client, id string) (UserFitness, bool) {
	s := stateOf(c)
	s.fitnessMu.Lock()
	defer s.fitnessMu.Unlock()
	f, ok := s.fitness[strings.ToLower(id)]
	return f, ok
}

// tapRequest is a breakglass_temporary_access_pass_request that this provider instance created: what
// breakglass_temporary_access_pass issues a pass for, at most once (see the ephemeral resource's Open).
type tapRequest struct {
	userID     string
	lifetime   int64
	usableOnce bool
	fulfilled  bool
	methodID   string // the pass issued for the request, once fulfilled
}

// rememberTAPRequest records that this provider instance created the request id.
func rememberTAPRequest(c *clients.Client, id string, r tapRequest) {
	s := stateOf(c)
	s.tapMu.Lock()
	defer s.tapMu.Unlock()
	if s.tapRequests == nil {
		s.tapRequests = map[string]*tapRequest{}
	}
	s.tapRequests[id] = &r
}

// claimTAPRequest marks the request id fulfilled and returns it, if this provider instance created it and nobody
// claimed it before; under the lock, so of two concurrent callers only one gets it.
func claimTAPRequest(c *clients.Client, id string) (tapRequest, bool) {
	s := stateOf(c)
	s.tapMu.Lock()
	defer s.tapMu.Unlock()
	r := s.tapRequests[id]
	if r == nil || r.fulfilled {
		return tapRequest{}, false
	}
	r.fulfilled = true
	return *r, true
}

// settleTAPRequest ends a claim: with the method id of the pass issued, or, when issuing failed (methodID ""),
// by releasing the claim.
func settleTAPRequest(c *clients.Client, id, methodID string) {
	s := stateOf(c)
	s.tapMu.Lock()
	defer s.tapMu.Unlock()
	if r := s.tapRequests[id]; r != nil {
		r.methodID, r.fulfilled = methodID, methodID != ""
	}
}

// issuedForAnotherRequest reports whether this provider instance issued the pass methodID for a request other than
// id: a replaced request's Delete must not remove the pass its successor just issued (create_before_destroy).
func issuedForAnotherRequest(c *clients.Client, id, methodID string) bool {
	s := stateOf(c)
	s.tapMu.Lock()
	defer s.tapMu.Unlock()
	for other, r := range s.tapRequests {
		if other != id && strings.EqualFold(r.methodID, methodID) {
			return true
		}
	}
	return false
}
