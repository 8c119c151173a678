# Bad input stops the plan before anything reaches the tenant.

variables {
  alert = {
    name                = "bg-invalid"
    workspace_id        = var.workspace_id
    resource_group_name = var.resource_group_name
    location            = "westeurope"
    email_receivers     = [{ name = "soc", email_address = "soc@contoso.com" }]
  }
}

run "one_account_is_rejected" {
  command = plan

  variables {
    account_count = 1
  }

  expect_failures = [var.account_count]
}

run "five_accounts_are_rejected" {
  command = plan

  variables {
    account_count = 5
  }

  expect_failures = [var.account_count]
}

run "names_must_match_the_count" {
  command = plan

  variables {
    display_names = ["Only One"]
  }

  expect_failures = [var.display_names]
}

run "unknown_password_mode_is_rejected" {
  command = plan

  variables {
    password_mode = "plaintext"
  }

  expect_failures = [var.password_mode]
}

run "an_alert_must_notify_someone" {
  command = plan

  variables {
    alert = {
      name                = "bg-invalid"
      workspace_id        = var.workspace_id
      resource_group_name = var.resource_group_name
      location            = "westeurope"
    }
  }

  expect_failures = [var.alert]
}
