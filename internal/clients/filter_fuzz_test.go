package clients_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/odatatest"
)

// TestODataSkeletonCatchesUnquotedValues shows the check can fail: values pasted between quotes without doubling
// theirs add a clause.
func TestODataSkeletonCatchesUnquotedValues(t *testing.T) {
	naive := "appId in ('" + "x') or (appId ne '" + "')"
	if got, _, err := odatatest.Skeleton(naive); err == nil && got == "appId in ('…')" {
		t.Fatalf("the unescaped filter %q keeps the skeleton", naive)
	}
}

// FuzzInFilter: an in filter of up to three fuzzed values (split at NUL) has one literal per value, equal to it,
// and the skeleton "property in ('…',…)" whatever the values hold.
func FuzzInFilter(f *testing.F) {
	for _, s := range []string{"00000003-0000-0000-c000-000000000000", "a\x00b\x00c", "x') or (appId ne '", "'", "''\x00'",
		"", "\x00", "ü,'\n)"} {
		f.Add("appId", s)
	}
	f.Add("id", "a")
	f.Fuzz(func(t *testing.T, property, joined string) {
		if strings.ContainsAny(property, "'") {
			t.Skip("the property is a name in the code, never input")
		}
		values := strings.SplitN(joined, "\x00", 3)
		filter := clients.InFilter(property, values)
		skeleton, literals, err := odatatest.Skeleton(filter)
		if err != nil {
			t.Fatal(err)
		}
		want := property + " in (" + strings.TrimSuffix(strings.Repeat(odatatest.LiteralMarker+",", len(values)), ",") + ")"
		if skeleton != want || !slices.Equal(literals, values) {
			t.Fatalf("values %q give the filter %q: skeleton %q, literals %q", values, filter, skeleton, literals)
		}
	})
}

func TestInFilter(t *testing.T) {
	if got := clients.InFilter("appId", []string{"a", "o'b"}); got != "appId in ('a','o''b')" {
		t.Errorf("filter: %s", got)
	}
}
