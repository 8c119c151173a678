# The object id (not the client id) of the service principal the provider signs in as: it must keep rotating the
# accounts' passwords inside the unit.
variable "provider_service_principal_object_id" {
  type = string
}

resource "breakglass_account" "first" {
  display_name = "Cloud Operations 01"
}

resource "breakglass_account" "second" {
  display_name = "Cloud Operations 02"
}

# Once the accounts are in the unit, no tenant-wide administrator and no application permission can change them;
# only the manager, which gets Privileged Authentication Administrator scoped to the unit before they join.
resource "breakglass_restricted_management_unit" "emergency" {
  display_name         = "Emergency access"
  description          = "Break glass accounts: changes only through Terraform."
  member_user_ids      = [breakglass_account.first.id, breakglass_account.second.id]
  manager_principal_id = var.provider_service_principal_object_id
}
