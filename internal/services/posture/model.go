package posture

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
)

// setReport copies a report into the model's computed attributes.
func (m *postureModel) setReport(r Report) diag.Diagnostics {
	var diags diag.Diagnostics
	checks := make([]attr.Value, len(r.Checks))
	statuses := make(map[string]attr.Value, len(r.Checks))
	for i, c := range r.Checks {
		checks[i] = types.ObjectValueMust(checkAttrTypes, map[string]attr.Value{
			"id": types.StringValue(c.ID), "title": types.StringValue(c.Title),
			"status": types.StringValue(c.Status), "detail": types.StringValue(c.Detail),
		})
		statuses[c.ID] = types.StringValue(c.Status)
	}
	var d diag.Diagnostics
	m.Checks, d = types.ListValue(types.ObjectType{AttrTypes: checkAttrTypes}, checks)
	diags.Append(d...)
	m.CheckStatuses, d = types.MapValue(types.StringType, statuses)
	diags.Append(d...)
	m.Passed = types.BoolValue(r.Passed())
	m.FailedCheckIDs = stringList(r.IDsWith(StatusFail))
	m.WarningCheckIDs = stringList(r.IDsWith(StatusWarn))
	m.UnknownCheckIDs = stringList(r.IDsWith(StatusUnknown))
	m.GlobalAdminCount = types.Int64Null()
	if r.GlobalAdminCount != nil {
		m.GlobalAdminCount = types.Int64Value(int64(*r.GlobalAdminCount))
	}
	accounts := make([]attr.Value, len(r.Accounts))
	for i, a := range r.Accounts {
		accounts[i] = types.ObjectValueMust(accountAttrTypes, map[string]attr.Value{
			"id":                        types.StringValue(a.ID),
			"found":                     types.BoolValue(a.Found),
			"user_principal_name":       helpers.OptionalString(a.UserPrincipalName),
			"display_name":              helpers.OptionalString(a.DisplayName),
			"account_enabled":           types.BoolPointerValue(a.AccountEnabled),
			"on_premises_sync_enabled":  types.BoolPointerValue(a.OnPremisesSyncEnabled),
			"assigned_license_count":    optionalInt(a.AssignedLicenses),
			"certificate_user_id_count": optionalInt(a.CertificateUserIDs),
			"fido2_method_count":        optionalInt(a.FIDO2Methods),
			"permanent_global_admin":    types.BoolPointerValue(a.PermanentGlobalAdmin),
			"last_successful_sign_in":   helpers.OptionalTime(a.LastSuccessfulSignIn),
			"last_sign_in":              helpers.OptionalTime(a.LastSignIn),
			"blocking_policy_ids":       nullableList(a.BlockingPolicyIDs),
			"watching_alert_rule_ids":   nullableList(a.AlertRuleIDs),
		})
	}
	m.Accounts, d = types.ListValue(types.ObjectType{AttrTypes: accountAttrTypes}, accounts)
	diags.Append(d...)
	return diags
}

func stringList(values []string) types.List {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

// nullableList is null for nil (not read) and a list, possibly empty, otherwise.
func nullableList(values []string) types.List {
	if values == nil {
		return types.ListNull(types.StringType)
	}
	return stringList(values)
}

func optionalInt(n *int) types.Int64 {
	if n == nil {
		return types.Int64Null()
	}
	return types.Int64Value(int64(*n))
}
