// Package chaos holds the provider's chaos suite (its tests are the whole package): examples/complete and
// breakglass_ca_policy_exclusion applied through the Terraform CLI (internal/tfcli) against a simulated tenant
// (internal/tenantsim) that misbehaves. Every cell skips unless TF_ACC is set.
//
// The short set runs in `make test` (TF_ACC=1); the long set also needs BREAKGLASS_CHAOS=full (`make chaos`):
//
//	cell                                         set    what must hold
//	TestChaosMixedFaults                         short  20% of Graph/ARM requests fail (429, 503, reset mixed):
//	TestChaosFaults/{throttle_429,unavailable_503,       apply succeeds at once, the next plan is empty, the
//	  reset,mixed_seed2}                         long   tenant holds exactly the example's objects, destroy
//	                                                    leaves only the soft-deleted accounts
//	TestChaosReplicationDelay30s                 short  new objects invisible for 30 s: one apply succeeds
//	TestChaosReplicationDelay/{90s,30s_pim_90s}  long   within the default timeouts, no rerun
//	TestChaosFailAfterWrite                      short  one write of a create fails, instead of executing or
//	TestChaosFailWrites/<write>/{instead,        long   after executing (lost answer): the next apply completes,
//	  after_execute}                                    the inventory is exact, destroy leaves nothing
//	TestChaosConcurrentExclusions                short  two terraform apply processes exclude their own users
//	TestChaosConcurrentExclusionsRepeated        long   from the same policies while another team's script
//	                                                    writes too: every principal and every foreign exclusion
//	                                                    is there at the end
//	TestChaosEveryBehaviour                      short  every behaviour of Entra at once (replicas lagging each
//	TestChaosEveryBehaviourTenRuns               long   write 8 s for half the reads, CA's one request/s with
//	TestChaosProductionProfile                   long   reads counted and no Retry-After, PIM's minimum active
//	                                                    time, privileged targets; the production profile at
//	                                                    Entra's magnitudes) while another team's script adds
//	                                                    exclusions every 1.5 s: no second account, nothing
//	                                                    dropped from state, no create planned right after
//	                                                    apply, an empty plan after the window, every exclusion
//	                                                    (ours, theirs, the seed's) where it belongs
//	TestChaosKill/after_<n>_writes               long   SIGKILL of terraform apply; recovery below; then the
//	                                                    apply converges, the inventory is exact, destroy is clean
//
// # After a killed apply
//
// When terraform apply is killed (SIGKILL, an OOM kill, a CI job cancelled without grace, a lost machine), the
// tenant may hold objects that state does not: Terraform writes state after each resource completes, so whatever
// a resource was creating when the process died, and everything when it died before its first state write, is
// unknown to state. The local backend's lock is an OS lock released with the process: the
// .terraform.tfstate.lock.info file left behind does not block the next run (-lock=false is not needed; a remote
// backend's lock may need `terraform force-unlock <id>`). Before applying again:
//
//  1. List what state holds: terraform state list.
//  2. breakglass_account missing from state: look for a user with the configured display_name (Entra admin
//     center > Users, or GET /users?$filter=displayName eq '...'). If there is one, import it by object id or UPN:
//     terraform import breakglass_account.<name> <object id>. Otherwise the next apply would create a second
//     account under another generated name and leave the first one behind. An imported account gets a new
//     password on the next apply (the generated one was never saved; a write-only one is sent again).
//  3. breakglass_pim_permanent_assignment missing: if the account already holds the role (PIM > Assignments >
//     Active), import it: terraform import breakglass_pim_permanent_assignment.<name> <principal id>/<role
//     definition id> (Global Administrator is 62e90394-69f5-4237-9190-012177145e10). Otherwise the next apply
//     fails with "already holds" and prints the same import command.
//  4. breakglass_alert missing: if its sign-in rule exists, import the alert by that rule's ARM id:
//     terraform import breakglass_alert.<name> /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Insights/scheduledQueryRules/<name>.
//     The import finds the change rule, the managed action group (<name>-ag) and the diagnostic setting from it.
//     If the sign-in rule does not exist but the diagnostic setting or the action group does (the kill came
//     between those writes), delete them (az monitor diagnostic-settings delete / az monitor action-group
//     delete, or the portal): an alert cannot be imported without its sign-in rule, and the next apply refuses
//     to take over objects it did not record.
//  5. breakglass_ca_policy_exclusion needs nothing: adding exclusions that are already there is a no-op.
//  6. terraform apply.
//
// A failed write, unlike a kill, needs none of this: every resource records what may exist before it writes
// (the alert each object's id, the account its object id, the assignment its id), and the account adopts a user
// its create made although the answer was lost (by the UPN it sent).
package chaos
