// Package badinput feeds the provider configurations users get wrong and checks that validation alone, without
// Terraform or a tenant, rejects each one on the right attribute with a message that says what is wrong. It talks to
// the provider over the plugin protocol exactly as Terraform does (GetProviderSchema, then Validate*Config), so a
// validator that is written but not wired into a schema fails here too.
package badinput
