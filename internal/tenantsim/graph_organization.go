package tenantsim

import (
	"net/http"
	"strings"
)

// organizationSchema is microsoft.graph.organization; Graph returns every property without $select.
var organizationSchema = (&entitySchema{
	typeName:     "microsoft.graph.organization",
	resourceName: "Organization",
	properties: map[string]propKind{
		"assignedPlans": propCollection, "businessPhones": propCollection, "city": propText, "country": propText,
		"countryLetterCode": propText, "createdDateTime": propText, "defaultUsageLocation": propText,
		"displayName": propText, "marketingNotificationEmails": propCollection, "mobileDeviceManagementAuthority": propText,
		"onPremisesLastSyncDateTime": propText, "onPremisesSyncEnabled": propBoolean, "partnerTenantType": propText,
		"postalCode": propText, "preferredLanguage": propText, "privacyProfile": propComplex,
		"provisionedPlans": propCollection, "securityComplianceNotificationMails": propCollection,
		"securityComplianceNotificationPhones": propCollection, "state": propText, "street": propText,
		"technicalNotificationMails": propCollection, "tenantType": propText, "verifiedDomains": propCollection,
		"deletedDateTime": propText, "id": propText,
	},
	filterable: map[string]bool{},
	zeroValues: map[string]any{"mobileDeviceManagementAuthority": "unknown"},
}).init()

// listOrganization is GET /organization, a collection holding the one tenant.
func (s *Server) listOrganization(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	selected, gerr := parseSelect(r, organizationSchema)
	if gerr != nil {
		return gerr
	}
	s.dir.mu.RLock()
	org := organizationSchema.project(s.dir.organization, selected)
	s.dir.mu.RUnlock()
	writeJSON(w, http.StatusOK, graphContentType, map[string]any{
		"@odata.context": contextURL(s.baseURL, "organization", selected, false), "value": []any{org},
	})
	return nil
}

// getOrganization is GET /organization/{tenant id}.
func (s *Server) getOrganization(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	selected, gerr := parseSelect(r, organizationSchema)
	if gerr != nil {
		return gerr
	}
	if !strings.EqualFold(params[0], s.dir.tenantID) {
		return resourceNotFound(params[0])
	}
	s.dir.mu.RLock()
	org := organizationSchema.project(s.dir.organization, selected)
	s.dir.mu.RUnlock()
	org["@odata.context"] = contextURL(s.baseURL, "organization", selected, true)
	writeJSON(w, http.StatusOK, graphContentType, org)
	return nil
}
