# Every resource, the ephemeral resource and every data source of the provider in one configuration, as one
# provider instance serves them (issue #13: two of them once shared a cache and crashed the provider). The audit
# data sources depend on nothing, so Terraform may read them before, during or after the PIM assignments plan.

variable "prefix" {
  type = string
}

variable "resource_group_name" {
  type = string
}

variable "location" {
  type = string
}

variable "workspace_id" {
  type = string
}

resource "breakglass_account" "primary" {
  display_name  = "Cloud Ops ${var.prefix} one"
  mail_nickname = "${var.prefix}1"
}

ephemeral "breakglass_password" "secondary" {
  length = 96
}

resource "breakglass_account" "secondary" {
  display_name        = "Cloud Ops ${var.prefix} two"
  mail_nickname       = "${var.prefix}2"
  password_wo         = ephemeral.breakglass_password.secondary.result
  password_wo_version = 1
}

resource "breakglass_pim_permanent_assignment" "primary" {
  principal_id = breakglass_account.primary.id
  role         = "Global Administrator"
}

resource "breakglass_pim_permanent_assignment" "secondary" {
  principal_id       = breakglass_account.secondary.id
  role_definition_id = "62e90394-69f5-4237-9190-012177145e10"
}

resource "breakglass_ca_policy_exclusion" "emergency" {
  user_ids = [breakglass_account.primary.id, breakglass_account.secondary.id]
  match    = "grant_controls"
}

resource "breakglass_alert" "emergency" {
  name                = "${var.prefix}-sign-in"
  resource_group_name = var.resource_group_name
  location            = var.location
  workspace_id        = var.workspace_id

  accounts = [
    for a in [breakglass_account.primary, breakglass_account.secondary] :
    { object_id = a.id, user_principal_name = a.user_principal_name }
  ]

  diagnostic_setting = {
    name       = "${var.prefix}-entra-logs"
    categories = ["SignInLogs", "NonInteractiveUserSignInLogs"]
  }

  action_group = {
    short_name      = "bg-soc"
    email_receivers = [{ name = "soc", email_address = "soc@contoso.com" }]
  }
}

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

data "breakglass_posture" "emergency" {
  account_ids               = [breakglass_account.primary.id, breakglass_account.secondary.id]
  alert_resource_group_name = var.resource_group_name

  depends_on = [
    breakglass_pim_permanent_assignment.primary,
    breakglass_pim_permanent_assignment.secondary,
    breakglass_ca_policy_exclusion.emergency,
    breakglass_alert.emergency,
  ]
}
