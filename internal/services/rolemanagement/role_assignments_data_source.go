package rolemanagement

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
)

var (
	_ datasource.DataSource              = (*roleAssignmentsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*roleAssignmentsDataSource)(nil)
)

// NewRoleAssignmentsDataSource is the breakglass_role_assignments constructor.
func NewRoleAssignmentsDataSource() datasource.DataSource { return &roleAssignmentsDataSource{} }

type roleAssignmentsDataSource struct {
	client *clients.Client
}

type roleAssignmentsModel struct {
	ID                       types.String   `tfsdk:"id"`
	Roles                    types.List     `tfsdk:"roles"`
	PrincipalTypes           types.List     `tfsdk:"principal_types"`
	PrivilegedOnly           types.Bool     `tfsdk:"privileged_only"`
	IncludeEligible          types.Bool     `tfsdk:"include_eligible"`
	Assignments              types.List     `tfsdk:"assignments"`
	CountByRole              types.Map      `tfsdk:"count_by_role"`
	GlobalAdministratorCount types.Int64    `tfsdk:"global_administrator_count"`
	PermanentPrivilegedCount types.Int64    `tfsdk:"permanent_privileged_count"`
	Timeouts                 timeouts.Value `tfsdk:"timeouts"`
}

// assignmentModel is one element of assignments.
type assignmentModel struct {
	PrincipalID          types.String `tfsdk:"principal_id"`
	PrincipalType        types.String `tfsdk:"principal_type"`
	PrincipalDisplayName types.String `tfsdk:"principal_display_name"`
	UserPrincipalName    types.String `tfsdk:"user_principal_name"`
	AppID                types.String `tfsdk:"app_id"`
	RoleDefinitionID     types.String `tfsdk:"role_definition_id"`
	RoleName             types.String `tfsdk:"role_name"`
	IsPrivileged         types.Bool   `tfsdk:"is_privileged"`
	DirectoryScopeID     types.String `tfsdk:"directory_scope_id"`
	State                types.String `tfsdk:"state"`
	MemberType           types.String `tfsdk:"member_type"`
	Permanent            types.Bool   `tfsdk:"permanent"`
	StartDateTime        types.String `tfsdk:"start_date_time"`
	EndDateTime          types.String `tfsdk:"end_date_time"`
	OutsidePIM           types.Bool   `tfsdk:"outside_pim"`
}

var assignmentAttrTypes = map[string]attr.Type{
	"principal_id": types.StringType, "principal_type": types.StringType, "principal_display_name": types.StringType,
	"user_principal_name": types.StringType, "app_id": types.StringType, "role_definition_id": types.StringType,
	"role_name": types.StringType, "is_privileged": types.BoolType, "directory_scope_id": types.StringType,
	"state": types.StringType, "member_type": types.StringType, "permanent": types.BoolType,
	"start_date_time": types.StringType, "end_date_time": types.StringType, "outside_pim": types.BoolType,
}

func (d *roleAssignmentsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role_assignments"
}

func (d *roleAssignmentsDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computedString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	computedBool := func(desc string) schema.BoolAttribute {
		return schema.BoolAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every Microsoft Entra directory role assignment in the tenant: active ones, whether made through " +
			"Privileged Identity Management (PIM) or directly, including roles held through role-assignable groups, and PIM-eligible " +
			"ones. For audits in `terraform plan`, `check` blocks and outputs: who holds Global Administrator, which privileged " +
			"assignments are permanent, which were made outside PIM.\n\n" +
			"Reads four paged lists at Graph's maximum page size (role definitions, active schedules, active schedule instances " +
			"with `$expand=principal`, eligible schedule instances with `$expand=principal`) and makes no request per assignment. " +
			"Needs the Microsoft Graph application permission `RoleManagement.Read.Directory`.",
		Attributes: map[string]schema.Attribute{
			"id": computedString("The tenant id, when the provider configuration names it."),
			"roles": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "Only these roles: display names (e.g. `Global Administrator`, case-insensitive) or role " +
					"definition (template) ids. An unknown name fails the read with the closest role names.",
				Validators: []validator.List{listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
			},
			"principal_types": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Only these principal types: `user`, `group`, `servicePrincipal`.",
				Validators: []validator.List{listvalidator.ValueStringsAre(
					stringvalidator.OneOf(PrincipalUser, PrincipalGroup, PrincipalServicePrincipal))},
			},
			"privileged_only": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Only roles Microsoft labels privileged (see `is_privileged`). Defaults to `false`.",
			},
			"include_eligible": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Include PIM-eligible assignments. Defaults to `true`; `false` also saves their list request.",
			},
			"assignments": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "The assignments, ordered by role name, state (active first), principal name and id. A role held " +
					"through a role-assignable group appears once for the group (`member_type = \"direct\"`) and once per member " +
					"(`member_type = \"group\"`).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"principal_id":           computedString("Object id of the user, group or service principal."),
					"principal_type":         computedString("`user`, `group` or `servicePrincipal` (`unknown` when Graph could not expand the principal, e.g. one deleted moments ago)."),
					"principal_display_name": computedString("The principal's display name."),
					"user_principal_name":    computedString("The user's UPN; null for groups and service principals."),
					"app_id":                 computedString("The service principal's application (client) id; null for users and groups."),
					"role_definition_id":     computedString("The role's template id (built-in roles) or id (custom roles)."),
					"role_name":              computedString("The role's display name."),
					"is_privileged": computedBool("Whether Microsoft labels the role PRIVILEGED: the role definition's `isPrivileged` when " +
						"Graph returns it, otherwise (Graph v1.0 does not) membership in the provider's copy of Microsoft's list of " +
						"privileged built-in roles. Custom roles count as not privileged."),
					"directory_scope_id": computedString("Where the role applies: `/` for the whole tenant, or e.g. `/administrativeUnits/{id}`."),
					"state":              computedString("`active` or `eligible` (must be activated in PIM before use)."),
					"member_type":        computedString("`direct`, or `group` when held through membership of a role-assignable group."),
					"permanent":          computedBool("The assignment has no end date."),
					"start_date_time":    computedString("When the assignment started (RFC 3339), if known."),
					"end_date_time":      computedString("When it ends (RFC 3339); null when permanent."),
					"outside_pim": computedBool("The active assignment was made outside PIM, directly through the roleAssignments API, " +
						"a classic portal or PowerShell: its `roleAssignmentSchedule` has no `createdUsing`, i.e. no PIM " +
						"`roleAssignmentScheduleRequest` made it (Graph then also gives the schedule the roleAssignment's own id). " +
						"Such assignments skip PIM's approval, justification and notification rules. Always false for eligible ones."),
				}},
			},
			"count_by_role": schema.MapAttribute{
				ElementType:         types.Int64Type,
				Computed:            true,
				MarkdownDescription: "Number of entries in `assignments` per role name.",
			},
			"global_administrator_count": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "Distinct users and service principals in `assignments` holding Global Administrator actively, " +
					"directly or through a group (the group itself is not counted, its members are). Microsoft recommends fewer than five.",
			},
			"permanent_privileged_count": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "Active, permanent assignments of privileged roles in `assignments`, per principal, role and " +
					"scope (groups counted through their members): standing privileged access.",
			},
			"timeouts": timeouts.Attributes(ctx),
		},
	}
}

func (d *roleAssignmentsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clients.FromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *roleAssignmentsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg roleAssignmentsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := cfg.Timeouts.Read(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	filter := Filter{PrivilegedOnly: cfg.PrivilegedOnly.ValueBool()}
	includeEligible := cfg.IncludeEligible.IsNull() || cfg.IncludeEligible.ValueBool()
	var roleNames, principalTypes []string
	resp.Diagnostics.Append(cfg.Roles.ElementsAs(ctx, &roleNames, false)...)
	resp.Diagnostics.Append(cfg.PrincipalTypes.ElementsAs(ctx, &principalTypes, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if len(roleNames) > 0 {
		roles, err := Roles(ctx, d.client)
		if err != nil {
			resp.Diagnostics.AddError("Cannot read the directory roles", clients.Explain("listing role definitions", PermRoleRead, err))
			return
		}
		filter.RoleIDs = map[string]bool{}
		for i, name := range roleNames {
			r, err := roles.Resolve(name)
			if err != nil {
				resp.Diagnostics.AddAttributeError(path.Root("roles").AtListIndex(i), "Unknown directory role", err.Error())
				continue
			}
			filter.RoleIDs[strings.ToLower(r.ID)] = true
		}
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if len(principalTypes) > 0 {
		filter.PrincipalTypes = map[string]bool{}
		for _, t := range principalTypes {
			filter.PrincipalTypes[t] = true
		}
	}

	rows, err := ListRoleAssignments(ctx, d.client, includeEligible)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the directory role assignments",
			clients.Explain(Step(err, "listing role assignments"), PermRoleRead, err))
		return
	}
	rows = filter.Apply(rows)
	summary := Summarize(rows)

	state := cfg
	state.ID = helpers.OptionalString(d.client.TenantID)
	state.PrivilegedOnly = types.BoolValue(filter.PrivilegedOnly)
	state.IncludeEligible = types.BoolValue(includeEligible)
	state.GlobalAdministratorCount = types.Int64Value(int64(summary.GlobalAdministrators))
	state.PermanentPrivilegedCount = types.Int64Value(int64(summary.PermanentPrivileged))
	counts := make(map[string]int64, len(summary.CountByRole))
	for role, n := range summary.CountByRole {
		counts[role] = int64(n)
	}
	state.CountByRole, diags = types.MapValueFrom(ctx, types.Int64Type, counts)
	resp.Diagnostics.Append(diags...)
	elems := make([]assignmentModel, len(rows))
	for i, r := range rows {
		elems[i] = assignmentModelOf(r)
	}
	state.Assignments, diags = types.ListValueFrom(ctx, types.ObjectType{AttrTypes: assignmentAttrTypes}, elems)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func assignmentModelOf(r RoleAssignment) assignmentModel {
	return assignmentModel{
		PrincipalID: types.StringValue(r.PrincipalID), PrincipalType: types.StringValue(r.PrincipalType),
		PrincipalDisplayName: helpers.OptionalString(r.PrincipalDisplayName), UserPrincipalName: helpers.OptionalString(r.UserPrincipalName),
		AppID: helpers.OptionalString(r.AppID), RoleDefinitionID: types.StringValue(r.RoleDefinitionID), RoleName: helpers.OptionalString(r.RoleName),
		IsPrivileged: types.BoolValue(r.IsPrivileged), DirectoryScopeID: types.StringValue(r.DirectoryScopeID),
		State: types.StringValue(r.State), MemberType: types.StringValue(r.MemberType), Permanent: types.BoolValue(r.Permanent),
		StartDateTime: helpers.OptionalTime(r.Start), EndDateTime: helpers.OptionalTime(r.End), OutsidePIM: types.BoolValue(r.OutsidePIM),
	}
}
