package rolemanagement

import (
	"fmt"
	"slices"
	"testing"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/odatatest"
)

// TestODataSkeletonCatchesUnquotedValues shows the check can fail: the filter as it was built before
// assignmentFilter, with the ids pasted between quotes, lets a quote in an id add a clause.
func TestODataSkeletonCatchesUnquotedValues(t *testing.T) {
	naive := fmt.Sprintf("principalId eq '%s' and roleDefinitionId eq '%s'", "x' or principalId ne '", "y")
	if got, _, err := odatatest.Skeleton(naive); err == nil && got == assignmentFilterSkeleton {
		t.Fatalf("the unescaped filter %q keeps the skeleton", naive)
	}
}

const assignmentFilterSkeleton = "principalId eq '…' and roleDefinitionId eq '…'"

// FuzzAssignmentFilter: whatever the ids, the filter has exactly two literals, the ids, and nothing else changes.
func FuzzAssignmentFilter(f *testing.F) {
	for _, pair := range [][2]string{
		{"3f2504e0-4f89-41d3-9a0c-0305e82c3301", "62e90394-69f5-4237-9190-012177145e10"},
		{"x' or principalId ne '", "y"}, {"'", "''"}, {"", ""}, {"a'b''c'''", "\\'"}, {"ü'\x00\n", "' and 1 eq 1 or '"},
	} {
		f.Add(pair[0], pair[1])
	}
	f.Fuzz(func(t *testing.T, principalID, roleDefinitionID string) {
		filter := assignmentFilter(principalID, roleDefinitionID)
		skeleton, literals, err := odatatest.Skeleton(filter)
		if err != nil {
			t.Fatal(err)
		}
		if skeleton != assignmentFilterSkeleton || !slices.Equal(literals, []string{principalID, roleDefinitionID}) {
			t.Fatalf("ids %q and %q give the filter %q: skeleton %q, literals %q", principalID, roleDefinitionID, filter, skeleton, literals)
		}
	})
}
