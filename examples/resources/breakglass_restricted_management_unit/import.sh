# The administrative unit's object id. Only a restricted management unit can be imported; every current member
# becomes listed in member_user_ids or member_group_ids.
terraform import breakglass_restricted_management_unit.emergency 00000000-0000-0000-0000-0000000000aa
