package tenantsim

import (
	"net/http"
	"testing"
)

func TestAutoLicense(t *testing.T) {
	srv := startSim(t, Config{})
	const sku = "06EBC4EE-1BB5-47DD-8120-11324BC54E06"
	if err := srv.AutoLicense("Licensed ", sku); err != nil {
		t.Fatal(err)
	}
	if err := srv.AutoLicense("x", "not-a-guid"); err == nil {
		t.Fatal("a SKU that is not a GUID was accepted")
	}
	c := mainGraphClient(t, srv)
	for name, want := range map[string]int{"licensed one": 1, "Cloud Ops": 0} {
		body := newUserBody("u" + string(rune('a'+len(name))))
		body["displayName"] = name
		id := c.expect(http.StatusCreated, "POST", "/v1.0/users", body)["id"].(string)
		got := c.expect(http.StatusOK, "GET", "/v1.0/users/"+id+"?$select=assignedLicenses", nil)
		licenses := got["assignedLicenses"].([]any)
		if len(licenses) != want {
			t.Fatalf("%q: %d licenses, want %d (%v)", name, len(licenses), want, licenses)
		}
		if want == 1 && licenses[0].(map[string]any)["skuId"] != "06ebc4ee-1bb5-47dd-8120-11324bc54e06" {
			t.Fatalf("%q: license %v", name, licenses[0])
		}
	}
}
