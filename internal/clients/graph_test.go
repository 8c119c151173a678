package clients

import (
	"context"
	"reflect"
	"testing"

	"github.com/microsoft/kiota-abstractions-go/authentication"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
)

// TestGraph: Graph builds the client msgraphsdk.NewGraphServiceClient builds over the same adapter (same URL
// template, path parameters and adapter), so request builders taken from it address the same URLs. An SDK
// upgrade that changes the constructor fails here.
func TestGraph(t *testing.T) {
	adapter, err := msgraphsdk.NewGraphRequestAdapter(&authentication.AnonymousAuthenticationProvider{})
	if err != nil {
		t.Fatal(err)
	}
	adapter.SetBaseUrl("https://graph.example/v1.0")
	want := msgraphsdk.NewGraphServiceClient(adapter)
	got := Graph(&Client{GraphAdapter: adapter})
	if !reflect.DeepEqual(got.BaseRequestBuilder, want.BaseRequestBuilder) {
		t.Errorf("Graph(c) = %+v\nNewGraphServiceClient = %+v", got.BaseRequestBuilder, want.BaseRequestBuilder)
	}
	ri, err := Graph(&Client{GraphAdapter: adapter}).Users().ByUserId("a b").ToGetRequestInformation(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := ri.GetUri()
	if err != nil {
		t.Fatal(err)
	}
	if u.String() != "https://graph.example/v1.0/users/a%20b" {
		t.Errorf("request URL %s", u)
	}
}
