package alert

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/account"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/validate"
)

var (
	_ resource.Resource                     = (*alertResource)(nil)
	_ resource.ResourceWithConfigure        = (*alertResource)(nil)
	_ resource.ResourceWithImportState      = (*alertResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*alertResource)(nil)
	_ resource.ResourceWithConfigValidators = (*alertResource)(nil)
)

const (
	// maxProtectionIDs bounds exclusion_group_ids and restricted_management_unit_ids as accounts is bounded: each id
	// is one more term in the change query.
	maxProtectionIDs   = 20
	defaultTimeout     = 10 * time.Minute
	defaultDescription = "An emergency access (break glass) account signed in or was changed: confirm with its owners at once."
)

// Entra ID's diagnostic log categories (microsoft.aadiam). The spec's enum is extensible; these are the ones the
// service accepts today.
var diagnosticCategories = []string{
	"AuditLogs", "SignInLogs", "NonInteractiveUserSignInLogs", "ServicePrincipalSignInLogs", "ManagedIdentitySignInLogs",
	"ProvisioningLogs", "ADFSSignInLogs", "RiskyUsers", "UserRiskEvents", "RiskyServicePrincipals",
	"ServicePrincipalRiskEvents", "EnrichedOffice365AuditLogs", "MicrosoftGraphActivityLogs", "RemoteNetworkHealthLogs",
	"NetworkAccessTrafficLogs", "NetworkAccessAlerts", "B2CRequestLogs",
}

// The evaluation frequencies and windows Azure Monitor accepts for log alerts, shortest first. ARM lists the
// windows when it refuses one ("Supported granularities are: 5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360, 1440,
// 2880", azure-rest-api-specs#21258): there is no PT12H. A one-minute frequency allows windows up to PT6H only
// (azurerm's azurerm_monitor_scheduled_query_rules_alert_v2 docs), the last of oneMinuteWindows.
var (
	frequencies      = []string{"PT1M", "PT5M", "PT10M", "PT15M", "PT30M", "PT45M", "PT1H", "PT2H", "PT3H", "PT4H", "PT5H", "PT6H", "P1D"}
	windows          = append(slices.Clone(frequencies), "P2D")
	oneMinuteWindows = windows[:slices.Index(windows, "PT6H")+1]
)

var (
	namePattern        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,230}[A-Za-z0-9_]$`)
	resourceGroupRegex = regexp.MustCompile(`^[-\w._()]{0,89}[-\w_()]$`)
	locationPattern    = regexp.MustCompile(`^[a-z0-9]+$`)
	workspaceIDPattern = regexp.MustCompile(`(?i)^/subscriptions/[0-9a-f-]{36}/resourceGroups/[-\w._()]+/providers/Microsoft\.OperationalInsights/workspaces/[A-Za-z0-9-]{4,63}$`)
	actionGroupPattern = regexp.MustCompile(`(?i)^/subscriptions/[0-9a-f-]{36}/resourceGroups/[-\w._()]+/providers/Microsoft\.Insights/actionGroups/[^/]+$`)
	// ruleIDPattern is the sign-in rule's ARM id; its parts follow resourceGroupRegex and namePattern, so "." and
	// ".." never reach the URL.
	ruleIDPattern      = regexp.MustCompile(`(?i)^/subscriptions/([0-9a-f-]{36})/resourceGroups/([-\w._()]{0,89}[-\w_()])/providers/Microsoft\.Insights/scheduledQueryRules/([A-Za-z0-9][A-Za-z0-9._-]{0,230}[A-Za-z0-9_])$`)
	emailPattern       = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	countryCodePattern = regexp.MustCompile(`^[0-9]{1,3}$`)
	phonePattern       = regexp.MustCompile(`^[0-9]{4,15}$`)
	httpsPattern       = regexp.MustCompile(`^https://[^\s/]+`)
)

// NewAlertResource is the breakglass_alert constructor.
func NewAlertResource() resource.Resource { return &alertResource{} }

type alertResource struct {
	client *clients.Client
}

func (r *alertResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_alert"
}

func (r *alertResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clients.FromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *alertResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	computedID := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A severity-0 Azure Monitor alert within minutes of any sign-in or change of the emergency accounts: " +
			"optionally the tenant diagnostic setting that sends Entra ID's sign-in and audit logs to a Log Analytics workspace, " +
			"an action group (or existing ones), and two scheduled query rules whose KQL the provider writes from `accounts`.",
		Attributes: map[string]schema.Attribute{
			"id": computedID("The sign-in rule's ARM id; also the import id."),
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the sign-in rule. The change rule is named `<name>-changes` and a managed action group " +
					"`<name>-ag`, all in `resource_group_name`.",
				Validators:    []validator.String{stringvalidator.RegexMatches(namePattern, "must be 2-232 letters, digits, '.', '_' or '-', starting with a letter or digit and not ending with '.' or '-'")},
				PlanModifiers: replace,
			},
			"resource_group_name": schema.StringAttribute{
				Required: true, MarkdownDescription: "The existing resource group (in the provider's `subscription_id`) for the rules and the action group.",
				Validators:    []validator.String{stringvalidator.RegexMatches(resourceGroupRegex, "must be a resource group name: up to 90 letters, digits, '-', '_', '.', '(' or ')', not ending with '.'")},
				PlanModifiers: replace,
			},
			"location": schema.StringAttribute{
				Required: true, MarkdownDescription: "Azure region of the rules, normally the workspace's, as a short name such as `westeurope`.",
				Validators:    []validator.String{stringvalidator.RegexMatches(locationPattern, "must be the region's short name in lower case, such as westeurope (not \"West Europe\")")},
				PlanModifiers: replace,
			},
			"workspace_id": schema.StringAttribute{
				Required: true, MarkdownDescription: "ARM id of the Log Analytics workspace that receives SigninLogs and AuditLogs.",
				Validators: []validator.String{stringvalidator.RegexMatches(workspaceIDPattern,
					"must be a Log Analytics workspace ARM id: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/workspaces/<name>")},
			},
			"accounts": schema.ListNestedAttribute{
				Required:            true,
				MarkdownDescription: "The emergency accounts to watch, typically from `breakglass_account`: `{ object_id, user_principal_name }`.",
				Validators:          []validator.List{listvalidator.SizeBetween(1, 20)},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"object_id": schema.StringAttribute{
						Required: true, MarkdownDescription: "The account's object id.",
						Validators: []validator.String{validate.ObjectID()},
					},
					"user_principal_name": schema.StringAttribute{
						Required: true, MarkdownDescription: "The account's user principal name (matched case-insensitively).",
						Validators: []validator.String{account.UserPrincipalName()},
					},
				}},
			},
			"sign_in_result": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(SignInAny),
				MarkdownDescription: "Which sign-ins alert: `any` (default), `success` or `failure`.",
				Validators:          []validator.String{stringvalidator.OneOf(SignInAny, SignInSuccess, SignInFailure)},
			},
			"include_non_interactive": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Also alert on non-interactive sign-ins (AADNonInteractiveUserSignInLogs). Default `true`.",
			},
			"monitor_account_changes": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Add a second rule on AuditLogs for changes to the accounts (passwords, roles, authentication methods, " +
					"disable, delete) and to the protections named in `watch_conditional_access_policies`, " +
					"`watch_authentication_methods_policy` and `restricted_management_unit_ids`. Default `true`.",
			},
			"watch_conditional_access_policies": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Also alert when a Conditional Access policy that mentions the accounts is updated or deleted (audit " +
					"activities `Update Conditional Access policy`, `Delete Conditional Access policy`): the policy's JSON before or after " +
					"the change holds one of their object ids, as an exclusion of the accounts does. Default `false`, so that upgrading " +
					"the provider leaves existing rules as they are. Needs `monitor_account_changes`.",
			},
			"exclusion_group_ids": schema.SetAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Object ids of the groups through which the accounts are excluded from Conditional Access policies: " +
					"the policies that mention one of them are watched as well as those that mention the accounts. Needs " +
					"`watch_conditional_access_policies = true`.",
				Validators: []validator.Set{setvalidator.SizeBetween(1, maxProtectionIDs), setvalidator.ValueStringsAre(validate.ObjectID())},
			},
			"watch_authentication_methods_policy": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Also alert on every update or reset of the tenant's authentication methods policy (audit activities " +
					"`Authentication Methods Policy Update`, `Authentication Methods Policy Reset`), which decides who may sign in with " +
					"FIDO2 keys and certificates. Default `false`, so that upgrading the provider leaves existing rules as they are; " +
					"the policy changes rarely, so turning it on costs little noise. Needs `monitor_account_changes`.",
			},
			"restricted_management_unit_ids": schema.SetAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Object ids of the restricted management administrative units that hold the accounts: also alert when " +
					"a member is added to or removed from one of them, or one is deleted. Needs `monitor_account_changes`.",
				Validators: []validator.Set{setvalidator.SizeBetween(1, maxProtectionIDs), setvalidator.ValueStringsAre(validate.ObjectID())},
			},
			"enabled": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Whether the rules (and the managed action group) are enabled. Someone disabling them shows as drift.",
			},
			"severity": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(0),
				MarkdownDescription: "Alert severity, 0 (critical, the default) to 4.",
				Validators:          []validator.Int64{int64validator.Between(0, 4)},
			},
			"evaluation_frequency": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("PT5M"),
				MarkdownDescription: "How often the rules run, an ISO 8601 duration: " + strings.Join(frequencies, ", ") + ". Default `PT5M`.",
				Validators:          []validator.String{stringvalidator.OneOf(frequencies...)},
			},
			"window_size": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("PT5M"),
				MarkdownDescription: "How far back each run looks, an ISO 8601 duration: " + strings.Join(windows, ", ") + "; at least `evaluation_frequency`, " +
					"and at most `PT6H` when `evaluation_frequency` is `PT1M`. Default `PT5M`.",
				Validators: []validator.String{stringvalidator.OneOf(windows...)},
			},
			"auto_mitigate": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Resolve the alert by itself when the condition clears. Default `false`: someone has to look.",
			},
			"description": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(defaultDescription),
				MarkdownDescription: "Shown in the alert; the change rule appends \" (changes to the accounts)\".",
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 2048)},
			},
			"tags": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Tags for the rules and the managed action group.",
			},
			"diagnostic_setting": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Manage a tenant diagnostic setting (microsoft.aadiam, api-version 2017-04-01) that sends Entra ID logs to " +
					"`workspace_id`. Leave it out when the logs already flow there. Destroy removes only this named setting.",
				Attributes: map[string]schema.Attribute{
					"name": schema.StringAttribute{
						Required: true, MarkdownDescription: "The setting's name, unique in the tenant.",
						Validators: []validator.String{stringvalidator.RegexMatches(namePattern, "must be 2-232 letters, digits, '.', '_' or '-'")},
					},
					"categories": schema.SetAttribute{
						Optional: true, Computed: true, ElementType: types.StringType,
						Default: setdefault.StaticValue(types.SetValueMust(types.StringType, []attr.Value{
							types.StringValue("AuditLogs"), types.StringValue("NonInteractiveUserSignInLogs"), types.StringValue("SignInLogs"),
						})),
						MarkdownDescription: "Log categories to send. Default: `SignInLogs`, `NonInteractiveUserSignInLogs`, `AuditLogs`. " +
							"Allowed: " + strings.Join(diagnosticCategories, ", ") + ".",
						Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(diagnosticCategories...))},
					},
				},
			},
			"action_group": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "An action group managed with the alert, named `<name>-ag`; receivers use the common alert schema. " +
					"At least one of `action_group` and `action_group_ids`.",
				Attributes: map[string]schema.Attribute{
					"short_name": schema.StringAttribute{
						Required: true, MarkdownDescription: "Shown in SMS and voice messages; at most 12 characters.",
						Validators: []validator.String{stringvalidator.LengthBetween(1, 12)},
					},
					"email_receivers": receiverList("E-mail receivers.", map[string]schema.Attribute{
						"name": receiverName(),
						"email_address": schema.StringAttribute{Required: true, MarkdownDescription: "The address.",
							Validators: []validator.String{stringvalidator.RegexMatches(emailPattern, "must be an e-mail address such as soc@contoso.com")}},
					}),
					"sms_receivers":   receiverList("SMS receivers.", phoneAttributes()),
					"voice_receivers": receiverList("Voice call receivers.", phoneAttributes()),
					"webhook_receivers": receiverList("Webhook receivers.", map[string]schema.Attribute{
						"name": receiverName(),
						"service_uri": schema.StringAttribute{Required: true, Sensitive: true,
							MarkdownDescription: "The https URL to call (often holds a token, so it is sensitive).",
							Validators:          []validator.String{stringvalidator.RegexMatches(httpsPattern, "must be an https:// URL")}},
					}),
				},
			},
			"action_group_ids": schema.ListAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "ARM ids of existing action groups to notify as well (or instead).",
				Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.UniqueValues(),
					listvalidator.ValueStringsAre(stringvalidator.RegexMatches(actionGroupPattern, "must be an action group ARM id: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Insights/actionGroups/<name>"))},
			},
			"sign_in_query": schema.StringAttribute{Computed: true, MarkdownDescription: "The sign-in rule's KQL. Its first line records the inputs, so the alert can be imported from the rule's id."},
			"change_query": schema.StringAttribute{Computed: true, MarkdownDescription: "The change rule's KQL; null when `monitor_account_changes` is false. " +
				"Its rows name the changed account in `UserPrincipalName`, or the changed protection: `Conditional Access policy <name>`, " +
				"`authentication methods policy` or `administrative unit <id>`."},
			"sign_in_rule_id":       computedID("ARM id of the sign-in scheduled query rule."),
			"change_rule_id":        computedID("ARM id of the change rule, or null."),
			"action_group_id":       computedID("ARM id of the managed action group, or null."),
			"diagnostic_setting_id": computedID("ARM id of the managed diagnostic setting, or null."),
			"timeouts":              timeouts.Attributes(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

func receiverName() schema.StringAttribute {
	return schema.StringAttribute{Required: true, MarkdownDescription: "Receiver name, unique in the group.",
		Validators: []validator.String{stringvalidator.LengthBetween(1, 128)}}
}

func phoneAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"name": receiverName(),
		"country_code": schema.StringAttribute{Required: true, MarkdownDescription: "Country calling code without `+`, e.g. `1` or `44`.",
			Validators: []validator.String{stringvalidator.RegexMatches(countryCodePattern, "must be 1-3 digits without '+', e.g. 44")}},
		"phone_number": schema.StringAttribute{Required: true, MarkdownDescription: "The number without the country code, digits only.",
			Validators: []validator.String{stringvalidator.RegexMatches(phonePattern, "must be 4-15 digits, without spaces, '+' or the country code")}},
	}
}

func receiverList(desc string, attrs map[string]schema.Attribute) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Optional: true, MarkdownDescription: desc,
		Validators:   []validator.List{listvalidator.SizeBetween(1, 10)},
		NestedObject: schema.NestedAttributeObject{Attributes: attrs},
	}
}

func (r *alertResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.AtLeastOneOf(path.MatchRoot("action_group"), path.MatchRoot("action_group_ids")),
		windowValidator{},
		receiversValidator{},
		protectionsValidator{},
	}
}

// windowValidator: a rule cannot look back less than it waits between runs, and Azure Monitor refuses windows
// over PT6H for rules that run every minute.
type windowValidator struct{}

func (windowValidator) Description(context.Context) string {
	return "window_size must be at least evaluation_frequency, and at most PT6H when evaluation_frequency is PT1M"
}
func (v windowValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (windowValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var frequency, window types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("evaluation_frequency"), &frequency)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("window_size"), &window)...)
	f, w := "PT5M", "PT5M"
	if !frequency.IsNull() {
		f = frequency.ValueString()
	}
	if !window.IsNull() {
		w = window.ValueString()
	}
	if frequency.IsUnknown() || window.IsUnknown() {
		return
	}
	fi, wi := slices.Index(windows, f), slices.Index(windows, w)
	switch {
	case fi < 0 || wi < 0: // the attribute's own validator names it
	case wi < fi:
		resp.Diagnostics.AddAttributeError(path.Root("window_size"), "Window shorter than the evaluation frequency",
			fmt.Sprintf("window_size %s is shorter than evaluation_frequency %s, so sign-ins between runs would never be seen. Set window_size to %s or longer.", w, f, f))
	case f == "PT1M" && !slices.Contains(oneMinuteWindows, w):
		resp.Diagnostics.AddAttributeError(path.Root("window_size"), "Window too long for a one-minute frequency",
			fmt.Sprintf("Azure Monitor refuses window_size %s for a rule that runs every minute: with evaluation_frequency PT1M the window can be at most PT6H. "+
				"Set window_size to PT6H or less, or evaluation_frequency to PT5M or more.", w))
	}
}

// protectionsValidator: the protections are watched by the change rule, so they need it; exclusion groups widen the
// watch of Conditional Access policies, so they need that watch turned on rather than turning it on unseen.
type protectionsValidator struct{}

func (protectionsValidator) Description(context.Context) string {
	return "watch_conditional_access_policies, watch_authentication_methods_policy and restricted_management_unit_ids need " +
		"monitor_account_changes; exclusion_group_ids needs watch_conditional_access_policies"
}
func (v protectionsValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (protectionsValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var monitor, watchPolicies, watchMethods types.Bool
	var groups, units types.Set
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("monitor_account_changes"), &monitor)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("watch_conditional_access_policies"), &watchPolicies)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("watch_authentication_methods_policy"), &watchMethods)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("exclusion_group_ids"), &groups)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("restricted_management_unit_ids"), &units)...)
	if !groups.IsNull() && !watchPolicies.IsUnknown() && !watchPolicies.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("exclusion_group_ids"), "exclusion_group_ids without watch_conditional_access_policies",
			"exclusion_group_ids adds groups to the Conditional Access policies the change rule watches, and "+
				"watch_conditional_access_policies is not true, so no policy is watched. Set watch_conditional_access_policies = true, "+
				"or remove exclusion_group_ids.")
	}
	if monitor.IsNull() || monitor.IsUnknown() || monitor.ValueBool() {
		return
	}
	for _, a := range []struct {
		name string
		set  bool
	}{
		{"watch_conditional_access_policies", watchPolicies.ValueBool() || watchPolicies.IsUnknown()},
		{"watch_authentication_methods_policy", watchMethods.ValueBool() || watchMethods.IsUnknown()},
		{"restricted_management_unit_ids", !units.IsNull()},
	} {
		if name := a.name; a.set {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Nothing would watch "+name,
				name+" is watched by the change rule, and monitor_account_changes = false leaves the alert without one. "+
					"Remove "+name+", or set monitor_account_changes = true.")
		}
	}
}

// receiversValidator: a managed action group with nobody to notify would make a silent alert.
type receiversValidator struct{}

func (receiversValidator) Description(context.Context) string {
	return "action_group needs at least one receiver"
}
func (v receiversValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (receiversValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var group types.Object
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("action_group"), &group)...)
	if group.IsNull() || group.IsUnknown() {
		return
	}
	for _, name := range []string{"email_receivers", "sms_receivers", "voice_receivers", "webhook_receivers"} {
		if v := group.Attributes()[name]; v != nil && !v.IsNull() {
			return
		}
	}
	resp.Diagnostics.AddAttributeError(path.Root("action_group"), "Action group without receivers",
		"action_group has no email_receivers, sms_receivers, voice_receivers or webhook_receivers, so nobody would be told. Add at least one.")
}

// ModifyPlan fills in what follows from the configuration: the objects' ids and both queries, so the plan shows
// the KQL that will run and a query edited outside Terraform appears as a change.
func (r *alertResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil {
		return
	}
	var plan alertModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.client.SubscriptionID == "" {
		resp.Diagnostics.AddError("No subscription for the alert",
			"breakglass_alert creates Azure Monitor objects in a subscription: set subscription_id in the provider block (or ARM_SUBSCRIPTION_ID).")
		return
	}
	set := func(name string, v attr.Value) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), v)...)
	}
	if plan.Name.IsUnknown() || plan.ResourceGroupName.IsUnknown() {
		return
	}
	s := spec{subscriptionID: r.client.SubscriptionID, name: plan.Name.ValueString(), resourceGroup: plan.ResourceGroupName.ValueString()}
	set("id", types.StringValue(s.signInRule().id))
	set("sign_in_rule_id", types.StringValue(s.signInRule().id))
	if !plan.MonitorAccountChanges.IsUnknown() {
		set("change_rule_id", optionalID(plan.MonitorAccountChanges.ValueBool(), s.changeRule().id))
	}
	if !plan.ActionGroup.IsUnknown() {
		set("action_group_id", optionalID(!plan.ActionGroup.IsNull(), s.managedActionGroup().id))
	}
	if plan.DiagnosticSetting.IsNull() {
		set("diagnostic_setting_id", types.StringNull())
	} else if known(plan.DiagnosticSetting) {
		var d diagnosticModel
		resp.Diagnostics.Append(plan.DiagnosticSetting.As(ctx, &d, basetypes.ObjectAsOptions{})...)
		set("diagnostic_setting_id", types.StringValue(diagnosticSettingObject(d.Name.ValueString()).id))
	}
	r.checkSinkConflicts(ctx, req, plan, resp)
	if !known(plan.Accounts) || !known(plan.SignInResult) || !known(plan.IncludeNonInteractive) ||
		!known(plan.MonitorAccountChanges) || !known(plan.DiagnosticSetting) ||
		!known(plan.WatchPolicies) || !known(plan.ExclusionGroupIDs) || !known(plan.WatchMethodsPolicy) || !known(plan.RestrictedUnitIDs) {
		return
	}
	full, diags := plan.spec(ctx, r.client.SubscriptionID)
	resp.Diagnostics.Append(diags...)
	signIn, change := full.queries()
	set("sign_in_query", types.StringValue(signIn))
	set("change_query", optionalID(full.monitorChanges, change))
}

// checkSinkConflicts fails the plan when another diagnostic setting already sends one of the planned categories
// to the workspace: Azure Monitor refuses a second setting for the same category and destination (409 Conflict).
// It runs only when the setting is new or changes, so a plan without changes sends no extra request.
func (r *alertResource) checkSinkConflicts(ctx context.Context, req resource.ModifyPlanRequest, plan alertModel, resp *resource.ModifyPlanResponse) {
	if plan.DiagnosticSetting.IsNull() || !known(plan.DiagnosticSetting) || !known(plan.WorkspaceID) {
		return
	}
	if !req.State.Raw.IsNull() {
		var state alertModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if state.DiagnosticSetting.Equal(plan.DiagnosticSetting) && state.WorkspaceID.Equal(plan.WorkspaceID) {
			return
		}
	}
	want, diags := plan.diagnostic(ctx)
	resp.Diagnostics.Append(diags...)
	var list struct {
		Value []struct {
			Name       string               `json:"name"`
			Properties diagnosticProperties `json:"properties"`
		} `json:"value"`
	}
	err := r.client.ARMDo(ctx, http.MethodGet, diagnosticSettingsPath, clients.APIVersionAADDiagnosticSettings, nil, &list)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("diagnostic_setting"), "Cannot list the tenant's diagnostic settings",
			clients.ExplainARM("listing Entra ID diagnostic settings", "Reader", "/providers/Microsoft.aadiam", err))
		return
	}
	names := make([]string, len(list.Value))
	for i, other := range list.Value {
		names[i] = other.Name
	}
	stateOf(r.client).diagnosticSettingNames.Put(strings.ToLower(want.name), names)
	for _, other := range list.Value {
		if strings.EqualFold(other.Name, want.name) || !strings.EqualFold(other.Properties.WorkspaceID, plan.WorkspaceID.ValueString()) {
			continue
		}
		for _, l := range other.Properties.Logs {
			if l.Enabled && slices.Contains(want.categories, l.Category) {
				resp.Diagnostics.AddAttributeError(path.Root("diagnostic_setting").AtName("categories"), "Logs already sent to this workspace",
					fmt.Sprintf("The diagnostic setting %q already sends %s to the workspace, and Azure Monitor refuses a second setting for the same category "+
						"and workspace. Those logs arrive already: leave %s out of categories (or leave diagnostic_setting out entirely).", other.Name, l.Category, l.Category))
			}
		}
	}
}

// listedSettingsMaxAge is how old a list of diagnostic settings that ModifyPlan made
// (instanceState.diagnosticSettingNames) may be for the Create or Update that follows to trust it: a list seconds
// old tells whether the setting's name is free as well as a GET of it would, one request fewer.
const listedSettingsMaxAge = 10 * time.Second

// settingNameFree reports whether no diagnostic setting has the name, from a fresh list if there is one, else
// by reading the setting.
func (r *alertResource) settingNameFree(ctx context.Context, obj armObject, name string) error {
	if names, ok := stateOf(r.client).diagnosticSettingNames.Take(strings.ToLower(name), listedSettingsMaxAge); ok {
		if slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, name) }) {
			return obj.takenError()
		}
		return nil
	}
	return obj.mustNotExist(ctx, r.client)
}

func optionalID(present bool, id string) types.String {
	if !present {
		return types.StringNull()
	}
	return types.StringValue(id)
}

func (r *alertResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan alertModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r.converge(ctx, nil, plan, &resp.State, &resp.Diagnostics)
	resp.Diagnostics.Append(clients.RememberWrite(ctx, resp.Private)...)
}

func (r *alertResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state alertModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r.converge(ctx, &state, plan, &resp.State, &resp.Diagnostics)
	resp.Diagnostics.Append(clients.RememberWrite(ctx, resp.Private)...)
}

// stateSetter is resp.State of Create and Update.
type stateSetter interface {
	Set(ctx context.Context, val any) diag.Diagnostics
}

// converge makes the tenant match plan, starting from state (nil on create). Each object's id is recorded in
// the model as soon as the object may exist, and the model is saved even on failure, so a half-made alert is
// finished by the next apply (or fully removed by destroy) and nothing is orphaned.
func (r *alertResource) converge(ctx context.Context, state *alertModel, plan alertModel, out stateSetter, diags *diag.Diagnostics) {
	want, d := plan.spec(ctx, r.client.SubscriptionID)
	diags.Append(d...)
	have := spec{}
	if state != nil {
		have, d = state.spec(ctx, r.client.SubscriptionID)
		diags.Append(d...)
	}
	if diags.HasError() {
		return
	}
	// What exists now, per the last refresh: the plan's ids are filled in as each object is made.
	result := plan
	result.DiagnosticSettingID, result.ActionGroupID, result.ChangeRuleID = types.StringNull(), types.StringNull(), types.StringNull()
	if state != nil {
		result.DiagnosticSettingID, result.ActionGroupID, result.ChangeRuleID = state.DiagnosticSettingID, state.ActionGroupID, state.ChangeRuleID
	}
	exists := state != nil
	// made turns true once any object may exist; until then a failed create leaves no state behind.
	made := exists
	fail := func(summary string, err error) {
		if made {
			diags.Append(out.Set(ctx, result)...)
		}
		diags.AddError(summary, err.Error())
	}

	// 1. The diagnostic setting: logs must flow before the rules can see anything. An object this alert has not
	// recorded must not exist yet: PUT would silently take over someone else's.
	if want.diagnostic != nil {
		obj := diagnosticSettingObject(want.diagnostic.name)
		recorded := strings.EqualFold(result.DiagnosticSettingID.ValueString(), obj.id)
		if !recorded || have.diagnostic == nil || !reflect.DeepEqual(have.diagnosticBody(), want.diagnosticBody()) {
			if !recorded {
				if err := r.settingNameFree(ctx, obj, want.diagnostic.name); err != nil {
					fail("Cannot create the diagnostic setting", err)
					return
				}
			}
			result.DiagnosticSettingID = types.StringValue(obj.id)
			made = true
			if err := obj.put(ctx, r.client, want.diagnosticBody()); err != nil {
				fail("Cannot write the diagnostic setting", err)
				return
			}
		}
	}
	// 2. The managed action group: the rules refer to it.
	if want.actionGroup != nil {
		obj := want.managedActionGroup()
		recorded := !result.ActionGroupID.IsNull()
		if !recorded || have.actionGroup == nil || !reflect.DeepEqual(have.actionGroupBody(), want.actionGroupBody()) {
			if !recorded {
				if err := obj.mustNotExist(ctx, r.client); err != nil {
					fail("Cannot create the action group", err)
					return
				}
			}
			result.ActionGroupID = types.StringValue(obj.id)
			made = true
			if err := obj.put(ctx, r.client, want.actionGroupBody()); err != nil {
				fail("Cannot write the action group", err)
				return
			}
		}
	}
	// 3. The sign-in rule: the resource's identity.
	if !exists || !reflect.DeepEqual(have.signInRuleBody(), want.signInRuleBody()) {
		obj := want.signInRule()
		if !exists {
			if err := obj.mustNotExist(ctx, r.client); err != nil {
				fail("Cannot create the sign-in rule", err)
				return
			}
		}
		made = true
		if err := obj.put(ctx, r.client, want.signInRuleBody()); err != nil {
			fail("Cannot write the sign-in rule", err)
			return
		}
	}
	// 4. The change rule.
	if want.monitorChanges {
		obj := want.changeRule()
		if result.ChangeRuleID.IsNull() || !reflect.DeepEqual(have.changeRuleBody(), want.changeRuleBody()) {
			if result.ChangeRuleID.IsNull() {
				if err := obj.mustNotExist(ctx, r.client); err != nil {
					fail("Cannot create the change rule", err)
					return
				}
			}
			result.ChangeRuleID = types.StringValue(obj.id)
			made = true
			if err := obj.put(ctx, r.client, want.changeRuleBody()); err != nil {
				fail("Cannot write the change rule", err)
				return
			}
		}
	} else if !result.ChangeRuleID.IsNull() {
		if err := have.changeRule().remove(ctx, r.client); err != nil {
			fail("Cannot delete the change rule", err)
			return
		}
		result.ChangeRuleID = types.StringNull()
	}
	// 5. What the configuration no longer has, once no rule refers to it.
	if want.actionGroup == nil && !result.ActionGroupID.IsNull() {
		if err := have.managedActionGroup().remove(ctx, r.client); err != nil {
			fail("Cannot delete the action group", err)
			return
		}
		result.ActionGroupID = types.StringNull()
	}
	if state != nil && !state.DiagnosticSettingID.IsNull() && !strings.EqualFold(state.DiagnosticSettingID.ValueString(), result.DiagnosticSettingID.ValueString()) ||
		want.diagnostic == nil && !result.DiagnosticSettingID.IsNull() {
		old := state.DiagnosticSettingID.ValueString()
		if err := diagnosticSettingObject(old[strings.LastIndex(old, "/")+1:]).remove(ctx, r.client); err != nil {
			fail("Cannot delete the old diagnostic setting", err)
			return
		}
		if want.diagnostic == nil {
			result.DiagnosticSettingID = types.StringNull()
		}
	}
	diags.Append(out.Set(ctx, result)...)
}

func (r *alertResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state alertModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Read(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	_, recent := clients.WrittenRecently(ctx, req.Private)
	found, err := r.refresh(ctx, &state, recent)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the alert", err.Error())
		return
	}
	if !found {
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *alertResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state alertModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	s := spec{subscriptionID: r.client.SubscriptionID, name: state.Name.ValueString(), resourceGroup: state.ResourceGroupName.ValueString()}
	// Rules first: they refer to the action group. Only objects this alert recorded are deleted.
	var objects []armObject
	if !state.ChangeRuleID.IsNull() {
		objects = append(objects, s.changeRule())
	}
	objects = append(objects, s.signInRule())
	if !state.ActionGroupID.IsNull() {
		objects = append(objects, s.managedActionGroup())
	}
	if !state.DiagnosticSettingID.IsNull() {
		d, diags := state.diagnostic(ctx)
		resp.Diagnostics.Append(diags...)
		if d != nil {
			objects = append(objects, diagnosticSettingObject(d.name))
		}
	}
	for _, obj := range objects {
		if err := obj.remove(ctx, r.client); err != nil {
			resp.Diagnostics.AddError("Cannot delete the alert", err.Error())
			return
		}
	}
}

// ImportState takes the sign-in rule's ARM id. The rest is found from it: the change rule and the managed action
// group by their names (`<name>-changes`, `<name>-ag`), the accounts, result filter and diagnostic setting name
// from the first line of the sign-in query, other action groups from the rule's actions.
func (r *alertResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	m := ruleIDPattern.FindStringSubmatch(req.ID)
	if m == nil {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%q is not a scheduled query rule id. Use the sign-in rule's ARM id: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Insights/scheduledQueryRules/<name>.", req.ID))
		return
	}
	if r.client != nil && !strings.EqualFold(m[1], r.client.SubscriptionID) {
		resp.Diagnostics.AddError("Import id in another subscription",
			fmt.Sprintf("The rule is in subscription %s but the provider is configured for %s; import with a provider configured for that subscription.", m[1], r.client.SubscriptionID))
		return
	}
	s := spec{subscriptionID: m[1], resourceGroup: m[2], name: m[3]}
	for name, v := range map[string]string{"id": s.signInRule().id, "sign_in_rule_id": s.signInRule().id, "resource_group_name": m[2], "name": m[3]} {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), v)...)
	}
}
