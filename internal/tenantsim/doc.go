// Package tenantsim is a simulated Microsoft Entra ID tenant: ARM metadata, the Entra token service and the
// Microsoft Graph v1.0 routes the provider uses, served over real TLS from loopback with the simulator's own CA.
// The provider reaches it exactly like a private cloud, through metadata_host, so acceptance tests exercise the
// same code paths as production. Its fidelity to Graph and ARM is checked by internal/fidelity
// against Microsoft's own descriptions (the Graph v1.0 CSDL and ARM swagger fragments in internal/fidelity/spec).
//
// In-process use:
//
//	srv, err := tenantsim.Start(tenantsim.Config{})
//	info := srv.Info() // metadata_host, ca_file, tenant_id, client_id, client_secret, subscription_id
//
// Clients trust the CA through SSL_CERT_FILE=info.CAFile. Go reads the system roots once per process, so an
// in-process harness must set SSL_CERT_FILE before the process makes its first TLS connection.
//
// Out of process: go run ./internal/tenantsim/cmd/tenantsim prints the same Info as one JSON line. Test-only
// control routes (no auth) mirror the state helpers: GET /_sim/info, GET /_sim/users, GET /_sim/deletedUsers,
// PATCH /_sim/users/{id|upn} (merge, like SetUserFields), GET and PUT /_sim/knobs (Knobs as JSON),
// GET /_sim/roleAssignmentSchedules, /_sim/roleEligibilitySchedules and /_sim/roleAssignments, GET and POST
// /_sim/caPolicies (like CAPolicies and AddCAPolicy), PATCH /_sim/caPolicies/{id} (like SetCAPolicyFields) and GET
// /_sim/caPolicies/{id}/outsideWriterExclusions.
//
// # How to add a route
//
//  1. Register it. A Graph route is a row of graphRoutes, filled in init in server.go: method, path under /v1.0
//     ("{}" matches one segment, passed to the handler in params), the permissions it needs and the handler. An
//     ARM route is a row of armRoutes in arm.go, with its armKind (resource type and api-versions).
//  2. Put the handler in the area's file: graph_<area>.go for Graph (graph_users.go, graph_groups.go,
//     graph_rolemanagement.go, ...), arm_resources.go or arm_monitor.go for ARM. Helpers every area uses have
//     their own files: collections.go (lists and entities with $filter, $select and paging), expand.go ($expand),
//     odata.go (query options and entitySchema), errors.go (error answers), permissions.go, json.go,
//     timeutil.go and ids.go.
//  3. Keep its state in the area's state struct, a field of the store (store.go); handlers hold
//     directory.mu (RLock to read, Lock to write) while they touch it, so each answer is atomic.
//  4. Name the permissions in the route's row, from the API's permissions table (anyOf, or allOf where the
//     documentation says "A and B"). dispatchGraph checks them before the handler runs; a caller without them gets
//     the workload's own access-denied answer (permissions.go). ARM routes are checked against the caller's
//     built-in roles at the request path (arm_rbac.go); a filtered route checks each item itself.
//  5. Describe the entity with an entitySchema from the v1.0 CSDL. The fidelity tests check the answers
//     (TestResponsesMatchGraphSchema) and every logged request (TestRequestLogPassesFidelityCheck) against the
//     CSDL, and ARM bodies against the swagger (arm_test.go); add the new route's calls to them. ARM request
//     bodies are validated with an armSchema (arm_schema.go) reduced from the swagger definition. Graph bodies with
//     nested types are validated by caCheckObject against a table of CSDL types (caTypes; the authentication
//     methods policy adds its own in graph_authmethods_schema.go), which TestCASchemaMatchesCSDL compares with the
//     CSDL.
//  6. If the real service is eventually consistent or throttles the route, reproduce it through Knobs
//     (knobs.go): ReplicationDelay and PIMReplicationDelay for objects not yet visible, StaleReadWindow for
//     reads of an older version (keep the object in a versioned and read it through Server.replica, as Conditional
//     Access policies and authentication method configurations do), ThrottleRate and the CA* knobs for 429s. Tests turn them on; the default is a
//     well-behaved tenant.
//  7. Cite the source of every behaviour in a comment beside it: the learn.microsoft.com page, the CSDL or
//     swagger, or the issue or tool where a real tenant's answer was seen.
package tenantsim
