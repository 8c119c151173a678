package alert

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

// refresh reads every object of the alert into m, so drift on any of them shows in the plan: a rule disabled or
// its query edited, a receiver removed, a diagnostic category turned off, an object deleted. found is false when
// the sign-in rule (the alert's identity) is gone. A state without accounts is an import: the inputs come from
// the metadata line of the sign-in query.
// recent is whether the provider wrote the alert within clients.ReplicationWindow (see readDiagnosticSetting).
func (r *alertResource) refresh(ctx context.Context, m *alertModel, recent bool) (found bool, err error) {
	s := spec{subscriptionID: r.client.SubscriptionID, name: m.Name.ValueString(), resourceGroup: m.ResourceGroupName.ValueString()}
	var rule queryRule
	ruleFound, err := s.signInRule().get(ctx, r.client, &rule)
	if err != nil || !ruleFound && m.Accounts.IsNull() {
		return false, err
	}
	enabled, notifiesManaged := m.Enabled.ValueBool(), true
	if ruleFound {
		if m.Accounts.IsNull() {
			if err := adoptMetadata(m, s, rule); err != nil {
				return true, err
			}
		}
		enabled, notifiesManaged = r.readRule(m, s, rule)
	} else {
		// Without the sign-in rule the alert still owns whatever else it made: it stays in state with the rule's
		// query null, so the plan shows the rule coming back and nothing is orphaned.
		m.SignInQuery = types.StringNull()
	}

	if m.ActionGroupID.IsNull() {
		m.ActionGroup = types.ObjectNull(actionGroupAttrTypes) // configured but never made: the plan makes it
	} else {
		var group actionGroup
		found, err := s.managedActionGroup().get(ctx, r.client, &group)
		switch {
		case err != nil:
			return true, err
		case !found:
			m.ActionGroup, m.ActionGroupID = types.ObjectNull(actionGroupAttrTypes), types.StringNull()
		case !notifiesManaged:
			m.ActionGroup = types.ObjectNull(actionGroupAttrTypes) // exists, but the rule no longer notifies it
		default:
			m.ActionGroup = actionGroupValue(group)
			enabled = enabled && group.Properties.Enabled
		}
	}

	m.ChangeQuery = types.StringNull()
	if !m.ChangeRuleID.IsNull() {
		var change queryRule
		found, err := s.changeRule().get(ctx, r.client, &change)
		if err != nil {
			return true, err
		}
		if found {
			m.ChangeQuery = types.StringValue(change.query())
			enabled = enabled && change.Properties.Enabled
		} else {
			m.ChangeRuleID = types.StringNull()
		}
	}
	m.MonitorAccountChanges = types.BoolValue(!m.ChangeRuleID.IsNull())
	if m.WatchMethodsPolicy.IsNull() {
		// A state written before the attribute existed: its default, so upgrading plans no change.
		m.WatchMethodsPolicy = types.BoolValue(false)
	}
	if m.WatchPolicies.IsNull() {
		m.WatchPolicies = types.BoolValue(false) // likewise
	}
	m.Enabled = types.BoolValue(enabled)

	if m.DiagnosticSettingID.IsNull() {
		m.DiagnosticSetting = types.ObjectNull(diagnosticAttrTypes)
		return ruleFound || m.anythingRecorded(), nil
	}
	id := m.DiagnosticSettingID.ValueString()
	name := id[strings.LastIndex(id, "/")+1:]
	setting, found, err := r.readDiagnosticSetting(ctx, name, m.DiagnosticSetting, m.WorkspaceID.ValueString(), recent)
	switch {
	case err != nil:
		return true, err
	case !found:
		// The id stays: the name is still the alert's, so the plan puts the setting back, and a 404 that
		// replication explains costs at worst one PUT of the same body, never a refusal of "someone else's" setting.
		m.DiagnosticSetting = types.ObjectNull(diagnosticAttrTypes)
	default:
		m.DiagnosticSetting = diagnosticValue(name, setting, m.WorkspaceID.ValueString())
	}
	return ruleFound || m.anythingRecorded(), nil
}

// recentWriteWait bounds how long a refresh re-reads a diagnostic setting the provider wrote recently.
const recentWriteWait = 15 * time.Second

// readDiagnosticSetting reads the setting. Right after a PUT, ARM can answer a GET of an Entra diagnostic setting
// with 404 or, presumably, the version before (azure-rest-api-specs#30249 and #38858, terraform-provider-azurerm
// #30808). So within clients.ReplicationWindow of the provider's own write (recent), an answer other than the
// recorded value is read again for up to recentWriteWait before the refresh believes it.
func (r *alertResource) readDiagnosticSetting(ctx context.Context, name string, recorded types.Object, workspaceID string, recent bool) (setting diagnosticSetting, found bool, err error) {
	obj := diagnosticSettingObject(name)
	read := func(ctx context.Context) error {
		setting = diagnosticSetting{}
		found, err = obj.get(ctx, r.client, &setting)
		switch {
		case err != nil:
			return err
		case !found || !diagnosticValue(name, setting, workspaceID).Equal(recorded):
			return errNotAsWritten
		}
		return nil
	}
	if read(ctx) == nil || err != nil || !recent {
		return setting, found, err
	}
	waitCtx, cancel := context.WithTimeout(ctx, recentWriteWait)
	defer cancel()
	if clients.RetryWhileRefused(waitCtx, "diagnostic setting "+obj.id, "ARM replication of the diagnostic setting",
		func(err error) bool { return errors.Is(err, errNotAsWritten) }, read) != nil && err == nil {
		_ = read(ctx) // the wait ended between two reads: the last word goes to a read made after it
	}
	return setting, found, err
}

// errNotAsWritten is a read of the diagnostic setting that differs from what the provider recorded.
var errNotAsWritten = errors.New("the diagnostic setting differs from what was written")

// diagnosticValue is the diagnostic_setting attribute for a setting as read: null when it sends elsewhere now.
func diagnosticValue(name string, setting diagnosticSetting, workspaceID string) types.Object {
	if !strings.EqualFold(setting.Properties.WorkspaceID, workspaceID) {
		return types.ObjectNull(diagnosticAttrTypes)
	}
	var categories []attr.Value
	for _, l := range setting.Properties.Logs {
		if l.Enabled {
			categories = append(categories, types.StringValue(l.Category))
		}
	}
	return types.ObjectValueMust(diagnosticAttrTypes, map[string]attr.Value{
		"name": types.StringValue(name), "categories": types.SetValueMust(types.StringType, categories),
	})
}

// anythingRecorded reports whether the alert still records an object besides the sign-in rule.
func (m *alertModel) anythingRecorded() bool {
	return !m.ChangeRuleID.IsNull() || !m.ActionGroupID.IsNull() || !m.DiagnosticSettingID.IsNull()
}

// readRule copies the sign-in rule's settings into m and reports whether it is enabled and notifies the
// managed action group.
func (r *alertResource) readRule(m *alertModel, s spec, rule queryRule) (enabled, notifiesManaged bool) {
	p := rule.Properties
	m.ID, m.SignInRuleID = types.StringValue(s.signInRule().id), types.StringValue(s.signInRule().id)
	m.Location = sameOrNew(m.Location, rule.Location)
	if len(p.Scopes) > 0 {
		m.WorkspaceID = sameOrNew(m.WorkspaceID, p.Scopes[0])
	}
	m.Severity, m.AutoMitigate = types.Int64Value(p.Severity), types.BoolValue(p.AutoMitigate)
	m.EvaluationFrequency, m.WindowSize = types.StringValue(p.EvaluationFrequency), types.StringValue(p.WindowSize)
	m.Description = types.StringValue(p.Description)
	m.SignInQuery = types.StringValue(rule.query())
	if len(rule.Tags) > 0 || !m.Tags.IsNull() {
		m.Tags = stringMap(rule.Tags)
	}
	managedID := s.managedActionGroup().id
	var others []string
	for _, id := range p.Actions.ActionGroups {
		if strings.EqualFold(id, managedID) {
			notifiesManaged = true
		} else {
			others = append(others, id)
		}
	}
	m.ActionGroupIDs = sameOrNewList(m.ActionGroupIDs, others)
	return p.Enabled, notifiesManaged
}

// adoptMetadata fills an imported state's inputs from the sign-in query's first line and records the objects
// to look for (the change rule and managed action group by name; the diagnostic setting by the recorded name).
func adoptMetadata(m *alertModel, s spec, rule queryRule) error {
	meta, ok := ParseMetadata(rule.query())
	if !ok {
		return fmt.Errorf("the scheduled query rule %s was not written by breakglass_alert: its query does not start with %q, "+
			"so the accounts it watches cannot be recovered. Create the alert with Terraform instead (the old rule can be deleted afterwards)",
			s.signInRule().id, strings.TrimSpace(metadataPrefix))
	}
	rows := make([]attr.Value, len(meta.Accounts))
	for i, a := range meta.Accounts {
		rows[i] = types.ObjectValueMust(accountType.AttrTypes, map[string]attr.Value{
			"object_id": types.StringValue(a.ObjectID), "user_principal_name": types.StringValue(a.UserPrincipalName),
		})
	}
	m.Accounts = types.ListValueMust(accountType, rows)
	m.SignInResult, m.IncludeNonInteractive = types.StringValue(meta.SignInResult), types.BoolValue(meta.IncludeNonInteractive)
	m.WatchPolicies = types.BoolValue(meta.WatchConditionalAccessPolicies)
	m.ExclusionGroupIDs = types.SetNull(types.StringType)
	if len(meta.ExclusionGroupIDs) > 0 {
		m.ExclusionGroupIDs = stringSet(meta.ExclusionGroupIDs)
	}
	m.WatchMethodsPolicy = types.BoolValue(meta.WatchAuthenticationMethodsPolicy)
	m.RestrictedUnitIDs = types.SetNull(types.StringType)
	if len(meta.RestrictedManagementUnitIDs) > 0 {
		m.RestrictedUnitIDs = stringSet(meta.RestrictedManagementUnitIDs)
	}
	m.ChangeRuleID = types.StringValue(s.changeRule().id)
	m.ActionGroupID = types.StringValue(s.managedActionGroup().id)
	m.DiagnosticSettingID = types.StringNull()
	if meta.DiagnosticSetting != "" {
		m.DiagnosticSettingID = types.StringValue(diagnosticSettingObject(meta.DiagnosticSetting).id)
	}
	return nil
}

// sameOrNew keeps the state's spelling of an ARM value that differs only in case (ARM normalises ids and
// locations), so a refresh does not invent a diff.
func sameOrNew(old types.String, now string) types.String {
	if !old.IsNull() && !old.IsUnknown() && strings.EqualFold(old.ValueString(), now) {
		return old
	}
	return types.StringValue(now)
}

func sameOrNewList(old types.List, now []string) types.List {
	if len(now) == 0 {
		return types.ListNull(types.StringType)
	}
	var before []types.String
	if !old.IsNull() && !old.IsUnknown() {
		for _, v := range old.Elements() {
			if s, ok := v.(types.String); ok {
				before = append(before, s)
			}
		}
	}
	values := make([]attr.Value, len(now))
	for i, id := range now {
		if i < len(before) {
			values[i] = sameOrNew(before[i], id)
		} else {
			values[i] = types.StringValue(id)
		}
	}
	return types.ListValueMust(types.StringType, values)
}

func stringSet(values []string) types.Set {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return types.SetValueMust(types.StringType, elems)
}

func stringMap(m map[string]string) types.Map {
	values := make(map[string]attr.Value, len(m))
	for k, v := range m {
		values[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, values)
}

// actionGroupValue turns an action group's receivers back into the attribute; empty receiver lists are null,
// as they are when left out of the configuration.
func actionGroupValue(g actionGroup) types.Object {
	p := g.Properties
	list := func(t types.ObjectType, rows []map[string]attr.Value) types.List {
		if len(rows) == 0 {
			return types.ListNull(t)
		}
		values := make([]attr.Value, len(rows))
		for i, row := range rows {
			values[i] = types.ObjectValueMust(t.AttrTypes, row)
		}
		return types.ListValueMust(t, values)
	}
	var email, sms, voice, hooks []map[string]attr.Value
	for _, e := range p.EmailReceivers {
		email = append(email, map[string]attr.Value{"name": types.StringValue(e.Name), "email_address": types.StringValue(e.EmailAddress)})
	}
	phone := func(r phoneReceiverJS) map[string]attr.Value {
		return map[string]attr.Value{"name": types.StringValue(r.Name), "country_code": types.StringValue(r.CountryCode), "phone_number": types.StringValue(r.PhoneNumber)}
	}
	for _, r := range p.SMSReceivers {
		sms = append(sms, phone(r))
	}
	for _, r := range p.VoiceReceivers {
		voice = append(voice, phone(r))
	}
	for _, w := range p.WebhookReceivers {
		hooks = append(hooks, map[string]attr.Value{"name": types.StringValue(w.Name), "service_uri": types.StringValue(w.ServiceURI)})
	}
	return types.ObjectValueMust(actionGroupAttrTypes, map[string]attr.Value{
		"short_name":        types.StringValue(p.GroupShortName),
		"email_receivers":   list(emailType, email),
		"sms_receivers":     list(phoneType, sms),
		"voice_receivers":   list(phoneType, voice),
		"webhook_receivers": list(webhookType, hooks),
	})
}
