# Four accounts with generated passwords kept (sensitive) in state and explicit display names.

variables {
  # Terraform before 1.17 rejects an unset optional ephemeral variable in terraform test's apply phase
  # (hashicorp/terraform#38974): give it its default explicitly.
  passwords_wo = []

  account_count = 4
  password_mode = "generated"
  display_names = ["Cloud Ops North", "Cloud Ops South", "Cloud Ops East", "Cloud Ops West"]
  alert = {
    name                = "bg-four"
    workspace_id        = var.workspace_id
    resource_group_name = var.resource_group_name
    location            = "westeurope"
    email_receivers     = [{ name = "soc", email_address = "soc@contoso.com" }]
    diagnostic_setting  = { name = "bg-four-logs", categories = ["SignInLogs"] }
  }
  # Four emergency accounts plus the tenant's existing Global Administrators.
  posture = { max_global_admins = 8 }
}

run "four_accounts" {
  assert {
    condition     = length(output.account_ids) == 4 && length(distinct(output.user_principal_names)) == 4
    error_message = "Four distinct accounts expected."
  }

  assert {
    condition     = alltrue([for i, a in breakglass_account.this : a.display_name == var.display_names[i]])
    error_message = "Display names are taken in order."
  }

  assert {
    condition     = alltrue([for a in breakglass_account.this : length(nonsensitive(a.password)) == 128])
    error_message = "Generated passwords of the default length are kept in state."
  }

  assert {
    condition     = length(output.global_administrator_assignment_ids) == 4
    error_message = "Each of the four accounts needs Global Administrator."
  }

  assert {
    condition     = length(setintersection(toset(output.posture.failed_check_ids), toset(var.posture.enforced_checks))) == 0
    error_message = "Posture checks the module establishes must pass: ${join(", ", output.posture.failed_check_ids)}"
  }
}
