package clients

import (
	"context"
	"encoding/json"
	"fmt"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// ODataErrors maps every Graph error answer to the SDK's ODataError, as the generated request builders do, so that
// Explain and the permission checks read a raw request's refusal like any other.
var ODataErrors = abstractions.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}

// Raw JSON requests exist for read-modify-write of a collection that another team shares (Conditional Access
// exclusions, method configuration targets): the list must go back exactly as read, and the SDK's typed models
// cannot promise that (kiota's backing store serializes only what it saw change, and a model drops properties it
// does not know). The request itself still comes from the SDK's request builder, with its URL and options.

// GetJSON sends ri (a GET) and decodes the answer into out.
func GetJSON(ctx context.Context, c *Client, ri *abstractions.RequestInformation, out any) error {
	raw, err := c.GraphAdapter.SendPrimitive(ctx, ri, "[]byte", ODataErrors)
	if err != nil {
		return err
	}
	body, _ := raw.([]byte)
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("decoding %s: %w", ri.UrlTemplate, err)
	}
	return nil
}

// PatchJSON turns ri into a PATCH of body, sent as JSON.
func PatchJSON(ctx context.Context, c *Client, ri *abstractions.RequestInformation, body any) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return err
	}
	ri.Method = abstractions.PATCH
	ri.Headers.TryAdd("Accept", "application/json")
	ri.SetStreamContentAndContentType(payload, "application/json")
	return c.GraphAdapter.SendNoContent(ctx, ri, ODataErrors)
}
