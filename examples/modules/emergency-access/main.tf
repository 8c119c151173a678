# The emergency access pattern in one call: cloud-only accounts with huge passwords, Global Administrator
# permanently active for each, excluded from the Conditional Access policies that could lock them out, watched by
# a severity-0 alert, and checked against Microsoft's recommendations on every plan.

locals {
  indexes = range(var.account_count)

  display_names = length(var.display_names) > 0 ? var.display_names : [
    for i in local.indexes : format("Cloud Operations %02d", i + 1)
  ]

  write_only = var.password_mode != "generated"
  # Decided by password_mode, not by whether passwords_wo is null: an ephemeral value cannot decide a count.
  own_passwords = var.password_mode == "write_only"
}

ephemeral "breakglass_password" "this" {
  count  = local.own_passwords ? var.account_count : 0
  length = var.password_length
}

resource "breakglass_account" "this" {
  count = var.account_count

  display_name         = local.display_names[count.index]
  certificate_user_ids = length(try(var.certificate_user_ids[count.index], [])) > 0 ? var.certificate_user_ids[count.index] : null

  # write_only: sent to Entra ID during apply, never in plan or state.
  password_wo = local.write_only ? (
    local.own_passwords ? ephemeral.breakglass_password.this[count.index].result : var.passwords_wo[count.index]
  ) : null
  password_wo_version = local.write_only ? var.password_version : null

  # generated: kept (sensitive) in state; keepers rotate it.
  password_length = local.write_only ? null : var.password_length
  keepers         = local.write_only ? null : var.rotation_keepers

  lifecycle {
    precondition {
      condition     = var.password_mode != "supplied" || length(var.passwords_wo) == var.account_count
      error_message = "password_mode = \"supplied\" needs passwords_wo with exactly account_count passwords."
    }
  }
}

resource "breakglass_pim_permanent_assignment" "global_admin" {
  count = var.account_count

  principal_id      = breakglass_account.this[count.index].id
  role              = "Global Administrator"
  assignment_method = var.assignment_method
  justification     = "Emergency access account: permanently active by design."
}

resource "breakglass_ca_policy_exclusion" "this" {
  user_ids            = breakglass_account.this[*].id
  match               = var.conditional_access.policy_ids == null ? coalesce(var.conditional_access.match, "grant_controls") : null
  policy_ids          = var.conditional_access.policy_ids
  except_policy_ids   = var.conditional_access.policy_ids == null && length(var.conditional_access.except_policy_ids) > 0 ? var.conditional_access.except_policy_ids : null
  include_report_only = var.conditional_access.policy_ids == null ? var.conditional_access.include_report_only : null
  include_disabled    = var.conditional_access.policy_ids == null ? var.conditional_access.include_disabled : null
}

# Opt-in: the authentication methods policy lets the accounts sign in with a phishing-resistant method.
resource "breakglass_authentication_method_targets" "this" {
  for_each = toset(var.phishing_resistant_methods.methods)

  method              = each.key
  user_ids            = breakglass_account.this[*].id
  enable_method       = var.phishing_resistant_methods.enable_methods
  manage_x509_binding = each.key == "x509_certificate" ? var.phishing_resistant_methods.manage_x509_binding : null
}

# Opt-in: one Temporary Access Pass request per account and per version. The caller's ephemeral
# breakglass_temporary_access_pass blocks (request_id from the temporary_access_pass_request_ids output) receive the
# passes in the apply that makes the requests: ephemeral values cannot leave a module as outputs of the root module
# that `terraform test` makes of it.
# The accounts are included in the Temporary Access Pass method only while temporary_access_pass is set.
resource "breakglass_authentication_method_targets" "temporary_access_pass" {
  count = var.temporary_access_pass == null ? 0 : 1

  method        = "temporary_access_pass"
  user_ids      = breakglass_account.this[*].id
  enable_method = var.temporary_access_pass.enable_method
}

resource "breakglass_temporary_access_pass_request" "this" {
  count = var.temporary_access_pass == null ? 0 : var.account_count

  user_id             = breakglass_account.this[count.index].id
  version             = var.temporary_access_pass.version
  lifetime_in_minutes = var.temporary_access_pass.lifetime_in_minutes
  is_usable_once      = var.temporary_access_pass.is_usable_once

  # Inside a restricted unit only the unit's manager may issue a pass.
  depends_on = [breakglass_restricted_management_unit.this, breakglass_authentication_method_targets.temporary_access_pass]
}


# Opt-in: only administrators scoped to this unit can change the accounts.
resource "breakglass_restricted_management_unit" "this" {
  count = var.restricted_management_unit == null ? 0 : 1

  display_name         = var.restricted_management_unit.display_name
  description          = var.restricted_management_unit.description
  member_user_ids      = breakglass_account.this[*].id
  manager_principal_id = var.restricted_management_unit.manager_principal_id
  manager_role_id      = var.restricted_management_unit.manager_role_id
}

resource "breakglass_alert" "this" {
  name                = var.alert.name
  resource_group_name = var.alert.resource_group_name
  location            = var.alert.location
  workspace_id        = var.alert.workspace_id
  severity            = var.alert.severity

  accounts = [
    for a in breakglass_account.this : { object_id = a.id, user_principal_name = a.user_principal_name }
  ]

  diagnostic_setting = var.alert.diagnostic_setting

  action_group = length(var.alert.email_receivers) > 0 ? {
    short_name      = var.alert.short_name
    email_receivers = var.alert.email_receivers
  } : null
  action_group_ids = length(var.alert.action_group_ids) > 0 ? var.alert.action_group_ids : null

  # The change rule also watches what protects the accounts, for whichever protections are turned on.
  watch_conditional_access_policies   = var.alert.watch_conditional_access
  watch_authentication_methods_policy = length(var.phishing_resistant_methods.methods) > 0 || var.temporary_access_pass != null
  restricted_management_unit_ids      = var.restricted_management_unit == null ? null : breakglass_restricted_management_unit.this[*].id
}

data "breakglass_posture" "this" {
  account_ids               = breakglass_account.this[*].id
  alert_resource_group_name = var.alert.resource_group_name
  allowed_policy_ids        = length(var.conditional_access.except_policy_ids) > 0 ? var.conditional_access.except_policy_ids : null
  max_global_admins         = var.posture.max_global_admins
  test_interval_days        = var.posture.test_interval_days

  # Read after everything the checks look at exists.
  depends_on = [
    breakglass_pim_permanent_assignment.global_admin,
    breakglass_ca_policy_exclusion.this,
    breakglass_alert.this,
    breakglass_authentication_method_targets.this,
    breakglass_restricted_management_unit.this,
  ]
}

locals {
  # A protection the module sets up is enforced along with the defaults; keys and test sign-ins are people's work.
  enforced_checks = concat(var.posture.enforced_checks, var.restricted_management_unit == null ? [] : ["restricted_management"])
}

# A failed assert is a warning in plan and apply, naming each failing check and why.
check "posture" {
  assert {
    condition = length(setintersection(
      toset(data.breakglass_posture.this.failed_check_ids), toset(local.enforced_checks)
    )) == 0
    error_message = join("\n", [
      for c in data.breakglass_posture.this.checks : "${c.id}: ${c.detail}"
      if c.status == "fail" && contains(local.enforced_checks, c.id)
    ])
  }
}
