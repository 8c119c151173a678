# Names and ids only: this module never outputs a password.

output "account_ids" {
  description = "Object ids of the accounts, in order."
  value       = breakglass_account.this[*].id
}

output "user_principal_names" {
  description = "Sign-in names of the accounts, in order."
  value       = breakglass_account.this[*].user_principal_name
}

output "global_administrator_assignment_ids" {
  description = "Import ids of the permanent Global Administrator assignments."
  value       = breakglass_pim_permanent_assignment.global_admin[*].id
}

output "alert_rule_ids" {
  description = "ARM ids of the sign-in and change alert rules."
  value       = compact([breakglass_alert.this.sign_in_rule_id, breakglass_alert.this.change_rule_id])
}

output "excluded_policy_ids" {
  description = "Conditional Access policies that exclude every account."
  value       = breakglass_ca_policy_exclusion.this.excluded_policy_ids
}

output "posture" {
  description = "The posture summary: passed, and the ids of the checks that fail, warn or could not be evaluated."
  value = {
    passed            = data.breakglass_posture.this.passed
    failed_check_ids  = data.breakglass_posture.this.failed_check_ids
    warning_check_ids = data.breakglass_posture.this.warning_check_ids
    unknown_check_ids = data.breakglass_posture.this.unknown_check_ids
  }
}

output "temporary_access_pass_request_ids" {
  description = "With temporary_access_pass: one request id per account, in order, for `request_id` of the caller's ephemeral `breakglass_temporary_access_pass` blocks, which receive the passes in the apply that makes the requests."
  value       = breakglass_temporary_access_pass_request.this[*].id
}

output "restricted_management_unit_id" {
  description = "With restricted_management_unit: the object id of the unit that holds the accounts."
  value       = one(breakglass_restricted_management_unit.this[*].id)
}
