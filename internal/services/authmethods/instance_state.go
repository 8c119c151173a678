package authmethods

import (
	"strings"
	"sync"
	"time"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

// instanceState is what one provider instance keeps for the authentication methods policy between calls
// (clients.AreaState).
type instanceState struct {
	// configLocks serializes read-modify-write per method configuration: a PATCH replaces includeTargets whole and
	// the API has no ETag, so two resources writing the same configuration in one apply must take turns.
	configLocks clients.KeyedMutex
	// superseded are the versions this instance built writes on: a configuration carries no version or modified
	// time, so a later read showing one of them again within the replication window comes from a replica that has
	// not seen the write, and nothing is built on it.
	superseded supersededVersions
	// reads hands a refresh's read of a configuration to the plan that follows it, by resource id.
	reads clients.Handoff[methodConfig]
}

func stateOf(c *clients.Client) *instanceState {
	return clients.AreaState[instanceState](c, nil)
}

// supersededVersions holds, per configuration id, fingerprints of versions a write of this instance replaced.
type supersededVersions struct {
	mu sync.Mutex
	m  map[string][]supersededVersion
}

type supersededVersion struct {
	fingerprint string
	at          time.Time
}

// add records that a write at now replaced the version with fingerprint fp.
func (s *supersededVersions) add(id, fp string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string][]supersededVersion{}
	}
	key := strings.ToLower(id)
	s.m[key] = append(s.live(key, now), supersededVersion{fp, now})
}

// has reports whether fp is a version a write of this instance replaced less than clients.ReplicationWindow ago.
func (s *supersededVersions) has(id, fp string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.live(strings.ToLower(id), now) {
		if v.fingerprint == fp {
			return true
		}
	}
	return false
}

// live is the versions of key replaced less than the replication window ago; the caller holds the lock.
func (s *supersededVersions) live(key string, now time.Time) []supersededVersion {
	var kept []supersededVersion
	for _, v := range s.m[key] {
		if now.Sub(v.at) < clients.ReplicationWindow {
			kept = append(kept, v)
		}
	}
	return kept
}
