# Every opt-in protection at once: FIDO2 targeting, a Temporary Access Pass request per account, and a restricted
# management unit that the provider's own identity keeps managing. internal/moduletest gives that identity
# Privileged Role Administrator (members of a restricted unit need it at tenant scope) and passes its object id as
# provider_principal_id; against a real tenant, set TF_VAR_provider_principal_id and grant the role the same way.

variables {
  # Terraform before 1.17 rejects an unset optional ephemeral variable in terraform test's apply phase
  # (hashicorp/terraform#38974): give it its default explicitly.
  passwords_wo = []

  display_names = ["Cloud Guard 01", "Cloud Guard 02"]
  alert = {
    name                     = "bg-protections"
    workspace_id             = var.workspace_id
    resource_group_name      = var.resource_group_name
    location                 = "westeurope"
    email_receivers          = [{ name = "soc", email_address = "soc@contoso.com" }]
    diagnostic_setting       = { name = "bg-protections-logs", categories = ["SignInLogs"] }
    watch_conditional_access = true
  }

  phishing_resistant_methods = { methods = ["fido2"] }
  temporary_access_pass      = { version = "1", lifetime_in_minutes = 120 }
  restricted_management_unit = {
    display_name         = "Cloud Guard"
    manager_principal_id = var.provider_principal_id
  }
}

run "protections" {
  assert {
    condition     = length(breakglass_authentication_method_targets.this["fido2"].user_ids) == 2
    error_message = "Both accounts must be FIDO2 targets."
  }

  assert {
    condition     = length(breakglass_authentication_method_targets.temporary_access_pass[0].user_ids) == 2
    error_message = "Both accounts must be Temporary Access Pass targets while a pass is requested."
  }

  assert {
    condition     = length(output.temporary_access_pass_request_ids) == 2 && alltrue([for r in breakglass_temporary_access_pass_request.this : r.lifetime_in_minutes == 120])
    error_message = "One Temporary Access Pass request per account, with the lifetime asked for."
  }

  assert {
    condition     = output.restricted_management_unit_id != null && breakglass_restricted_management_unit.this[0].is_member_management_restricted
    error_message = "The accounts must be in a restricted management unit."
  }

  assert {
    condition     = breakglass_restricted_management_unit.this[0].manager_role_assignment_id != null
    error_message = "The provider's identity must hold a role scoped to the unit."
  }

  assert {
    condition     = breakglass_alert.this.watch_conditional_access_policies && breakglass_alert.this.watch_authentication_methods_policy && length(breakglass_alert.this.restricted_management_unit_ids) == 1
    error_message = "The alert's change rule must watch the Conditional Access policies, the methods policy and the unit."
  }

  assert {
    condition     = !contains(output.posture.failed_check_ids, "restricted_management")
    error_message = "restricted_management must pass: ${join(", ", output.posture.failed_check_ids)}"
  }
}

# The keys are registered: dropping temporary_access_pass removes the requests and the accounts' pass targeting.
run "registration_done" {
  variables {
    temporary_access_pass = null
  }

  assert {
    condition     = length(output.temporary_access_pass_request_ids) == 0 && length(breakglass_authentication_method_targets.temporary_access_pass) == 0
    error_message = "Without temporary_access_pass there is no request and no pass targeting."
  }
}
