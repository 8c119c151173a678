# Default inputs: two accounts with write-only passwords the module generates, permanent Global Administrator,
# excluded from every policy with grant controls, watched by the alert, posture checked.
# `make test` runs this against the simulated tenant (internal/moduletest); with ARM_* credentials and
# TF_VAR_workspace_id / TF_VAR_resource_group_name it runs against a real tenant unchanged.

variables {
  # Terraform before 1.17 rejects an unset optional ephemeral variable in terraform test's apply phase
  # (hashicorp/terraform#38974): give it its default explicitly.
  passwords_wo = []

  alert = {
    name                = "bg-defaults"
    workspace_id        = var.workspace_id
    resource_group_name = var.resource_group_name
    location            = "westeurope"
    email_receivers     = [{ name = "soc", email_address = "soc@contoso.com" }]
    diagnostic_setting  = { name = "bg-defaults-logs", categories = ["SignInLogs", "NonInteractiveUserSignInLogs"] }
  }
}

run "defaults" {
  assert {
    condition     = length(output.account_ids) == 2 && length(output.user_principal_names) == 2
    error_message = "The default is two accounts."
  }

  assert {
    condition     = alltrue([for upn in output.user_principal_names : endswith(upn, ".onmicrosoft.com")])
    error_message = "Accounts must be on the initial *.onmicrosoft.com domain."
  }

  assert {
    condition     = alltrue([for a in breakglass_account.this : a.password == null])
    error_message = "Write-only passwords must not be in state."
  }

  assert {
    condition     = length(output.global_administrator_assignment_ids) == 2
    error_message = "Each account needs a permanent Global Administrator assignment."
  }

  assert {
    condition     = length(output.excluded_policy_ids) > 0
    error_message = "The accounts must be excluded from the policies with grant controls."
  }

  assert {
    condition     = length(output.alert_rule_ids) == 2
    error_message = "The alert has a sign-in rule and a change rule."
  }

  assert {
    condition     = length(setintersection(toset(output.posture.failed_check_ids), toset(var.posture.enforced_checks))) == 0
    error_message = "Posture checks the module establishes must pass: ${join(", ", output.posture.failed_check_ids)}"
  }
}
