# Two emergency access accounts, one with each password mode. `make demo` applies this
# against the simulated tenant; the same configuration works against a real tenant.
#
# What the provider's identity needs in a real tenant, beyond the Microsoft Graph application permissions each
# resource's page lists: the directory roles Privileged Role Administrator (only it, or Global Administrator, may
# add or remove members of the restricted management unit below, or delete it) and Privileged Authentication
# Administrator (the accounts hold Global Administrator: only it may issue or delete their Temporary Access
# Pass), both assigned at tenant scope. Set provider_principal_id to the object id of its service principal.

terraform {
  required_version = ">= 1.11"

  required_providers {
    breakglass = {
      source = "entra-breakglass/breakglass"
    }
  }
}

# Everything comes from the environment (ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET or
# another credential, ARM_METADATA_HOSTNAME for a private cloud or the simulated tenant).
provider "breakglass" {}

# Generated password, kept (sensitive) in state. Changing rotation_date rotates it.
resource "breakglass_account" "primary" {
  display_name = "${var.name_prefix} 01"

  keepers = {
    rotation_date = var.rotation_date
  }
}

# Write-only password: generated during apply and sent to Entra ID, never stored in plan
# or state. Bump password_version to set a new one.
ephemeral "breakglass_password" "secondary" {
  length = 128
}

resource "breakglass_account" "secondary" {
  display_name        = "${var.name_prefix} 02"
  password_wo         = ephemeral.breakglass_password.secondary.result
  password_wo_version = var.password_version
}

# Both accounts hold Global Administrator permanently active, through PIM: in an emergency there is nobody to
# activate an eligible assignment.
resource "breakglass_pim_permanent_assignment" "primary" {
  principal_id = breakglass_account.primary.id
  role         = "Global Administrator"
}

resource "breakglass_pim_permanent_assignment" "secondary" {
  principal_id = breakglass_account.secondary.id
  role         = "Global Administrator"
}

# Keep both accounts out of every policy that could lock them out, whoever owns the policy.
resource "breakglass_ca_policy_exclusion" "emergency" {
  user_ids = [breakglass_account.primary.id, breakglass_account.secondary.id]
  match    = "grant_controls"
}

# Let both accounts sign in with a passkey (FIDO2 security key); every other team's targets stay.
resource "breakglass_authentication_method_targets" "passkeys" {
  method   = "fido2"
  user_ids = [breakglass_account.primary.id, breakglass_account.secondary.id]
}

# Once the accounts are members, no tenant-wide administrator and no application permission can change or delete
# them; only the manager, the provider's own service principal, which gets Privileged Authentication
# Administrator scoped to the unit before they join, so that it can still rotate their passwords.
resource "breakglass_restricted_management_unit" "emergency" {
  display_name         = "${var.name_prefix} protection"
  description          = "Emergency access accounts: changes only through Terraform."
  member_user_ids      = [breakglass_account.primary.id, breakglass_account.secondary.id]
  manager_principal_id = var.provider_principal_id
}

# A Temporary Access Pass per account, with which the custodian of its security key registers the key; the
# method must target the accounts first. Once the keys are registered, remove the requests (destroy deletes an
# unused pass) and this target: the phishing_resistant_only posture check fails while a pass is left, and a
# method that can issue one is one more way in.
resource "breakglass_authentication_method_targets" "key_registration" {
  method   = "temporary_access_pass"
  user_ids = [breakglass_account.primary.id, breakglass_account.secondary.id]
}

resource "breakglass_temporary_access_pass_request" "primary" {
  user_id             = breakglass_account.primary.id
  version             = var.key_registration_version
  lifetime_in_minutes = 120

  depends_on = [breakglass_authentication_method_targets.key_registration]
}

resource "breakglass_temporary_access_pass_request" "secondary" {
  user_id             = breakglass_account.secondary.id
  version             = var.key_registration_version
  lifetime_in_minutes = 120

  depends_on = [breakglass_authentication_method_targets.key_registration]
}

# Each pass is issued once, in the apply that creates its request; later runs get issued = false and no value. A
# root module cannot output an ephemeral value: hand it to a write-only argument, such as the value_wo of an
# azurerm_key_vault_secret the key's custodian reads (see the breakglass_temporary_access_pass page).
ephemeral "breakglass_temporary_access_pass" "primary" {
  user_id    = breakglass_temporary_access_pass_request.primary.user_id
  request_id = breakglass_temporary_access_pass_request.primary.id
}

ephemeral "breakglass_temporary_access_pass" "secondary" {
  user_id    = breakglass_temporary_access_pass_request.secondary.user_id
  request_id = breakglass_temporary_access_pass_request.secondary.id
}

# A severity-0 alert within five minutes of any sign-in or change of either account.
resource "breakglass_alert" "emergency" {
  name                = "${var.alert_name}-sign-in"
  resource_group_name = var.resource_group_name
  location            = var.location
  workspace_id        = var.workspace_id

  accounts = [
    for a in [breakglass_account.primary, breakglass_account.secondary] :
    { object_id = a.id, user_principal_name = a.user_principal_name }
  ]

  # AuditLogs already reach this workspace through the security team's own setting, and Azure Monitor
  # allows one setting per category and workspace: this one adds the sign-in logs.
  diagnostic_setting = {
    name       = "${var.alert_name}-entra-logs"
    categories = ["SignInLogs", "NonInteractiveUserSignInLogs"]
  }

  action_group = {
    short_name      = "bg-soc"
    email_receivers = [{ name = "soc", email_address = var.alert_email }]
  }
}

# Check both accounts against Microsoft's recommendations on every plan, once the role, the exclusions
# and the alert above exist.
data "breakglass_posture" "emergency" {
  account_ids               = [breakglass_account.primary.id, breakglass_account.secondary.id]
  alert_resource_group_name = var.resource_group_name

  depends_on = [
    breakglass_pim_permanent_assignment.primary,
    breakglass_pim_permanent_assignment.secondary,
    breakglass_ca_policy_exclusion.emergency,
    breakglass_alert.emergency,
    breakglass_restricted_management_unit.emergency,
  ]
}

locals {
  # What this configuration establishes by itself. Registering a FIDO2 key and test-signing in to each account
  # are people's work: the posture reports them (output posture_failed_checks) without failing this check, as it
  # reports the Temporary Access Passes left for the key registration.
  posture_checks_established = [
    "account_count", "enabled", "cloud_only", "initial_domain", "unlicensed", "neutral_names",
    "permanent_global_admin", "ca_excluded", "sign_in_alert", "global_admin_count", "restricted_management",
  ]
}

# A failed assert is reported as a warning in plan and apply.
check "break_glass_posture" {
  assert {
    condition = length(setintersection(
      toset(data.breakglass_posture.emergency.failed_check_ids), toset(local.posture_checks_established)
    )) == 0
    error_message = join("\n", [
      for c in data.breakglass_posture.emergency.checks : "${c.id}: ${c.detail}"
      if c.status == "fail" && contains(local.posture_checks_established, c.id)
    ])
  }
}
