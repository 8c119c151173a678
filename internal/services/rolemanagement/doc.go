// Package rolemanagement holds the directory-role resources: breakglass_pim_permanent_assignment and the
// breakglass_role_assignments audit data source, with the tenant's role catalog both resolve roles from
// (instanceState).
//
// It owns the permission to read roles (PermRoleRead), which breakglass_privileged_applications and
// breakglass_posture use too; what it knows of a user's fitness comes from account.
package rolemanagement
