package administrativeunits

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/rolemanagement"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/validate"
)

var (
	_ resource.Resource                = (*restrictedUnitResource)(nil)
	_ resource.ResourceWithConfigure   = (*restrictedUnitResource)(nil)
	_ resource.ResourceWithImportState = (*restrictedUnitResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*restrictedUnitResource)(nil)
)

const (
	defaultTimeout = 5 * time.Minute
	// privilegedAuthenticationAdministrator is the default manager role: the only role besides Global
	// Administrator that may reset the password and set authentication methods (Temporary Access Pass) of a Global
	// Administrator, and it can be assigned at an administrative unit's scope (Entra "Privileged roles and
	// permissions", "Who can reset passwords"; "Restricted management administrative units": only roles assigned at
	// the unit's scope may change its members). User Administrator and Authentication Administrator cannot touch a
	// Global Administrator.
	privilegedAuthenticationAdministrator = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"
)

// NewRestrictedManagementUnitResource is the breakglass_restricted_management_unit constructor.
func NewRestrictedManagementUnitResource() resource.Resource { return &restrictedUnitResource{} }

type restrictedUnitResource struct {
	client *clients.Client
}

type unitModel struct {
	ID                           types.String   `tfsdk:"id"`
	DisplayName                  types.String   `tfsdk:"display_name"`
	Description                  types.String   `tfsdk:"description"`
	IsMemberManagementRestricted types.Bool     `tfsdk:"is_member_management_restricted"`
	MemberUserIDs                types.Set      `tfsdk:"member_user_ids"`
	MemberGroupIDs               types.Set      `tfsdk:"member_group_ids"`
	ManagerPrincipalID           types.String   `tfsdk:"manager_principal_id"`
	ManagerRoleID                types.String   `tfsdk:"manager_role_id"`
	ManagerRoleAssignmentID      types.String   `tfsdk:"manager_role_assignment_id"`
	Timeouts                     timeouts.Value `tfsdk:"timeouts"`
}

// manager is the role assignment that lets the manager change the unit's members.
func (m unitModel) manager() rolemanagement.DirectAssignment {
	return rolemanagement.DirectAssignment{PrincipalID: m.ManagerPrincipalID.ValueString(),
		RoleDefinitionID: m.ManagerRoleID.ValueString(), Scope: "/administrativeUnits/" + m.ID.ValueString()}
}

// memberIDs is every member this resource manages, users and groups.
func (m unitModel) memberIDs(ctx context.Context, diags *diag.Diagnostics) []string {
	return append(setStrings(ctx, m.MemberUserIDs, diags), setStrings(ctx, m.MemberGroupIDs, diags)...)
}

func setStrings(ctx context.Context, s types.Set, diags *diag.Diagnostics) []string {
	var out []string
	if s.IsNull() || s.IsUnknown() {
		return out
	}
	diags.Append(s.ElementsAs(ctx, &out, false)...)
	return out
}

func (r *restrictedUnitResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_restricted_management_unit"
}

func (r *restrictedUnitResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	objectIDs := []validator.Set{setvalidator.ValueStringsAre(validate.ObjectID()), setvalidator.SizeAtLeast(1)}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A restricted management administrative unit holding the emergency accounts (and optionally the " +
			"Conditional Access exclusion group): once they are members, no tenant-wide administrator, Global Administrators " +
			"included, and no application permission can change or delete them; only identities holding a role assigned at the " +
			"unit's scope can. That includes this provider: its own later writes to the accounts (password rotation, Temporary " +
			"Access Pass, `account_enabled`, destroy) are refused (403) unless `manager_principal_id` names the provider's service " +
			"principal, which gets `manager_role_id` scoped to the unit before the accounts join.\n\n" +
			"The provider's identity needs `AdministrativeUnit.ReadWrite.All` and, to give the manager its role, " +
			"`RoleManagement.ReadWrite.Directory`; adding or removing members of a restricted unit and deleting it also need the " +
			"identity to hold Global Administrator or Privileged Role Administrator at tenant scope.\n\n" +
			"Only the members listed here are managed: members someone else added are left alone and not shown as drift; a " +
			"listed member removed outside Terraform is drift, and the next apply adds it back.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The administrative unit's object id. Also the import id.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"display_name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The unit's display name.",
				Validators:          []validator.String{validate.NotBlank()},
			},
			"description": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The unit's description.",
				Validators:          []validator.String{validate.NotBlank()},
			},
			"is_member_management_restricted": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Always `true`: the unit is created restricted, and Entra cannot change the setting after " +
					"creation. Importing a unit that is not restricted is refused.",
			},
			"member_user_ids": schema.SetAttribute{
				Required:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Object ids of the users to protect, e.g. `[breakglass_account.bg1.id, breakglass_account.bg2.id]`.",
				Validators:          objectIDs,
			},
			"member_group_ids": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Object ids of security groups to protect, e.g. the Conditional Access exclusion group " +
					"(Microsoft 365 and mail-enabled groups cannot be members of a restricted unit).",
				Validators: objectIDs,
			},
			"manager_principal_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Object id of the identity that must keep managing the members, typically the provider's own " +
					"service principal (its object id, not the client id). It gets `manager_role_id` scoped to the unit, as a " +
					"permanent active assignment, before any member joins. Without it nobody can change the members after they join; " +
					"the plan warns.",
				Validators: []validator.String{validate.ObjectID()},
			},
			"manager_role_id": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(privilegedAuthenticationAdministrator),
				MarkdownDescription: "Template id of the role the manager gets at the unit's scope. Defaults to Privileged " +
					"Authentication Administrator (`" + privilegedAuthenticationAdministrator + "`), the least role that may change " +
					"the password, authentication methods and `account_enabled` of a Global Administrator.",
				Validators: []validator.String{validate.RoleTemplateID()},
			},
			"manager_role_assignment_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Id of the manager's role assignment (`roleManagement/directory/roleAssignments`); null without a manager.",
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

func (r *restrictedUnitResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clients.FromProviderData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan plans the manager's assignment (a new one when the manager or role changes, or when it was removed
// outside Terraform) and warns when nobody will be able to manage the members.
func (r *restrictedUnitResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan unitModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("is_member_management_restricted"), true)...)
	assignment := types.StringUnknown()
	if plan.ManagerPrincipalID.IsNull() {
		assignment = types.StringNull()
	}
	var state unitModel
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if !managerChanged(plan, state) {
			assignment = state.ManagerRoleAssignmentID
		}
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("manager_role_assignment_id"), assignment)...)
	if plan.ManagerPrincipalID.IsNull() && (req.State.Raw.IsNull() || !state.ManagerPrincipalID.IsNull()) {
		resp.Diagnostics.AddAttributeWarning(path.Root("manager_principal_id"), "Nobody will be able to manage the members",
			"Without manager_principal_id no identity gets a role scoped to this restricted management unit, and inside it Graph "+
				"application permissions and tenant-wide roles (Global Administrator included) no longer count: the provider's own "+
				"later writes to the accounts (password rotation, Temporary Access Pass, account_enabled, destroy) will be refused "+
				"(403). Set manager_principal_id to the provider's service principal object id, or assign a role at the scope "+
				"/administrativeUnits/<id> yourself (e.g. breakglass_pim_permanent_assignment with directory_scope_id).")
	}
}

// managerChanged reports whether plan needs a manager assignment other than the one state recorded: another
// principal or role, or none recorded while a manager is configured (removed outside Terraform, or a failed apply).
func managerChanged(plan, state unitModel) bool {
	return !plan.ManagerPrincipalID.Equal(state.ManagerPrincipalID) || !plan.ManagerRoleID.Equal(state.ManagerRoleID) ||
		!plan.ManagerPrincipalID.IsNull() && state.ManagerRoleAssignmentID.IsNull()
}

// Create makes the unit (restricted), then the manager's scoped role, then adds the members: once a member is in,
// only a role scoped to the unit lets anyone change it, so the role must be in force first.
func (r *restrictedUnitResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan unitModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id, err := createUnit(ctx, r.client, plan.DisplayName.ValueString(), plan.Description.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Cannot create the administrative unit", clients.Explain("creating administrative unit "+plan.DisplayName.ValueString(), permUnitWrite, err))
		return
	}
	plan.ID = types.StringValue(id)
	plan.IsMemberManagementRestricted = types.BoolValue(true)
	plan.ManagerRoleAssignmentID = types.StringNull()
	// Keep the unit in state at once: if anything below fails, the next apply finds it instead of making a twin.
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(clients.RememberWrite(ctx, resp.Private)...)

	if !plan.ManagerPrincipalID.IsNull() {
		assignmentID, err := plan.manager().Create(ctx, r.client)
		if err != nil {
			resp.Diagnostics.AddError("Cannot give the manager its role in the unit", plan.manager().Explain("assigning", err))
			return
		}
		plan.ManagerRoleAssignmentID = types.StringValue(assignmentID)
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	}
	for _, member := range plan.memberIDs(ctx, &resp.Diagnostics) {
		if err := addMember(ctx, r.client, id, member); err != nil {
			resp.Diagnostics.AddError("Cannot add a member to the administrative unit", explainManage("adding "+member+" to administrative unit "+id, err))
			return
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// Waits before a refresh believes the unit is gone (see confirmGone).
const (
	recentGoneWait = 15 * time.Second // the provider wrote the unit within clients.ReplicationWindow
	goneWait       = 3 * time.Second  // otherwise: three reads, 1 s and 2 s apart
)

func (r *restrictedUnitResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state unitModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Read(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id := state.ID.ValueString()
	writtenAt, recent := clients.WrittenRecently(ctx, req.Private)
	u, err := getUnit(ctx, r.client, id)
	if clients.IsNotFound(err) {
		u, err = confirmGone(ctx, r.client, id, recent)
		switch {
		case clients.IsNotFound(err) && !recent && ctx.Err() == nil:
			tflog.Warn(ctx, "administrative unit no longer exists; removing it from state", map[string]any{"id": id})
			resp.State.RemoveResource(ctx)
			return
		case clients.IsNotFound(err) && recent:
			resp.Diagnostics.AddWarning("Administrative unit not visible yet",
				fmt.Sprintf("Microsoft Graph still answers 404 for administrative unit %s, which this provider wrote at %s. Entra ID "+
					"replicates a write within minutes, so the unit stays in state unchanged. If it was deleted, a refresh after %s "+
					"removes it.", id, writtenAt.Format(time.RFC3339), writtenAt.Add(clients.ReplicationWindow).Format(time.RFC3339)))
			return
		}
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the administrative unit", clients.Explain("reading administrative unit "+id, permUnitRead, err))
		return
	}
	resp.Diagnostics.Append(r.refresh(ctx, &state, u, recent)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// confirmGone repeats the read of a unit that answered 404, so that a replica the unit has not reached is not
// taken for a deletion: for a while after the provider's own write (recent), briefly otherwise. It returns the
// unit when a read finds it, else the last 404.
func confirmGone(ctx context.Context, c *clients.Client, id string, recent bool) (unit, error) {
	wait := goneWait
	if recent {
		wait = recentGoneWait
	}
	confirmCtx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	var u unit
	err := clients.RetryWhileNotFound(confirmCtx, "administrative unit "+id, func(ctx context.Context) error {
		var err error
		u, err = getUnit(ctx, c, id)
		return err
	})
	return u, err
}

// settleReads is how many reads in a row must lack a member or the manager's assignment before a refresh soon after
// the provider's own write believes it (a replica may not have the write yet).
const settleReads = 3

// refresh fills state from the unit, its members and the manager's assignment. Only the members state lists are
// kept, so members someone else added are not drift; a listed member that is gone is.
func (r *restrictedUnitResource) refresh(ctx context.Context, state *unitModel, u unit, recent bool) diag.Diagnostics {
	var diags diag.Diagnostics
	id := state.ID.ValueString()
	state.DisplayName = types.StringValue(u.displayName)
	state.Description = helpers.OptionalString(u.description)
	state.IsMemberManagementRestricted = types.BoolValue(u.restricted)

	wanted := state.memberIDs(ctx, &diags)
	var found members
	err := settle(ctx, recent, func() (bool, error) {
		var err error
		found, err = listMembers(ctx, r.client, id)
		return !slices.ContainsFunc(wanted, func(m string) bool { _, ok := found[strings.ToLower(m)]; return !ok }), err
	})
	if err != nil {
		diags.AddError("Cannot read the administrative unit's members", clients.Explain("listing the members of administrative unit "+id, permUnitRead, err))
		return diags
	}
	state.MemberUserIDs = keepMembers(state.MemberUserIDs, found)
	state.MemberGroupIDs = keepMembers(state.MemberGroupIDs, found)

	if state.ManagerPrincipalID.IsNull() {
		state.ManagerRoleAssignmentID = types.StringNull()
		return diags
	}
	var assignmentID string
	err = settle(ctx, recent, func() (bool, error) {
		var err error
		assignmentID, err = state.manager().Find(ctx, r.client)
		return assignmentID != "", err
	})
	if err != nil {
		diags.AddError("Cannot read the manager's role assignment", state.manager().Explain("reading the role assignment of", err))
		return diags
	}
	state.ManagerRoleAssignmentID = helpers.OptionalString(assignmentID)
	return diags
}

// settle calls read until it reports that it shows what the provider wrote, at most settleReads times, 1 s and 2 s
// apart, and only soon after the provider's own write (recent): a replica the write has not reached yet answers
// the version before it, and someone's change still shows after three seconds.
func settle(ctx context.Context, recent bool, read func() (shows bool, err error)) error {
	for n := 1; ; n++ {
		shows, err := read()
		if err != nil || shows || !recent || n == settleReads || !clients.Sleep(ctx, time.Duration(n)*time.Second) {
			return err
		}
	}
}

// keepMembers is the ids of s that are still members; a null set stays null.
func keepMembers(s types.Set, found members) types.Set {
	if s.IsNull() || s.IsUnknown() {
		return s
	}
	kept := []attr.Value{}
	for _, v := range s.Elements() {
		if str, ok := v.(types.String); ok {
			if _, member := found[strings.ToLower(str.ValueString())]; member {
				kept = append(kept, str)
			}
		}
	}
	return types.SetValueMust(types.StringType, kept)
}

// Update renames the unit, replaces the manager's assignment when the manager or role changes (the new one first,
// so that someone can always manage the members), and adds and removes the listed members.
func (r *restrictedUnitResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state unitModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id := state.ID.ValueString()
	plan.ID = state.ID
	plan.IsMemberManagementRestricted = types.BoolValue(true)
	if !plan.DisplayName.Equal(state.DisplayName) || !plan.Description.Equal(state.Description) {
		if err := updateUnit(ctx, r.client, id, plan.DisplayName.ValueString(), plan.Description.ValueString()); err != nil {
			resp.Diagnostics.AddError("Cannot update the administrative unit", clients.Explain("updating administrative unit "+id, permUnitWrite, err))
			return
		}
		resp.Diagnostics.Append(clients.RememberWrite(ctx, resp.Private)...)
	}

	plan.ManagerRoleAssignmentID = state.ManagerRoleAssignmentID
	if managerChanged(plan, state) {
		plan.ManagerRoleAssignmentID = types.StringNull()
		if !plan.ManagerPrincipalID.IsNull() {
			assignmentID, err := plan.manager().Create(ctx, r.client)
			if err != nil {
				resp.Diagnostics.AddError("Cannot give the manager its role in the unit", plan.manager().Explain("assigning", err))
				return
			}
			plan.ManagerRoleAssignmentID = types.StringValue(assignmentID)
		}
		old := state.ManagerRoleAssignmentID
		if !old.IsNull() && !old.Equal(plan.ManagerRoleAssignmentID) {
			if err := state.manager().Delete(ctx, r.client, old.ValueString()); err != nil {
				resp.Diagnostics.AddError("Cannot remove the previous manager's role in the unit", state.manager().Explain("removing", err))
				return
			}
		}
	}

	wanted, had := plan.memberIDs(ctx, &resp.Diagnostics), state.memberIDs(ctx, &resp.Diagnostics)
	for _, member := range had {
		if !helpers.ContainsFold(wanted, member) {
			if err := removeMember(ctx, r.client, id, member); err != nil {
				resp.Diagnostics.AddError("Cannot remove a member from the administrative unit", explainManage("removing "+member+" from administrative unit "+id, err))
				return
			}
		}
	}
	for _, member := range wanted {
		if !helpers.ContainsFold(had, member) {
			if err := addMember(ctx, r.client, id, member); err != nil {
				resp.Diagnostics.AddError("Cannot add a member to the administrative unit", explainManage("adding "+member+" to administrative unit "+id, err))
				return
			}
		}
	}
	resp.Diagnostics.Append(clients.RememberWrite(ctx, resp.Private)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// Delete removes the members this resource added, then the manager's assignment, then the unit.
func (r *restrictedUnitResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state unitModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id := state.ID.ValueString()
	for _, member := range state.memberIDs(ctx, &resp.Diagnostics) {
		if err := removeMember(ctx, r.client, id, member); err != nil {
			resp.Diagnostics.AddError("Cannot remove a member from the administrative unit", explainManage("removing "+member+" from administrative unit "+id, err))
			return
		}
	}
	if !state.ManagerRoleAssignmentID.IsNull() {
		if err := state.manager().Delete(ctx, r.client, state.ManagerRoleAssignmentID.ValueString()); err != nil {
			resp.Diagnostics.AddError("Cannot remove the manager's role in the unit", state.manager().Explain("removing", err))
			return
		}
	}
	if err := deleteUnit(ctx, r.client, id); err != nil {
		resp.Diagnostics.AddError("Cannot delete the administrative unit", explainManage("deleting administrative unit "+id, err))
	}
}

// ImportState takes the unit's object id and refuses a unit that is not restricted (Entra cannot make it so). Every
// current member is taken as listed; the manager is not known from the unit, so manager_principal_id starts null,
// and setting it adopts an assignment the principal already holds at the unit's scope.
func (r *restrictedUnitResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.ToLower(req.ID)
	if !validate.IsGUID(id) {
		resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf("%q is not an administrative unit's object id (a GUID).", req.ID))
		return
	}
	u, err := getUnit(ctx, r.client, id)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import the administrative unit", clients.Explain("reading administrative unit "+id, permUnitRead, err))
		return
	}
	if !u.restricted {
		resp.Diagnostics.AddError("Not a restricted management administrative unit",
			fmt.Sprintf("Administrative unit %s (%s) is not a restricted management unit, and Entra can make a unit restricted only "+
				"when it is created. Let Terraform create a new breakglass_restricted_management_unit instead of importing this one.", id, u.displayName))
		return
	}
	found, err := listMembers(ctx, r.client, id)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the administrative unit's members", clients.Explain("listing the members of administrative unit "+id, permUnitRead, err))
		return
	}
	var users, groups []attr.Value
	for member, group := range found {
		if group {
			groups = append(groups, types.StringValue(member))
		} else {
			users = append(users, types.StringValue(member))
		}
	}
	groupSet := types.SetNull(types.StringType)
	if len(groups) > 0 {
		groupSet = types.SetValueMust(types.StringType, groups)
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("member_user_ids"), types.SetValueMust(types.StringType, users))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("member_group_ids"), groupSet)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("manager_role_id"), privilegedAuthenticationAdministrator)...)
}
