terraform {
  required_version = ">= 1.11"

  required_providers {
    breakglass = {
      source = "entra-breakglass/breakglass"
    }
  }
}

# Every argument can come from the same ARM_* environment variables the azuread and
# azurerm providers read, so existing CI secrets work unchanged. With
#
#   export ARM_TENANT_ID=00000000-0000-0000-0000-000000000000
#   export ARM_CLIENT_ID=11111111-1111-1111-1111-111111111111
#   export ARM_USE_OIDC=true        # GitHub Actions: federated credential, no secret
#
# the provider block can stay empty:
provider "breakglass" {}

# The same settings written out. Prefer the environment for anything secret.
provider "breakglass" {
  alias = "explicit"

  tenant_id = "00000000-0000-0000-0000-000000000000" # ARM_TENANT_ID
  client_id = "11111111-1111-1111-1111-111111111111" # ARM_CLIENT_ID

  # One credential: use_oidc (ARM_USE_OIDC), client_certificate_path (ARM_CLIENT_CERTIFICATE_PATH),
  # client_secret (ARM_CLIENT_SECRET), use_msi (ARM_USE_MSI) or use_cli (ARM_USE_CLI).
  use_oidc = true

  # Only for alert resources (ARM_SUBSCRIPTION_ID).
  subscription_id = "22222222-2222-2222-2222-222222222222"

  # A private cloud, or the simulated tenant this project ships, is reached through its
  # ARM metadata endpoint, from which every other endpoint is discovered
  # (ARM_METADATA_HOSTNAME). Leave unset for Azure public, or set environment
  # (ARM_ENVIRONMENT) to "usgovernment" or "china".
  # metadata_host = "management.example-cloud.local"
}
