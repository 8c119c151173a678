package clients

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// ARM API versions the provider sends, all stable. The typed SDK modules are not used: armmonitor pins preview
// versions of scheduledQueryRules and has no microsoft.aadiam client, so the provider sends these few JSON bodies
// through azcore's ARM pipeline itself (token, retries honouring Retry-After, logging).
const (
	APIVersionAADDiagnosticSettings = "2017-04-01"
	APIVersionActionGroups          = "2023-01-01"
	APIVersionScheduledQueryRules   = "2023-12-01"
)

// ARMDo sends one ARM request to a resource id and decodes the JSON answer into out (when out is not nil).
// Errors are *azcore.ResponseError for every non-2xx answer.
func (c *Client) ARMDo(ctx context.Context, method, resourceID, apiVersion string, body, out any) error {
	endpoint := strings.TrimRight(c.Endpoints.ResourceManagerEndpoint, "/") + resourceID
	req, err := runtime.NewRequest(ctx, method, endpoint)
	if err != nil {
		return err
	}
	q := req.Raw().URL.Query()
	q.Set("api-version", apiVersion)
	req.Raw().URL.RawQuery = q.Encode()
	req.Raw().Header.Set("Accept", "application/json")
	if body != nil {
		if err := runtime.MarshalAsJSON(req, body); err != nil {
			return err
		}
	}
	resp, err := c.ARM.Pipeline().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return runtime.NewResponseError(resp)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	raw, err := runtime.Payload(resp)
	if err != nil {
		return err
	}
	if len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, out)
}

// IsARMNotFound is true for ARM's 404 (ResourceNotFound, ResourceGroupNotFound and the like).
func IsARMNotFound(err error) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}

// ExplainARM turns an ARM error into a message a user can act on: a 403 names the role assignment the provider's
// identity needs and where; other errors keep ARM's code and message.
func ExplainARM(operation, role, scope string, err error) string {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return fmt.Sprintf("%s: %s", operation, err)
	}
	message := armErrorMessage(re)
	if re.StatusCode == http.StatusForbidden {
		return fmt.Sprintf("%s: the provider's identity has no role that allows it (%s). Assign it the %s role on %s "+
			"(or a role with the same actions), wait a few minutes for the assignment to apply, and run again.",
			operation, message, role, scope)
	}
	return fmt.Sprintf("%s: %s (HTTP %d %s)", operation, message, re.StatusCode, re.ErrorCode)
}

// armErrorMessage extracts error.message from an ARM error body, which azcore keeps only in Error().
func armErrorMessage(re *azcore.ResponseError) string {
	if re.RawResponse != nil && re.RawResponse.Body != nil {
		if raw, err := runtime.Payload(re.RawResponse); err == nil {
			var body struct {
				Error struct{ Message string } `json:"error"`
			}
			if json.Unmarshal(raw, &body) == nil && body.Error.Message != "" {
				return body.Error.Message
			}
		}
	}
	return re.ErrorCode
}
