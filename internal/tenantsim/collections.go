package tenantsim

import "net/http"

// Graph list and entity answers with $filter, $select, $expand and paging, shared by the Graph areas.

// Graph's page sizes: lists of users, groups, applications, service principals and the other directory
// collections served here page at 100 by default and at most 999 ($top); with $expand a page holds at most 100
// objects, and an expanded navigation property at most 20.
const (
	graphDefaultPage = 100
	graphMaxPage     = 999
	expandMaxPage    = 100
	expandMaxItems   = 20
)

// collection lists items with $filter, $select, $expand and paging. The caller holds the directory lock.
func (s *Server) collection(r *http.Request, sc *entitySchema, set string, navs navTree, expand expander, items []map[string]any) (map[string]any, *graphError) {
	q, gerr := parseListQuery(r, sc, graphDefaultPage, graphMaxPage)
	if gerr != nil {
		return nil, gerr
	}
	opts, gerr := parseExpand(r.URL.Query().Get("$expand"), sc.typeName, navs)
	if gerr != nil {
		return nil, gerr
	}
	var matched []map[string]any
	for _, item := range items {
		if q.filter == nil || q.filter.match(item) {
			matched = append(matched, item)
		}
	}
	unfiltered := *q
	unfiltered.filter = nil
	resp := unfiltered.page(r, sc, s.baseURL, s.baseURL+"/v1.0/$metadata#"+set+expandContext(q.selected, opts), matched)
	page, _ := resp["value"].([]any)
	for i, v := range page {
		item, _ := v.(map[string]any)
		for _, opt := range opts {
			item[opt.name] = expand(matched[q.offset+i], opt)
		}
	}
	return resp, nil
}

// entity answers one object with $select and $expand. The caller holds the directory lock.
func (s *Server) entity(r *http.Request, sc *entitySchema, set string, navs navTree, expand expander, item map[string]any) (map[string]any, *graphError) {
	selected, gerr := parseSelect(r, sc)
	if gerr != nil {
		return nil, gerr
	}
	opts, gerr := parseExpand(r.URL.Query().Get("$expand"), sc.typeName, navs)
	if gerr != nil {
		return nil, gerr
	}
	out := sc.project(item, selected)
	for _, opt := range opts {
		out[opt.name] = expand(item, opt)
	}
	out["@odata.context"] = s.baseURL + "/v1.0/$metadata#" + set + expandContext(selected, opts) + "/$entity"
	return out, nil
}

// answer writes a 200 answer or returns the error.
func answer(w http.ResponseWriter, resp map[string]any, gerr *graphError) *graphError {
	if gerr != nil {
		return gerr
	}
	writeJSON(w, http.StatusOK, graphContentType, resp)
	return nil
}

// valueList is a list answer's "value" as objects.
func valueList(resp map[string]any) []map[string]any {
	values, _ := resp["value"].([]any)
	out := make([]map[string]any, 0, len(values))
	for _, v := range values {
		if m, ok := v.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
