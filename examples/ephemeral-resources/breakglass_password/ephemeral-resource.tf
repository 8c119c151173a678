# A password that meets Entra ID's complexity rules (all four character classes), generated
# with crypto/rand during each plan and apply and never written to plan or state. Use it
# only in write-only arguments and other ephemeral contexts.
ephemeral "breakglass_password" "example" {
  length = 128 # 64 to 256, default 128
}

resource "breakglass_account" "example" {
  display_name        = "Cloud Operations 03"
  password_wo         = ephemeral.breakglass_password.example.result
  password_wo_version = 1
}
