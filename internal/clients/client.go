package clients

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	abstractions "github.com/microsoft/kiota-abstractions-go"
	kiotaauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
)

// Client is what the provider hands every resource, data source and ephemeral resource.
//
// Size rule: nothing reachable from Client's type (its fields, recursively, and the parameters and results of its
// exported methods) may be msgraph-sdk-go's GraphServiceClient or one of its request builders, and the same holds
// for every value the provider stores in an interface (resources, data sources, what their structs hold). The
// framework receives a *Client as `any`, and hashicorp/go-plugin's net/rpc server calls reflect.Type.Method, so
// the linker keeps every exported method of every type reachable from a value in an interface: a GraphServiceClient
// field, or an exported method returning one, links every request builder of Graph (a 129 MB provider instead of
// 48 MB). So Client holds the kiota RequestAdapter and call sites build the client with the plain function Graph:
// clients.Graph(c).Users()... TestNoGraphClientBehindInterfaces (internal/provider) enforces the rule and
// `make bench` reports the size and the request builders linked.
type Client struct {
	TenantID       string
	SubscriptionID string
	Endpoints      Endpoints
	AuthMethod     AuthMethod
	Credential     azcore.TokenCredential

	// GraphAdapter sends Microsoft Graph v1.0 requests (kiota: retries 429/503/504 honouring Retry-After); Graph(c)
	// is the Graph client over it. Never a GraphServiceClient here: see the size rule above.
	GraphAdapter abstractions.RequestAdapter
	// ARM is the Azure Resource Manager pipeline (azcore: bearer token, retries, Retry-After).
	ARM *arm.Client

	// areas is the state each feature area keeps for this instance (AreaState).
	areas areaStates
}

// graphMaxRetries raises kiota's default of 3 so a throttling burst does not fail an apply; the waits themselves
// come from Retry-After.
const graphMaxRetries = 8

// New discovers the endpoints, builds the credential and the Graph and ARM clients. Nothing here sends a
// token request: credentials are first used by the first Graph or ARM call.
func New(ctx context.Context, cfg Config) (*Client, error) {
	httpClient := &http.Client{Timeout: 100 * time.Second}
	ep, ok := knownEnvironments[cfg.Environment]
	if cfg.MetadataHost != "" {
		var err error
		if ep, err = DiscoverEndpoints(ctx, httpClient, cfg.MetadataHost); err != nil {
			return nil, err
		}
	} else if !ok {
		return nil, fmt.Errorf("unknown environment %q", cfg.Environment)
	}

	cred, method, err := newCredential(cfg, ep, httpClient)
	if errors.Is(err, errNoAuthMethod) {
		cred = lazyCredential{err: err}
	} else if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	tflog.Debug(ctx, "breakglass provider configured", map[string]any{
		"auth_method": string(method), "cloud": ep.Name, "graph": ep.GraphEndpoint, "resource_manager": ep.ResourceManagerEndpoint,
	})

	graphAdapter, err := newGraphAdapter(cred, ep, cfg.Version)
	if err != nil {
		return nil, err
	}
	armClient, err := arm.NewClient("breakglass", cfg.Version, cred, armClientOptions(ep, cfg.Version))
	if err != nil {
		return nil, fmt.Errorf("building the ARM client: %w", err)
	}
	return &Client{
		TenantID: cfg.TenantID, SubscriptionID: cfg.SubscriptionID, Endpoints: ep, AuthMethod: method,
		Credential: cred, GraphAdapter: graphAdapter, ARM: armClient,
	}, nil
}

func newGraphAdapter(cred azcore.TokenCredential, ep Endpoints, version string) (abstractions.RequestAdapter, error) {
	graphURL, err := url.Parse(ep.GraphEndpoint)
	if err != nil {
		return nil, fmt.Errorf("graph endpoint %q: %w", ep.GraphEndpoint, err)
	}
	auth, err := kiotaauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{ep.GraphScope()}, []string{graphURL.Hostname()})
	if err != nil {
		return nil, err
	}
	middleware, err := khttp.GetDefaultMiddlewaresWithOptions(
		&khttp.RetryHandlerOptions{MaxRetries: graphMaxRetries, ShouldRetry: func(time.Duration, int, *http.Request, *http.Response) bool { return true }},
		// Request bodies stay uncompressed: they are small, and plain bodies keep traffic logs and proxies readable.
		khttp.NewCompressionOptionsReference(false),
		&khttp.UserAgentHandlerOptions{Enabled: true, ProductName: userAgentProduct, ProductVersion: version},
	)
	if err != nil {
		return nil, err
	}
	graphOptions := msgraphsdk.GetDefaultClientOptions()
	// Logging sits last, next to the transport, so every attempt (retries included) is logged once; before it,
	// pacing (Pace), so that every attempt waits for its slot, and before that the retry of requests that got no
	// answer (kiota's retry handler acts on answers only).
	middleware = append([]khttp.Middleware{msgraphcore.NewGraphTelemetryHandler(&graphOptions)},
		append(middleware, graphTransportRetry{}, pacingMiddleware{}, graphLoggingMiddleware{})...)
	httpClient := khttp.GetDefaultClient(middleware...)
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		auth, nil, nil, httpClient)
	if err != nil {
		return nil, err
	}
	adapter.SetBaseUrl(ep.GraphEndpoint + "/v1.0")
	// The SDK's constructor registers kiota's default serializers and turns on the adapter's backing store, once;
	// Graph(c) builds the same client afterwards without repeating that.
	msgraphsdk.NewGraphServiceClient(adapter)
	return adapter, nil
}

// Graph is the Microsoft Graph v1.0 client over c.GraphAdapter, equal to what msgraphsdk.NewGraphServiceClient
// returns for it (TestGraph checks). Call it where a request is built, clients.Graph(c).Users().Get(...), and
// never keep the result in Client or in anything stored in an interface (see the size rule on Client). It is a
// function, not a method: an exported method returning *GraphServiceClient puts every request builder back in
// the binary (measured: 129 MB). It does not call NewGraphServiceClient, which registers kiota's default
// serializers and re-enables the adapter's backing store on every call, writes that would race with requests in
// flight; New did them once.
func Graph(c *Client) *msgraphsdk.GraphServiceClient {
	return &msgraphsdk.GraphServiceClient{GraphBaseServiceClient: msgraphsdk.GraphBaseServiceClient{
		BaseRequestBuilder: abstractions.BaseRequestBuilder{
			RequestAdapter: c.GraphAdapter,
			UrlTemplate:    graphURLTemplate,
			PathParameters: map[string]string{"baseurl": c.GraphAdapter.GetBaseUrl()},
		},
	}}
}

// graphURLTemplate is the URL template of msgraph-sdk-go's GraphBaseServiceClient.
const graphURLTemplate = "{+baseurl}"

// armClientOptions configures ARM's azcore pipeline: the cloud's endpoints, logging of every call, Graph's retry
// budget, and the provider's own User-Agent.
func armClientOptions(ep Endpoints, version string) *arm.ClientOptions {
	return &arm.ClientOptions{
		ClientOptions: policy.ClientOptions{
			Cloud: ep.cloudConfiguration(),
			// azcore's telemetry token caps the application id at 24 characters, too short for
			// "terraform-provider-breakglass/VERSION", and needs a semver module version; userAgentPolicy writes the
			// same product token Graph's requests carry instead.
			Telemetry:       policy.TelemetryOptions{Disabled: true},
			PerCallPolicies: []policy.Policy{userAgentPolicy{product: userAgentProduct + "/" + version}, armLoggingPolicy{}},
			Retry:           policy.RetryOptions{MaxRetries: graphMaxRetries},
		},
		DisableRPRegistration: true,
	}
}

// userAgentProduct names the provider in every Graph and ARM request's User-Agent, followed by /VERSION.
const userAgentProduct = "terraform-provider-breakglass"

// userAgentPolicy puts the provider's product token first in the User-Agent of ARM requests.
type userAgentPolicy struct{ product string }

func (p userAgentPolicy) Do(req *policy.Request) (*http.Response, error) {
	ua := p.product
	if existing := req.Raw().Header.Get("User-Agent"); existing != "" {
		ua += " " + existing
	}
	req.Raw().Header.Set("User-Agent", ua)
	return req.Next()
}

// FromProviderData is every resource's Configure: the provider hands over a *Client, anything else is a bug.
func FromProviderData(data any, diags *diag.Diagnostics) *Client {
	if data == nil {
		return nil
	}
	c, ok := data.(*Client)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("Expected *clients.Client, got %T. This is a bug in the provider.", data))
	}
	return c
}
