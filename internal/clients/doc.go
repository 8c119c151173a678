// Package clients builds the authenticated Microsoft Graph and Azure Resource Manager clients every area shares,
// and holds what all of them need around those clients: endpoints and credentials, error mapping (Explain),
// replication retries, request pacing (Pace), logging, and the generic per-instance state mechanisms (AreaState,
// Once, Fresh, Newest, Handoff, KeyedMutex).
//
// It knows no feature: no resource's state, limits, permission names or Graph objects belong here. Each area under
// internal/services keeps its own (its state type through AreaState, its permissions.go), so that a change to one
// area never edits the client every other area shares (issue #15).
package clients
