// Package moduletest runs the emergency-access module's own `terraform test` suite
// (examples/modules/emergency-access/tests) against the simulated tenant, with the provider built from this
// checkout. The suite itself is plain Terraform: with ARM_* credentials, TF_VAR_workspace_id and
// TF_VAR_resource_group_name it runs unchanged against a real tenant (`terraform test` in the module directory).
package moduletest
