# Ask for one Temporary Access Pass for the emergency account, to register its security key.
# The request issues nothing itself: ephemeral.breakglass_temporary_access_pass issues the pass in
# the apply that creates the request (see that page for delivering it to the key's custodian).
# Change version to ask for a new pass.
resource "breakglass_temporary_access_pass_request" "example" {
  user_id             = breakglass_account.example.object_id
  version             = "2026-01"
  lifetime_in_minutes = 120  # within the tenant's policy (by default 60 to 480)
  is_usable_once      = true # the default
}
