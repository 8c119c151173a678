package badinput_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

var guidSyntax = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// FuzzProviderConfig sends fuzzed metadata_host and tenant_id values through ValidateProviderConfig, as Terraform
// does: no panic, the same answer twice, and each value rejected exactly when its rule says so, on its own
// attribute (metadata_host: a host and optional port, no scheme, path, query, fragment or padding; tenant_id: a GUID).
func FuzzProviderConfig(f *testing.F) {
	for _, s := range [][2]string{
		{"management.azure.com", "3f2504e0-4f89-41d3-9a0c-0305e82c3301"},
		{"localhost:8443", "contoso.onmicrosoft.com"},
		{"https://management.azure.com", "3F2504E0-4F89-41D3-9A0C-0305E82C3301"},
		{"host/path", ""}, {"host?x", " 3f2504e0-4f89-41d3-9a0c-0305e82c3301"}, {"host#x", "3f2504e0-4f89-41d3-9a0c-0305e82c3301\n"},
		{" host", "{3f2504e0-4f89-41d3-9a0c-0305e82c3301}"}, {"", "x"}, {"://", "-"}, {"a://b/c", "00000000-0000-0000-0000-00000000000g"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, host, tenant string) {
		if !utf8.ValidString(host) || !utf8.ValidString(tenant) {
			t.Skip("Terraform strings are UTF-8")
		}
		set := map[string]any{"metadata_host": host, "tenant_id": tenant}
		diags := validate(t, providerConfig, set)
		// The framework validates attributes in map order, so only the set of diagnostics is stable.
		if again := validate(t, providerConfig, set); !sameDiagnostics(diags, again) {
			t.Fatalf("two answers:%s\nthen:%s", describe(diags), describe(again))
		}
		hostBad := host == "" || strings.TrimSpace(host) != host || strings.Contains(host, "://") || strings.ContainsAny(host, "/?#")
		tenantBad := !guidSyntax.MatchString(tenant)
		var hostErrs, tenantErrs int
		for _, d := range diags {
			switch {
			case d.Severity != tfprotov6.DiagnosticSeverityError:
				t.Fatalf("unexpected diagnostic:%s", describe(diags))
			case at("metadata_host").Equal(d.Attribute):
				hostErrs++
			case at("tenant_id").Equal(d.Attribute):
				tenantErrs++
			default:
				t.Fatalf("a diagnostic on another attribute:%s", describe(diags))
			}
		}
		if hostBad != (hostErrs == 1) || hostErrs > 1 || tenantBad != (tenantErrs == 1) || tenantErrs > 1 {
			t.Fatalf("metadata_host %q (bad: %t) and tenant_id %q (bad: %t) got:%s", host, hostBad, tenant, tenantBad, describe(diags))
		}
	})
}

// sameDiagnostics reports whether a and b hold the same diagnostics in any order.
func sameDiagnostics(a, b []*tfprotov6.Diagnostic) bool {
	lines := func(diags []*tfprotov6.Diagnostic) []string {
		out := strings.Split(describe(diags), "\n  ")
		slices.Sort(out)
		return out
	}
	return slices.Equal(lines(a), lines(b))
}
