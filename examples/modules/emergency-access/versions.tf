terraform {
  # Write-only arguments and ephemeral input variables.
  required_version = ">= 1.11"

  required_providers {
    breakglass = {
      source = "entra-breakglass/breakglass"
    }
  }
}
