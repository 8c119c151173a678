package clients

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// captureTransport answers 200 to every request and remembers the last one.
type captureTransport struct{ last *http.Request }

func (c *captureTransport) Do(req *http.Request) (*http.Response, error) {
	c.last = req
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: http.NoBody, Request: req}, nil
}

// ARM requests name the provider and its version in User-Agent, like Graph's, whatever the version looks like
// (release builds stamp 1.2.3, local builds a commit).
func TestARMUserAgent(t *testing.T) {
	for _, version := range []string{"1.2.3", "6d49270-dirty"} {
		transport := &captureTransport{}
		opts := armClientOptions(Endpoints{ResourceManagerEndpoint: "https://management.example", ResourceManagerAudience: "https://management.example"}, version)
		opts.Transport = transport
		client, err := arm.NewClient("breakglass", version, staticToken{}, opts)
		if err != nil {
			t.Fatalf("%s: %v", version, err)
		}
		req, err := runtime.NewRequest(context.Background(), http.MethodGet, "https://management.example/subscriptions")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.Pipeline().Do(req); err != nil {
			t.Fatal(err)
		}
		ua := transport.last.Header.Get("User-Agent")
		if want := "terraform-provider-breakglass/" + version; !strings.HasPrefix(ua, want) {
			t.Fatalf("User-Agent %q, want it to start with %q", ua, want)
		}
	}
}

// staticToken is a credential that needs no tenant.
type staticToken struct{}

func (staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "token", ExpiresOn: time.Now().Add(time.Hour)}, nil
}
