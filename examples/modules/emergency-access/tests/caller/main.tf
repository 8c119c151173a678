# A caller that brings its own write-only passwords, as one would to store them in a write-only sink (for example
# azurerm_key_vault_secret's value_wo) in the same apply.

terraform {
  required_providers {
    breakglass = {
      source = "entra-breakglass/breakglass"
    }
  }
}

variable "workspace_id" {
  type = string
}

variable "resource_group_name" {
  type = string
}

ephemeral "breakglass_password" "accounts" {
  count = 2
}

module "emergency_access" {
  source = "../.."

  password_mode    = "supplied"
  passwords_wo     = ephemeral.breakglass_password.accounts[*].result
  password_version = 1

  alert = {
    name                = "bg-caller"
    workspace_id        = var.workspace_id
    resource_group_name = var.resource_group_name
    location            = "westeurope"
    email_receivers     = [{ name = "soc", email_address = "soc@contoso.com" }]
    diagnostic_setting  = { name = "bg-caller-logs", categories = ["SignInLogs"] }
  }
}

output "account_ids" {
  value = module.emergency_access.account_ids
}

output "posture" {
  value = module.emergency_access.posture
}
