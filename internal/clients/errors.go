package clients

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
)

// GraphError is what the provider needs from a failed Graph call: the HTTP status and Graph's error code.
type GraphError struct {
	Status  int
	Code    string
	Message string
}

// AsGraphError extracts Graph's status, code and message from an SDK error; ok is false for transport errors.
func AsGraphError(err error) (GraphError, bool) {
	var odata *odataerrors.ODataError
	if errors.As(err, &odata) {
		ge := GraphError{Status: odata.ResponseStatusCode}
		if main := odata.GetErrorEscaped(); main != nil {
			ge.Code = helpers.Deref(main.GetCode())
			ge.Message = helpers.Deref(main.GetMessage())
		}
		return ge, true
	}
	var api *abstractions.ApiError
	if errors.As(err, &api) {
		return GraphError{Status: api.ResponseStatusCode, Message: api.Message}, true
	}
	return GraphError{}, false
}

// IsNotFound is true for Graph's 404 Request_ResourceNotFound (or any 404), which also means "not replicated yet"
// right after a create.
func IsNotFound(err error) bool {
	ge, ok := AsGraphError(err)
	return ok && (ge.Status == 404 || ge.Code == "Request_ResourceNotFound" || ge.Code == "ResourceNotFound")
}

// IsForbidden is true when Graph refused for lack of permission.
func IsForbidden(err error) bool {
	ge, ok := AsGraphError(err)
	return ok && (ge.Status == 403 || ge.Code == "Authorization_RequestDenied")
}

// Permission names the least Graph application permission an operation needs, and what also grants it. Each area
// declares the permissions its calls need; one that several areas need lives with the area that owns the object
// (account.PermUserRead).
type Permission struct {
	Name        string
	Alternative string
}

// Explain turns a Graph error into a message a user can act on: a missing permission names the permission to
// grant instead of Graph's bare "Insufficient privileges"; other errors keep Graph's code and message.
func Explain(operation string, perm Permission, err error) string {
	ge, ok := AsGraphError(err)
	if !ok {
		return fmt.Sprintf("%s: %s", operation, err)
	}
	if ge.Status == 403 || ge.Code == "Authorization_RequestDenied" {
		also := ""
		if perm.Alternative != "" {
			also = " (or " + perm.Alternative + ")"
		}
		return fmt.Sprintf("%s: the provider's identity lacks the Microsoft Graph application permission %s%s. "+
			"Grant it to the app registration or managed identity with admin consent "+
			"(Entra admin center > App registrations > API permissions > Microsoft Graph > Application permissions), "+
			"then run Terraform again. Graph said: %s %s", operation, perm.Name, also, ge.Code, ge.Message)
	}
	parts := []string{operation + ":"}
	if ge.Status != 0 {
		parts = append(parts, fmt.Sprintf("HTTP %d", ge.Status))
	}
	if ge.Code != "" {
		parts = append(parts, ge.Code)
	}
	if ge.Message != "" {
		parts = append(parts, ge.Message)
	}
	return strings.Join(parts, " ")
}

// ThrottledFor reports whether err is an answer kiota would have retried (429, 503, 504) and how long to wait:
// Retry-After when sent (Conditional Access sends none on 429), else a back-off from one second doubling to
// eight, by how many times in a row it happened. A read-modify-write whose write was throttled reads again after
// the wait instead of letting kiota replay the write (PacedWrite): the list it would send may be stale by then.
func ThrottledFor(err error, times int) (time.Duration, bool) {
	var odata *odataerrors.ODataError
	if !errors.As(err, &odata) {
		return 0, false
	}
	switch odata.ResponseStatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
	default:
		return 0, false
	}
	if h := odata.GetResponseHeaders(); h != nil {
		for _, v := range h.Get("Retry-After") {
			if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs >= 0 {
				return time.Duration(secs) * time.Second, true
			}
		}
	}
	return min(time.Second<<min(times, 3), 8*time.Second), true
}
