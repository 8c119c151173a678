# Write-only mode with the caller's own ephemeral passwords: nothing of them reaches plan, state or outputs.

run "callers_passwords" {
  module {
    source = "./tests/caller"
  }

  variables {
    workspace_id        = var.workspace_id
    resource_group_name = var.resource_group_name
  }

  assert {
    condition     = length(output.account_ids) == 2
    error_message = "Both accounts must be created with the caller's passwords."
  }

  assert {
    condition     = !contains(output.posture.failed_check_ids, "enabled") && !contains(output.posture.failed_check_ids, "permanent_global_admin")
    error_message = "The accounts must be enabled Global Administrators: ${join(", ", output.posture.failed_check_ids)}"
  }
}
