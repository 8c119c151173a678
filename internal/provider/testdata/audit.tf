# Added to examples/complete by TestAccProvider_everything, so that one configuration holds every resource, the
# ephemeral resource and every data source, as one provider instance serves them (issue #13: two of them once
# shared a cache and crashed the provider). These data sources depend on nothing, so Terraform may read them
# before, during or after the PIM assignments plan.

data "breakglass_role_assignments" "control_plane" {
  roles = ["Global Administrator", "Privileged Role Administrator"]
}

data "breakglass_role_assignments" "privileged_active" {
  privileged_only  = true
  include_eligible = false
}

data "breakglass_privileged_applications" "tier0" {
  max_tier = 0
}
