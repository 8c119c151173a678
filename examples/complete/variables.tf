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
