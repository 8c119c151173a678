resource "breakglass_account" "first" {
  display_name = "Cloud Operations 01"
}

resource "breakglass_account" "second" {
  display_name = "Cloud Operations 02"
}

# Exclude both accounts from every policy that requires MFA or blocks access, whoever owns it, except the policy
# that requires phishing-resistant MFA *for* them (Microsoft's current advice).
resource "breakglass_ca_policy_exclusion" "emergency" {
  user_ids = [breakglass_account.first.id, breakglass_account.second.id]

  match               = "grant_controls"
  include_report_only = true
  except_policy_ids   = ["00000000-0000-0000-0000-0000000000cc"]
}

# Or name the policies explicitly.
resource "breakglass_ca_policy_exclusion" "listed" {
  group_ids  = ["00000000-0000-0000-0000-0000000000ee"]
  policy_ids = ["00000000-0000-0000-0000-0000000000aa", "00000000-0000-0000-0000-0000000000bb"]
}
