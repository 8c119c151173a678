package rolemanagement_test

import (
	"sync"
	"testing"

	graphrm "github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

type (
	roleSchedulesConfig = graphrm.DirectoryRoleAssignmentSchedulesRequestBuilderGetRequestConfiguration
	roleSchedulesQuery  = graphrm.DirectoryRoleAssignmentSchedulesRequestBuilderGetQueryParameters
)

// testClient is the tests' own Graph client, built once from the same ARM_* environment as the provider.
var (
	testClient     *clients.Client
	testClientOnce sync.Once
)

func setTestClient(t *testing.T) {
	t.Helper()
	testClientOnce.Do(func() { testClient = acctest.Client(t) })
}
