# The import id is the sign-in rule's ARM id. The change rule (<name>-changes) and a managed action group
# (<name>-ag) are found by name; the accounts and the diagnostic setting's name come from the first line of the
# sign-in rule's query, which the provider writes.
terraform import breakglass_alert.emergency /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-security/providers/Microsoft.Insights/scheduledQueryRules/emergency-access-sign-in
