package stream

import "sync"

// recent remembers the last n event ids, so a redelivered event is handed
// on once. Memory is bounded: the oldest id is forgotten first. It is safe
// for concurrent use (two connections overlap during a handover).
type recent struct {
	mu   sync.Mutex
	ids  map[string]struct{}
	ring []string
	next int
}

func newRecent(n int) *recent {
	return &recent{ids: make(map[string]struct{}, n), ring: make([]string, n)}
}

// first reports whether id has not been seen among the remembered ids, and
// remembers it. An empty id is always first: it cannot be told apart.
func (r *recent) first(id string) bool {
	if id == "" {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, seen := r.ids[id]; seen {
		return false
	}
	if old := r.ring[r.next]; old != "" {
		delete(r.ids, old)
	}
	r.ring[r.next] = id
	r.ids[id] = struct{}{}
	r.next = (r.next + 1) % len(r.ring)
	return true
}
