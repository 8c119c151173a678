package authmethods

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/validate"
)

var (
	_ resource.Resource                     = (*targetsResource)(nil)
	_ resource.ResourceWithConfigure        = (*targetsResource)(nil)
	_ resource.ResourceWithImportState      = (*targetsResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*targetsResource)(nil)
	_ resource.ResourceWithConfigValidators = (*targetsResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*targetsResource)(nil)
)

// defaultTimeout allows for a replica lagging minutes behind the write it must show.
const defaultTimeout = 10 * time.Minute

// NewTargetsResource is the breakglass_authentication_method_targets constructor.
func NewTargetsResource() resource.Resource { return &targetsResource{} }

type targetsResource struct {
	client *clients.Client
}

type targetsModel struct {
	ID                types.String   `tfsdk:"id"`
	Method            types.String   `tfsdk:"method"`
	UserIDs           types.Set      `tfsdk:"user_ids"`
	GroupID           types.String   `tfsdk:"group_id"`
	EnableMethod      types.Bool     `tfsdk:"enable_method"`
	ManageX509Binding types.Bool     `tfsdk:"manage_x509_binding"`
	MethodState       types.String   `tfsdk:"method_state"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}

func (r *targetsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_authentication_method_targets"
}

func (r *targetsResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Includes emergency accounts (users and/or one group) in the tenant's FIDO2 or X.509 certificate " +
			"method configuration of the authentication methods policy, without taking the policy over: adds exactly its own " +
			"include targets, never removes anyone else's, and never touches the exclude targets. One resource per method.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "An encoding of what the resource manages, also the import id: `method=<method>;users=<ids>;group=<id>`, " +
					"user ids sorted, lower-cased and comma-separated, empty parts left out.",
			},
			"method": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "`fido2` (the `Fido2` configuration: passkeys and security keys) or `x509_certificate` (the " +
					"`X509Certificate` configuration: certificate-based authentication) or `temporary_access_pass` (the " +
					"`TemporaryAccessPass` configuration, for the pass with which a custodian registers the accounts' keys: " +
					"see `breakglass_temporary_access_pass_request`). Changing it replaces the resource.",
				Validators:    []validator.String{stringvalidator.OneOf(methodFido2, methodX509, methodTAP)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"user_ids": schema.SetAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Object ids of the users to include (target type `user`). At least one of `user_ids` and `group_id`.",
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(validate.ObjectID()),
				},
			},
			"group_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Object id of a group to include (target type `group`).",
				Validators:          []validator.String{validate.ObjectID()},
			},
			"enable_method": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Turn the method on tenant-wide when it is disabled. Without it, a disabled method fails the plan: " +
					"enabling it also enables it for every other include target of the configuration. Destroy never disables the " +
					"method, since others may rely on it. Default `false`.",
			},
			"manage_x509_binding": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "With `x509_certificate`: add a username binding from the certificate's subject key identifier to " +
					"`certificateUserIds` (high affinity) when no binding resolves `certificateUserIds`, keeping every other binding; " +
					"destroy leaves it. Without it, the missing binding fails the plan. Default `false`.",
			},
			"method_state": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The method's tenant-wide state, `enabled` or `disabled`, as last read.",
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

func (r *targetsResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.AtLeastOneOf(path.MatchRoot("user_ids"), path.MatchRoot("group_id")),
	}
}

func (r *targetsResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config targetsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if config.ManageX509Binding.ValueBool() && !config.Method.IsUnknown() && config.Method.ValueString() != methodX509 {
		resp.Diagnostics.AddAttributeError(path.Root("manage_x509_binding"), "Only for x509_certificate",
			fmt.Sprintf("manage_x509_binding applies to method = %q only; remove it for method = %q.", methodX509, config.Method.ValueString()))
	}
}

func (r *targetsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clients.FromProviderData(req.ProviderData, &resp.Diagnostics)
}

// inputs returns the arguments as plain Go values; known is false while a user id or the group is unknown.
func (m targetsModel) inputs(ctx context.Context) (in inputs, known bool, diags diag.Diagnostics) {
	in.method = m.Method.ValueString()
	known = !m.Method.IsUnknown() && !m.UserIDs.IsUnknown() && !m.GroupID.IsUnknown()
	for _, e := range m.UserIDs.Elements() {
		known = known && !e.IsUnknown()
	}
	if known && !m.UserIDs.IsNull() {
		diags.Append(m.UserIDs.ElementsAs(ctx, &in.users, false)...)
	}
	in.group = m.GroupID.ValueString()
	return in, known, diags
}

// check refuses a configuration the accounts could not use, before anything is written: a disabled method
// without enable_method, and for X.509 what certificate sign-in needs (x509Problems).
func (m targetsModel) check(config methodConfig) error {
	var problems []string
	if config.state() != "enabled" && !m.EnableMethod.ValueBool() {
		problems = append(problems, disabledMessage(m.Method.ValueString()))
	}
	if m.Method.ValueString() == methodX509 {
		for _, p := range config.x509Problems(m.ManageX509Binding.ValueBool()) {
			problems = append(problems, p.detail)
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n\n"))
	}
	return nil
}

func disabledMessage(method string) string {
	return fmt.Sprintf("The %s method is disabled tenant-wide, so including the accounts would not let them use it. Set enable_method = true "+
		"to enable it (for every include target of the configuration, not only these accounts), or enable it in Entra admin center > "+
		"Protection > Authentication methods > Policies.", methods[method].configID)
}

// ModifyPlan reads the configuration so that a disabled method, or an X.509 configuration the accounts could not
// sign in with, fails the plan naming the fix, and plans method_state.
func (r *targetsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan targetsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in, known, diags := plan.inputs(ctx)
	resp.Diagnostics.Append(diags...)
	if known {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), encodeID(in))...)
	}
	if r.client == nil || plan.Method.IsUnknown() || plan.EnableMethod.IsUnknown() || plan.ManageX509Binding.IsUnknown() {
		return
	}
	m := methods[in.method]
	var stateID types.String
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &stateID)...)
	}
	config, handed := stateOf(r.client).reads.Take(stateID.ValueString(), handoffMaxAge)
	if !handed {
		var err error
		if config, err = readFresh(ctx, r.client, m); err != nil {
			resp.Diagnostics.AddError("Cannot read the authentication methods policy",
				clients.Explain("reading the "+m.configID+" authentication method configuration", permRead, err))
			return
		}
	}
	if config.state() != "enabled" && !plan.EnableMethod.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("enable_method"), "Authentication method disabled", disabledMessage(in.method))
	}
	if in.method == methodX509 {
		for _, p := range config.x509Problems(plan.ManageX509Binding.ValueBool()) {
			resp.Diagnostics.AddAttributeError(path.Root(p.attribute), "X.509 certificate sign-in not ready for the emergency accounts", p.detail)
		}
	}
	for _, t := range in.targets() {
		if config.excluded(t) {
			resp.Diagnostics.AddWarning("Emergency account excluded from the method",
				fmt.Sprintf("The %s %s is also an exclude target of the %s configuration, and exclusion wins: it cannot use the method "+
					"until someone removes it from the exclusions (the provider never changes them).", t.kind, t.id, m.configID))
		}
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("method_state"), "enabled")...)
}

// handoffMaxAge is how long a refresh's read serves the plan that follows it in the same walk.
const handoffMaxAge = 10 * time.Second

func (r *targetsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan targetsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	in, _, diags := plan.inputs(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ch := change{add: in.targets(), enable: plan.EnableMethod.ValueBool(), addBinding: plan.ManageX509Binding.ValueBool()}
	resp.Diagnostics.Append(r.write(ctx, plan, in, ch, nil, "Cannot include the emergency accounts", &resp.State, resp.Private)...)
}

// write applies ch and records the outcome in state, and in private state what the write made true (lastWrite).
// A write that failed after a PATCH may have landed still records the planned targets, so that destroy (or the
// next apply) takes out what landed.
func (r *targetsResource) write(ctx context.Context, plan targetsModel, in inputs, ch change, prior *priorWrite, failure string, state *tfsdk.State, private clients.PrivateSetter) diag.Diagnostics {
	var diags diag.Diagnostics
	plan.ID = types.StringValue(encodeID(in))
	config, wrote, err := applyChange(ctx, r.client, methods[in.method], ch, plan.check, prior)
	if err != nil {
		if wrote {
			plan.MethodState = types.StringNull()
			diags.Append(state.Set(ctx, plan)...)
		}
		diags.AddError(failure, err.Error())
		return diags
	}
	if wrote {
		diags.Append(clients.RememberWrite(ctx, private)...)
	}
	diags.Append(rememberLastWrite(ctx, private, lastWriteOf(ch))...)
	plan.MethodState = types.StringValue(config.state())
	diags.Append(state.Set(ctx, plan)...)
	return diags
}

// settleReads is how many reads in a row must miss what the resource's state and last write expect before a
// refresh calls it drift: a replica a write has not reached answers the version before it, and an import or a
// new provider instance cannot know how recent that write was.
const settleReads = 3

func (r *targetsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state targetsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Read(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	in, _, diags := state.inputs(ctx)
	resp.Diagnostics.Append(diags...)
	m := methods[in.method]
	config, err := readFresh(ctx, r.client, m)
	if clients.IsNotFound(err) {
		// The configurations are fixed parts of every tenant's policy: a 404 is the service's or a replica's trouble,
		// never a sign that the targets are gone.
		resp.Diagnostics.AddWarning("Authentication method configuration not readable",
			fmt.Sprintf("Microsoft Graph answered 404 for the %s configuration, which every tenant has; the state is kept unchanged. %s",
				m.configID, clients.Explain("reading it", permRead, err)))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the authentication methods policy",
			clients.Explain("reading the "+m.configID+" authentication method configuration", permRead, err))
		return
	}
	last := recordedLastWrite(ctx, req.Private)
	if ours := last.change(in.targets()); !ours.shownBy(config) {
		config = r.settle(ctx, m, ours, config)
	}
	// What someone else undid is drift, and a later write must not wait for a replica to show it (lastWrite.seenIn).
	resp.Diagnostics.Append(rememberLastWrite(ctx, resp.Private, last.seenIn(config))...)
	// Targets someone removed leave the state, so the plan adds them again.
	var present []attr.Value
	for _, u := range in.users {
		if config.has(target{targetUser, u}) {
			present = append(present, types.StringValue(u))
		}
	}
	if !state.UserIDs.IsNull() {
		state.UserIDs = types.SetValueMust(types.StringType, present)
	}
	if in.group != "" && !config.has(target{targetGroup, in.group}) {
		tflog.Info(ctx, "the group is no longer an include target", map[string]any{"configuration": m.configID, "group": in.group})
		state.GroupID = types.StringNull()
	}
	state.MethodState = types.StringValue(config.state())
	state.ID = types.StringValue(encodeID(in))
	stateOf(r.client).reads.Put(state.ID.ValueString(), config)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// settle re-reads, 1 s and 2 s apart, a configuration that does not show ours, and returns the first read that
// shows it, else the last.
func (r *targetsResource) settle(ctx context.Context, m method, ours change, config methodConfig) methodConfig {
	for n := 1; n < settleReads && !ours.shownBy(config); n++ {
		if !clients.Sleep(ctx, time.Duration(n)*time.Second) {
			break
		}
		again, err := readConfig(ctx, r.client, m)
		if err != nil {
			break // keep the read we have
		}
		config = again
	}
	return config
}

// Update takes out the targets that left the inputs and adds the current ones, in one write.
func (r *targetsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state targetsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	in, _, diags := plan.inputs(ctx)
	resp.Diagnostics.Append(diags...)
	old, _, diags := state.inputs(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ch := change{add: in.targets(), enable: plan.EnableMethod.ValueBool(), addBinding: plan.ManageX509Binding.ValueBool()}
	for _, t := range old.targets() {
		if !containsTarget(ch.add, t) {
			ch.remove = append(ch.remove, t)
		}
	}
	prior := recentWrite(ctx, req.Private, old.targets())
	resp.Diagnostics.Append(r.write(ctx, plan, in, ch, prior, "Cannot update the emergency accounts' targets", &resp.State, resp.Private)...)
}

func containsTarget(list []target, t target) bool {
	return slices.ContainsFunc(list, func(v target) bool { return v.kind == t.kind && strings.EqualFold(v.id, t.id) })
}

// Delete takes out this resource's targets only; the method's state and every other target stay.
func (r *targetsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state targetsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	in, _, diags := state.inputs(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	prior := recentWrite(ctx, req.Private, in.targets())
	if _, _, err := applyChange(ctx, r.client, methods[in.method], change{remove: in.targets()}, nil, prior); err != nil {
		resp.Diagnostics.AddError("Cannot remove the emergency accounts' targets", err.Error())
	}
}

func (r *targetsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	in, err := decodeID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", err.Error())
		return
	}
	users := types.SetNull(types.StringType)
	if len(in.users) > 0 {
		var diags diag.Diagnostics
		users, diags = types.SetValueFrom(ctx, types.StringType, in.users)
		resp.Diagnostics.Append(diags...)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, targetsModel{
		ID: types.StringValue(encodeID(in)), Method: types.StringValue(in.method), UserIDs: users, GroupID: helpers.OptionalString(in.group),
		EnableMethod: types.BoolValue(false), ManageX509Binding: types.BoolValue(false), MethodState: types.StringNull(),
		Timeouts: timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
			"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType,
		})},
	})...)
}
