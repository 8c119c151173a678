package tenantsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// Graph answers with OData JSON; clients such as kiota look at the media type to pick a parser.
const graphContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

// graphError is a Graph error answer; handlers return it so that $batch can reuse the same writer.
type graphError struct {
	status  int
	code    string
	message string
	inner   string // innerError.message, which some workloads (Conditional Access) fill with the detail
}

func newGraphError(status int, code, message string) *graphError {
	return &graphError{status: status, code: code, message: message}
}

func badRequest(message string) *graphError {
	return newGraphError(http.StatusBadRequest, "Request_BadRequest", message)
}

func resourceNotFound(id string) *graphError {
	return newGraphError(http.StatusNotFound, "Request_ResourceNotFound",
		"Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")
}

func accessDenied() *graphError {
	return newGraphError(http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
}

// unknownProperty, primitiveMismatch and valueRequired are OData deserialization errors in request bodies.
func unknownProperty(name, typeName string) *graphError {
	return newGraphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("The property '%s' does not exist on type '%s'. Make sure to only use property names that are defined by the type or mark the type as open type.", name, typeName))
}

func primitiveMismatch(edm string) *graphError {
	return newGraphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Cannot convert a primitive value to the expected type '%s'. See the inner exception for more details.", edm))
}

func valueRequired(name string) *graphError {
	return newGraphError(http.StatusBadRequest, "BadRequest", "Value cannot be null.\r\nParameter name: "+name)
}

// objectKeyError rejects an object key that is not a GUID; nil when it is one.
func objectKeyError(key string) *graphError {
	if uuid.Validate(key) != nil {
		return badRequest(fmt.Sprintf("Invalid object identifier '%s'.", key))
	}
	return nil
}

// writeJSON writes v with the given status and content type. HTML escaping is off so that nextLinks keep a
// literal '&', as Graph writes them.
func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeGraphError writes Graph's error envelope, including the innerError block that Graph adds to every error
// (date without zone, request-id, client-request-id).
func writeGraphError(w http.ResponseWriter, r *http.Request, e *graphError) {
	ri := requestInfoFrom(r.Context())
	inner := map[string]any{
		"date":              time.Now().UTC().Format("2006-01-02T15:04:05"),
		"request-id":        ri.requestID,
		"client-request-id": ri.clientRequestID,
	}
	if e.inner != "" {
		inner["message"] = e.inner
	}
	writeJSON(w, e.status, graphContentType, map[string]any{
		"error": map[string]any{"code": e.code, "message": e.message, "innerError": inner},
	})
}

// writeARMError writes Azure Resource Manager's error envelope.
func writeARMError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, "application/json; charset=utf-8", map[string]any{
		"error": map[string]any{"code": code, "message": message},
	})
}
