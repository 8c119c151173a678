package acctest

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/microsoftgraph/msgraph-sdk-go/serviceprincipals"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/provider"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

// LiveEnv is the switch for running the acceptance tests against a real tenant: set it to 1 together with
// ARM_TENANT_ID, ARM_CLIENT_ID and a credential (ARM_CLIENT_SECRET, a certificate or OIDC).
const LiveEnv = "BREAKGLASS_ACC_LIVE"

// ProtoV6ProviderFactories serves the provider in-process, plus the echo provider that surfaces ephemeral values
// in tests.
func ProtoV6ProviderFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"breakglass": providerserver.NewProtocol6WithError(provider.New("test")()),
		"echo":       echoprovider.NewProviderServer(),
	}
}

// Live reports whether the tests run against a real tenant.
func Live() bool { return os.Getenv(LiveEnv) == "1" }

// Main is the TestMain of every package with acceptance tests: with TF_ACC set and no live tenant, it starts the
// simulated tenant and points the ARM_* variables and SSL_CERT_FILE at it, exactly as a user would.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv("TF_ACC") == "" || Live() {
		return m.Run()
	}
	cfg := tenantsim.Config{Knobs: Realistic}
	if path := os.Getenv("TENANTSIM_REQUEST_LOG"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			fmt.Fprintln(os.Stderr, "acctest: opening the request log:", err)
			return 1
		}
		defer f.Close()
		cfg.RequestLog = f
	}
	var err error
	sim, err = tenantsim.Start(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "acctest: starting the simulated tenant:", err)
		return 1
	}
	defer sim.Close()
	info := sim.Info()
	env := info.Env()
	env[WorkspaceEnv], env[ResourceGroupEnv], env[LocationEnv] = info.WorkspaceID, info.ResourceGroup, "westeurope"
	for k, v := range env {
		os.Setenv(k, v)
	}
	return m.Run()
}

// PreCheck skips the test without TF_ACC, as resource.Test does, so that a test calling it first may reach the
// tenant before its resource.Test; and it fails fast when a live run lacks credentials.
func PreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does)")
	}
	if Live() {
		for _, k := range []string{"ARM_TENANT_ID", "ARM_CLIENT_ID"} {
			if os.Getenv(k) == "" {
				t.Fatalf("%s=1 needs %s", LiveEnv, k)
			}
		}
	}
}

// Client is a Graph/ARM client built from the same ARM_* environment as the provider, for tests that change the
// tenant behind Terraform's back (drift) or check what it holds.
func Client(t *testing.T) *clients.Client {
	t.Helper()
	c, err := clients.New(context.Background(), clients.Config{
		TenantID:       os.Getenv("ARM_TENANT_ID"),
		ClientID:       os.Getenv("ARM_CLIENT_ID"),
		ClientSecret:   os.Getenv("ARM_CLIENT_SECRET"),
		MetadataHost:   os.Getenv("ARM_METADATA_HOSTNAME"),
		Environment:    envOr("ARM_ENVIRONMENT", "public"),
		SubscriptionID: os.Getenv("ARM_SUBSCRIPTION_ID"),
		Version:        "test",
	})
	if err != nil {
		t.Fatalf("building the test's Graph client: %v", err)
	}
	return c
}

// ProviderServicePrincipal is the object id of the service principal the provider signs in as (ARM_CLIENT_ID), in the
// simulated tenant and in a real one.
func ProviderServicePrincipal(t *testing.T) string {
	t.Helper()
	filter := "appId eq " + clients.ODataString(os.Getenv("ARM_CLIENT_ID"))
	resp, err := clients.Graph(Client(t)).ServicePrincipals().Get(context.Background(), &serviceprincipals.ServicePrincipalsRequestBuilderGetRequestConfiguration{
		QueryParameters: &serviceprincipals.ServicePrincipalsRequestBuilderGetQueryParameters{Filter: &filter, Select: []string{"id"}},
	})
	if err != nil || len(resp.GetValue()) != 1 {
		t.Fatalf("finding the provider's service principal: %v", err)
	}
	return helpers.Deref(resp.GetValue()[0].GetId())
}

// Where alert tests put their Azure Monitor objects. Against the simulated tenant these come from its seeded
// workspace; against a live tenant set them to an existing workspace and resource group.
const (
	WorkspaceEnv     = "BREAKGLASS_ACC_WORKSPACE_ID"
	ResourceGroupEnv = "BREAKGLASS_ACC_RESOURCE_GROUP"
	LocationEnv      = "BREAKGLASS_ACC_LOCATION"
)

// Monitoring returns the Log Analytics workspace id, resource group and location for alert tests.
func Monitoring(t *testing.T) (workspaceID, resourceGroup, location string) {
	t.Helper()
	workspaceID, resourceGroup, location = os.Getenv(WorkspaceEnv), os.Getenv(ResourceGroupEnv), envOr(LocationEnv, "westeurope")
	if workspaceID == "" || resourceGroup == "" {
		t.Fatalf("alert acceptance tests need %s and %s (set by the harness against the simulated tenant)", WorkspaceEnv, ResourceGroupEnv)
	}
	return workspaceID, resourceGroup, location
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
