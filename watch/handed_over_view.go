package watch

import (
	"time"
)

// WithHandedOver returns the saved state st of the state directory dir
// as it will be once its owner (or the next dingwatch to own it) takes
// the changes waiting in dir's inbox: a copy of st with them applied, in
// the order they were handed over, so that a one-shot command that
// reads the state file (status --notice LABEL) finds a notice a send
// handed over that nobody has taken yet. st is not changed; nothing is
// saved, removed or asked. Parcels st lists as taken, unreadable
// parcels, and changes that no longer apply are skipped; so are the
// calls they count (a CallBook counts those from the inbox itself) and
// refresh requests. st nil is an empty state.
func WithHandedOver(dir string, st *State, now time.Time) *State {
	if st == nil {
		st = &State{}
	}
	parcels := storeIn(dir).Pending(st)
	if len(parcels) == 0 {
		return st
	}
	e := NewEngine(Options{State: st.Clone(), Now: func() time.Time { return now }})
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range parcels {
		for _, op := range p.Ops {
			switch op.Kind {
			case OpCalls, OpCallsBack, OpRefresh:
				continue
			}
			e.applyLocked([]Op{op}, now) // one by one: one that no longer applies does not stop the others
		}
	}
	return e.state
}

// TakeHandedOver makes what this engine holds what its owner will save:
// when it owns the state, it takes the inbox as a starting dashboard
// does (applies every change handed over, saves, and removes the parcels
// once saved); when another process owns the state, it shows them
// (ShowHandedOver) and leaves them to that one. A one-shot command that
// may become the owner (send, recall) calls it before its checks, so
// that a notice handed over to an owner that died since counts. It
// reports whether it took or showed any.
func (e *Engine) TakeHandedOver() bool {
	if e.following() {
		return e.ShowHandedOver() > 0
	}
	return e.takeInbox()
}
