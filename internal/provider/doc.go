// Package provider wires the breakglass provider together: its configuration schema, how that configuration
// becomes authenticated Graph and ARM clients, and which resources, ephemeral resources and data sources exist.
//
// It holds no resource logic and no state between calls: the resources live in internal/services/<area>, and what
// a provider instance remembers lives on the clients.Client that Configure hands them.
package provider
