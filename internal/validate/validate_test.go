package validate

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestGUIDValidators(t *testing.T) {
	for _, tc := range []struct {
		v       validator.String
		message string
	}{
		{GUID(), "must be a GUID such as 00000000-0000-0000-0000-000000000000"},
		{ObjectID(), "must be an object id (GUID)"},
		{RoleTemplateID(), "must be a role template id (GUID)"},
	} {
		for value, valid := range map[string]bool{
			"62e90394-69f5-4237-9190-012177145e10": true, "62E90394-69F5-4237-9190-012177145E10": true,
			"Global Administrator": false, "{62e90394-69f5-4237-9190-012177145e10}": false, "62e9039469f542379190012177145e10": false, "": false,
		} {
			var resp validator.StringResponse
			tc.v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("id"), ConfigValue: types.StringValue(value)}, &resp)
			if resp.Diagnostics.HasError() == valid || IsGUID(value) != valid {
				t.Errorf("%q: valid %v, diagnostics %v", value, valid, resp.Diagnostics)
			}
			if !valid && !strings.Contains(resp.Diagnostics[0].Detail(), tc.message) {
				t.Errorf("%q: %s, want %q", value, resp.Diagnostics[0].Detail(), tc.message)
			}
		}
	}
}
