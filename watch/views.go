package watch

import (
	"slices"
	"sync"
	"time"
)

// Snapshot is a consistent view of the engine's state. It shares the
// engine's keys and notices, which are never changed once in a snapshot
// (copy-on-write): a view may keep pointers and compare them to see what
// changed. Nothing in a snapshot may be modified by its reader. The
// engine hands the same Snapshot to every view until the state changes.
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
	Warnings []Warning
	Robot    string
	// Events are the most recent reads (oldest first); EventSeq counts
	// every event so far, so a view can tell which ones it has not shown.
	Events   []ReadEvent
	EventSeq uint64
	// Push is the health of pushed events; zero when push is not used.
	Push PushStatus

	audiences map[string]*sharedAudience // notice ID → its audience, worked out once
}

// sharedAudience is a notice's audience at one version, worked out on
// first use and shared by every snapshot (and so every view) until the
// notice or one of its keys changes.
type sharedAudience struct {
	ver  uint64
	once sync.Once
	aud  Audience
}

// Audience is who notice noticeID went to, merged across its keys. Every
// view of the engine shares one merge per version of the notice: an
// answer for another notice costs this one nothing. The result must not
// be modified.
func (s *Snapshot) Audience(noticeID string) Audience {
	sa := s.audiences[noticeID]
	if sa == nil {
		return audienceOf(s.State, noticeID)
	}
	sa.once.Do(func() { sa.aud = audienceOf(s.State, noticeID) })
	return sa.aud
}

// audienceOf merges the people of notice id in st.
func audienceOf(st *State, id string) Audience {
	return AudienceOf(st.NoticeKeys(id))
}

// Snapshot is the current state, shared with other views until it changes.
func (e *Engine) Snapshot() *Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.snap != nil && e.snap.Version == e.version {
		return e.snap
	}
	st := &State{Keys: slices.Clone(e.state.Keys), Notices: slices.Clone(e.state.Notices), Calls: e.state.Calls.Clone()}
	auds := make(map[string]*sharedAudience, len(e.noticeVer))
	for id, ver := range e.noticeVer {
		if e.snap != nil {
			if old := e.snap.audiences[id]; old != nil && old.ver == ver {
				auds[id] = old
				continue
			}
		}
		auds[id] = &sharedAudience{ver: ver}
	}
	e.snap = &Snapshot{
		Version: e.version, State: st, Policy: e.opts.Policy,
		Spent: st.Calls.Spent(e.opts.Now()), Stretch: e.plan.Stretch, Blocked: e.plan.Blocked,
		NextPoll: e.plan.Next, Halted: e.halted, SaveErr: e.saveErr,
		ReadOnly: e.opts.Store != nil && e.opts.Store.ReadOnly(),
		Warnings: slices.Clone(e.warnings), Robot: e.opts.RobotCode,
		Events: slices.Clone(e.events), EventSeq: e.eventSeq, Push: e.push,
		audiences: auds,
	}
	return e.snap
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
