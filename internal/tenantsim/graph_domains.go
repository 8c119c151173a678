package tenantsim

import "net/http"

// domainSchema is microsoft.graph.domain; Graph returns every property without $select.
var domainSchema = (&entitySchema{
	typeName:     "microsoft.graph.domain",
	resourceName: "Domain",
	properties: map[string]propKind{
		"authenticationType": propText, "availabilityStatus": propText, "isAdminManaged": propBoolean,
		"isDefault": propBoolean, "isInitial": propBoolean, "isRoot": propBoolean, "isVerified": propBoolean,
		"manufacturer": propText, "model": propText, "passwordNotificationWindowInDays": propNumber,
		"passwordValidityPeriodInDays": propNumber, "state": propComplex, "supportedServices": propCollection, "id": propText,
	},
	filterable: map[string]bool{},
}).init()

// listDomains is GET /domains.
func (s *Server) listDomains(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	selected, gerr := parseSelect(r, domainSchema)
	if gerr != nil {
		return gerr
	}
	s.dir.mu.RLock()
	value := make([]any, 0, len(s.dir.domains))
	for _, dom := range s.dir.domains {
		value = append(value, domainSchema.project(dom, selected))
	}
	s.dir.mu.RUnlock()
	writeJSON(w, http.StatusOK, graphContentType, map[string]any{
		"@odata.context": contextURL(s.baseURL, "domains", selected, false), "value": value,
	})
	return nil
}

// getDomain is GET /domains/{name}.
func (s *Server) getDomain(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	selected, gerr := parseSelect(r, domainSchema)
	if gerr != nil {
		return gerr
	}
	s.dir.mu.RLock()
	dom := s.dir.domain(params[0])
	var resp map[string]any
	if dom != nil {
		resp = domainSchema.project(dom, selected)
	}
	s.dir.mu.RUnlock()
	if dom == nil {
		return resourceNotFound(params[0])
	}
	resp["@odata.context"] = contextURL(s.baseURL, "domains", selected, true)
	writeJSON(w, http.StatusOK, graphContentType, resp)
	return nil
}
