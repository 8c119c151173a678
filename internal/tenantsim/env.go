package tenantsim

import "sort"

// Env is the environment that points the provider, and the Terraform running it, at the tenant the way a user
// would: the ARM_* variables, and SSL_CERT_FILE so that the tenant's CA is trusted. The harness, the demo and the
// Terraform workspaces of the tests all take it from here, so that a new setting reaches every one of them.
func (i Info) Env() map[string]string {
	return map[string]string{
		"SSL_CERT_FILE":         i.CAFile,
		"ARM_METADATA_HOSTNAME": i.MetadataHost,
		"ARM_TENANT_ID":         i.TenantID,
		"ARM_CLIENT_ID":         i.ClientID,
		"ARM_CLIENT_SECRET":     i.ClientSecret,
		"ARM_SUBSCRIPTION_ID":   i.SubscriptionID,
		"ARM_USE_CLI":           "false",
	}
}

// Environ is Env as KEY=VALUE strings, sorted, for exec.Cmd.Env.
func (i Info) Environ() []string {
	var kv []string
	for k, v := range i.Env() {
		kv = append(kv, k+"="+v)
	}
	sort.Strings(kv)
	return kv
}
