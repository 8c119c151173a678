package alert

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

type alertModel struct {
	ID                    types.String   `tfsdk:"id"`
	Name                  types.String   `tfsdk:"name"`
	ResourceGroupName     types.String   `tfsdk:"resource_group_name"`
	Location              types.String   `tfsdk:"location"`
	WorkspaceID           types.String   `tfsdk:"workspace_id"`
	Accounts              types.List     `tfsdk:"accounts"`
	SignInResult          types.String   `tfsdk:"sign_in_result"`
	IncludeNonInteractive types.Bool     `tfsdk:"include_non_interactive"`
	MonitorAccountChanges types.Bool     `tfsdk:"monitor_account_changes"`
	WatchPolicies         types.Bool     `tfsdk:"watch_conditional_access_policies"`
	ExclusionGroupIDs     types.Set      `tfsdk:"exclusion_group_ids"`
	WatchMethodsPolicy    types.Bool     `tfsdk:"watch_authentication_methods_policy"`
	RestrictedUnitIDs     types.Set      `tfsdk:"restricted_management_unit_ids"`
	Enabled               types.Bool     `tfsdk:"enabled"`
	Severity              types.Int64    `tfsdk:"severity"`
	EvaluationFrequency   types.String   `tfsdk:"evaluation_frequency"`
	WindowSize            types.String   `tfsdk:"window_size"`
	AutoMitigate          types.Bool     `tfsdk:"auto_mitigate"`
	Description           types.String   `tfsdk:"description"`
	Tags                  types.Map      `tfsdk:"tags"`
	DiagnosticSetting     types.Object   `tfsdk:"diagnostic_setting"`
	ActionGroup           types.Object   `tfsdk:"action_group"`
	ActionGroupIDs        types.List     `tfsdk:"action_group_ids"`
	SignInQuery           types.String   `tfsdk:"sign_in_query"`
	ChangeQuery           types.String   `tfsdk:"change_query"`
	SignInRuleID          types.String   `tfsdk:"sign_in_rule_id"`
	ChangeRuleID          types.String   `tfsdk:"change_rule_id"`
	ActionGroupID         types.String   `tfsdk:"action_group_id"`
	DiagnosticSettingID   types.String   `tfsdk:"diagnostic_setting_id"`
	Timeouts              timeouts.Value `tfsdk:"timeouts"`
}

type accountModel struct {
	ObjectID          types.String `tfsdk:"object_id"`
	UserPrincipalName types.String `tfsdk:"user_principal_name"`
}

type diagnosticModel struct {
	Name       types.String `tfsdk:"name"`
	Categories types.Set    `tfsdk:"categories"`
}

type actionGroupModel struct {
	ShortName        types.String `tfsdk:"short_name"`
	EmailReceivers   types.List   `tfsdk:"email_receivers"`
	SMSReceivers     types.List   `tfsdk:"sms_receivers"`
	VoiceReceivers   types.List   `tfsdk:"voice_receivers"`
	WebhookReceivers types.List   `tfsdk:"webhook_receivers"`
}

type emailReceiverModel struct {
	Name         types.String `tfsdk:"name"`
	EmailAddress types.String `tfsdk:"email_address"`
}

type phoneReceiverModel struct {
	Name        types.String `tfsdk:"name"`
	CountryCode types.String `tfsdk:"country_code"`
	PhoneNumber types.String `tfsdk:"phone_number"`
}

type webhookReceiverModel struct {
	Name       types.String `tfsdk:"name"`
	ServiceURI types.String `tfsdk:"service_uri"`
}

var (
	accountType = types.ObjectType{AttrTypes: map[string]attr.Type{"object_id": types.StringType, "user_principal_name": types.StringType}}
	emailType   = types.ObjectType{AttrTypes: map[string]attr.Type{"name": types.StringType, "email_address": types.StringType}}
	phoneType   = types.ObjectType{AttrTypes: map[string]attr.Type{"name": types.StringType, "country_code": types.StringType, "phone_number": types.StringType}}
	webhookType = types.ObjectType{AttrTypes: map[string]attr.Type{"name": types.StringType, "service_uri": types.StringType}}

	diagnosticAttrTypes  = map[string]attr.Type{"name": types.StringType, "categories": types.SetType{ElemType: types.StringType}}
	actionGroupAttrTypes = map[string]attr.Type{
		"short_name":        types.StringType,
		"email_receivers":   types.ListType{ElemType: emailType},
		"sms_receivers":     types.ListType{ElemType: phoneType},
		"voice_receivers":   types.ListType{ElemType: phoneType},
		"webhook_receivers": types.ListType{ElemType: webhookType},
	}
)

// spec is a fully known configuration as plain Go values: what the tenant should hold.
type spec struct {
	subscriptionID, name, resourceGroup, location, workspaceID   string
	accounts                                                     []Account
	protections                                                  Protections
	signInResult                                                 string
	includeNonInteractive, monitorChanges, enabled, autoMitigate bool
	severity                                                     int64
	frequency, window, description                               string
	tags                                                         map[string]string
	diagnostic                                                   *diagnosticSpec
	actionGroup                                                  *actionGroupSpec
	actionGroupIDs                                               []string
	signInQuery, changeQuery                                     string
}

type diagnosticSpec struct {
	name       string
	categories []string
}

type actionGroupSpec struct {
	shortName string
	email     []emailReceiverJS
	sms       []phoneReceiverJS
	voice     []phoneReceiverJS
	webhooks  []webhookJS
}

// known reports whether a value and everything inside it is known.
func known(v attr.Value) bool {
	if v.IsUnknown() {
		return false
	}
	var elems []attr.Value
	switch v := v.(type) {
	case basetypes.ListValue:
		elems = v.Elements()
	case basetypes.SetValue:
		elems = v.Elements()
	case basetypes.MapValue:
		for _, e := range v.Elements() {
			elems = append(elems, e)
		}
	case basetypes.ObjectValue:
		for _, e := range v.Attributes() {
			elems = append(elems, e)
		}
	}
	for _, e := range elems {
		if !known(e) {
			return false
		}
	}
	return true
}

func (m alertModel) accounts(ctx context.Context) ([]Account, diag.Diagnostics) {
	var rows []accountModel
	diags := m.Accounts.ElementsAs(ctx, &rows, false)
	out := make([]Account, len(rows))
	for i, row := range rows {
		out[i] = Account{ObjectID: row.ObjectID.ValueString(), UserPrincipalName: row.UserPrincipalName.ValueString()}
	}
	return out, diags
}

// protections is what the change rule watches besides the accounts. Exclusion groups count only while Conditional
// Access policies are watched (the validator refuses them otherwise).
func (m alertModel) protections(ctx context.Context) (Protections, diag.Diagnostics) {
	p := Protections{ConditionalAccess: m.WatchPolicies.ValueBool(), AuthenticationMethodsPolicy: m.WatchMethodsPolicy.ValueBool()}
	var diags diag.Diagnostics
	if p.ConditionalAccess && !m.ExclusionGroupIDs.IsNull() {
		diags.Append(m.ExclusionGroupIDs.ElementsAs(ctx, &p.ExclusionGroupIDs, false)...)
		slices.Sort(p.ExclusionGroupIDs) // a set has no order; the metadata line must not change with it
	}
	if !m.RestrictedUnitIDs.IsNull() {
		diags.Append(m.RestrictedUnitIDs.ElementsAs(ctx, &p.RestrictedUnitIDs, false)...)
		slices.Sort(p.RestrictedUnitIDs)
	}
	return p, diags
}

func (m alertModel) diagnostic(ctx context.Context) (*diagnosticSpec, diag.Diagnostics) {
	if m.DiagnosticSetting.IsNull() || m.DiagnosticSetting.IsUnknown() {
		return nil, nil
	}
	var d diagnosticModel
	diags := m.DiagnosticSetting.As(ctx, &d, basetypes.ObjectAsOptions{})
	out := &diagnosticSpec{name: d.Name.ValueString()}
	diags.Append(d.Categories.ElementsAs(ctx, &out.categories, false)...)
	sort.Strings(out.categories)
	return out, diags
}

func (m alertModel) actionGroup(ctx context.Context) (*actionGroupSpec, diag.Diagnostics) {
	if m.ActionGroup.IsNull() || m.ActionGroup.IsUnknown() {
		return nil, nil
	}
	var g actionGroupModel
	diags := m.ActionGroup.As(ctx, &g, basetypes.ObjectAsOptions{})
	out := &actionGroupSpec{shortName: g.ShortName.ValueString()}
	var email []emailReceiverModel
	var sms, voice []phoneReceiverModel
	var hooks []webhookReceiverModel
	diags.Append(g.EmailReceivers.ElementsAs(ctx, &email, false)...)
	diags.Append(g.SMSReceivers.ElementsAs(ctx, &sms, false)...)
	diags.Append(g.VoiceReceivers.ElementsAs(ctx, &voice, false)...)
	diags.Append(g.WebhookReceivers.ElementsAs(ctx, &hooks, false)...)
	for _, r := range email {
		out.email = append(out.email, emailReceiverJS{Name: r.Name.ValueString(), EmailAddress: r.EmailAddress.ValueString(), UseCommonAlertSchema: true})
	}
	phones := func(rows []phoneReceiverModel) []phoneReceiverJS {
		var js []phoneReceiverJS
		for _, r := range rows {
			js = append(js, phoneReceiverJS{Name: r.Name.ValueString(), CountryCode: r.CountryCode.ValueString(), PhoneNumber: r.PhoneNumber.ValueString()})
		}
		return js
	}
	out.sms, out.voice = phones(sms), phones(voice)
	for _, r := range hooks {
		out.webhooks = append(out.webhooks, webhookJS{Name: r.Name.ValueString(), ServiceURI: r.ServiceURI.ValueString(), UseCommonAlertSchema: true})
	}
	return out, diags
}

// spec converts a known model (a plan at apply time, or a refreshed state) into plain values.
func (m alertModel) spec(ctx context.Context, subscriptionID string) (spec, diag.Diagnostics) {
	s := spec{
		subscriptionID: subscriptionID, name: m.Name.ValueString(), resourceGroup: m.ResourceGroupName.ValueString(),
		location: m.Location.ValueString(), workspaceID: m.WorkspaceID.ValueString(), signInResult: m.SignInResult.ValueString(),
		includeNonInteractive: m.IncludeNonInteractive.ValueBool(), monitorChanges: m.MonitorAccountChanges.ValueBool(),
		enabled: m.Enabled.ValueBool(), autoMitigate: m.AutoMitigate.ValueBool(), severity: m.Severity.ValueInt64(),
		frequency: m.EvaluationFrequency.ValueString(), window: m.WindowSize.ValueString(), description: m.Description.ValueString(),
		signInQuery: m.SignInQuery.ValueString(), changeQuery: m.ChangeQuery.ValueString(),
	}
	var diags diag.Diagnostics
	var d diag.Diagnostics
	s.accounts, d = m.accounts(ctx)
	diags.Append(d...)
	s.diagnostic, d = m.diagnostic(ctx)
	diags.Append(d...)
	s.actionGroup, d = m.actionGroup(ctx)
	diags.Append(d...)
	s.protections, d = m.protections(ctx)
	diags.Append(d...)
	if !m.Tags.IsNull() {
		diags.Append(m.Tags.ElementsAs(ctx, &s.tags, false)...)
	}
	if !m.ActionGroupIDs.IsNull() {
		diags.Append(m.ActionGroupIDs.ElementsAs(ctx, &s.actionGroupIDs, false)...)
	}
	return s, diags
}

// Object names derived from the alert's name.
func (s spec) signInRule() armObject {
	return queryRuleObject(s.subscriptionID, s.resourceGroup, s.name)
}
func (s spec) changeRule() armObject {
	return queryRuleObject(s.subscriptionID, s.resourceGroup, s.name+changeRuleSuffix)
}
func (s spec) managedActionGroup() armObject {
	return actionGroupObject(s.subscriptionID, s.resourceGroup, s.name+actionGroupSuffix)
}

const (
	changeRuleSuffix  = "-changes"
	actionGroupSuffix = "-ag"
)

// Metadata is what import needs and the rules cannot otherwise tell: written as a JSON comment on the first line
// of the sign-in query, so the alert can be imported from the rule's id alone.
type Metadata struct {
	Accounts              []MetadataAccount `json:"accounts"`
	SignInResult          string            `json:"sign_in_result"`
	IncludeNonInteractive bool              `json:"include_non_interactive"`
	DiagnosticSetting     string            `json:"diagnostic_setting,omitempty"`
	// The protections the change rule watches; absent when none, so a query without them reads as before they
	// existed.
	WatchConditionalAccessPolicies   bool     `json:"watch_conditional_access_policies,omitempty"`
	ExclusionGroupIDs                []string `json:"exclusion_group_ids,omitempty"`
	WatchAuthenticationMethodsPolicy bool     `json:"watch_authentication_methods_policy,omitempty"`
	RestrictedManagementUnitIDs      []string `json:"restricted_management_unit_ids,omitempty"`
}

type MetadataAccount struct {
	ObjectID          string `json:"object_id"`
	UserPrincipalName string `json:"user_principal_name"`
}

const metadataPrefix = "// breakglass_alert "

// queries computes both rules' KQL from a spec.
func (s spec) queries() (signIn, change string) {
	meta := Metadata{SignInResult: s.signInResult, IncludeNonInteractive: s.includeNonInteractive}
	for _, a := range s.accounts {
		meta.Accounts = append(meta.Accounts, MetadataAccount(a))
	}
	if s.diagnostic != nil {
		meta.DiagnosticSetting = s.diagnostic.name
	}
	meta.WatchConditionalAccessPolicies = s.protections.ConditionalAccess
	meta.ExclusionGroupIDs = s.protections.ExclusionGroupIDs
	meta.WatchAuthenticationMethodsPolicy = s.protections.AuthenticationMethodsPolicy
	meta.RestrictedManagementUnitIDs = s.protections.RestrictedUnitIDs
	raw, _ := json.Marshal(meta) // plain strings and bools: cannot fail
	signIn = metadataPrefix + string(raw) + "\n" + SignInQuery(s.accounts, s.signInResult, s.includeNonInteractive)
	if s.monitorChanges {
		change = ChangeQuery(s.accounts, s.protections)
	}
	return signIn, change
}

// ParseMetadata reads the metadata comment back from a sign-in query; ok is false when the query has none.
func ParseMetadata(query string) (Metadata, bool) {
	first, _, _ := strings.Cut(query, "\n")
	rest, found := strings.CutPrefix(first, metadataPrefix)
	var meta Metadata
	if !found || json.Unmarshal([]byte(rest), &meta) != nil {
		return meta, false
	}
	return meta, true
}

// Bodies. The same builders serve the desired state (plan) and the last known state, so an update sends only
// the objects whose body changed.

func (s spec) diagnosticBody() diagnosticSetting {
	body := diagnosticSetting{Properties: diagnosticProperties{WorkspaceID: s.workspaceID, Logs: []logSetting{}}}
	for _, c := range s.diagnostic.categories {
		body.Properties.Logs = append(body.Properties.Logs, logSetting{Category: c, Enabled: true})
	}
	return body
}

func (s spec) actionGroupBody() actionGroup {
	g := s.actionGroup
	return actionGroup{
		Location: "Global", Tags: s.tags,
		Properties: actionGroupProperties{
			GroupShortName: g.shortName, Enabled: s.enabled,
			EmailReceivers: orEmpty(g.email), SMSReceivers: orEmpty(g.sms), VoiceReceivers: orEmpty(g.voice), WebhookReceivers: orEmpty(g.webhooks),
		},
	}
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// actionGroupIDs is every action group the rules notify: the managed one first, then the given ones.
func (s spec) allActionGroupIDs() []string {
	var ids []string
	if s.actionGroup != nil {
		ids = append(ids, s.managedActionGroup().id)
	}
	return append(ids, s.actionGroupIDs...)
}

func (s spec) ruleBody(displayName, description, query string) queryRule {
	return queryRule{
		Location: s.location, Tags: s.tags, Kind: "LogAlert",
		Properties: queryRuleProperties{
			DisplayName: displayName, Description: description, Severity: s.severity, Enabled: s.enabled,
			Scopes: []string{s.workspaceID}, EvaluationFrequency: s.frequency, WindowSize: s.window,
			Criteria: criteria{AllOf: []condition{{
				Query: query, TimeAggregation: "Count", Operator: "GreaterThan", Threshold: 0,
				// One alert per account: the queries project the account's UPN into this column.
				Dimensions:     []dimension{{Name: "UserPrincipalName", Operator: "Include", Values: []string{"*"}}},
				FailingPeriods: failingPeriods{NumberOfEvaluationPeriods: 1, MinFailingPeriodsToAlert: 1},
			}}},
			AutoMitigate: s.autoMitigate, SkipQueryValidation: true,
			Actions: ruleAction{ActionGroups: orEmpty(s.allActionGroupIDs())},
		},
	}
}

func (s spec) signInRuleBody() queryRule {
	return s.ruleBody(s.name, s.description, s.signInQuery)
}

func (s spec) changeRuleBody() queryRule {
	return s.ruleBody(s.name+changeRuleSuffix, s.description+" (changes to the accounts)", s.changeQuery)
}
