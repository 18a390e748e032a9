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
	// HeldUntil is set while DingTalk asked this host to pause (a ban, a
	// throttle's wait): no call is made before it. Zero when none.
	HeldUntil time.Time
	Halted    string // why polling stopped, or ""
	SaveErr   string // the last failure to save, or ""
	ReadOnly  bool
	Warnings  []Warning
	Robot     string
	// Events are the most recent reads (oldest first); EventSeq counts
	// every event so far, so a view can tell which ones it has not shown.
	Events   []ReadEvent
	EventSeq uint64
	// Push is the health of pushed events; zero when push is not used.
	Push PushStatus
	// Preview is set on a snapshot drawn by PeekState before the saved
	// state was all loaded; nil on every snapshot of an engine.
	Preview *Preview

	shared *snapshotShared // nil for a snapshot not made by an engine
}

// snapshotShared is what a snapshot works out once and lends to every
// view: it is used only while the snapshot's State is the one it was made
// for (a copy of a Snapshot given another State works without it).
type snapshotShared struct {
	state     *State
	audiences map[string]*sharedAudience // notice ID → its audience, worked out once
	index     sync.Once
	byNotice  map[string]*Group // notice ID → the notice and its keys, built on first use
	groups    sync.Once
	grouped   []Group         // State.Groups, on first use
	sorter    *audienceSorter // the engine's: names' collation keys kept between merges
}

// audienceSorter merges notices' audiences for the views, one at a time,
// in a collation that keeps names' keys from one merge to the next.
type audienceSorter struct {
	mu sync.Mutex
	c  *Collation
}

// audience is g's audience (Group.Audience).
func (a *audienceSorter) audience(g Group) Audience {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.c == nil {
		a.c = newCachingCollation()
	}
	return audienceOf(a.c, g.Keys, g.Batches())
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
	sh := s.shared
	if sh == nil || sh.state != s.State {
		return Group{Notice: s.State.Notice(noticeID), Keys: s.State.NoticeKeys(noticeID)}.Audience()
	}
	sa := sh.audiences[noticeID]
	if sa == nil {
		return sh.group(noticeID).Audience()
	}
	sa.once.Do(func() { sa.aud = sh.sorter.audience(sh.group(noticeID)) })
	return sa.aud
}

// Groups is State.Groups, worked out once for every view of the snapshot.
// The result must not be modified.
func (s *Snapshot) Groups() []Group {
	sh := s.shared
	if sh == nil || sh.state != s.State {
		return s.State.Groups()
	}
	sh.groups.Do(func() { sh.grouped = sh.state.Groups() })
	return sh.grouped
}

// group is notice id with its keys, from an index built once.
func (sh *snapshotShared) group(id string) Group {
	sh.index.Do(func() {
		st := sh.state
		sh.byNotice = make(map[string]*Group, len(st.Notices))
		for _, n := range st.Notices {
			if sh.byNotice[n.ID] == nil {
				sh.byNotice[n.ID] = &Group{Notice: n}
			}
		}
		for _, k := range st.Keys {
			if k.Notice == "" {
				continue
			}
			g := sh.byNotice[k.Notice]
			if g == nil {
				g = &Group{}
				sh.byNotice[k.Notice] = g
			}
			g.Keys = append(g.Keys, k)
		}
	})
	if g := sh.byNotice[id]; g != nil {
		return *g
	}
	return Group{}
}

// Snapshot is the state as last announced to the views (Subscribe),
// shared with every view until the next announcement: answers merged
// during a poll pass show at the next announcement, at most notifyEvery
// later, so that every view of a busy engine takes the same snapshot and
// shares one merge of each notice. Any other change is announced, and
// shown, at once. An engine with no view (a one-shot command) shows the
// state as it is.
func (e *Engine) Snapshot() *Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.snap != nil && (e.snap.Version == e.version || e.unannounced && len(e.subs) > 0) {
		return e.snap
	}
	return e.snapshotLocked()
}

// snapshotLocked makes the snapshot of the state as it is now.
func (e *Engine) snapshotLocked() *Snapshot {
	st := &State{Keys: slices.Clone(e.state.Keys), Notices: slices.Clone(e.state.Notices), Calls: e.state.Calls.Clone()}
	auds := make(map[string]*sharedAudience, len(e.noticeVer))
	for id, ver := range e.noticeVer {
		if e.snap != nil && e.snap.shared != nil {
			if old := e.snap.shared.audiences[id]; old != nil && old.ver == ver {
				auds[id] = old
				continue
			}
		}
		auds[id] = &sharedAudience{ver: ver}
	}
	spent := st.Calls.Spent(e.opts.Now())
	e.snap = &Snapshot{
		Version: e.version, State: st, Policy: e.opts.Policy,
		// Spent now, not only as the last plan saw it: calls another
		// process counted (a status) can spend the budget between passes.
		Spent: spent, Stretch: e.plan.Stretch, Blocked: e.plan.Blocked || e.opts.Policy.spentUp(spent),
		NextPoll: e.plan.Next, HeldUntil: e.plan.HeldUntil, Halted: e.halted, SaveErr: e.saveErrTextLocked(),
		ReadOnly: e.opts.Store != nil && e.opts.Store.ReadOnly(),
		Warnings: slices.Clone(e.warnings), Robot: e.opts.RobotCode,
		Events: slices.Clone(e.events), EventSeq: e.eventSeq, Push: e.push,
		shared: &snapshotShared{state: st, audiences: auds, sorter: &e.sorter},
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
