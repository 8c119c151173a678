package clients

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

func TestDiscoverEndpoints(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metadata/endpoints" || r.URL.Query().Get("api-version") != "2022-09-01" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `{"name":"Private","authentication":{"loginEndpoint":"https://login.example","audiences":["https://management.example/"]},
			"graph":"https://graph.example/","microsoftGraphResourceId":"https://graph.example/","resourceManager":"https://management.example"}`)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "https://")
	ep, err := DiscoverEndpoints(context.Background(), srv.Client(), host)
	if err != nil {
		t.Fatal(err)
	}
	want := Endpoints{Name: "Private", LoginEndpoint: "https://login.example/", GraphEndpoint: "https://graph.example",
		GraphResourceID: "https://graph.example/", ResourceManagerEndpoint: "https://management.example/",
		ResourceManagerAudience: "https://management.example/", Custom: true}
	if ep != want {
		t.Errorf("got %+v\nwant %+v", ep, want)
	}
	if ep.GraphScope() != "https://graph.example/.default" {
		t.Errorf("graph scope %q", ep.GraphScope())
	}
	if _, err := DiscoverEndpoints(context.Background(), srv.Client(), host+"/wrong"); err == nil {
		t.Error("a 404 from the metadata host must fail")
	}
}

func graphErr(status int, code, msg string) error {
	e := odataerrors.NewODataError()
	main := odataerrors.NewMainError()
	main.SetCode(&code)
	main.SetMessage(&msg)
	e.SetErrorEscaped(main)
	e.ResponseStatusCode = status
	return e
}

func TestExplain_namesTheMissingPermission(t *testing.T) {
	write := Permission{Name: "User.ReadWrite.All", Alternative: "Directory.ReadWrite.All"}
	msg := Explain("creating user x", write, graphErr(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."))
	for _, want := range []string{"User.ReadWrite.All", "Directory.ReadWrite.All", "admin consent", "creating user x"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	msg = Explain("reading user x", Permission{Name: "User.Read.All"}, graphErr(400, "Request_BadRequest", "Invalid value"))
	if !strings.Contains(msg, "Request_BadRequest") || strings.Contains(msg, "permission") {
		t.Errorf("non-permission errors keep Graph's code and message: %q", msg)
	}
}

func TestRetryWhileNotFound(t *testing.T) {
	defer func(b backoff) { Backoff = b }(Backoff)
	Backoff = backoff{Initial: time.Millisecond, Max: 4 * time.Millisecond}
	calls := 0
	err := RetryWhileNotFound(context.Background(), "user u", func(context.Context) error {
		calls++
		if calls < 4 {
			return graphErr(404, "Request_ResourceNotFound", "not yet")
		}
		return nil
	})
	if err != nil || calls != 4 {
		t.Fatalf("err=%v calls=%d, want success on the 4th call", err, calls)
	}

	other := errors.New("boom")
	calls = 0
	if err := RetryWhileNotFound(context.Background(), "user u", func(context.Context) error { calls++; return other }); !errors.Is(err, other) || calls != 1 {
		t.Fatalf("other errors must not be retried: err=%v calls=%d", err, calls)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err = RetryWhileNotFound(ctx, "user u", func(context.Context) error { return graphErr(404, "Request_ResourceNotFound", "never") })
	if err == nil || !strings.Contains(err.Error(), "still not visible after waiting") || !IsNotFound(err) {
		t.Fatalf("timeout error must say how long it waited and wrap the last error: %v", err)
	}

	// The deadline falls during a request, which fails with the deadline's error: the answer is still the last 404
	// (a refresh confirming a 404 failed at random before).
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	calls = 0
	err = RetryWhileNotFound(ctx, "user u", func(ctx context.Context) error {
		if calls++; calls == 1 {
			return graphErr(404, "Request_ResourceNotFound", "not yet")
		}
		<-ctx.Done()
		return fmt.Errorf("Get \"https://graph.example/v1.0/users/u\": %w", ctx.Err())
	})
	if !IsNotFound(err) || !strings.Contains(err.Error(), "still not visible after waiting") {
		t.Fatalf("a deadline during a request must give the last 404, got %v", err)
	}
}
