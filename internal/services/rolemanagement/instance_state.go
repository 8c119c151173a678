package rolemanagement

import (
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

// instanceState is what one provider instance keeps for role management between calls (clients.AreaState).
type instanceState struct {
	// roleDefinitions is every directory role definition of the tenant (all pages): the PIM assignments and the
	// audit data sources of a configuration resolve roles from one list request.
	roleDefinitions clients.Once[[]models.UnifiedRoleDefinitionable]
}

func stateOf(c *clients.Client) *instanceState { return clients.AreaState[instanceState](c, nil) }
