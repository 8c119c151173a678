package tenantsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/google/uuid"
)

// maxBatchRequests is JSON batching's limit on requests per batch.
const maxBatchRequests = 20

type batchItem struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      json.RawMessage   `json:"body,omitempty"`
	DependsOn []string          `json:"dependsOn,omitempty"`
}

// batch is POST /$batch. Every item goes through dispatchGraph with the caller's token, so routing, permissions
// and validation are those of a direct call. Items run in order; an item runs after the items it depends on, and
// answers 424 when one of them failed. Throttling and 5xx knobs apply to each item, as Graph throttles items.
func (s *Server) batch(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	var envelope struct {
		Requests []batchItem `json:"requests"`
	}
	if err := json.NewDecoder(r.Body).Decode(&envelope); err != nil {
		return newGraphError(http.StatusBadRequest, "BadRequest", "Invalid batch payload format.")
	}
	if len(envelope.Requests) == 0 {
		return newGraphError(http.StatusBadRequest, "BadRequest", "Invalid batch payload format.")
	}
	if len(envelope.Requests) > maxBatchRequests {
		return newGraphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("The number of requests in the batch (%d) exceeds the limit of %d.", len(envelope.Requests), maxBatchRequests))
	}
	byID := map[string]*batchItem{}
	for i := range envelope.Requests {
		item := &envelope.Requests[i]
		key := strings.ToLower(item.ID)
		switch {
		case item.ID == "" || item.Method == "" || item.URL == "":
			return newGraphError(http.StatusBadRequest, "BadRequest", "Invalid batch payload format: every request needs id, method and url.")
		case byID[key] != nil:
			return newGraphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Batch request id '%s' is duplicated.", item.ID))
		}
		byID[key] = item
	}
	for _, item := range envelope.Requests {
		for _, dep := range item.DependsOn {
			if byID[strings.ToLower(dep)] == nil || strings.EqualFold(dep, item.ID) {
				return newGraphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Request '%s' depends on unknown request '%s'.", item.ID, dep))
			}
		}
	}

	results := map[string]map[string]any{}
	statuses := map[string]int{}
	var run func(item *batchItem, visiting map[string]bool) int
	run = func(item *batchItem, visiting map[string]bool) int {
		key := strings.ToLower(item.ID)
		if status, done := statuses[key]; done {
			return status
		}
		visiting[key] = true
		failed := false
		for _, dep := range item.DependsOn {
			depKey := strings.ToLower(dep)
			if visiting[depKey] && results[depKey] == nil {
				failed = true // a dependency cycle can never be satisfied
				continue
			}
			if status := run(byID[depKey], visiting); status >= 400 {
				failed = true
			}
		}
		if failed {
			results[key], statuses[key] = s.batchFailedDependency(r, item)
		} else {
			results[key], statuses[key] = s.runBatchItem(r, item)
		}
		return statuses[key]
	}
	responses := make([]any, 0, len(envelope.Requests))
	for i := range envelope.Requests {
		item := &envelope.Requests[i]
		run(item, map[string]bool{})
		responses = append(responses, results[strings.ToLower(item.ID)])
	}
	writeJSON(w, http.StatusOK, graphContentType, map[string]any{"responses": responses})
	return nil
}

func (s *Server) batchFailedDependency(r *http.Request, item *batchItem) (map[string]any, int) {
	rec := httptest.NewRecorder()
	writeGraphError(rec, r, newGraphError(http.StatusFailedDependency, "BadRequest", "Failed dependency."))
	return batchResponse(item.ID, rec)
}

// runBatchItem executes one item as its own request with the outer caller's identity.
func (s *Server) runBatchItem(outer *http.Request, item *batchItem) (map[string]any, int) {
	rec := httptest.NewRecorder()
	target := "/" + strings.TrimPrefix(item.URL, "/")
	var body *bytes.Reader
	if len(item.Body) > 0 && string(item.Body) != "null" {
		body = bytes.NewReader(item.Body)
	} else {
		body = bytes.NewReader(nil)
	}
	outerInfo := requestInfoFrom(outer.Context())
	ri := &requestInfo{requestID: uuid.NewString(), clientRequestID: outerInfo.clientRequestID, claims: outerInfo.claims}
	req, err := http.NewRequestWithContext(withRequestInfo(outer.Context(), ri), strings.ToUpper(item.Method), "/v1.0"+target, body)
	if err != nil {
		writeGraphError(rec, outer, newGraphError(http.StatusBadRequest, "BadRequest", "Invalid request URL '"+item.URL+"'."))
		return batchResponse(item.ID, rec)
	}
	for name, value := range item.Headers {
		req.Header.Set(name, value)
	}
	rec.Header().Set("request-id", ri.requestID)
	rec.Header().Set("client-request-id", ri.clientRequestID)
	switch {
	case strings.HasPrefix(strings.ToLower(target), "/$batch"):
		writeGraphError(rec, req, newGraphError(http.StatusBadRequest, "BadRequest", "Nested batch requests are not supported."))
	default:
		f, k := s.drawFault(false)
		if !writeFault(rec, req, f, k, false) {
			s.dispatchGraph(rec, req)
		}
	}
	return batchResponse(item.ID, rec)
}

// batchResponse turns a recorded answer into a batch response item (id, status, headers, body) and its status.
func batchResponse(id string, rec *httptest.ResponseRecorder) (map[string]any, int) {
	headers := map[string]any{}
	for name, values := range rec.Header() {
		headers[name] = strings.Join(values, ", ")
	}
	out := map[string]any{"id": id, "status": rec.Code, "headers": headers}
	if raw := bytes.TrimSpace(rec.Body.Bytes()); len(raw) > 0 {
		var body any
		if json.Unmarshal(raw, &body) == nil {
			out["body"] = body
		} else {
			out["body"] = string(raw)
		}
	}
	return out, rec.Code
}
