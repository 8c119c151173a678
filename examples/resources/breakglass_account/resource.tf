# A generated password: created with crypto/rand, stored (sensitive) in state, like
# random_password. Changing a keeper rotates it; read it once and put it in the safe.
resource "breakglass_account" "first" {
  display_name    = "Cloud Operations 01"
  password_length = 128

  keepers = {
    rotated = "2026-01-15"
  }

  # Certificate-based sign-in: the phishing-resistant method admin portals expect.
  certificate_user_ids = ["X509:<SKI>8c1e4a0f7b2d6e9a3c5f1b7d2e4a6c8e0f2b4d6a"]
}

# A write-only password (recommended): never in plan or state. The ephemeral resource
# generates it during apply; send it to your vault's write-only secret in the same apply.
ephemeral "breakglass_password" "second" {
  length = 128
}

resource "breakglass_account" "second" {
  display_name        = "Cloud Operations 02"
  password_wo         = ephemeral.breakglass_password.second.result
  password_wo_version = 1 # bump to set a new password

  # Purge on destroy so the user principal name can be reused at once.
  permanently_delete = true
}
