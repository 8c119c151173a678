// Package clientcompat holds tests that drive the simulated tenant with the client libraries the provider uses
// (azidentity/MSAL for tokens, msgraph-sdk-go/kiota for Graph), so that a change in the simulator that real
// clients would trip over fails here. It lives apart from package tenantsim to keep those large dependencies
// out of the simulator's own test binary.
package clientcompat
