package rolemanagement

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/validate"
)

var (
	_ resource.Resource                     = (*pimAssignmentResource)(nil)
	_ resource.ResourceWithConfigure        = (*pimAssignmentResource)(nil)
	_ resource.ResourceWithImportState      = (*pimAssignmentResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*pimAssignmentResource)(nil)
	_ resource.ResourceWithConfigValidators = (*pimAssignmentResource)(nil)
)

const (
	// defaultTimeout covers PIM's replication of a principal created moments earlier, which can take minutes.
	defaultTimeout = 5 * time.Minute
	// deleteTimeout outlasts PIM's refusal to end an assignment younger than five minutes (ActiveDurationTooShort).
	deleteTimeout        = 10 * time.Minute
	defaultJustification = "Permanent active assignment for an emergency access (break glass) account, managed by Terraform."
	methodPIM            = "pim"
	methodDirect         = "direct"
)

// NewPIMPermanentAssignmentResource is the breakglass_pim_permanent_assignment constructor.
func NewPIMPermanentAssignmentResource() resource.Resource { return &pimAssignmentResource{} }

type pimAssignmentResource struct {
	client *clients.Client
}

type pimAssignmentModel struct {
	ID               types.String   `tfsdk:"id"`
	PrincipalID      types.String   `tfsdk:"principal_id"`
	Role             types.String   `tfsdk:"role"`
	RoleDefinitionID types.String   `tfsdk:"role_definition_id"`
	RoleName         types.String   `tfsdk:"role_name"`
	DirectoryScopeID types.String   `tfsdk:"directory_scope_id"`
	Justification    types.String   `tfsdk:"justification"`
	AssignmentMethod types.String   `tfsdk:"assignment_method"`
	ScheduleID       types.String   `tfsdk:"schedule_id"`
	EndDateTime      types.String   `tfsdk:"end_date_time"`
	Timeouts         timeouts.Value `tfsdk:"timeouts"`
}

func (r *pimAssignmentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pim_permanent_assignment"
}

func (r *pimAssignmentResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A permanent *active* directory role assignment made through Privileged Identity Management " +
			"(`adminAssign` with `noExpiration`), as emergency accounts need: in an emergency nobody can activate an eligible " +
			"role. Removing the assignment, converting it to eligible, or giving it an end date outside Terraform shows as drift.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "`{principal_id}/{role_definition_id}`, followed by the directory scope when it is not `/` " +
					"(e.g. `{principal_id}/{role_definition_id}/administrativeUnits/{id}`). Also the import id.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"principal_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Object id of the user (or group, or service principal) to assign, e.g. `breakglass_account.bg1.id`.",
				Validators:          []validator.String{validate.ObjectID()},
				PlanModifiers:       replace,
			},
			"role": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The role's display name, e.g. `Global Administrator` (case-insensitive). Exactly one of `role` and `role_definition_id`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers:       replace,
			},
			"role_definition_id": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "The role's template id, e.g. `62e90394-69f5-4237-9190-012177145e10` (Global Administrator). " +
					"Computed from `role` when that is given.",
				Validators:    []validator.String{validate.RoleTemplateID()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIfConfigured(), stringplanmodifier.UseStateForUnknown()},
			},
			"role_name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The role's display name as the tenant reports it.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"directory_scope_id": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString("/"),
				MarkdownDescription: "Where the role applies: `/` (the whole tenant, the default) or e.g. `/administrativeUnits/{id}`.",
				Validators:          []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^/`), `must start with "/" (use "/" for the whole tenant)`)},
				PlanModifiers:       replace,
			},
			"justification": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(defaultJustification),
				MarkdownDescription: "The reason recorded with the PIM request and in the audit log.",
				Validators:          []validator.String{validate.NotBlank()},
			},
			"assignment_method": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(methodPIM),
				MarkdownDescription: "`pim` (default): a PIM schedule request, visible and governed in PIM. `direct`: a plain " +
					"`roleAssignments` entry for tenants without Entra ID P2; it is an assignment *outside PIM*, which PIM " +
					"alerts and access reviews flag.",
				Validators:    []validator.String{stringvalidator.OneOf(methodPIM, methodDirect)},
				PlanModifiers: replace,
			},
			"schedule_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The PIM assignment schedule's id (or, for `direct`, the role assignment's id).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"end_date_time": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Null while the assignment is permanent. If someone gives it an end date, this shows the " +
					"date and the next apply makes it permanent again.",
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

func (r *pimAssignmentResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{resourcevalidator.ExactlyOneOf(path.MatchRoot("role"), path.MatchRoot("role_definition_id"))}
}

func (r *pimAssignmentResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clients.FromProviderData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan resolves the role at plan time (so an unknown name fails the plan with suggestions), plans a
// permanent assignment back when someone gave it an end date, and warns when the principal is not fit to be an
// emergency account.
func (r *pimAssignmentResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil {
		return
	}
	var plan pimAssignmentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.Role.IsUnknown() || plan.RoleDefinitionID.IsUnknown() && plan.Role.IsNull() {
		return
	}
	catalog, err := roleDefinitions(ctx, r.client)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the directory roles", clients.Explain("listing role definitions", PermRoleRead, err))
		return
	}
	var role roleDefinition
	if !plan.Role.IsNull() {
		if role, err = catalog.byName(plan.Role.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("role"), "Unknown directory role", err.Error())
			return
		}
	} else {
		var found bool
		if role, found = catalog.byID(plan.RoleDefinitionID.ValueString()); !found {
			resp.Diagnostics.AddAttributeError(path.Root("role_definition_id"), "Unknown directory role",
				fmt.Sprintf("No role definition has the id %s in this tenant. Built-in roles use their template id, e.g. 62e90394-69f5-4237-9190-012177145e10 for Global Administrator; or set role to the role's name.", plan.RoleDefinitionID.ValueString()))
			return
		}
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("role_definition_id"), role.ID)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("role_name"), role.Name)...)
	if !plan.PrincipalID.IsUnknown() && !plan.DirectoryScopeID.IsUnknown() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), assignmentID(plan.PrincipalID.ValueString(), role.ID, plan.DirectoryScopeID.ValueString()))...)
	}
	if req.State.Raw.IsNull() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("end_date_time"), types.StringNull())...)
		r.warnUnfitPrincipal(ctx, plan.PrincipalID, resp)
		return
	}
	var state pimAssignmentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	// A permanent assignment has no end; planning null makes an end date set elsewhere a visible change, which
	// Update repairs with a new schedule (whose id PIM picks).
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("end_date_time"), types.StringNull())...)
	if !state.EndDateTime.IsNull() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("schedule_id"), types.StringUnknown())...)
	}
}

func (r *pimAssignmentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan pimAssignmentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	a := assignmentOf(plan)
	var err error
	if plan.AssignmentMethod.ValueString() == methodDirect {
		err = a.createDirect(ctx, r.client)
	} else {
		err = a.assignPermanent(ctx, r.client, plan.Justification.ValueString())
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot assign the role", a.explain("assigning", plan.RoleName.ValueString(), plan.AssignmentMethod.ValueString(), err))
		return
	}
	plan.ID = types.StringValue(a.id())
	plan.EndDateTime = types.StringNull()
	// The id is known from the inputs: keep it in state now so a failing read-back does not orphan the assignment.
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)

	var found *schedule
	err = clients.RetryWhile(ctx, "the new role assignment", isNotYetVisible, func(ctx context.Context) error {
		s, err := a.read(ctx, r.client, plan.AssignmentMethod.ValueString())
		if err == nil && s == nil {
			return errNotYetVisible
		}
		found = s
		return err
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the new role assignment", clients.Explain("reading role assignment "+a.id(), PermRoleRead, err))
		return
	}
	found.applyTo(&plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *pimAssignmentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state pimAssignmentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Read(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	found, err := assignmentOf(state).read(ctx, r.client, state.AssignmentMethod.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the role assignment", clients.Explain("reading role assignment "+state.ID.ValueString(), PermRoleRead, err))
		return
	}
	if found == nil {
		// Removed, converted to eligible, or moved to another scope: no active assignment here any more.
		resp.State.RemoveResource(ctx)
		return
	}
	found.applyTo(&state)
	if state.RoleName.IsNull() || state.RoleName.IsUnknown() {
		if catalog, err := roleDefinitions(ctx, r.client); err == nil {
			if role, ok := catalog.byID(state.RoleDefinitionID.ValueString()); ok {
				state.RoleName = types.StringValue(role.Name)
			}
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update makes a time-bound assignment permanent again; the other updatable input, justification, is recorded
// with the next request only.
func (r *pimAssignmentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state pimAssignmentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	a := assignmentOf(plan)
	plan.ScheduleID = state.ScheduleID
	if !state.EndDateTime.IsNull() {
		if err := a.makePermanent(ctx, r.client, plan.Justification.ValueString()); err != nil {
			resp.Diagnostics.AddError("Cannot make the role assignment permanent again", a.explain("updating", plan.RoleName.ValueString(), plan.AssignmentMethod.ValueString(), err))
			return
		}
		found, err := a.read(ctx, r.client, plan.AssignmentMethod.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("Cannot read the role assignment", clients.Explain("reading role assignment "+a.id(), PermRoleRead, err))
			return
		}
		if found != nil {
			found.applyTo(&plan)
		}
	}
	plan.EndDateTime = types.StringNull()
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *pimAssignmentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state pimAssignmentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, deleteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	a := assignmentOf(state)
	var err error
	if state.AssignmentMethod.ValueString() == methodDirect {
		err = a.deleteDirect(ctx, r.client, state.ScheduleID.ValueString())
	} else {
		err = a.remove(ctx, r.client, state.Justification.ValueString())
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot remove the role assignment", a.explain("removing", state.RoleName.ValueString(), state.AssignmentMethod.ValueString(), err))
	}
}

// ImportState takes `{principal_id}/{role_definition_id}[/{directory scope}]`.
func (r *pimAssignmentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	a, err := parseAssignmentID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", err.Error())
		return
	}
	for attr, v := range map[string]string{
		"id": a.id(), "principal_id": a.principalID, "role_definition_id": a.roleDefinitionID, "directory_scope_id": a.scope,
		"justification": defaultJustification, "assignment_method": methodPIM,
	} {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(attr), v)...)
	}
}

// warnUnfitPrincipal flags a principal that is synced or licensed; the assignment is still made, as the user asked.
func (r *pimAssignmentResource) warnUnfitPrincipal(ctx context.Context, principal types.String, resp *resource.ModifyPlanResponse) {
	if principal.IsUnknown() || principal.IsNull() {
		return
	}
	fitness, ok := userFitness(ctx, r.client, principal.ValueString())
	if !ok {
		return
	}
	if fitness.Synced {
		resp.Diagnostics.AddAttributeWarning(path.Root("principal_id"), "Principal is synced from on-premises",
			"Emergency access accounts should be cloud-only: an on-premises outage or compromise would take the assignment's holder with it. The assignment is still made.")
	}
	if fitness.Licenses > 0 {
		resp.Diagnostics.AddAttributeWarning(path.Root("principal_id"), "Principal is licensed",
			fmt.Sprintf("The principal holds %d license(s); emergency access accounts should hold none. The assignment is still made.", fitness.Licenses))
	}
}

func assignmentID(principal, role, scope string) string {
	if scope == "/" || scope == "" {
		return principal + "/" + role
	}
	return principal + "/" + role + scope
}

func parseAssignmentID(id string) (assignment, error) {
	parts := strings.SplitN(id, "/", 3)
	if len(parts) < 2 || !validate.IsGUID(parts[0]) || !validate.IsGUID(parts[1]) {
		return assignment{}, fmt.Errorf("%q is not {principal_id}/{role_definition_id} with an optional /{directory scope}, e.g. "+
			"00000000-0000-0000-0000-000000000000/62e90394-69f5-4237-9190-012177145e10", id)
	}
	scope := "/"
	if len(parts) == 3 && parts[2] != "" {
		scope = "/" + parts[2]
	}
	return assignment{principalID: strings.ToLower(parts[0]), roleDefinitionID: strings.ToLower(parts[1]), scope: scope}, nil
}
