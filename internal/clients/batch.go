package clients

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// A failed $batch envelope maps to the ODataError a direct call returns, so Explain can name a missing permission.
func init() {
	_ = msgraphcore.RegisterError(msgraphcore.BatchRequestErrorRegistryKey, ODataErrors)
}

// BatchResponse is the final answer to one request of a $batch: a 2xx, a refusal, or a throttled answer whose
// retries ran out.
type BatchResponse struct {
	Status  int
	Headers map[string]string
	Body    []byte
}

// Err is the error a direct call would have returned for this answer (nil for a 2xx): an ODataError when Graph
// sent its error body, so that Explain and AsGraphError read it the same way.
func (r BatchResponse) Err() error {
	if r.Status < 300 {
		return nil
	}
	if oe, err := ParseAs[*odataerrors.ODataError](r.Body, odataerrors.CreateODataErrorFromDiscriminatorValue); err == nil {
		oe.ResponseStatusCode = r.Status
		return oe
	}
	return &abstractions.ApiError{Message: fmt.Sprintf("a $batch request failed with HTTP %d", r.Status), ResponseStatusCode: r.Status}
}

// ParseAs parses a $batch answer's body as a Graph model, with the SDK's registered JSON parser (the one
// msgraph-sdk-go-core's batch helpers use; building the Graph client registers it).
func ParseAs[T any](body []byte, factory absser.ParsableFactory) (T, error) {
	var zero T
	node, err := absser.DefaultParseNodeFactoryInstance.GetRootParseNode("application/json", body)
	if err != nil {
		return zero, err
	}
	v, err := node.GetObjectValue(factory)
	if err != nil {
		return zero, err
	}
	out, ok := v.(T)
	if !ok {
		return zero, errors.New("unexpected answer in a $batch response")
	}
	return out, nil
}

// batchPolicy is how $batch requests are sent and their throttled requests retried.
type batchPolicy struct {
	size     int           // requests per envelope
	retries  int           // retries of one request Graph throttled or could not serve
	maxWait  time.Duration // cap on one Retry-After
	fallback time.Duration // first wait when an answer has no Retry-After; it doubles per retry
}

// graphBatch is the one policy for every $batch the provider sends. Graph evaluates each request of a batch
// against its throttling limits on its own and answers a throttled one 429 inside a 200 envelope, with its own
// Retry-After (learn.microsoft.com/graph/json-batching, "Throttling and batching"; kiota's retry handler sees
// only the envelope). The throttling guidance (learn.microsoft.com/graph/throttling) says to wait the
// Retry-After and retry until the request succeeds, and to back off exponentially when no Retry-After is given:
// so 8 retries (as many as graphTransportRetries gives a dropped connection), with each Retry-After capped at
// 60 s so that one odd header cannot hold a plan for minutes (Graph's throttling waits are seconds). 20 is
// JSON batching's limit of requests per envelope. A transport failure of the envelope itself is retried below,
// by kiota's retry handler (429, 503, 504) and graphTransportRetry (no answer), not here.
var graphBatch = batchPolicy{size: 20, retries: 8, maxWait: time.Minute, fallback: time.Second}

// SendBatch sends GET requests built by the SDK's request builders in $batch envelopes of 20 (with
// msgraph-sdk-go-core's BatchRequest) and calls settle with each request's index and final answer, as the
// answers come; requests Graph throttled (429) or could not serve (503, 504) are sent again after their
// Retry-After, together in as few envelopes as they fit. An error from settle stops the sending. It returns how
// many envelopes it sent.
func SendBatch(ctx context.Context, adapter abstractions.RequestAdapter, requests []*abstractions.RequestInformation, settle func(int, BatchResponse) error) (int, error) {
	return graphBatch.send(ctx, adapter, requests, settle)
}

func (p batchPolicy) send(ctx context.Context, adapter abstractions.RequestAdapter, requests []*abstractions.RequestInformation, settle func(int, BatchResponse) error) (int, error) {
	pending := make([]int, len(requests))
	for i := range pending {
		pending[i] = i
	}
	sent := 0
	for attempt := 0; len(pending) > 0; attempt++ {
		var retry []int
		wait := time.Duration(0)
		for start := 0; start < len(pending); start += p.size {
			chunk := pending[start:min(start+p.size, len(pending))]
			batch := msgraphcore.NewBatchRequest(adapter)
			byID := make(map[string]int, len(chunk))
			for _, i := range chunk {
				item, err := batch.AddBatchRequestStep(*requests[i])
				if err != nil {
					return sent, err
				}
				byID[*item.GetId()] = i
			}
			resp, err := batch.Send(ctx, adapter)
			sent++
			if err != nil {
				return sent, err
			}
			for _, item := range batch.GetRequests() {
				i := byID[*item.GetId()]
				answer := resp.GetResponseById(*item.GetId())
				if answer == nil || answer.GetStatus() == nil {
					return sent, fmt.Errorf("the $batch answer has no response for request %s", *item.GetUrl())
				}
				r := BatchResponse{Status: int(*answer.GetStatus()), Headers: answer.GetHeaders()}
				if r.Body, err = json.Marshal(answer.GetBody()); err != nil {
					return sent, err
				}
				if transient(r.Status) && attempt < p.retries {
					retry = append(retry, i)
					wait = max(wait, p.retryAfter(r.Headers, attempt))
					continue
				}
				if err := settle(i, r); err != nil {
					return sent, err
				}
			}
		}
		if pending = retry; len(pending) > 0 && !Sleep(ctx, wait) {
			return sent, ctx.Err()
		}
	}
	return sent, nil
}

// transient is true for the answers Graph's guidance says to retry: throttled (429) or briefly unavailable.
func transient(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// retryAfter is an answer's Retry-After (seconds, as Graph sends it) capped at maxWait, or the exponential
// fallback for this attempt when there is none.
func (p batchPolicy) retryAfter(headers map[string]string, attempt int) time.Duration {
	for k, v := range headers {
		if strings.EqualFold(k, "Retry-After") {
			if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
				return min(time.Duration(s)*time.Second, p.maxWait)
			}
		}
	}
	return min(p.fallback<<attempt, p.maxWait)
}
