variable "name_prefix" {
  description = "Display name prefix. Keep it neutral: names that say admin or emergency attract attackers."
  type        = string
  default     = "Cloud Operations"
}

variable "rotation_date" {
  description = "Date of the last rotation of the generated password; change it to rotate."
  type        = string
  default     = "2026-01-15"
}

variable "password_version" {
  description = "Version of the write-only password; increase it to set a new password."
  type        = number
  default     = 1
}

variable "provider_principal_id" {
  description = "Object id (not the client id) of the service principal the provider signs in as: it manages the accounts inside the restricted management unit."
  type        = string
}

variable "key_registration_version" {
  description = "Change it to issue new Temporary Access Passes for registering the accounts' security keys."
  type        = string
  default     = "1"
}

variable "workspace_id" {
  description = "ARM id of the Log Analytics workspace that receives the sign-in and audit logs."
  type        = string
}

variable "resource_group_name" {
  description = "Existing resource group for the alert rules and the action group."
  type        = string
}

variable "location" {
  description = "Region of the alert rules, normally the workspace's."
  type        = string
  default     = "westeurope"
}

variable "alert_name" {
  description = "Prefix of the alert's object names."
  type        = string
  default     = "emergency-access"
}

variable "alert_email" {
  description = "Who is told when an emergency account signs in or changes."
  type        = string
  default     = "soc@contoso.com"
}
