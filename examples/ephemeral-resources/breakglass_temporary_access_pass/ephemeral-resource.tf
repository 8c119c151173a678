# A Temporary Access Pass for registering the emergency account's security key, handed to the
# key's custodian through a Key Vault secret. The pass is issued only in the apply that creates
# (or replaces) the request: raise tap_version to ask for a new one.
locals {
  tap_version = 1
}

resource "breakglass_temporary_access_pass_request" "key_registration" {
  user_id             = breakglass_account.example.object_id
  version             = tostring(local.tap_version)
  lifetime_in_minutes = 120
}

ephemeral "breakglass_temporary_access_pass" "key_registration" {
  user_id    = breakglass_temporary_access_pass_request.key_registration.user_id
  request_id = breakglass_temporary_access_pass_request.key_registration.id
}

resource "azurerm_key_vault_secret" "key_registration_pass" {
  name         = "breakglass-key-registration"
  key_vault_id = azurerm_key_vault.custodian.id
  # azurerm needs value or value_wo in every run, but the pass exists only in the run that issued
  # it; the placeholder is never written as long as the secret and the request are created together,
  # because azurerm sends value_wo only on create and when value_wo_version changes.
  value_wo = (ephemeral.breakglass_temporary_access_pass.key_registration.issued
    ? ephemeral.breakglass_temporary_access_pass.key_registration.value
  : "not issued in this run")
  value_wo_version = local.tap_version
}
