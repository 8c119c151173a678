package clients

import (
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	khttp "github.com/microsoft/kiota-http-go"
)

// Request logging records what was called and how it went, never what was sent: bodies carry passwords and
// headers carry bearer tokens, so only method, URL (Graph and ARM URLs hold ids, not secrets), status, timing and
// the service's request ids reach tflog (the redact-by-default habit of azapi's traffic log).

type graphLoggingMiddleware struct{}

func (graphLoggingMiddleware) Intercept(pipeline khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := pipeline.Next(req, index)
	logExchange(req, resp, err, time.Since(start), "graph")
	return resp, err
}

type armLoggingPolicy struct{}

func (armLoggingPolicy) Do(req *policy.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := req.Next()
	logExchange(req.Raw(), resp, err, time.Since(start), "arm")
	return resp, err
}

func logExchange(req *http.Request, resp *http.Response, err error, took time.Duration, api string) {
	fields := map[string]any{
		"api": api, "method": req.Method, "url": req.URL.Redacted(), "duration_ms": took.Milliseconds(),
	}
	if resp != nil {
		fields["status"] = resp.StatusCode
		for _, h := range []string{"request-id", "client-request-id", "x-ms-request-id", "x-ms-correlation-request-id", "Retry-After"} {
			if v := resp.Header.Get(h); v != "" {
				fields[h] = v
			}
		}
	}
	if err != nil {
		fields["error"] = err.Error()
	}
	tflog.Debug(req.Context(), "HTTP request", fields)
}
