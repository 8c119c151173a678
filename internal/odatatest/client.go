package odatatest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/microsoft/kiota-abstractions-go/authentication"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

// GraphClient is a *clients.Client whose Graph calls go, unauthenticated, to rec, so a fuzz target can see each
// request as it arrives on the wire.
func GraphClient(tb testing.TB, rec http.Handler) *clients.Client {
	tb.Helper()
	server := httptest.NewServer(rec)
	tb.Cleanup(server.Close)
	adapter, err := msgraphsdk.NewGraphRequestAdapter(&authentication.AnonymousAuthenticationProvider{})
	if err != nil {
		tb.Fatal(err)
	}
	adapter.SetBaseUrl(server.URL + "/v1.0")
	// NewGraphServiceClient registers kiota's serializers and enables the backing store, as clients.New does.
	return &clients.Client{GraphAdapter: msgraphsdk.NewGraphServiceClient(adapter).GetAdapter()}
}
