package account

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// validateConfig runs the resource's ValidateConfig on a configuration holding only the given attributes.
func validateConfig(t *testing.T, attrs map[string]tftypes.Value) []string {
	t.Helper()
	ctx := context.Background()
	r := &accountResource{}
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx).(tftypes.Object)
	values := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		values[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range attrs {
		values[name] = v
	}
	var resp resource.ValidateConfigResponse
	r.ValidateConfig(ctx, resource.ValidateConfigRequest{
		Config: tfsdk.Config{Schema: sr.Schema, Raw: tftypes.NewValue(typ, values)},
	}, &resp)
	var out []string
	for _, d := range resp.Diagnostics {
		out = append(out, d.Summary())
	}
	return out
}

// A module that sets password_wo or password_length conditionally passes unknown values to `terraform validate`;
// only known values can conflict.
func TestValidateConfig_passwordConflictOnlyWhenKnown(t *testing.T) {
	long := strings.Repeat("Aa1!", 20)
	unknownString := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	unknownNumber := tftypes.NewValue(tftypes.Number, tftypes.UnknownValue)
	for name, tc := range map[string]struct {
		attrs    map[string]tftypes.Value
		conflict bool
	}{
		"both known":            {map[string]tftypes.Value{"password_wo": tftypes.NewValue(tftypes.String, long), "password_length": tftypes.NewValue(tftypes.Number, 80)}, true},
		"length unknown":        {map[string]tftypes.Value{"password_wo": tftypes.NewValue(tftypes.String, long), "password_length": unknownNumber}, false},
		"password unknown":      {map[string]tftypes.Value{"password_wo": unknownString, "password_length": tftypes.NewValue(tftypes.Number, 80)}, false},
		"both unknown":          {map[string]tftypes.Value{"password_wo": unknownString, "password_length": unknownNumber}, false},
		"write-only, no length": {map[string]tftypes.Value{"password_wo": tftypes.NewValue(tftypes.String, long)}, false},
		"length, no write-only": {map[string]tftypes.Value{"password_length": tftypes.NewValue(tftypes.Number, 80)}, false},
	} {
		t.Run(name, func(t *testing.T) {
			diags := validateConfig(t, tc.attrs)
			got := strings.Contains(strings.Join(diags, "\n"), "Conflicting password settings")
			if got != tc.conflict {
				t.Fatalf("conflict reported = %v, want %v (diagnostics %q)", got, tc.conflict, diags)
			}
		})
	}
}
