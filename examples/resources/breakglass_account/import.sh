# An existing account can be imported by its object id ...
terraform import breakglass_account.example 00000000-0000-0000-0000-000000000000

# ... or by its user principal name.
terraform import breakglass_account.example ops01@contoso.onmicrosoft.com
