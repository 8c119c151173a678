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

// FuzzNotBlank: accepts exactly the values with something other than white space (as strings.TrimSpace sees
// it, non-breaking and ideographic spaces included), whatever is around it, and names the attribute otherwise.
func FuzzNotBlank(f *testing.F) {
	for _, s := range []string{"", " ", "\t\n\v", "\u00a0", "\u0085", "\u3000", "\u2028", "x", " x ", "\xff", "Contoso Operations 2"} {
		f.Add(s)
	}
	accepts := func(t *testing.T, value string) bool {
		var resp validator.StringResponse
		NotBlank().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("display_name"), ConfigValue: types.StringValue(value)}, &resp)
		if resp.Diagnostics.HasError() && !strings.Contains(resp.Diagnostics[0].Detail(), "display_name must not be empty or only white space") {
			t.Fatalf("%q: %s", value, resp.Diagnostics[0].Detail())
		}
		return !resp.Diagnostics.HasError()
	}
	f.Fuzz(func(t *testing.T, value string) {
		ok := accepts(t, value)
		if want := strings.TrimSpace(value) != ""; ok != want {
			t.Fatalf("%q: accepted %t, want %t", value, ok, want)
		}
		if ok && !accepts(t, " "+value+"\t") {
			t.Fatalf("accepts %q but not with white space around it", value)
		}
	})
}
