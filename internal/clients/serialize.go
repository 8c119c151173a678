package clients

import "sync"

// KeyedMutex serializes work per key across every resource of one provider instance: where an API has no ETags
// (Conditional Access), two read-modify-writes of the same object in one apply cannot detect each other and must
// take turns.
type KeyedMutex struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// Lock blocks until key is free and returns the function that frees it.
func (k *KeyedMutex) Lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*sync.Mutex{}
	}
	l, ok := k.locks[key]
	if !ok {
		l = &sync.Mutex{}
		k.locks[key] = l
	}
	k.mu.Unlock()
	l.Lock()
	return l.Unlock
}
