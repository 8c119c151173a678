# Alert the security operations centre within five minutes of any sign-in or change of the emergency
# accounts or their protections, with the tenant's sign-in and audit logs sent to the workspace by a managed
# diagnostic setting.
resource "breakglass_alert" "emergency" {
  name                = "emergency-access-sign-in"
  resource_group_name = "rg-security"
  location            = "westeurope"
  workspace_id        = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-security/providers/Microsoft.OperationalInsights/workspaces/law-security"

  accounts = [
    for a in [breakglass_account.primary, breakglass_account.secondary] :
    { object_id = a.id, user_principal_name = a.user_principal_name }
  ]

  diagnostic_setting = {
    name = "entra-logs-to-law-security"
  }

  # Also alert when what protects the accounts changes: a Conditional Access policy that excludes them (directly
  # or through the group), the authentication methods policy, or the restricted management unit that holds them.
  watch_conditional_access_policies   = true
  exclusion_group_ids                 = ["5c7e2a10-8d3b-4f1e-9a6c-2b8d4e6f0a11"] # the CA exclusion group
  watch_authentication_methods_policy = true
  restricted_management_unit_ids      = ["7a1b3c5d-2e4f-4a6b-8c0d-1e2f3a4b5c6d"]

  action_group = {
    short_name        = "bg-soc"
    email_receivers   = [{ name = "soc", email_address = "soc@contoso.com" }]
    sms_receivers     = [{ name = "duty-phone", country_code = "44", phone_number = "7700900123" }]
    webhook_receivers = [{ name = "pager", service_uri = "https://events.pagerduty.example/integration/abc/enqueue" }]
  }
}

# Or notify action groups that already exist, and only on successful sign-ins.
resource "breakglass_alert" "existing_groups" {
  name                    = "emergency-access-success"
  resource_group_name     = "rg-security"
  location                = "westeurope"
  workspace_id            = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-security/providers/Microsoft.OperationalInsights/workspaces/law-security"
  accounts                = [{ object_id = breakglass_account.primary.id, user_principal_name = breakglass_account.primary.user_principal_name }]
  sign_in_result          = "success"
  monitor_account_changes = false
  action_group_ids        = ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-soc/providers/Microsoft.Insights/actionGroups/soc-critical"]
}
