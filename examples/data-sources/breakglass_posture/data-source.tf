# Check the emergency access accounts against Microsoft's recommendations on every plan.
data "breakglass_posture" "this" {
  account_ids = [breakglass_account.primary.id, breakglass_account.secondary.id]

  # The policy that requires phishing-resistant MFA for the emergency accounts themselves may keep
  # applying to them (the same id as in breakglass_ca_policy_exclusion's except_policy_ids).
  allowed_policy_ids = ["d920a7ea-eade-4011-b00a-7be3e7c16c67"]

  # Microsoft asks to validate the accounts at least every 90 days (the default is 180).
  test_interval_days = 90

  # Where breakglass_alert (or your own tooling) keeps the sign-in alert rules.
  alert_resource_group_name = "rg-security"

  # Read after the role, the exclusions and the alert exist, not before them in the same apply.
  depends_on = [
    breakglass_pim_permanent_assignment.primary,
    breakglass_pim_permanent_assignment.secondary,
    breakglass_ca_policy_exclusion.emergency,
    breakglass_alert.emergency,
  ]
}

# Terraform reports a failed assert as a warning in plan and apply; it does not stop the run.
# The message lists every failing check with its detail.
check "break_glass_posture" {
  assert {
    condition = data.breakglass_posture.this.passed
    error_message = join("\n", [
      for c in data.breakglass_posture.this.checks : "${c.id}: ${c.detail}" if c.status == "fail"
    ])
  }
}

# For a pipeline that must stop: fail the job when this list is not empty.
output "posture_failed_checks" {
  value = data.breakglass_posture.this.failed_check_ids
}
