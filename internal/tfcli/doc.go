// Package tfcli runs the Terraform CLI against the simulated tenant with the provider built from this checkout,
// as a user runs it: a dev_overrides CLI configuration, the ARM_* environment and SSL_CERT_FILE. The acceptance
// harness (internal/acctest) serves the provider in-process instead; the suites that need Terraform's own
// behaviour (terraform test, process kills, two applies at once, TRACE logs of both processes, request counts of
// a whole configuration) use this package.
package tfcli
