# Names and ids only: never output a password. The generated one is in state (sensitive);
# `terraform show -json` reveals it when the safe is filled.

output "primary_user_principal_name" {
  description = "Sign-in name of the account with a generated password."
  value       = breakglass_account.primary.user_principal_name
}

output "primary_object_id" {
  description = "Object id of the account with a generated password."
  value       = breakglass_account.primary.object_id
}

output "secondary_user_principal_name" {
  description = "Sign-in name of the account with a write-only password."
  value       = breakglass_account.secondary.user_principal_name
}

output "secondary_object_id" {
  description = "Object id of the account with a write-only password."
  value       = breakglass_account.secondary.object_id
}

output "global_administrator_assignments" {
  description = "Import ids of the permanent Global Administrator assignments."
  value       = [breakglass_pim_permanent_assignment.primary.id, breakglass_pim_permanent_assignment.secondary.id]
}

output "excluded_policies" {
  description = "Conditional Access policies that exclude both accounts, by id."
  value       = breakglass_ca_policy_exclusion.emergency.excluded_policies
}

output "restricted_management_unit_id" {
  description = "Object id of the restricted management administrative unit holding both accounts."
  value       = breakglass_restricted_management_unit.emergency.id
}

output "key_registration_requested_at" {
  description = "When the Temporary Access Passes for registering the accounts' security keys were requested."
  value = {
    primary   = breakglass_temporary_access_pass_request.primary.requested_at
    secondary = breakglass_temporary_access_pass_request.secondary.requested_at
  }
}

output "alert_rule_ids" {
  description = "ARM ids of the sign-in and change alert rules."
  value       = [breakglass_alert.emergency.sign_in_rule_id, breakglass_alert.emergency.change_rule_id]
}

output "posture_failed_checks" {
  description = "Emergency access checks that fail. Right after apply: the FIDO2 key checks (until the custodians register the keys with the passes, which are then removed) and the test sign-in."
  value       = data.breakglass_posture.emergency.failed_check_ids
}
