package clients

import (
	"net/http"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	khttp "github.com/microsoft/kiota-http-go"
	"golang.org/x/time/rate"
)

// Pace is a Graph request option: the request waits for a slot of Limiter before it goes out, and so does every
// retry of it (the pacing middleware sits between kiota's retry handler and the transport). An API with a
// per-tenant request budget, such as Conditional Access's one request per second, gets every request of a
// provider instance paced by passing the same limiter to each, page requests of a PageIterator included
// (SetReqOptions). kiota has no such handler: its options tune retries after the fact, hence written here.
type Pace struct{ Limiter *rate.Limiter }

var paceKey = abstractions.RequestOptionKey{Key: "breakglass.Pace"}

// GetKey is the option's key in the request's context.
func (*Pace) GetKey() abstractions.RequestOptionKey { return paceKey }

// noSlotError is a request that never got its slot: the limiter refused, or the deadline comes before the slot.
// Nothing was sent, and sending again would not help (retriableTransportError).
type noSlotError struct{ err error }

func (e noSlotError) Error() string { return "waiting for a request slot: " + e.err.Error() }
func (e noSlotError) Unwrap() error { return e.err }

type pacingMiddleware struct{}

func (pacingMiddleware) Intercept(pipeline khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	if p, ok := req.Context().Value(paceKey).(*Pace); ok && p.Limiter != nil {
		if err := p.Limiter.Wait(req.Context()); err != nil {
			return nil, noSlotError{err}
		}
	}
	return pipeline.Next(req, index)
}

// PacedRead are the options of a read from an API whose budget is about one request per second per tenant
// (Conditional Access): paced by l, and retried on 429, 503 and 504. Such an API may send no Retry-After with its
// 429s (Conditional Access does not), and kiota's own back-off would then start at 3 s and double; starting at 1 s
// matches a budget that refills every second.
func PacedRead(l *rate.Limiter) []abstractions.RequestOption {
	return []abstractions.RequestOption{&Pace{Limiter: l}, &khttp.RetryHandlerOptions{
		DelaySeconds: 1, MaxRetries: graphMaxRetries,
		ShouldRetry: func(time.Duration, int, *http.Request, *http.Response) bool { return true },
	}}
}

// PacedWrite are the options of a write to such an API: paced by l and never replayed by kiota, because a
// read-modify-write must read again before it writes again (the caller's loop does).
func PacedWrite(l *rate.Limiter) []abstractions.RequestOption {
	return []abstractions.RequestOption{&Pace{Limiter: l}, &khttp.RetryHandlerOptions{
		ShouldRetry: func(time.Duration, int, *http.Request, *http.Response) bool { return false },
	}}
}
