// Package bench measures the audit data sources breakglass_role_assignments and
// breakglass_privileged_applications on the large tenant of issue 6 ("Scale"): 10,000 users, 5,000 active and 500
// eligible role assignments, 3,000 service principals and 30,000 app role assignments, behind 50 ms of latency per
// request. Each benchmark reads through the function its data source calls, with a new client per read (as a plan
// has: no cached role catalog), and reports per read:
//
//   - graph-requests: Graph requests the simulated tenant served (a $batch counts once; token requests are not
//     Graph requests), and budget-requests, the ceiling: pages at the maximum page size plus $batch
//     requests of 20;
//   - wall-s: wall time;
//   - heap-growth-MB: peak Go heap in use during the read minus the heap before it, and rss-hwm-MB: the process's
//     peak resident set (VmHWM).
//
// The simulated tenant runs as its own process (the tenantsim command, built once per run, with --large-tenant,
// --latency and --request-log), so that the memory figures are the provider's alone: the large tenant by itself
// holds about 135 MB, which an in-process tenant would add to every figure.
//
// A benchmark fails when a read misses a target: requests above the budget, 10 s of wall time, 200 MB of RSS.
// Run with make bench (go test -run '^$' -bench . -benchtime 1x): the process must trust the benchmark tenant's CA
// before its first TLS handshake, so no test may run first in the same process.
package bench
