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
