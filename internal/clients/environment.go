package clients

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
)

// Endpoints are where the provider signs in and which APIs it calls, for one cloud.
type Endpoints struct {
	// Name is the cloud's name: public, usgovernment, china, or the name a metadata host reports.
	Name string
	// LoginEndpoint is the Entra authority host, e.g. https://login.microsoftonline.com/.
	LoginEndpoint string
	// GraphEndpoint is the Microsoft Graph base URL without version, e.g. https://graph.microsoft.com.
	GraphEndpoint string
	// GraphResourceID is the token audience for Graph.
	GraphResourceID string
	// ResourceManagerEndpoint is the ARM base URL, e.g. https://management.azure.com/.
	ResourceManagerEndpoint string
	// ResourceManagerAudience is the token audience for ARM.
	ResourceManagerAudience string
	// Custom is true when the endpoints came from a metadata host: the authority is then not one Entra knows, so
	// instance discovery must be off.
	Custom bool
}

var knownEnvironments = map[string]Endpoints{
	"public": {
		Name:                    "public",
		LoginEndpoint:           "https://login.microsoftonline.com/",
		GraphEndpoint:           "https://graph.microsoft.com",
		GraphResourceID:         "https://graph.microsoft.com/",
		ResourceManagerEndpoint: "https://management.azure.com/",
		ResourceManagerAudience: "https://management.core.windows.net/",
	},
	"usgovernment": {
		Name:                    "usgovernment",
		LoginEndpoint:           "https://login.microsoftonline.us/",
		GraphEndpoint:           "https://graph.microsoft.us",
		GraphResourceID:         "https://graph.microsoft.us/",
		ResourceManagerEndpoint: "https://management.usgovcloudapi.net/",
		ResourceManagerAudience: "https://management.core.usgovcloudapi.net/",
	},
	"china": {
		Name:                    "china",
		LoginEndpoint:           "https://login.chinacloudapi.cn/",
		GraphEndpoint:           "https://microsoftgraph.chinacloudapi.cn",
		GraphResourceID:         "https://microsoftgraph.chinacloudapi.cn/",
		ResourceManagerEndpoint: "https://management.chinacloudapi.cn/",
		ResourceManagerAudience: "https://management.core.chinacloudapi.cn/",
	},
}

// EnvironmentNames lists the values the provider's `environment` accepts.
func EnvironmentNames() []string {
	names := make([]string, 0, len(knownEnvironments))
	for n := range knownEnvironments {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// cloudConfiguration is the azcore view of the endpoints, for azidentity and the ARM pipeline.
func (e Endpoints) cloudConfiguration() cloud.Configuration {
	return cloud.Configuration{
		ActiveDirectoryAuthorityHost: e.LoginEndpoint,
		Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Audience: e.ResourceManagerAudience, Endpoint: e.ResourceManagerEndpoint},
		},
	}
}

// GraphScope is the OAuth2 scope for application permissions on Graph.
func (e Endpoints) GraphScope() string {
	return strings.TrimSuffix(e.GraphResourceID, "/") + "/.default"
}

// metadataDocument is the part of ARM's /metadata/endpoints?api-version=2022-09-01 answer the provider uses.
type metadataDocument struct {
	Name           string `json:"name"`
	Authentication struct {
		LoginEndpoint string   `json:"loginEndpoint"`
		Audiences     []string `json:"audiences"`
	} `json:"authentication"`
	Graph                    string `json:"graph"`
	MicrosoftGraphResourceID string `json:"microsoftGraphResourceId"`
	ResourceManager          string `json:"resourceManager"`
}

// DiscoverEndpoints reads a metadata host's endpoint document, as azurerm does for private clouds. azcore has no
// client for this document, so it is a plain GET.
func DiscoverEndpoints(ctx context.Context, httpClient *http.Client, host string) (Endpoints, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	url := "https://" + host + "/metadata/endpoints?api-version=2022-09-01"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Endpoints{}, err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return Endpoints{}, fmt.Errorf("reading the endpoint metadata from %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Endpoints{}, fmt.Errorf("reading the endpoint metadata from %s: HTTP %d", url, resp.StatusCode)
	}
	var doc metadataDocument
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return Endpoints{}, fmt.Errorf("decoding the endpoint metadata from %s: %w", url, err)
	}
	if doc.Authentication.LoginEndpoint == "" || doc.Graph == "" || doc.ResourceManager == "" || len(doc.Authentication.Audiences) == 0 {
		return Endpoints{}, fmt.Errorf("the endpoint metadata from %s lacks loginEndpoint, audiences, graph or resourceManager", url)
	}
	graphResource := doc.MicrosoftGraphResourceID
	if graphResource == "" {
		graphResource = doc.Graph
	}
	return Endpoints{
		Name:                    doc.Name,
		LoginEndpoint:           withSlash(doc.Authentication.LoginEndpoint),
		GraphEndpoint:           strings.TrimSuffix(doc.Graph, "/"),
		GraphResourceID:         withSlash(graphResource),
		ResourceManagerEndpoint: withSlash(doc.ResourceManager),
		ResourceManagerAudience: doc.Authentication.Audiences[0],
		Custom:                  true,
	}, nil
}

func withSlash(s string) string { return strings.TrimSuffix(s, "/") + "/" }
