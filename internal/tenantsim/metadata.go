package tenantsim

import (
	"fmt"
	"net/http"
)

// metadataAPIVersion is the ARM metadata API version azurerm and go-azure-sdk use to discover a private cloud.
const metadataAPIVersion = "2022-09-01"

// handleMetadata serves GET /metadata/endpoints?api-version=2022-09-01 with the field names of Azure's answer.
// The simulated cloud publishes every endpoint on its own listener. Azure's 2022-09-01 answer has no Microsoft
// Graph endpoint field (microsoftGraphResourceId doubles as endpoint in public Azure), so the simulator puts
// the Graph endpoint in "graph" and keeps microsoftGraphResourceId and graphAudience as the token audience.
func (s *Server) handleMetadata(w http.ResponseWriter, r *http.Request) {
	version := r.URL.Query().Get("api-version")
	switch version {
	case metadataAPIVersion:
	case "":
		writeARMError(w, http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
		return
	default:
		writeARMError(w, http.StatusBadRequest, "InvalidApiVersionParameter", fmt.Sprintf("The api-version '%s' is invalid. The supported versions are '%s'.", version, metadataAPIVersion))
		return
	}
	endpoint := s.baseURL + "/"
	writeJSON(w, http.StatusOK, "application/json; charset=utf-8", map[string]any{
		"name":   "AzureTenantSim",
		"portal": s.baseURL,
		"authentication": map[string]any{
			"loginEndpoint":    s.baseURL,
			"audiences":        []string{ARMResourceID},
			"tenant":           "common",
			"identityProvider": "AAD",
		},
		"media":         "https://rest.media.tenantsim.test",
		"graphAudience": GraphResourceID,
		"graph":         endpoint,
		"suffixes": map[string]any{
			"azureDataLakeStoreFileSystem":        "azuredatalakestore.tenantsim.test",
			"acrLoginServer":                      "azurecr.tenantsim.test",
			"sqlServerHostname":                   "database.tenantsim.test",
			"azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.tenantsim.test",
			"keyVaultDns":                         "vault.tenantsim.test",
			"storage":                             "core.tenantsim.test",
			"azureFrontDoorEndpointSuffix":        "azurefd.tenantsim.test",
			"storageSyncEndpointSuffix":           "afs.tenantsim.test",
			"mhsmDns":                             "managedhsm.tenantsim.test",
			"mysqlServerEndpoint":                 "mysql.database.tenantsim.test",
			"postgresqlServerEndpoint":            "postgres.database.tenantsim.test",
			"mariadbServerEndpoint":               "mariadb.database.tenantsim.test",
			"synapseAnalytics":                    "dev.azuresynapse.tenantsim.test",
			"attestationEndpoint":                 "attest.tenantsim.test",
		},
		"batch":                                 "https://batch.tenantsim.test/",
		"resourceManager":                       endpoint,
		"vmImageAliasDoc":                       "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json",
		"activeDirectoryDataLake":               "https://datalake.tenantsim.test/",
		"sqlManagement":                         "https://management.core.tenantsim.test:8443/",
		"microsoftGraphResourceId":              GraphResourceID,
		"appInsightsResourceId":                 "https://api.applicationinsights.tenantsim.test",
		"appInsightsTelemetryChannelResourceId": "https://dc.applicationinsights.tenantsim.test/v2/track",
		"attestationResourceId":                 "https://attest.tenantsim.test",
		"synapseAnalyticsResourceId":            "https://dev.azuresynapse.tenantsim.test",
		"logAnalyticsResourceId":                "https://api.loganalytics.tenantsim.test",
		"ossrDbmsResourceId":                    "https://ossrdbms-aad.database.tenantsim.test",
	})
}
