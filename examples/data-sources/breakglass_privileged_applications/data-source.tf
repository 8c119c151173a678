# Applications and managed identities with tier-0 or tier-1 power, Microsoft's own left out.
data "breakglass_privileged_applications" "all" {}

# Tier 0 only: those that can take over the tenant, emergency accounts included.
data "breakglass_privileged_applications" "tier0" {
  max_tier = 0
}

# Those someone can sign in as right now with a secret or certificate.
data "breakglass_privileged_applications" "signable" {
  with_active_credentials_only = true
}

locals {
  # Tier-0 applications whose secrets or certificates live on, with their owners (who can add more).
  tier0_with_credentials = [
    for a in data.breakglass_privileged_applications.tier0.applications : {
      name        = a.display_name
      app_id      = a.app_id
      permissions = [for p in a.permissions : p.name]
      roles       = a.directory_roles
      owners      = [for o in a.owners : coalesce(o.user_principal_name, o.display_name, o.id)]
      expires     = [for c in a.credentials : c.end_date_time if !c.expired]
    }
    if length([for c in a.credentials : c if !c.expired]) > 0
  ]

  # Tier-0 applications another organization publishes (and can change).
  third_party_tier0 = [
    for a in data.breakglass_privileged_applications.tier0.applications :
    "${a.display_name} (${coalesce(a.publisher, a.owner_tenant_id)})"
    if a.owner_tenant_id != null && a.owner_tenant_id != data.breakglass_privileged_applications.tier0.id
  ]
}

# Terraform reports a failed assert as a warning in plan and apply; it does not stop the run.
check "privileged_applications" {
  assert {
    condition     = length(local.tier0_with_credentials) == 0
    error_message = "Tier-0 applications with live credentials: ${join(", ", [for a in local.tier0_with_credentials : a.name])}."
  }

  assert {
    condition     = length(local.third_party_tier0) == 0
    error_message = "Applications published by other tenants hold tier-0 access: ${join(", ", local.third_party_tier0)}."
  }
}

output "tier0_applications" {
  value = local.tier0_with_credentials
}

output "privileged_application_count" {
  value = length(data.breakglass_privileged_applications.all.applications)
}

output "applications_with_live_credentials" {
  value = [for a in data.breakglass_privileged_applications.signable.applications : "${a.display_name} (tier ${a.tier})"]
}
