resource "breakglass_account" "first" {
  display_name = "Cloud Operations 01"
}

resource "breakglass_account" "second" {
  display_name = "Cloud Operations 02"
}

# Let both accounts sign in with a passkey (FIDO2 security key). Every other team's include targets, and every
# exclude target, stay as they are.
resource "breakglass_authentication_method_targets" "passkeys" {
  method   = "fido2"
  user_ids = [breakglass_account.first.id, breakglass_account.second.id]
}

# Or certificate-based authentication for a group holding the accounts. The method is disabled in many tenants:
# enable_method = true turns it on (for every include target of the configuration). manage_x509_binding adds a
# username binding to certificateUserIds when the tenant has none; that certificates count as MFA is checked,
# never changed.
resource "breakglass_authentication_method_targets" "certificates" {
  method              = "x509_certificate"
  group_id            = "00000000-0000-0000-0000-0000000000ee"
  enable_method       = true
  manage_x509_binding = true
}
