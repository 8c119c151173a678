resource "breakglass_account" "first" {
  display_name = "Cloud Operations 01"
}

# Global Administrator, permanently active, through PIM.
resource "breakglass_pim_permanent_assignment" "first" {
  principal_id = breakglass_account.first.id
  role         = "Global Administrator"
}

# The same by template id, recorded with a justification of your own.
resource "breakglass_pim_permanent_assignment" "by_id" {
  principal_id       = breakglass_account.first.id
  role_definition_id = "62e90394-69f5-4237-9190-012177145e10"
  justification      = "Emergency access, approved in CHG-1234."
}
