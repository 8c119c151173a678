// Package conditionalaccess holds breakglass_ca_policy_exclusion: exclusions of emergency accounts from
// Conditional Access policies that someone else owns.
//
// It owns everything a provider instance does against the Conditional Access API: the limiter that paces every
// request to the tenant's budget of one per second (Requests, which breakglass_posture's reads share), the
// per-policy write locks, the shared policy list and the newest version seen of each policy (instanceState). It
// never creates or deletes policies.
package conditionalaccess
