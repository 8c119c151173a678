package alert

import "github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"

// instanceState is what one provider instance keeps for its alerts between calls (clients.AreaState).
type instanceState struct {
	// diagnosticSettingNames hands the names of the tenant's Entra diagnostic settings that ModifyPlan listed to
	// the Create or Update that follows: a list seconds old tells whether a name is free.
	diagnosticSettingNames clients.Handoff[[]string]
}

func stateOf(c *clients.Client) *instanceState { return clients.AreaState[instanceState](c, nil) }
