package alert

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// alertConfig is a breakglass_alert configuration with the given top-level attributes and every other one null,
// as the framework hands it to config validators.
func alertConfig(t *testing.T, set map[string]tftypes.Value) tfsdk.Config {
	t.Helper()
	ctx := context.Background()
	var resp resource.SchemaResponse
	(&alertResource{}).Schema(ctx, resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	objectType, ok := resp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("the alert schema is not an object")
	}
	values := map[string]tftypes.Value{}
	for name, typ := range objectType.AttributeTypes {
		values[name] = tftypes.NewValue(typ, nil)
	}
	for name, v := range set {
		if _, ok := values[name]; !ok {
			t.Fatalf("the alert has no attribute %q", name)
		}
		values[name] = v
	}
	return tfsdk.Config{Schema: resp.Schema, Raw: tftypes.NewValue(objectType, values)}
}

// runConfigValidator returns the errors v reports for config, as "path: summary" lines.
func runConfigValidator(v resource.ConfigValidator, config tfsdk.Config) []string {
	var resp resource.ValidateConfigResponse
	v.ValidateResource(context.Background(), resource.ValidateConfigRequest{Config: config}, &resp)
	var out []string
	for _, d := range resp.Diagnostics.Errors() {
		p := ""
		if withPath, ok := d.(interface{ Path() path.Path }); ok {
			p = withPath.Path().String()
		}
		out = append(out, p+": "+d.Summary())
	}
	return out
}

// stringOrNull is a fuzzed optional string: null when isNull, unknown when isUnknown.
func stringOrNull(value string, isNull, isUnknown bool) tftypes.Value {
	switch {
	case isNull:
		return tftypes.NewValue(tftypes.String, nil)
	case isUnknown:
		return tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	}
	return tftypes.NewValue(tftypes.String, value)
}

// FuzzWindowValidator: for any frequency and window (valid, invalid, null or unknown) the validator never panics,
// answers the same twice, and rejects exactly a known window shorter than a known frequency, on window_size; null
// stands for the PT5M default.
func FuzzWindowValidator(f *testing.F) {
	f.Add("PT5M", false, false, "PT5M", false, false)
	f.Add("PT1H", false, false, "PT5M", false, false)
	f.Add("P1D", false, false, "P2D", false, false)
	f.Add("PT15M", false, false, "", true, false)
	f.Add("", true, false, "PT1M", false, false)
	f.Add("PT1H", false, false, "", false, true)
	f.Add("pt1h", false, false, "PT1M", false, false)
	f.Add("P2D", false, false, "PT1M", false, false)
	f.Fuzz(func(t *testing.T, frequency string, frequencyNull, frequencyUnknown bool, window string, windowNull, windowUnknown bool) {
		config := alertConfig(t, map[string]tftypes.Value{
			"evaluation_frequency": stringOrNull(frequency, frequencyNull, frequencyUnknown),
			"window_size":          stringOrNull(window, windowNull, windowUnknown),
		})
		errs := runConfigValidator(windowValidator{}, config)
		if again := runConfigValidator(windowValidator{}, config); !slices.Equal(errs, again) {
			t.Fatalf("two answers: %q, then %q", errs, again)
		}
		freq, win := frequency, window
		if frequencyNull {
			freq = "PT5M"
		}
		if windowNull {
			win = "PT5M"
		}
		fi, wi := slices.Index(windows, freq), slices.Index(windows, win)
		unknown := !frequencyNull && frequencyUnknown || !windowNull && windowUnknown
		wantReject := !unknown && fi >= 0 && wi >= 0 && wi < fi
		switch {
		case wantReject && (len(errs) != 1 || errs[0] != "window_size: Window shorter than the evaluation frequency"):
			t.Fatalf("frequency %q window %q: got %q, want one error on window_size", freq, win, errs)
		case !wantReject && len(errs) != 0:
			t.Fatalf("frequency %q window %q: got %q, want no error", freq, win, errs)
		}
	})
}

// FuzzReceiversValidator: a managed action group is rejected exactly when none of its four receiver lists is set;
// a null or unknown action group is left to other checks.
func FuzzReceiversValidator(f *testing.F) {
	f.Add(false, false, false, false, false, false)
	f.Add(false, false, true, false, false, false)
	f.Add(false, false, false, false, false, true)
	f.Add(true, false, false, false, false, false)
	f.Add(false, true, false, false, false, false)
	f.Add(false, false, true, true, true, true)
	f.Fuzz(func(t *testing.T, groupNull, groupUnknown, email, sms, voice, webhook bool) {
		config := alertConfig(t, nil)
		groupType := config.Raw.Type().(tftypes.Object).AttributeTypes["action_group"].(tftypes.Object) //nolint:forcetypeassert // the schema fixes these types
		var group tftypes.Value
		switch {
		case groupNull:
			group = tftypes.NewValue(groupType, nil)
		case groupUnknown:
			group = tftypes.NewValue(groupType, tftypes.UnknownValue)
		default:
			attrs := map[string]tftypes.Value{"short_name": tftypes.NewValue(tftypes.String, "soc")}
			for name, present := range map[string]bool{"email_receivers": email, "sms_receivers": sms, "voice_receivers": voice, "webhook_receivers": webhook} {
				listType := groupType.AttributeTypes[name]
				if !present {
					attrs[name] = tftypes.NewValue(listType, nil)
					continue
				}
				attrs[name] = tftypes.NewValue(listType, []tftypes.Value{})
			}
			group = tftypes.NewValue(groupType, attrs)
		}
		config = alertConfig(t, map[string]tftypes.Value{"action_group": group})
		errs := runConfigValidator(receiversValidator{}, config)
		if again := runConfigValidator(receiversValidator{}, config); !slices.Equal(errs, again) {
			t.Fatalf("two answers: %q, then %q", errs, again)
		}
		wantReject := !groupNull && !groupUnknown && !email && !sms && !voice && !webhook
		switch {
		case wantReject && (len(errs) != 1 || errs[0] != "action_group: Action group without receivers"):
			t.Fatalf("got %q, want one error on action_group", errs)
		case !wantReject && len(errs) != 0:
			t.Fatalf("got %q, want no error", errs)
		}
	})
}
