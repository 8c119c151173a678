# A request is imported by <user object id>/<version>. It gets a new id, and issues no pass.
terraform import breakglass_temporary_access_pass_request.example 00000000-0000-0000-0000-000000000000/2026-01
