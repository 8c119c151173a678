variable "account_count" {
  description = "How many emergency access accounts to create. Microsoft recommends two or more; more than four adds Global Administrators without adding safety."
  type        = number
  default     = 2

  validation {
    condition     = var.account_count >= 2 && var.account_count <= 4 && floor(var.account_count) == var.account_count
    error_message = "account_count must be a whole number from 2 to 4: one account is a single point of failure, more than four only adds Global Administrators."
  }
}

variable "display_names" {
  description = "Display names, one per account. Defaults to \"Cloud Operations 01\" and so on. Keep them neutral: names that say admin or emergency attract attackers."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.display_names) == 0 || length(var.display_names) == var.account_count
    error_message = "display_names must be empty (use the defaults) or hold exactly account_count names."
  }
}

variable "password_mode" {
  description = "`write_only` (default): the module generates each password during apply and sends it to Entra ID; it is never kept in plan or state, and nobody sees it (reset one in an emergency). `supplied`: the same, with the caller's own passwords from `passwords_wo`, so that the same values can also go to a write-only sink such as a key vault secret. `generated`: the provider generates each password and keeps it, sensitive, in state."
  type        = string
  default     = "write_only"

  validation {
    condition     = contains(["write_only", "supplied", "generated"], var.password_mode)
    error_message = "password_mode must be \"write_only\", \"supplied\" or \"generated\"."
  }
}

variable "passwords_wo" {
  description = "With password_mode = \"supplied\": one password per account, typically `ephemeral.breakglass_password.x[*].result`. Ephemeral: never kept in plan or state."
  type        = list(string)
  default     = []
  ephemeral   = true
  sensitive   = true
}

variable "password_version" {
  description = "With password_mode = \"write_only\" or \"supplied\": increase it to send new passwords."
  type        = number
  default     = 1
}

variable "password_length" {
  description = "Length of generated passwords, 64 to 256."
  type        = number
  default     = 128

  validation {
    condition     = var.password_length >= 64 && var.password_length <= 256
    error_message = "password_length must be from 64 to 256."
  }
}

variable "rotation_keepers" {
  description = "With password_mode = \"generated\": values that rotate the passwords when changed, e.g. { rotated = \"2026-12-01\" }."
  type        = map(string)
  default     = {}
}

variable "certificate_user_ids" {
  description = "Certificate user IDs per account (by position), for phishing-resistant certificate-based sign-in, e.g. [[\"X509:<PN>bg1@contoso.onmicrosoft.com\"], []]."
  type        = list(list(string))
  default     = []

  validation {
    condition     = length(var.certificate_user_ids) <= var.account_count
    error_message = "certificate_user_ids holds one list per account: no more than account_count lists."
  }
}

variable "assignment_method" {
  description = "How Global Administrator is assigned: `pim` (a permanent active PIM assignment; needs Entra ID P2) or `direct` (a plain role assignment, outside PIM)."
  type        = string
  default     = "pim"

  validation {
    condition     = contains(["pim", "direct"], var.assignment_method)
    error_message = "assignment_method must be \"pim\" or \"direct\"."
  }
}

variable "conditional_access" {
  description = "Which Conditional Access policies exclude the accounts: `match` selects policies by what they do (all, requires_mfa, blocks_access, grant_controls), or `policy_ids` names them. `except_policy_ids` are left alone (e.g. a policy requiring phishing-resistant MFA for the accounts themselves); posture allows the accounts in them."
  type = object({
    match               = optional(string)
    policy_ids          = optional(list(string))
    except_policy_ids   = optional(list(string), [])
    include_report_only = optional(bool, true)
    include_disabled    = optional(bool, false)
  })
  default = {}

  validation {
    condition     = var.conditional_access.match == null || var.conditional_access.policy_ids == null
    error_message = "conditional_access: set match or policy_ids, not both."
  }
}

variable "alert" {
  description = "The severity-0 alert on any sign-in or change of the accounts: where its rules live, the workspace that receives Entra ID's logs, who is told. `diagnostic_setting` sends the tenant's logs to the workspace (omit it when a setting already does). `watch_conditional_access` (opt-in) also alerts on any change or deletion of a Conditional Access policy that mentions the accounts, such as one that excludes them; the authentication methods policy and the restricted management unit are watched whenever the module manages them."
  type = object({
    name                = string
    workspace_id        = string
    resource_group_name = string
    location            = string
    severity            = optional(number, 0)
    short_name          = optional(string, "bg-alert")
    email_receivers = optional(list(object({
      name          = string
      email_address = string
    })), [])
    action_group_ids = optional(list(string), [])
    diagnostic_setting = optional(object({
      name       = string
      categories = list(string)
    }))
    watch_conditional_access = optional(bool, false)
  })

  validation {
    condition     = length(var.alert.email_receivers) > 0 || length(var.alert.action_group_ids) > 0
    error_message = "alert: give at least one email_receivers entry or action_group_ids, or nobody is told when an emergency account signs in."
  }
}

variable "posture" {
  description = "The posture check after apply: `enforced_checks` fail the module's check block (warnings in plan and apply); the others are reported in the posture output. Registering FIDO2 keys and test sign-ins are people's work, so they are not enforced by default."
  type = object({
    max_global_admins  = optional(number, 4)
    test_interval_days = optional(number, 180)
    enforced_checks = optional(list(string), [
      "account_count", "enabled", "cloud_only", "initial_domain", "unlicensed", "neutral_names",
      "permanent_global_admin", "ca_excluded", "sign_in_alert", "global_admin_count",
    ])
  })
  default = {}
}

variable "phishing_resistant_methods" {
  description = "Opt-in. The authentication methods policy targets the accounts for these phishing-resistant methods: `fido2` (passkeys and security keys) and/or `x509_certificate` (certificate-based authentication, with `certificate_user_ids`). Everyone else's targets are kept. A method that is disabled tenant-wide fails the plan unless `enable_methods` is true."
  type = object({
    methods             = optional(list(string), [])
    enable_methods      = optional(bool, false)
    manage_x509_binding = optional(bool, false)
  })
  default = {}

  validation {
    condition     = alltrue([for m in var.phishing_resistant_methods.methods : contains(["fido2", "x509_certificate"], m)])
    error_message = "phishing_resistant_methods.methods may hold \"fido2\" and \"x509_certificate\" only."
  }
}

variable "temporary_access_pass" {
  description = "Opt-in. One Temporary Access Pass per account, for the custodians to register the accounts' FIDO2 keys. Issued during the apply that creates or changes `version`, never by a plain plan, never kept in plan or state; the caller's ephemeral `breakglass_temporary_access_pass` blocks receive them (see the `temporary_access_pass_request_ids` output) and pass them to a write-only sink such as a key vault secret. While it is set, the accounts are included in the tenant's Temporary Access Pass method (a disabled method fails the plan unless `enable_method` is true); set it back to null once the keys are registered, which removes the accounts from the method and any pass left on them."
  type = object({
    version             = string
    lifetime_in_minutes = optional(number, 60)
    is_usable_once      = optional(bool, true)
    enable_method       = optional(bool, false)
  })
  default = null
}

variable "restricted_management_unit" {
  description = "Opt-in. Puts the accounts in a restricted management administrative unit, so that only administrators assigned at the unit's scope can change them: tenant-wide User or Authentication Administrators, and applications with Graph permissions, no longer can. `manager_principal_id` is the object id of the identity that must keep managing the accounts (normally the one running Terraform): it gets `manager_role_id` scoped to the unit, so that rotation keeps working."
  type = object({
    display_name         = optional(string, "Cloud Operations")
    description          = optional(string)
    manager_principal_id = string
    manager_role_id      = optional(string)
  })
  default = null
}
