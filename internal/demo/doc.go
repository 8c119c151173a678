// Command demo is `make demo`: it starts the simulated tenant, points Terraform at the freshly built provider
// through a dev_overrides CLI configuration, applies examples/complete, shows the outputs, proves a second plan
// is empty, and destroys. Everything lives in a temporary directory; the repository stays clean.
package main
