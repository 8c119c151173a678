package account

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// rotatePassword plans the generated password: a new one (unknown) on create, when keepers or password_length
// change, or when switching from write-only back to generated; none in write-only mode; otherwise the one in state.
// An imported account has no known password: it keeps null until keepers change, so import plans stay empty.
type rotatePassword struct{}

func (rotatePassword) Description(context.Context) string {
	return "Generates a new password when keepers or password_length change."
}

func (m rotatePassword) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (rotatePassword) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	var woVersion types.Int64
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("password_wo_version"), &woVersion)...)
	if !woVersion.IsNull() {
		resp.PlanValue = types.StringNull()
		return
	}
	if req.State.Raw.IsNull() {
		resp.PlanValue = types.StringUnknown()
		return
	}
	var planKeepers, stateKeepers types.Map
	var planLength, stateLength, stateWOVersion types.Int64
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("keepers"), &planKeepers)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("keepers"), &stateKeepers)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("password_length"), &planLength)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("password_length"), &stateLength)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("password_wo_version"), &stateWOVersion)...)
	if !planKeepers.Equal(stateKeepers) || !planLength.Equal(stateLength) || !stateWOVersion.IsNull() {
		resp.PlanValue = types.StringUnknown()
		return
	}
	resp.PlanValue = req.StateValue
}
