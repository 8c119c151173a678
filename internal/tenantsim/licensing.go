package tenantsim

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// autoLicense is a rule of AutoLicense.
type autoLicense struct {
	displayNamePrefix string // lower case
	skuID             string
}

// AutoLicense assigns skuID to every user created from now on whose displayName starts with displayNamePrefix
// (case-insensitive), in the same request, as group-based licensing or an onboarding script does in real tenants.
// It lets a test that only drives Terraform (terraform test) see what posture reports for a licensed emergency
// account. The rule lasts until the server stops.
func (s *Server) AutoLicense(displayNamePrefix, skuID string) error {
	if uuid.Validate(skuID) != nil {
		return fmt.Errorf("skuId %q is not a GUID", skuID)
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	s.dir.users.autoLicenses = append(s.dir.users.autoLicenses, autoLicense{strings.ToLower(displayNamePrefix), strings.ToLower(skuID)})
	return nil
}

// applyAutoLicenses gives a new user's data the licenses of the matching AutoLicense rules. The caller holds d.mu.
func (d *directory) applyAutoLicenses(data map[string]any) {
	name, _ := data["displayName"].(string)
	var licenses []any
	for _, rule := range d.users.autoLicenses {
		if strings.HasPrefix(strings.ToLower(name), rule.displayNamePrefix) {
			licenses = append(licenses, map[string]any{"skuId": rule.skuID, "disabledPlans": []any{}})
		}
	}
	if licenses != nil {
		data["assignedLicenses"] = licenses
	}
}
