package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// Querier asks DingTalk for a key's read status; *dingtalk.Client is one.
type Querier interface {
	ReadStatus(ctx context.Context, robotCode, key string) (dingtalk.ReadStatus, error)
}

// ReadEvent is one recipient first seen read.
type ReadEvent struct {
	Notice string // the notice's label, or "" for a key on its own
	Key    string
	UserID string
	Name   string
	At     time.Time
	// Everyone is set on the event that completes a notice (or lone key).
	Everyone bool
}

// Options configure an Engine.
type Options struct {
	Client    Querier
	Sender    Sender // for send, remind and recall; nil: this engine only watches
	Policy    Policy
	Store     *Store           // nil: keep the state in memory only
	State     *State           // the state to start from; nil: empty
	RobotCode string           // the robot of keys added without one
	Now       func() time.Time // the clock; time.Now by default
	Workers   int              // queries at once (default 4; the client's limiter paces them)
	OnRead    func(ReadEvent)  // called, outside any lock, for each new read
	Log       *slog.Logger
}

// Engine owns the watched state: it polls DingTalk on the schedule, merges
// answers, saves, and tells subscribers that something changed. One
// Engine serves every view of the process (a terminal, SSH sessions).
type Engine struct {
	opts Options

	mu       sync.Mutex
	state    *State
	version  uint64
	forced   map[string]bool
	gens     map[string]uint64 // key → generation: a removed and re-added key is a new one
	nextGen  uint64
	halted   string // why polling stopped (wrong credentials, quota spent)
	saveErr  string
	plan     Plan
	subs     map[chan struct{}]struct{}
	wake     chan struct{}
	warnings []string
	events   []ReadEvent // the most recent, oldest first
	eventSeq uint64      // how many events there have been
	followed time.Time   // the owner's state file last loaded, when following
}

// keptEvents is how many recent read events snapshots carry.
const keptEvents = 50

// NewEngine makes an engine; call Run to start polling.
func NewEngine(opts Options) *Engine {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	opts.Policy = opts.Policy.WithDefaults()
	st := opts.State
	if st == nil {
		st = &State{}
	}
	e := &Engine{opts: opts, state: st, forced: map[string]bool{}, gens: map[string]uint64{},
		subs: map[chan struct{}]struct{}{}, wake: make(chan struct{}, 1)}
	for _, k := range st.Keys {
		e.gens[k.Key] = e.newGen()
	}
	return e
}

func (e *Engine) newGen() uint64 { e.nextGen++; return e.nextGen }

// Warn adds a message every view shows (e.g. a corrupt state file moved aside).
func (e *Engine) Warn(msg string) {
	e.mu.Lock()
	e.warnings = append(e.warnings, msg)
	e.changedLocked()
	e.mu.Unlock()
}

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

// changedLocked bumps the version and tells every subscriber.
func (e *Engine) changedLocked() {
	e.version++
	for ch := range e.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// saveLocked persists the state; a failure is kept for the views and logged.
func (e *Engine) saveLocked() {
	if e.opts.Store == nil {
		return
	}
	if err := e.opts.Store.Save(e.state); err != nil {
		e.saveErr = "could not save state: " + err.Error()
		e.opts.Log.Error("save state", "err", err)
		return
	}
	e.saveErr = ""
}

// commitLocked saves and tells the views.
func (e *Engine) commitLocked() {
	e.saveLocked()
	e.changedLocked()
}

func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// AddSpec describes keys to watch.
type AddSpec struct {
	Keys      []string
	RobotCode string    // "" for the configured robot
	Label     string    // optional
	SentAt    time.Time // zero when unknown
	Notice    string    // notice ID to join, or ""
	Round     int
}

// Add starts watching keys. Keys already watched and malformed keys are
// reported in the error; the others are still added. It returns how many
// were added.
func (e *Engine) Add(spec AddSpec) (int, error) {
	robot := strings.TrimSpace(spec.RobotCode)
	if robot == "" {
		robot = e.opts.RobotCode
	}
	if robot == "" {
		return 0, errors.New("no robot code: give one with the key or configure DINGTALK_ROBOT_CODE")
	}
	now := e.opts.Now()
	e.mu.Lock()
	var dups, bad []string
	added := 0
	for _, key := range spec.Keys {
		if err := CheckKey(key); err != nil {
			bad = append(bad, err.Error())
			continue
		}
		if e.state.Key(key) != nil {
			dups = append(dups, dingtalk.Short(key))
			continue
		}
		e.state.Keys = append(e.state.Keys, &Key{Key: key, RobotCode: robot, Label: spec.Label,
			AddedAt: now, SentAt: spec.SentAt, Notice: spec.Notice, Round: spec.Round})
		e.gens[key] = e.newGen()
		added++
	}
	var p Parcel
	if added > 0 {
		e.commitLocked()
		p.Keys = cloneKeys(e.state.Keys[len(e.state.Keys)-added:])
		if n := e.state.Notice(spec.Notice); n != nil {
			nc := *n
			p.Notices = []*Notice{&nc}
		}
	}
	e.mu.Unlock()
	if added > 0 {
		e.handOver(p)
		e.poke()
	}
	var msgs []string
	if len(dups) > 0 {
		msgs = append(msgs, "already watched: "+strings.Join(dups, ", "))
	}
	msgs = append(msgs, bad...)
	if len(msgs) > 0 {
		return added, errors.New(strings.Join(msgs, "; "))
	}
	return added, nil
}

// Remove stops watching key.
func (e *Engine) Remove(key string) bool {
	e.handOver(Parcel{Remove: []string{key}})
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.removeLocked(key) {
		return false
	}
	e.commitLocked()
	return true
}

func (e *Engine) removeLocked(key string) bool {
	for i, k := range e.state.Keys {
		if k.Key == key {
			e.state.Keys = append(e.state.Keys[:i], e.state.Keys[i+1:]...)
			delete(e.gens, key)
			delete(e.forced, key)
			e.dropEmptyNoticesLocked()
			return true
		}
	}
	return false
}

func cloneKeys(keys []*Key) []*Key {
	out := make([]*Key, len(keys))
	for i, k := range keys {
		out[i] = k.Clone()
	}
	return out
}

func (e *Engine) dropEmptyNoticesLocked() {
	kept := e.state.Notices[:0]
	for _, n := range e.state.Notices {
		if len(e.state.NoticeKeys(n.ID)) > 0 {
			kept = append(kept, n)
		}
	}
	e.state.Notices = kept
}

// Update changes a watched key with fn (a label, a send time) and saves.
func (e *Engine) Update(key string, fn func(*Key)) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := e.state.Key(key)
	if k == nil {
		return false
	}
	fn(k)
	k.Rev++
	e.commitLocked()
	e.poke()
	return true
}

// Refresh queries keys at once (all live keys when none are named),
// within the budget, and resumes polling stopped by a fatal error.
func (e *Engine) Refresh(keys ...string) {
	e.mu.Lock()
	if len(keys) == 0 {
		for _, k := range e.state.Keys {
			keys = append(keys, k.Key)
		}
	}
	for _, k := range keys {
		e.forced[k] = true
	}
	e.halted = ""
	e.changedLocked()
	e.mu.Unlock()
	e.handOver(Parcel{Refresh: keys})
	e.poke()
}

// inboxEvery is how often the owner of the state looks for keys left by
// other processes.
const inboxEvery = 2 * time.Second

// Run polls until ctx ends. When another process owns the state, it
// follows that process's state instead of polling.
func (e *Engine) Run(ctx context.Context) {
	for e.following() {
		e.follow()
		t := time.NewTimer(time.Second)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	for {
		e.takeInbox()
		next := e.PollOnce(ctx)
		wait := inboxEvery
		if !next.IsZero() {
			wait = min(max(next.Sub(e.opts.Now()), 50*time.Millisecond), inboxEvery)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-e.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

type job struct {
	key, robot string
	gen        uint64
}

// PollOnce queries every key due now and merges the answers. It returns
// when the next key falls due (zero: none will until something changes).
func (e *Engine) PollOnce(ctx context.Context) time.Time {
	now := e.opts.Now()
	e.mu.Lock()
	expired := false
	for _, k := range e.state.Keys {
		expired = k.ExpireIfPast(now) || expired
	}
	if expired {
		e.commitLocked()
	}
	if e.halted != "" {
		e.mu.Unlock()
		return time.Time{}
	}
	plan := e.opts.Policy.Plan(e.state, now, e.forced)
	e.plan = plan
	jobs := make([]job, 0, len(plan.Due))
	for _, k := range plan.Due {
		jobs = append(jobs, job{k.Key, k.RobotCode, e.gens[k.Key]})
		delete(e.forced, k.Key)
		e.state.Calls.Add(now) // counted before the call: never under-count
	}
	e.mu.Unlock()
	if len(jobs) == 0 {
		return plan.Next
	}
	e.runJobs(ctx, jobs)
	e.mu.Lock()
	e.plan = e.opts.Policy.Plan(e.state, e.opts.Now(), e.forced)
	e.commitLocked()
	next := e.plan.Next
	if e.halted != "" {
		next = time.Time{}
	}
	e.mu.Unlock()
	return next
}

// runJobs queries jobs with at most Workers at once and merges each answer.
func (e *Engine) runJobs(ctx context.Context, jobs []job) {
	sem := make(chan struct{}, e.opts.Workers)
	var wg sync.WaitGroup
	for _, j := range jobs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			rs, err := e.opts.Client.ReadStatus(ctx, j.robot, j.key)
			e.merge(j, rs, err)
		}()
	}
	wg.Wait()
}

// merge applies one answer, unless the key was removed (or removed and
// re-added) while it was asked: then the answer is stale and dropped.
func (e *Engine) merge(j job, rs dingtalk.ReadStatus, err error) {
	now := e.opts.Now()
	var events []ReadEvent
	e.mu.Lock()
	k := e.state.Key(j.key)
	if k == nil || e.gens[j.key] != j.gen {
		e.mu.Unlock()
		return
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			e.mu.Unlock()
			return
		}
		k.ApplyError(err, now)
		e.opts.Log.Warn("query failed", "key", dingtalk.Short(j.key), "err", err)
		if dingtalk.IsFatal(err) {
			e.halted = haltReason(err)
		}
	} else {
		events = e.readEventsLocked(k, k.ApplyAnswer(rs, now))
		e.events = append(e.events, events...)
		e.eventSeq += uint64(len(events))
		if len(e.events) > keptEvents {
			e.events = append([]ReadEvent(nil), e.events[len(e.events)-keptEvents:]...)
		}
	}
	e.changedLocked()
	e.mu.Unlock()
	if e.opts.OnRead != nil {
		for _, ev := range events {
			e.opts.OnRead(ev)
		}
	}
}

func haltReason(err error) string {
	var de *dingtalk.Error
	if errors.As(err, &de) {
		return fmt.Sprintf("polling stopped: %s. Press R to try again.", de.Hint)
	}
	return "polling stopped: " + err.Error()
}

// readEventsLocked turns newly read recipients of k into events, and marks
// the one that completes its notice.
func (e *Engine) readEventsLocked(k *Key, fresh []Recipient) []ReadEvent {
	if len(fresh) == 0 {
		return nil
	}
	label := k.Label
	var group []*Key
	var notice *Notice
	if k.Notice != "" {
		notice = e.state.Notice(k.Notice)
		group = e.state.NoticeKeys(k.Notice)
		if notice != nil {
			label = notice.Label
		}
	} else {
		group = []*Key{k}
	}
	events := make([]ReadEvent, 0, len(fresh))
	for _, r := range fresh {
		events = append(events, ReadEvent{Notice: label, Key: k.Key, UserID: r.UserID, Name: r.Name, At: r.FirstSeenRead})
	}
	all := true
	for _, g := range group {
		if read, total := g.Counts(); read < total || total == 0 {
			all = false
		}
	}
	if all && (notice == nil || !notice.Complete) {
		events[len(events)-1].Everyone = true
		if notice != nil {
			notice.Complete = true
		}
	}
	return events
}

// CreateNotice starts a notice named label and returns its ID; keys join
// it through AddSpec.Notice.
func (e *Engine) CreateNotice(label, text string, at time.Time) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := e.newNoticeLocked(label, text, at)
	return n.ID
}

func (e *Engine) newNoticeLocked(label, text string, at time.Time) *Notice {
	id := fmt.Sprintf("n%d-%d", at.Unix(), len(e.state.Notices)+1)
	for e.state.Notice(id) != nil {
		id += "x"
	}
	n := &Notice{ID: id, Label: label, CreatedAt: at, Rounds: []Round{{N: 0, At: at, Text: text}}}
	e.state.Notices = append(e.state.Notices, n)
	e.commitLocked()
	return n
}

// Group makes keys one notice named label (taking them out of any other
// notice) and returns its ID.
func (e *Engine) Group(keys []string, label string) (string, error) {
	label = strings.TrimSpace(label)
	if label == "" {
		return "", errors.New("a notice needs a name")
	}
	now := e.opts.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	var ks []*Key
	for _, key := range keys {
		if k := e.state.Key(key); k != nil {
			ks = append(ks, k)
		}
	}
	if len(ks) == 0 {
		return "", errors.New("no watched key to group")
	}
	n := e.newNoticeLocked(label, "", now)
	for _, k := range ks {
		k.Notice, k.Round = n.ID, 0
		k.Rev++
	}
	e.dropEmptyNoticesLocked()
	e.commitLocked()
	return n.ID, nil
}
