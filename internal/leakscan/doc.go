// Package leakscan applies examples/complete through the Terraform CLI with every log at TRACE and scans
// everything the run produced (Terraform's and the provider's logs, every command's output, the saved plan and its
// JSON, the state files, the simulated tenant's request log) for every password the tenant received, every
// Temporary Access Pass and token it issued and every client secret it issued or was shown. The expected number of hits is zero, with one documented
// exception: the generated password of breakglass_account.primary is kept, sensitive, in its `password` attribute
// in state, so exactly that value in exactly that attribute of the state files is excluded from the scan.
package leakscan
