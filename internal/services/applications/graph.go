package applications

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

const (
	// maxPageSize is the largest $top of servicePrincipals, appRoleAssignedTo and roleAssignments.
	maxPageSize int32 = 999
	// batchSize is JSON batching's limit of requests per $batch.
	batchSize = 20
	// idsPerFilter is how many values one "$filter=x in (...)" may hold: Graph limits a filter clause to 15
	// expressions (Microsoft Graph known issues, "Some limitations apply to query parameters").
	idsPerFilter = 15
	// batchRetries bounds the retries of throttled items inside a $batch, which kiota's retry handler cannot see.
	batchRetries = 8
)

// collectionPage is what every msgraph-sdk-go collection response offers.
type collectionPage[T any] interface {
	GetValue() []T
	GetOdataNextLink() *string
}

// listAll reads a collection to its end, following @odata.nextLink through the same request builder (WithUrl) so
// that every page gets the typed Graph error mapping.
func listAll[T any, P collectionPage[T]](ctx context.Context, first func(context.Context) (P, error), next func(context.Context, string) (P, error), each func(T)) error {
	page, err := first(ctx)
	for {
		if err != nil {
			return err
		}
		for _, item := range page.GetValue() {
			each(item)
		}
		link := page.GetOdataNextLink()
		if link == nil || *link == "" {
			return nil
		}
		page, err = next(ctx, *link)
	}
}

// parallel runs independent reads at once and returns the first error; the others are cancelled then.
func parallel(ctx context.Context, reads ...func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for i, read := range reads {
		wg.Go(func() {
			if errs[i] = read(ctx); errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return errors.Join(errs...)
}

// batchStep is one GET inside a $batch and what to do with its 2xx body.
type batchStep struct {
	info   *abstractions.RequestInformation
	handle func(ctx context.Context, body []byte) error
}

// sendBatches sends steps in $batch envelopes of 20 and returns how many envelopes it sent. Graph throttles the
// items of a batch one by one (a 200 envelope can hold 429s), so throttled and unavailable items are sent again
// after their Retry-After, in a batch of their own.
func sendBatches(ctx context.Context, c *clients.Client, steps []batchStep) (int, error) {
	adapter := c.GraphAdapter
	sent := 0
	for start := 0; start < len(steps); start += batchSize {
		pending := steps[start:min(start+batchSize, len(steps))]
		for attempt := 0; len(pending) > 0; attempt++ {
			batch := msgraphcore.NewBatchRequest(adapter)
			byID := make(map[string]batchStep, len(pending))
			for _, s := range pending {
				item, err := batch.AddBatchRequestStep(*s.info)
				if err != nil {
					return sent, err
				}
				byID[*item.GetId()] = s
			}
			resp, err := batch.Send(ctx, adapter)
			sent++
			if err != nil {
				return sent, err
			}
			var retry []batchStep
			wait := time.Second
			for id, s := range byID {
				item := resp.GetResponseById(id)
				if item == nil || item.GetStatus() == nil {
					return sent, fmt.Errorf("the $batch answer has no response for request %s", id)
				}
				status := int(*item.GetStatus())
				body, err := json.Marshal(item.GetBody())
				if err != nil {
					return sent, err
				}
				switch {
				case status < 300:
					if err := s.handle(ctx, body); err != nil {
						return sent, err
					}
				case transient(status) && attempt < batchRetries:
					retry = append(retry, s)
					wait = max(wait, retryAfter(item.GetHeaders()))
				default:
					return sent, itemError(status, body)
				}
			}
			if pending = retry; len(pending) > 0 {
				select {
				case <-ctx.Done():
					return sent, ctx.Err()
				case <-time.After(wait):
				}
			}
		}
	}
	return sent, nil
}

func transient(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

func retryAfter(headers map[string]string) time.Duration {
	for k, v := range headers {
		if strings.EqualFold(k, "Retry-After") {
			if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > 0 {
				return time.Duration(s) * time.Second
			}
		}
	}
	return time.Second
}

// itemError turns a failed batch item into the ODataError a direct call would have returned, so that
// clients.Explain recognises a missing permission.
func itemError(status int, body []byte) error {
	if node, err := parseJSON(body); err == nil {
		if v, err := node.GetObjectValue(odataerrors.CreateODataErrorFromDiscriminatorValue); err == nil {
			if oe, ok := v.(*odataerrors.ODataError); ok {
				oe.ResponseStatusCode = status
				return oe
			}
		}
	}
	return &abstractions.ApiError{Message: fmt.Sprintf("a $batch request failed with HTTP %d", status), ResponseStatusCode: status}
}

// parseJSON parses with the SDK's registered JSON parser, the one msgraph-sdk-go-core's batch helpers use too;
// building the Graph client registers it.
func parseJSON(body []byte) (absser.ParseNode, error) {
	return absser.DefaultParseNodeFactoryInstance.GetRootParseNode("application/json", body)
}

// parseAs parses a batch item's body as a Graph model.
func parseAs[T any](body []byte, factory absser.ParsableFactory) (T, error) {
	var zero T
	node, err := parseJSON(body)
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

// chunks splits values into runs of at most n.
func chunks(values []string, n int) [][]string {
	var out [][]string
	for len(values) > 0 {
		k := min(n, len(values))
		out = append(out, values[:k])
		values = values[k:]
	}
	return out
}

// inFilter is "property in ('a','b')".
func inFilter(property string, values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = clients.ODataString(v)
	}
	return property + " in (" + strings.Join(quoted, ",") + ")"
}
