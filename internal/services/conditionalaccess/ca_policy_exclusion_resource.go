package conditionalaccess

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/validate"
)

var (
	_ resource.Resource                     = (*exclusionResource)(nil)
	_ resource.ResourceWithConfigure        = (*exclusionResource)(nil)
	_ resource.ResourceWithImportState      = (*exclusionResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*exclusionResource)(nil)
	_ resource.ResourceWithConfigValidators = (*exclusionResource)(nil)
)

// defaultTimeout allows for 50+ policies at the CA API's one write per second.
const defaultTimeout = 15 * time.Minute

// NewExclusionResource is the breakglass_ca_policy_exclusion constructor.
func NewExclusionResource() resource.Resource { return &exclusionResource{} }

type exclusionResource struct {
	client *clients.Client
}

type exclusionModel struct {
	ID                types.String   `tfsdk:"id"`
	UserIDs           types.List     `tfsdk:"user_ids"`
	GroupIDs          types.List     `tfsdk:"group_ids"`
	PolicyIDs         types.List     `tfsdk:"policy_ids"`
	Match             types.String   `tfsdk:"match"`
	IncludeReportOnly types.Bool     `tfsdk:"include_report_only"`
	IncludeDisabled   types.Bool     `tfsdk:"include_disabled"`
	ExceptPolicyIDs   types.List     `tfsdk:"except_policy_ids"`
	ExcludedPolicyIDs types.Set      `tfsdk:"excluded_policy_ids"`
	ExcludedPolicies  types.Map      `tfsdk:"excluded_policies"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}

func (r *exclusionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ca_policy_exclusion"
}

func guidList(desc string) schema.ListAttribute {
	return schema.ListAttribute{
		Optional:            true,
		ElementType:         types.StringType,
		MarkdownDescription: desc,
		Validators: []validator.List{
			listvalidator.SizeAtLeast(1),
			listvalidator.UniqueValues(),
			listvalidator.ValueStringsAre(validate.ObjectID()),
		},
		PlanModifiers: []planmodifier.List{ignoreOrder{}},
	}
}

func (r *exclusionResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Excludes emergency accounts (users and groups) from Conditional Access policies that someone " +
			"else owns. Adds exactly its own ids to each policy's `conditions.users.excludeUsers` / `excludeGroups`, never " +
			"removes anyone else's, and changes nothing else in the policy. The plan lists every policy that will change, " +
			"including policies created since the last apply.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "An encoding of the inputs, also the import id: `users=<ids>;groups=<ids>;policies=<ids>` or " +
					"`users=<ids>;groups=<ids>;match=<selector>;report_only=<bool>;disabled=<bool>;except=<ids>`, ids sorted and " +
					"comma-separated, empty parts left out.",
			},
			"user_ids":  guidList("Object ids of the users to exclude. At least one of `user_ids` and `group_ids`."),
			"group_ids": guidList("Object ids of the groups to exclude."),
			"policy_ids": func() schema.ListAttribute {
				a := guidList("The policies to add the exclusions to. Exactly one of `policy_ids` and `match`.")
				return a
			}(),
			"match": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Select policies by what they do: `all`; `requires_mfa` (grant controls include MFA or an " +
					"authentication strength); `blocks_access` (grant control block); `grant_controls` (any grant control). " +
					"Policies created later are picked up by the next plan.",
				Validators: []validator.String{stringvalidator.OneOf(matchAll, matchRequiresMFA, matchBlocksAccess, matchGrantControls)},
			},
			"include_report_only": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "With `match`: also report-only policies (they become enforced with one click). Default `true`.",
			},
			"include_disabled": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "With `match`: also disabled policies. Default `false`.",
			},
			"except_policy_ids": func() schema.ListAttribute {
				a := guidList("With `match`: policies to leave alone, e.g. the one that requires phishing-resistant MFA *for* the emergency accounts.")
				a.Validators = append(a.Validators, listvalidator.AlsoRequires(path.MatchRoot("match")))
				return a
			}(),
			"excluded_policy_ids": schema.SetAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The policies that exclude all of `user_ids` and `group_ids`: planned from the selection, read back from the tenant.",
			},
			"excluded_policies": schema.MapAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Display names of `excluded_policy_ids`, by id.",
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

func (r *exclusionResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.AtLeastOneOf(path.MatchRoot("user_ids"), path.MatchRoot("group_ids")),
		resourcevalidator.ExactlyOneOf(path.MatchRoot("policy_ids"), path.MatchRoot("match")),
	}
}

func (r *exclusionResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clients.FromProviderData(req.ProviderData, &resp.Diagnostics)
}

// inputs are the resource's arguments as plain Go values.
type inputs struct {
	users, groups []string
	sel           selection
}

func (m exclusionModel) inputs(ctx context.Context) (inputs, diag.Diagnostics) {
	var in inputs
	var diags diag.Diagnostics
	for _, l := range []struct {
		list types.List
		dst  *[]string
	}{{m.UserIDs, &in.users}, {m.GroupIDs, &in.groups}, {m.PolicyIDs, &in.sel.PolicyIDs}, {m.ExceptPolicyIDs, &in.sel.Except}} {
		if listKnown(l.list) {
			diags.Append(l.list.ElementsAs(ctx, l.dst, false)...)
		}
	}
	in.sel.Match = m.Match.ValueString()
	in.sel.IncludeReportOnly = m.IncludeReportOnly.ValueBool()
	in.sel.IncludeDisabled = m.IncludeDisabled.ValueBool()
	return in, diags
}

// listKnown reports whether a list and every one of its elements is known: `[breakglass_account.a.id]` is a known
// list holding an unknown id until the account exists.
func listKnown(l types.List) bool {
	if l.IsUnknown() {
		return false
	}
	for _, e := range l.Elements() {
		if e.IsUnknown() {
			return false
		}
	}
	return true
}

// selectionKnown reports whether every input that decides the target policies is known at plan time.
func (m exclusionModel) selectionKnown() bool {
	return listKnown(m.PolicyIDs) && !m.Match.IsUnknown() && !m.IncludeReportOnly.IsUnknown() &&
		!m.IncludeDisabled.IsUnknown() && listKnown(m.ExceptPolicyIDs)
}

// ModifyPlan lists the tenant's policies and plans exactly which ones will carry the exclusions, so the plan shows
// a new matching policy, or one where someone removed our exclusion, by id and name.
func (r *exclusionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan exclusionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in, diags := plan.inputs(ctx)
	resp.Diagnostics.Append(diags...)
	if listKnown(plan.UserIDs) && listKnown(plan.GroupIDs) && plan.selectionKnown() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), encodeID(in))...)
	}
	if r.client == nil || !plan.selectionKnown() {
		return
	}
	raw, err := sharedPolicies(ctx, r.client)
	if err != nil {
		resp.Diagnostics.AddError("Cannot list Conditional Access policies", clients.Explain("listing Conditional Access policies", PermCARead, err))
		return
	}
	all := summarize(raw)
	resp.Diagnostics.Append(workloadIdentityError(in.sel, all)...)
	targets, missing := in.sel.targets(all)
	for _, id := range missing {
		resp.Diagnostics.AddAttributeWarning(path.Root("policy_ids"), "Conditional Access policy not found",
			fmt.Sprintf("No Conditional Access policy has the id %s (yet); apply fails unless it exists by then.", id))
	}
	ids, names := targetAttributes(targets)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("excluded_policy_ids"), ids)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("excluded_policies"), names)...)
}

// workloadIdentityError refuses policy_ids that name a policy for workload identities: it applies to service
// principals only, and Entra refuses to exclude users or groups from it.
func workloadIdentityError(sel selection, all []policySummary) diag.Diagnostics {
	var diags diag.Diagnostics
	if ids := sel.workloadIdentityIDs(all); len(ids) > 0 {
		diags.AddAttributeError(path.Root("policy_ids"), "Policy for workload identities",
			fmt.Sprintf("%s applies to service principals (workload identities), not to users: it cannot lock the emergency "+
				"accounts out, and Entra refuses user or group exclusions in it. Remove it from policy_ids.", strings.Join(ids, ", ")))
	}
	return diags
}

func targetAttributes(targets []policySummary) (types.Set, types.Map) {
	ids := make([]attr.Value, 0, len(targets))
	names := map[string]attr.Value{}
	for _, p := range targets {
		ids = append(ids, types.StringValue(p.ID))
		names[p.ID] = types.StringValue(p.DisplayName)
	}
	return types.SetValueMust(types.StringType, ids), types.MapValueMust(types.StringType, names)
}

// resolveTargets returns the planned policies, or computes them when the plan could not (unknown inputs); policy
// ids that do not exist fail here, naming them. When the plan holds every target, it is used as is: ModifyPlan
// listed the policies moments ago in this same Terraform walk, and a policy deleted since fails its own read.
func (r *exclusionResource) resolveTargets(ctx context.Context, plan *exclusionModel, in inputs) ([]string, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !plan.ExcludedPolicyIDs.IsUnknown() {
		var planned []string
		diags.Append(plan.ExcludedPolicyIDs.ElementsAs(ctx, &planned, false)...)
		if !slices.ContainsFunc(in.sel.PolicyIDs, func(id string) bool { return !helpers.ContainsFold(planned, id) }) {
			slices.Sort(planned)
			return planned, diags
		}
		// An explicit id was missing when the plan was made: list again to fail with its name, or to skip it.
	}
	raw, err := sharedPolicies(ctx, r.client)
	all := summarize(raw)
	if err != nil {
		diags.AddError("Cannot list Conditional Access policies", clients.Explain("listing Conditional Access policies", PermCARead, err))
		return nil, diags
	}
	if diags.Append(workloadIdentityError(in.sel, all)...); diags.HasError() {
		return nil, diags
	}
	targets, missing := in.sel.targets(all)
	if len(missing) > 0 {
		diags.AddAttributeError(path.Root("policy_ids"), "Conditional Access policy not found",
			fmt.Sprintf("No Conditional Access policy has the id(s) %s. Check policy_ids against Entra admin center > Protection > Conditional Access.", strings.Join(missing, ", ")))
		return nil, diags
	}
	if !plan.ExcludedPolicyIDs.IsUnknown() {
		var planned []string
		diags.Append(plan.ExcludedPolicyIDs.ElementsAs(ctx, &planned, false)...)
		targets = slices.DeleteFunc(targets, func(p policySummary) bool { return !helpers.ContainsFold(planned, p.ID) })
	}
	plan.ExcludedPolicyIDs, plan.ExcludedPolicies = targetAttributes(targets)
	ids := make([]string, len(targets))
	for i, p := range targets {
		ids[i] = p.ID
	}
	return ids, diags
}

func (r *exclusionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan exclusionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	in, diags := plan.inputs(ctx)
	resp.Diagnostics.Append(diags...)
	targets, diags := r.resolveTargets(ctx, &plan, in)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID = types.StringValue(encodeID(in))
	done, err := applyExclusions(ctx, r.client, targets, in.users, in.groups, true)
	if err != nil {
		// Record what is done so destroy (or the next apply) knows which policies carry our ids.
		plan.ExcludedPolicyIDs, plan.ExcludedPolicies = subset(plan, done)
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		resp.Diagnostics.AddError("Cannot add the exclusions", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *exclusionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state exclusionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Read(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	in, diags := state.inputs(ctx)
	resp.Diagnostics.Append(diags...)
	var managed []string
	if !state.ExcludedPolicyIDs.IsNull() && !state.ExcludedPolicyIDs.IsUnknown() {
		resp.Diagnostics.Append(state.ExcludedPolicyIDs.ElementsAs(ctx, &managed, false)...)
	}
	raw, err := sharedPolicies(ctx, r.client)
	if err != nil {
		resp.Diagnostics.AddError("Cannot list Conditional Access policies", clients.Explain("listing Conditional Access policies", PermCARead, err))
		return
	}
	all := summarize(raw)
	// What the tenant holds now: policies we manage or select that exclude every one of our ids. A policy older
	// than a version this instance has read comes from a lagging replica: it keeps what the state says.
	var holding []policySummary
	for _, p := range all {
		lagging := p.Modified.Before(stateOf(r.client).policyVersions.See(p.ID, p.Modified))
		if lagging && helpers.ContainsFold(managed, p.ID) || !lagging && (helpers.ContainsFold(managed, p.ID) || in.sel.selects(p)) && p.Excluded.hasAll(in.users, in.groups) {
			holding = append(holding, p)
		}
	}
	state.ExcludedPolicyIDs, state.ExcludedPolicies = targetAttributes(holding)
	state.ID = types.StringValue(encodeID(in))
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update removes ids that left the inputs, takes all of ours out of policies no longer targeted, and adds the
// current ids to every target.
func (r *exclusionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state exclusionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	in, diags := plan.inputs(ctx)
	resp.Diagnostics.Append(diags...)
	old, diags := state.inputs(ctx)
	resp.Diagnostics.Append(diags...)
	var before []string
	resp.Diagnostics.Append(state.ExcludedPolicyIDs.ElementsAs(ctx, &before, false)...)
	targets, diags := r.resolveTargets(ctx, &plan, in)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Policies no longer targeted lose all our old ids; those still targeted, the ids that left the inputs.
	untargeted := slices.DeleteFunc(slices.Clone(before), func(id string) bool { return helpers.ContainsFold(targets, id) })
	stillTargeted := slices.DeleteFunc(slices.Clone(before), func(id string) bool { return !helpers.ContainsFold(targets, id) })
	for _, removal := range []struct {
		policies, users, groups []string
	}{
		{untargeted, old.users, old.groups},
		{stillTargeted, minus(old.users, in.users), minus(old.groups, in.groups)},
	} {
		if len(removal.policies) == 0 || len(removal.users)+len(removal.groups) == 0 {
			continue
		}
		if _, err := applyExclusions(ctx, r.client, removal.policies, removal.users, removal.groups, false); err != nil {
			resp.Diagnostics.AddError("Cannot remove exclusions", err.Error())
			return
		}
	}
	plan.ID = types.StringValue(encodeID(in))
	if done, err := applyExclusions(ctx, r.client, targets, in.users, in.groups, true); err != nil {
		plan.ExcludedPolicyIDs, plan.ExcludedPolicies = subset(plan, done)
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		resp.Diagnostics.AddError("Cannot add the exclusions", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *exclusionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state exclusionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	in, diags := state.inputs(ctx)
	resp.Diagnostics.Append(diags...)
	var managed []string
	resp.Diagnostics.Append(state.ExcludedPolicyIDs.ElementsAs(ctx, &managed, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if _, err := applyExclusions(ctx, r.client, managed, in.users, in.groups, false); err != nil {
		resp.Diagnostics.AddError("Cannot remove the exclusions", err.Error())
	}
}

func (r *exclusionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	in, err := decodeID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", err.Error())
		return
	}
	list := func(ids []string) types.List {
		if len(ids) == 0 {
			return types.ListNull(types.StringType)
		}
		v, _ := types.ListValueFrom(ctx, types.StringType, ids)
		return v
	}
	m := exclusionModel{
		ID: types.StringValue(encodeID(in)), UserIDs: list(in.users), GroupIDs: list(in.groups),
		PolicyIDs: list(in.sel.PolicyIDs), ExceptPolicyIDs: list(in.sel.Except),
		Match: types.StringNull(), IncludeReportOnly: types.BoolValue(in.sel.IncludeReportOnly), IncludeDisabled: types.BoolValue(in.sel.IncludeDisabled),
		ExcludedPolicyIDs: types.SetNull(types.StringType), ExcludedPolicies: types.MapNull(types.StringType),
		Timeouts: timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
			"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType,
		})},
	}
	if in.sel.Match != "" {
		m.Match = types.StringValue(in.sel.Match)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func subset(plan exclusionModel, done []string) (types.Set, types.Map) {
	names := plan.ExcludedPolicies.Elements()
	var kept []policySummary
	for _, id := range done {
		name := ""
		if v, ok := names[id].(types.String); ok {
			name = v.ValueString()
		}
		kept = append(kept, policySummary{ID: id, DisplayName: name})
	}
	return targetAttributes(kept)
}

func minus(a, b []string) []string {
	return slices.DeleteFunc(slices.Clone(a), func(v string) bool { return helpers.ContainsFold(b, v) })
}
