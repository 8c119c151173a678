package tenantsim

import (
	"net/http"
	"strings"
)

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

func (d *directory) domain(name string) map[string]any {
	for _, dom := range d.domains {
		if id, _ := dom["id"].(string); strings.EqualFold(id, name) {
			return dom
		}
	}
	return nil
}

// initialDomain is the tenant's *.onmicrosoft.com domain.
func (d *directory) initialDomain() string {
	for _, dom := range d.domains {
		if initial, _ := dom["isInitial"].(bool); initial {
			id, _ := dom["id"].(string)
			return id
		}
	}
	return ""
}

// knowsTenant reports whether a token request's tenant segment names this tenant (id or any domain).
func (d *directory) knowsTenant(tenant string) bool {
	return strings.EqualFold(tenant, d.tenantID) || d.domain(tenant) != nil
}

// syncVerifiedDomains keeps organization.verifiedDomains in step with the domain list.
func (d *directory) syncVerifiedDomains() {
	var verified []any
	for _, dom := range d.domains {
		if ok, _ := dom["isVerified"].(bool); !ok {
			continue
		}
		isDefault, _ := dom["isDefault"].(bool)
		isInitial, _ := dom["isInitial"].(bool)
		capabilities := "Email, OfficeCommunicationsOnline"
		if isInitial {
			capabilities = "Email, OfficeCommunicationsOnline, MoeraDomain"
		}
		verified = append(verified, map[string]any{
			"capabilities": capabilities, "isDefault": isDefault, "isInitial": isInitial,
			"name": dom["id"], "type": "Managed",
		})
	}
	d.organization["verifiedDomains"] = verified
}
