package applications

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// odataLiteralMarker stands for every string literal in a filter's skeleton.
const odataLiteralMarker = "'…'"

// odataSkeleton splits a $filter into its structure and its string literals by the OData ABNF (a literal is
// '…' in which a doubled quote stands for one): the skeleton is the filter with each literal replaced by
// odataLiteralMarker, literals their decoded values in order. An unterminated literal is an error.
func odataSkeleton(filter string) (skeleton string, literals []string, err error) {
	var b strings.Builder
	for i := 0; i < len(filter); i++ {
		if filter[i] != '\'' {
			b.WriteByte(filter[i])
			continue
		}
		var v strings.Builder
		closed := false
		for i++; i < len(filter); i++ {
			if filter[i] == '\'' {
				if i+1 < len(filter) && filter[i+1] == '\'' {
					v.WriteByte('\'')
					i++
					continue
				}
				closed = true
				break
			}
			v.WriteByte(filter[i])
		}
		if !closed {
			return "", nil, fmt.Errorf("unterminated string literal in %q", filter)
		}
		literals = append(literals, v.String())
		b.WriteString(odataLiteralMarker)
	}
	return b.String(), literals, nil
}

// TestODataSkeletonCatchesUnquotedValues shows the check can fail: values pasted between quotes without doubling
// theirs add a clause.
func TestODataSkeletonCatchesUnquotedValues(t *testing.T) {
	naive := "appId in ('" + "x') or (appId ne '" + "')"
	if got, _, err := odataSkeleton(naive); err == nil && got == "appId in ('…')" {
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
		filter := inFilter(property, values)
		skeleton, literals, err := odataSkeleton(filter)
		if err != nil {
			t.Fatal(err)
		}
		want := property + " in (" + strings.TrimSuffix(strings.Repeat(odataLiteralMarker+",", len(values)), ",") + ")"
		if skeleton != want || !slices.Equal(literals, values) {
			t.Fatalf("values %q give the filter %q: skeleton %q, literals %q", values, filter, skeleton, literals)
		}
	})
}
