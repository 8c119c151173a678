# Every directory role assignment, active and eligible.
data "breakglass_role_assignments" "all" {}

# Standing privileged access only: active assignments of privileged roles.
data "breakglass_role_assignments" "privileged_active" {
  privileged_only  = true
  include_eligible = false
}

# Who holds the two roles that can take over the tenant, by name or template id.
data "breakglass_role_assignments" "control_plane" {
  roles = ["Global Administrator", "e8611ab8-c189-46e8-94e1-60213ab1f814"]
}

locals {
  outside_pim = [
    for a in data.breakglass_role_assignments.privileged_active.assignments :
    "${coalesce(a.user_principal_name, a.principal_display_name, a.principal_id)}: ${a.role_name}"
    if a.outside_pim
  ]
}

# Terraform reports a failed assert as a warning in plan and apply; it does not stop the run.
check "role_assignments" {
  assert {
    condition     = data.breakglass_role_assignments.all.global_administrator_count < 5
    error_message = "${data.breakglass_role_assignments.all.global_administrator_count} principals hold Global Administrator; Microsoft recommends fewer than five."
  }

  assert {
    condition     = length(local.outside_pim) == 0
    error_message = "Privileged roles assigned outside PIM: ${join(", ", local.outside_pim)}."
  }
}

output "assignments_per_role" {
  value = data.breakglass_role_assignments.all.count_by_role
}

output "control_plane_holders" {
  value = sort(distinct([
    for a in data.breakglass_role_assignments.control_plane.assignments :
    "${a.role_name}: ${coalesce(a.user_principal_name, a.app_id, a.principal_display_name, a.principal_id)} (${a.state})"
  ]))
}
