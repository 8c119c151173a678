package tenantsim

import (
	"encoding/json"
	"net/http"
	"strings"
)

// JSON values as the store keeps them and request bodies as Graph reads them.

// copyObject deep-copies a JSON object so callers never share maps with the store.
func copyObject(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, val := range m {
		out[k] = deepCopy(val)
	}
	return out
}

// deepCopy copies any JSON value.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return copyObject(t)
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = deepCopy(val)
		}
		return out
	}
	return v
}

// normalizeJSON turns any Go value into plain JSON values (map[string]any, []any, float64, ...), so typed
// input such as []string from Go callers is stored exactly like decoded request bodies.
func normalizeJSON(v any) (map[string]any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	err = json.Unmarshal(raw, &out)
	return out, err
}

// mergePatch applies OData PATCH semantics: primitives and collections are replaced, complex values merged.
func mergePatch(dst, patch map[string]any, kinds map[string]propKind) {
	for key, value := range patch {
		if kinds[key] == propComplex {
			if src, ok := value.(map[string]any); ok {
				if cur, ok := dst[key].(map[string]any); ok {
					mergeComplex(cur, src)
					continue
				}
			}
		}
		dst[key] = deepCopy(value)
	}
}

// mergeComplex merges nested complex values member by member; nested collections are replaced.
func mergeComplex(dst, src map[string]any) {
	for key, value := range src {
		if sub, ok := value.(map[string]any); ok {
			if cur, ok := dst[key].(map[string]any); ok {
				mergeComplex(cur, sub)
				continue
			}
		}
		dst[key] = deepCopy(value)
	}
}

// nullableString is s, or JSON null when it is empty.
func nullableString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// decodeBody reads a JSON object body as Graph does, dropping instance annotations such as @odata.type.
func decodeBody(r *http.Request) (map[string]any, *graphError) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body == nil {
		return nil, newGraphError(http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
	}
	for key := range body {
		if strings.HasPrefix(key, "@") {
			delete(body, key)
		}
	}
	return body, nil
}

// isKind reports whether a JSON value has Go type T (string, bool, float64, []any, map[string]any).
func isKind[T any](v any) bool { _, ok := v.(T); return ok }
