package conditionalaccess

import (
	"context"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
)

// ignoreOrder keeps the state's list when the configuration holds the same ids in another order. The id lists are
// lists, not sets, only so that a duplicate id can be reported (Terraform silently merges duplicates in a set);
// their order means nothing.
type ignoreOrder struct{}

func (ignoreOrder) Description(context.Context) string { return "The order of ids does not matter." }

func (m ignoreOrder) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (ignoreOrder) PlanModifyList(ctx context.Context, req planmodifier.ListRequest, resp *planmodifier.ListResponse) {
	if req.StateValue.IsNull() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	var planned, stored []string
	if req.PlanValue.ElementsAs(ctx, &planned, false).HasError() || req.StateValue.ElementsAs(ctx, &stored, false).HasError() {
		return
	}
	norm := func(ids []string) []string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = strings.ToLower(id)
		}
		slices.Sort(out)
		return out
	}
	if slices.Equal(norm(planned), norm(stored)) {
		resp.PlanValue = req.StateValue
	}
}
