package conditionalaccess

import (
	"golang.org/x/time/rate"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

// What the external tests drive directly.
var (
	ApplyExclusions = applyExclusions
	ListPolicies    = listPolicies
)

func (p policySummary) PolicyID() string { return p.ID }

// SetRequests replaces the Conditional Access limiter of the provider instance c.
func SetRequests(c *clients.Client, l *rate.Limiter) { stateOf(c).requests = l }
