package watch

import (
	"sync"
	"time"
)

// Snapshot is a consistent, deep copy of the engine's state for a view.
type Snapshot struct {
	Version  uint64
	State    *State
	Policy   Policy
	Spent    int     // metered calls in the last 24 hours
	Stretch  float64 // how much the budget slows polling (1: not at all)
	Blocked  bool    // the daily budget is spent
	NextPoll time.Time
	Halted   string // why polling stopped, or ""
	SaveErr  string // the last failure to save, or ""
	ReadOnly bool
	Warnings []string
	Robot    string
	// Events are the most recent reads (oldest first); EventSeq counts
	// every event so far, so a view can tell which ones it has not shown.
	Events   []ReadEvent
	EventSeq uint64
}

// Snapshot copies the current state.
func (e *Engine) Snapshot() *Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	return &Snapshot{
		Version: e.version, State: e.state.Clone(), Policy: e.opts.Policy,
		Spent: e.state.Calls.Spent(e.opts.Now()), Stretch: e.plan.Stretch, Blocked: e.plan.Blocked,
		NextPoll: e.plan.Next, Halted: e.halted, SaveErr: e.saveErr,
		ReadOnly: e.opts.Store != nil && e.opts.Store.ReadOnly(),
		Warnings: append([]string(nil), e.warnings...), Robot: e.opts.RobotCode,
		Events: append([]ReadEvent(nil), e.events...), EventSeq: e.eventSeq,
	}
}

// Subscribe returns a channel that receives a value (coalesced) whenever
// the state changes, and a function to stop, which closes the channel so
// whoever waits on it returns.
func (e *Engine) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	e.mu.Lock()
	e.subs[ch] = struct{}{}
	e.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			e.mu.Lock()
			delete(e.subs, ch)
			close(ch)
			e.mu.Unlock()
		})
	}
}

// Subscribers is how many views are subscribed.
func (e *Engine) Subscribers() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.subs)
}
