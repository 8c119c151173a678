package clients

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	khttp "github.com/microsoft/kiota-http-go"
)

// graphTransportRetries bounds the retries of a Graph request whose connection failed without an answer.
const graphTransportRetries = 8

// transportRetryWait is the first wait before such a retry; it doubles up to transportRetryMaxWait.
var transportRetryWait, transportRetryMaxWait = 250 * time.Millisecond, 4 * time.Second

// graphTransportRetry retries a Graph request that got no answer at all: a connection or HTTP/2 stream reset, an
// unexpected EOF. kiota's retry handler acts on answers only (429, 503, 504), so without this one dropped
// connection fails a whole apply; azcore's ARM pipeline already retries these. TLS verification and DNS errors are
// not retried: they do not heal within seconds.
//
// Every method is retried, POST included. A reset may come after Graph committed a create; the provider's creates
// are safe to send twice: a user carries its userPrincipalName (a second POST answers a UPN conflict instead of
// making a twin) and a PIM request its principal and role (a second one answers RoleAssignmentExists).
type graphTransportRetry struct{}

func (graphTransportRetry) Intercept(pipeline khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	wait := transportRetryWait
	for attempt := 1; ; attempt++ {
		resp, err := pipeline.Next(req, index)
		if err == nil || attempt > graphTransportRetries || !retriableTransportError(req.Context(), err) || !rewind(req) {
			return resp, err
		}
		tflog.Debug(req.Context(), "Graph request got no answer; retrying", map[string]any{
			"method": req.Method, "url": req.URL.Redacted(), "attempt": attempt, "error": err.Error(), "next_wait": wait.String(),
		})
		select {
		case <-req.Context().Done():
			return resp, err
		case <-time.After(wait):
		}
		wait = min(2*wait, transportRetryMaxWait)
	}
}

// retriableTransportError is false for what a retry cannot fix: the caller's own deadline or cancellation, a
// certificate the client does not trust, a name that does not resolve, a request that got no slot (Pace).
func retriableTransportError(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verification *tls.CertificateVerificationError
	var dns *net.DNSError
	var noSlot noSlotError
	return !errors.As(err, &noSlot) && !errors.As(err, &unknownAuthority) && !errors.As(err, &hostname) && !errors.As(err, &invalid) &&
		!errors.As(err, &verification) && !errors.As(err, &dns)
}

// rewind makes the request's body readable again for another attempt; false when it cannot.
func rewind(req *http.Request) bool {
	switch {
	case req.Body == nil || req.Body == http.NoBody:
		return true
	case req.GetBody != nil:
		body, err := req.GetBody()
		if err != nil {
			return false
		}
		req.Body = body
		return true
	}
	seeker, ok := req.Body.(io.Seeker)
	if !ok {
		return false
	}
	_, err := seeker.Seek(0, io.SeekStart)
	return err == nil
}
