# A licensed emergency account fails posture: the module's check block reports it (a warning in a real plan, a
# failure expected here). The simulated tenant licenses users named "Licensed ..." at creation, as group-based
# licensing would (internal/moduletest sets this up); against a real tenant, license the accounts the same way.

variables {
  # Terraform before 1.17 rejects an unset optional ephemeral variable in terraform test's apply phase
  # (hashicorp/terraform#38974): give it its default explicitly.
  passwords_wo = []

  display_names = ["Licensed Ops 01", "Licensed Ops 02"]
  alert = {
    name                = "bg-licensed"
    workspace_id        = var.workspace_id
    resource_group_name = var.resource_group_name
    location            = "westeurope"
    email_receivers     = [{ name = "soc", email_address = "soc@contoso.com" }]
    diagnostic_setting  = { name = "bg-licensed-logs", categories = ["SignInLogs"] }
  }
}

# The apply itself enforces no check, so that it completes and the posture output can be asserted on.
run "licensed_accounts_fail_posture" {
  variables {
    posture = { enforced_checks = [] }
  }

  assert {
    condition     = contains(output.posture.failed_check_ids, "unlicensed")
    error_message = "Posture must fail the unlicensed check for licensed accounts."
  }

  assert {
    condition     = !output.posture.passed
    error_message = "Posture must not pass with licensed accounts."
  }
}

# With everything applied, the next plan reads posture at once and the check block, enforcing the module's
# default checks again, fails it.
run "the_next_plan_reports_the_failing_check" {
  command = plan

  expect_failures = [check.posture]
}
