# {principal_id}/{role_definition_id}, for an assignment at the tenant scope ("/")
terraform import breakglass_pim_permanent_assignment.first 00000000-0000-0000-0000-000000000001/62e90394-69f5-4237-9190-012177145e10

# {principal_id}/{role_definition_id}/{directory scope without its leading slash}
terraform import breakglass_pim_permanent_assignment.unit 00000000-0000-0000-0000-000000000001/fe930be7-5e62-47db-91af-98c3a49a38b1/administrativeUnits/00000000-0000-0000-0000-0000000000aa
