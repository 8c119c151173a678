package posture

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/validate"
)

var (
	_ datasource.DataSource              = (*postureDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*postureDataSource)(nil)
)

const defaultReadTimeout = 5 * time.Minute

// NewPostureDataSource is the breakglass_posture constructor the provider registers.
func NewPostureDataSource() datasource.DataSource { return &postureDataSource{} }

type postureDataSource struct {
	client *clients.Client
}

// postureModel is breakglass_posture's configuration and result.
type postureModel struct {
	AccountIDs             types.List     `tfsdk:"account_ids"`
	AllowedPolicyIDs       types.Set      `tfsdk:"allowed_policy_ids"`
	TestIntervalDays       types.Int64    `tfsdk:"test_interval_days"`
	MaxGlobalAdmins        types.Int64    `tfsdk:"max_global_admins"`
	AlertResourceGroupName types.String   `tfsdk:"alert_resource_group_name"`
	Checks                 types.List     `tfsdk:"checks"`
	CheckStatuses          types.Map      `tfsdk:"check_statuses"`
	Passed                 types.Bool     `tfsdk:"passed"`
	FailedCheckIDs         types.List     `tfsdk:"failed_check_ids"`
	WarningCheckIDs        types.List     `tfsdk:"warning_check_ids"`
	UnknownCheckIDs        types.List     `tfsdk:"unknown_check_ids"`
	GlobalAdminCount       types.Int64    `tfsdk:"global_administrator_count"`
	Accounts               types.List     `tfsdk:"accounts"`
	Timeouts               timeouts.Value `tfsdk:"timeouts"`
}

var (
	checkAttrTypes = map[string]attr.Type{
		"id": types.StringType, "title": types.StringType, "status": types.StringType, "detail": types.StringType,
	}
	accountAttrTypes = map[string]attr.Type{
		"id":                        types.StringType,
		"found":                     types.BoolType,
		"user_principal_name":       types.StringType,
		"display_name":              types.StringType,
		"account_enabled":           types.BoolType,
		"on_premises_sync_enabled":  types.BoolType,
		"assigned_license_count":    types.Int64Type,
		"certificate_user_id_count": types.Int64Type,
		"fido2_method_count":        types.Int64Type,
		"permanent_global_admin":    types.BoolType,
		"last_successful_sign_in":   types.StringType,
		"last_sign_in":              types.StringType,
		"blocking_policy_ids":       types.ListType{ElemType: types.StringType},
		"watching_alert_rule_ids":   types.ListType{ElemType: types.StringType},
	}
)

func (d *postureDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_posture"
}

func (d *postureDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computedString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Checks emergency access (\"break glass\") accounts against Microsoft's recommendations: how many " +
			"there are, cloud-only on the initial domain, unlicensed, neutrally named, permanent Global Administrator, " +
			"excluded from every Conditional Access policy that could block them, a phishing-resistant method, an alert on " +
			"their sign-ins, a recent test sign-in, few Global Administrators in the tenant, no phishable methods, an " +
			"authentication methods policy that lets them sign in with FIDO2 or a certificate, a restricted management " +
			"administrative unit, and no report-only or Microsoft-managed policy about to apply to them. Each check is `pass`, " +
			"`fail`, `warn` or `unknown` with a detail saying why; `passed` is true when no check fails. Use it in a " +
			"`check` block, or in a CI step that reads the outputs. A missing permission or licence makes the checks that " +
			"need it `unknown` (the detail names what to grant); it never fails the read.",
		Attributes: map[string]schema.Attribute{
			"account_ids": schema.ListAttribute{
				Required:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Object ids of the emergency access accounts to check, typically the `id`s of your " +
					"`breakglass_account` resources. The data source checks exactly these accounts: it does not discover emergency " +
					"accounts by name or role (that would reward the revealing names the checks warn about).",
				Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(validate.ObjectID())},
			},
			"allowed_policy_ids": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Conditional Access policies the accounts may stay in, such as a policy that requires " +
					"phishing-resistant MFA for the emergency accounts themselves, as Microsoft now recommends. Use the same ids " +
					"as `except_policy_ids` of `breakglass_ca_policy_exclusion`.",
				Validators: []validator.Set{setvalidator.ValueStringsAre(validate.ObjectID())},
			},
			"test_interval_days": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: fmt.Sprintf("How recent a successful sign-in must be for `recent_test_sign_in` to pass. "+
					"Defaults to %d; Microsoft asks to validate emergency accounts at least every 90 days.", DefaultTestIntervalDays),
				Validators: []validator.Int64{int64validator.Between(1, 3650)},
			},
			"max_global_admins": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: fmt.Sprintf("Most principals that may hold Global Administrator as an active assignment "+
					"before the `global_admin_count` check fails. Defaults to %d: Microsoft recommends fewer than five Global "+
					"Administrators (the emergency accounts included).", DefaultMaxGlobalAdmins),
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"alert_resource_group_name": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Resource group, in the provider's `subscription_id`, holding the alert rules (for " +
					"example `resource_group_name` of `breakglass_alert`). Without it, every scheduled query rule of the " +
					"subscription is searched. Without a subscription, `sign_in_alert` is `unknown`.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 90)},
			},
			"checks": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Every check, in a fixed order (see the table above for what each verifies).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":     computedString("Stable id of the check, e.g. `ca_excluded`."),
					"title":  computedString("What the check verifies."),
					"status": computedString("`pass`, `fail`, `warn` or `unknown`."),
					"detail": computedString("Why: the offending accounts, policies or rules, or, for `unknown`, the permission, licence or setting that is missing."),
				}},
			},
			"check_statuses": schema.MapAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Status of each check by id, e.g. `check_statuses[\"ca_excluded\"] == \"pass\"`.",
			},
			"passed": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "True when no check is `fail`. `warn` (advice) and `unknown` (could not look) do not fail; " +
					"assert on `unknown_check_ids` too if every check must be evaluated.",
			},
			"failed_check_ids": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Ids of the checks with status `fail`.",
			},
			"warning_check_ids": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Ids of the checks with status `warn`.",
			},
			"unknown_check_ids": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Ids of the checks with status `unknown`.",
			},
			"global_administrator_count": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "Principals holding Global Administrator as an active direct assignment (a group counts " +
					"once); null when the role assignments could not be read.",
			},
			"accounts": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "What was found out about each account, in the order of `account_ids`. Values that could not be read are null.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":                       computedString("The object id, as given."),
					"found":                    schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the user was read from the directory (false when it does not exist or could not be read)."},
					"user_principal_name":      computedString("The user principal name."),
					"display_name":             computedString("The display name."),
					"account_enabled":          schema.BoolAttribute{Computed: true, MarkdownDescription: "`accountEnabled`."},
					"on_premises_sync_enabled": schema.BoolAttribute{Computed: true, MarkdownDescription: "`onPremisesSyncEnabled` (false when null)."},
					"assigned_license_count":   schema.Int64Attribute{Computed: true, MarkdownDescription: "Number of `assignedLicenses`."},
					"certificate_user_id_count": schema.Int64Attribute{Computed: true,
						MarkdownDescription: "Number of `authorizationInfo.certificateUserIds` (certificate-based authentication bindings)."},
					"fido2_method_count": schema.Int64Attribute{Computed: true,
						MarkdownDescription: "Number of FIDO2 security keys and passkeys registered (counted up to one page)."},
					"permanent_global_admin": schema.BoolAttribute{Computed: true,
						MarkdownDescription: "Whether the account holds Global Administrator directly, tenant-wide, active and without an end date."},
					"last_successful_sign_in": computedString("`signInActivity.lastSuccessfulSignInDateTime` (RFC 3339)."),
					"last_sign_in":            computedString("`signInActivity.lastSignInDateTime` (RFC 3339), which also counts failed attempts."),
					"blocking_policy_ids": schema.ListAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "Enabled Conditional Access policies with grant controls that may apply to the account and do not exclude it (`allowed_policy_ids` left out)."},
					"watching_alert_rule_ids": schema.ListAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "ARM ids of the enabled scheduled query rules that watch the account's sign-ins."},
				}},
			},
			"timeouts": timeouts.Attributes(ctx),
		},
	}
}

func (d *postureDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clients.FromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *postureDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m postureModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := m.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	in := Input{TestIntervalDays: DefaultTestIntervalDays, MaxGlobalAdmins: DefaultMaxGlobalAdmins, AlertResourceGroup: m.AlertResourceGroupName.ValueString()}
	resp.Diagnostics.Append(m.AccountIDs.ElementsAs(ctx, &in.AccountIDs, false)...)
	if !m.AllowedPolicyIDs.IsNull() {
		resp.Diagnostics.Append(m.AllowedPolicyIDs.ElementsAs(ctx, &in.AllowedPolicyIDs, false)...)
	}
	if !m.TestIntervalDays.IsNull() {
		in.TestIntervalDays = int(m.TestIntervalDays.ValueInt64())
	}
	if !m.MaxGlobalAdmins.IsNull() {
		in.MaxGlobalAdmins = int(m.MaxGlobalAdmins.ValueInt64())
	}
	if resp.Diagnostics.HasError() {
		return
	}
	report, err := Evaluate(ctx, d.client, in)
	if err != nil {
		resp.Diagnostics.AddError("Unable to read the emergency access posture", err.Error())
		return
	}
	m.TestIntervalDays = types.Int64Value(int64(in.TestIntervalDays))
	m.MaxGlobalAdmins = types.Int64Value(int64(in.MaxGlobalAdmins))
	resp.Diagnostics.Append(m.setReport(report)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
