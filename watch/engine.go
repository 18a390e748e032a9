package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
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
	// Everyone is set on the event that completes a notice (or lone key):
	// everyone DingTalk delivered it to has read it, and no failed batch
	// or one whose outcome is unknown leaves people out.
	Everyone bool
	// NotDelivered, with Everyone, counts the people DingTalk did not
	// deliver the notice to (an invalid userId): they never can read it.
	NotDelivered int
}

// Sleep waits on the engine's clock until d has passed, wake receives
// (woken is then true) or ctx ends. wake may be nil.
type Sleep func(ctx context.Context, d time.Duration, wake <-chan struct{}) (woken bool)

// Options configure an Engine.
type Options struct {
	Client    Querier
	Sender    Sender // for send, remind and recall; nil: this engine only watches
	Policy    Policy
	Store     *Store           // nil: keep the state in memory only
	State     *State           // the state to start from; nil: empty
	RobotCode string           // the robot of keys added without one
	Now       func() time.Time // the clock; time.Now by default
	// Sleep waits on the same clock as Now (a real timer by default); a
	// simulation gives a virtual one, so that what it measures is Run's
	// own schedule.
	Sleep   Sleep
	Workers int             // queries at once (default 4; the client's limiter paces them)
	OnRead  func(ReadEvent) // called, outside any lock, for each new read
	Log     *slog.Logger
}

// Engine owns the watched state: it polls DingTalk on the schedule, merges
// answers, saves, and tells subscribers that something changed. One
// Engine serves every view of the process (a terminal, SSH sessions).
//
// Every change to the state is an Op applied by apply (see ops.go), or an
// answer from DingTalk merged by merge; keys and notices are
// copy-on-write (see cow.go).
type Engine struct {
	opts Options

	mu        sync.Mutex
	state     *State
	pos       map[string]int    // key → index in state.Keys
	npos      map[string]int    // notice ID → index in state.Notices
	noticeVer map[string]uint64 // notice ID → changes when it or one of its keys changes
	nseq      uint64
	version   uint64 // changes whenever anything a view shows changes
	dataVer   uint64 // changes whenever anything saved changes
	forced    map[string]bool
	gens      map[string]uint64 // key → generation: a removed and re-added key is a new one
	nextGen   uint64
	halted    string // why polling stopped (wrong credentials, quota spent)
	saveErr   string
	// pollWaits: a poll pass asked nothing because its calls could not
	// be saved (pass_counted.go); the next successful save clears it.
	pollWaits bool
	plan      Plan
	subs      map[chan struct{}]struct{}
	wake      chan struct{}
	warnings  []Warning
	events    []ReadEvent // the most recent, oldest first
	eventSeq  uint64      // how many events there have been
	followed  time.Time   // the owner's state file last loaded, when following
	buckets   map[string]*bucket
	snap      *Snapshot      // the last snapshot, shared while version is the same
	sorter    audienceSorter // merges the views' audiences (Snapshot.Audience)
	push      PushStatus     // the Stream connection's health (push.go)
	// announced is when subscribers were last told of a change;
	// unannounced says answers merged since then (see answeredLocked).
	announced   time.Time
	unannounced bool
	hold        holds     // pauses DingTalk asked for (hold.go)
	throttles   int       // throttle answers since the last good one, a pass counting once (throttle.go)
	throttledAt time.Time // the last throttle answer

	saver saver
	// changing is held (read) by every change in progress, from applying
	// it to saving it or handing it over; Flush takes it to wait for them.
	changing sync.RWMutex
	run      runner // the Run goroutine Start started, for Stop
	// beforeLetGo, when set (by a test), is called by Stop between the
	// owner's last save and its letting go of the state: the moment a
	// parcel handed over is taken by nobody but Stop's settle.
	beforeLetGo func()
}

// runner is the Run goroutine Start started.
type runner struct {
	mu     sync.Mutex
	cancel context.CancelFunc // ends its Run; nil when not started
	done   chan struct{}      // closed when its Run has returned
}

// keptEvents is how many recent read events snapshots carry.
const keptEvents = 50

// NewEngine makes an engine; call Run to start polling.
func NewEngine(opts Options) *Engine {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = realSleep
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
		noticeVer: map[string]uint64{}, buckets: map[string]*bucket{},
		subs: map[chan struct{}]struct{}{}, wake: make(chan struct{}, 1)}
	e.saver.idle = sync.NewCond(&e.saver.mu)
	e.adoptLocked(st)
	return e
}

func realSleep(ctx context.Context, d time.Duration, wake <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-wake:
		return true
	case <-t.C:
		return false
	}
}

func (e *Engine) newGen() uint64 { e.nextGen++; return e.nextGen }

// Warn adds a message every view shows (e.g. a corrupt state file moved aside).
func (e *Engine) Warn(w Warning) { e.warn(w) }

func (e *Engine) warn(w Warning) {
	e.mu.Lock()
	e.warnings = append(e.warnings, w)
	e.changedLocked()
	e.mu.Unlock()
}

// changedLocked bumps the version and tells every subscriber.
func (e *Engine) changedLocked() {
	e.version++
	e.notifyLocked()
}

// notifyEvery is how often, at most, answers merged during a poll pass
// are announced to the views: each announcement makes every view (each
// SSH session) take a snapshot and rebuild its list, and a pass of 1,000
// keys merges hundreds of answers a second. A read waits at most this
// long to show; the end of a pass and every other change are announced
// at once.
const notifyEvery = 250 * time.Millisecond

// answeredLocked is changedLocked for an answer merged during a pass.
func (e *Engine) answeredLocked(now time.Time) {
	e.dataVer++
	e.version++
	e.unannounced = true
	if now.Sub(e.announced) >= notifyEvery || now.Before(e.announced) {
		e.notifyLocked()
	}
}

// notifyLocked tells every subscriber that the state changed.
func (e *Engine) notifyLocked() {
	e.unannounced = false
	e.announced = e.opts.Now()
	if len(e.subs) > 0 {
		e.snapshotLocked() // what every view takes until the next announcement
	}
	for ch := range e.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// dataChangedLocked is changedLocked for a change that must be saved.
func (e *Engine) dataChangedLocked() {
	e.dataVer++
	e.changedLocked()
}

func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Idle waits of Run, see README "Polling and the quota".
const (
	// inboxEvery is how often the owner of the state looks (one stat) for
	// changes left by other processes, and a follower for a new state file.
	inboxEvery = 2 * time.Second
	// replanEvery bounds how long the engine trusts a plan: the budget's
	// stretch eases as calls age out of the 24 hours.
	replanEvery = time.Minute
	// pollGap is the least time between two polls (unless something wakes
	// the engine): keys that fall due within it are asked together, so
	// that a thousand keys due at scattered moments make a few passes a
	// second, not a thousand.
	pollGap = time.Second
)

// Run polls until ctx ends. When another process owns the state, it
// follows that process's state instead of polling. With nothing due it
// sleeps until the next key falls due, something changes (an edit, a
// refresh) or replanEvery passes; the owner also looks at its inbox
// directory every inboxEvery, which costs one stat.
func (e *Engine) Run(ctx context.Context) {
	for e.following() {
		if e.takeOver() {
			break // the owner quit: this engine polls and saves from now on
		}
		e.follow()
		if e.opts.Sleep(ctx, inboxEvery, nil); ctx.Err() != nil {
			return
		}
	}
	var next, planned time.Time
	replan := true
	for {
		if e.takeInbox() {
			replan = true
		}
		now := e.opts.Now()
		if replan || (!next.IsZero() && !now.Before(next)) || now.Sub(planned) >= replanEvery || now.Before(planned) {
			next, planned = e.PollOnce(ctx), now
		}
		wait := replanEvery - now.Sub(planned)
		if !next.IsZero() {
			wait = min(wait, next.Sub(now))
		}
		if e.opts.Store != nil {
			wait = min(wait, inboxEvery)
		}
		replan = e.opts.Sleep(ctx, max(wait, pollGap), e.wake)
		if ctx.Err() != nil {
			return
		}
	}
}

type job struct {
	key, robot string
	gen        uint64
	at         time.Time // when the call was counted in the ledger
	forced     bool      // a refresh asked for it (given back if the pass is not made)
}

// PollOnce queries every key due now and merges the answers. It returns
// when the next key falls due (zero: none will until something changes).
//
// The owner plans the pass under the call ledger's lock (lockCalls),
// after taking the calls other processes counted in its inbox, and
// writes the calls it is about to make to the state file before letting
// go of it: a one-shot command reserving calls meanwhile sees them, and
// a crash cannot make them free. When the lock cannot be had (another
// dingwatch holds it for callsLockWait, or it is not a lock file) nobody
// is asked, a WarnCallsLock warning says why, and it tries again after
// inboxEvery. When the pass's calls cannot be saved nobody is asked
// either (pass_counted.go).
func (e *Engine) PollOnce(ctx context.Context) time.Time {
	unlock, err := e.lockCalls(ctx, callsLockWait)
	e.lockAnswer(ctx, err, true)
	if err != nil {
		e.opts.Log.Warn("poll pass put off", "err", err)
		return e.opts.Now().Add(inboxEvery)
	}
	jobs, next, ok := e.reservePass()
	unlock()
	if !ok {
		return next
	}
	e.runJobs(ctx, jobs)
	e.mu.Lock()
	e.plan = e.planLocked(e.opts.Now())
	e.changedLocked()
	next = e.plan.Next
	if e.halted != "" {
		next = time.Time{}
	}
	e.mu.Unlock()
	e.save()
	return next
}

// lockCalls takes the call ledger's lock of the engine's state, waiting
// at most wait; an engine without a store (or following) needs none.
func (e *Engine) lockCalls(ctx context.Context, wait time.Duration) (unlock func(), err error) {
	if e.opts.Store == nil || e.following() {
		return func() {}, nil
	}
	return lockCalls(ctx, filepath.Dir(e.opts.Store.Path()), wait, nil)
}

// reservePass plans a pass and counts its calls in the ledger, saved
// before it returns; the caller holds the call ledger's lock. ok is false
// when nothing is to be asked: next is then when a key falls due.
func (e *Engine) reservePass() (jobs []job, next time.Time, ok bool) {
	e.takeInboxLocked() // the calls one-shot commands counted, before planning
	now := e.opts.Now()
	e.mu.Lock()
	expired := false
	for _, k := range e.state.Keys {
		if probe := *k; probe.ExpireIfPast(now) { // a shallow copy asks; the key is never changed
			c := k.Clone()
			c.ExpireIfPast(now)
			e.putKeyLocked(c)
			expired = true
		}
	}
	if expired {
		e.dataChangedLocked()
	}
	if e.halted != "" {
		e.mu.Unlock()
		if expired {
			e.save()
		}
		return nil, time.Time{}, false
	}
	plan := e.planLocked(now)
	e.plan = plan
	jobs = make([]job, 0, len(plan.Due))
	for _, k := range plan.Due {
		jobs = append(jobs, job{k.Key, k.RobotCode, e.gens[k.Key], now, e.forced[k.Key]})
		delete(e.forced, k.Key)
		e.state.Calls.Add(now) // counted before the call: never under-count
	}
	if len(jobs) > 0 {
		e.dataChangedLocked()
	}
	e.mu.Unlock()
	if len(jobs) == 0 {
		if expired {
			e.save()
		}
		return nil, plan.Next, false
	}
	if !e.savedNow() { // the calls about to be made must be in the ledger on disk
		e.giveBack(jobs)
		return nil, e.opts.Now().Add(inboxEvery), false
	}
	return jobs, time.Time{}, true
}

// runJobs queries jobs with at most Workers at once and merges each answer.
func (e *Engine) runJobs(ctx context.Context, jobs []job) {
	if e.opts.Store != nil {
		done := make(chan struct{})
		defer close(done)
		go e.duringPass(ctx, done)
	}
	sem := make(chan struct{}, e.opts.Workers)
	var wg sync.WaitGroup
	for _, j := range jobs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if e.skipHeld(j) {
				return // an answer of this pass asked DingTalk's pause: not asked, not counted
			}
			rs, err := e.opts.Client.ReadStatus(ctx, j.robot, j.key)
			e.merge(j, rs, err)
		}()
	}
	wg.Wait()
}

// saveEvery is how often answers merged during a long poll pass (1,000
// keys at 10 calls a second take minutes) are saved while it runs: every
// third look at the inbox.
const saveEvery = 3 * inboxEvery

// duringPass does, while a poll pass runs and until done is closed, what
// the idle loop does between passes: every inboxEvery on the engine's
// clock it takes the changes other processes handed over (a follower's
// send waits for them to be saved), and every saveEvery it saves, so a
// crash during a long pass loses at most that much of it.
func (e *Engine) duringPass(ctx context.Context, done <-chan struct{}) {
	for tick := 1; !e.opts.Sleep(ctx, inboxEvery, done) && ctx.Err() == nil; tick++ {
		if !e.takeInbox() && tick%int(saveEvery/inboxEvery) == 0 {
			e.save() // takeInbox saved already when it took something
		}
	}
}

// skipHeld reports whether j must not be asked now because an answer
// that came during its pass asked for a pause (hold.go); the call counted
// for it is taken back, as it is never made.
func (e *Engine) skipHeld(j job) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, held := e.heldLocked(j.key, e.opts.Now()); !held {
		return false
	}
	e.state.Calls.Undo(j.at)
	return true
}

// merge applies one answer to a copy of its key, unless the key was
// removed (or removed and re-added) while it was asked: then the answer
// is stale and dropped.
func (e *Engine) merge(j job, rs dingtalk.ReadStatus, err error) {
	now := e.opts.Now()
	var events []ReadEvent
	e.mu.Lock()
	k := e.keyLocked(j.key)
	if k == nil || e.gens[j.key] != j.gen || errors.Is(err, context.Canceled) {
		e.mu.Unlock()
		return
	}
	if throttled(err) {
		// About the app's rate, not this key: it keeps its last answer
		// and is asked again after the pause.
		e.throttleLocked(err, now)
		e.opts.Log.Warn("query throttled", "key", dingtalk.Short(j.key), "err", err)
		e.mu.Unlock()
		return
	}
	k = k.Clone()
	if err != nil {
		if dingtalk.NeverSent(err) {
			e.state.Calls.Undo(j.at) // DingTalk never saw it: an unreachable network spends no budget
		}
		k.ApplyError(err, now)
		e.putKeyLocked(k)
		e.holdLocked(j.key, err, now)
		e.opts.Log.Warn("query failed", "key", dingtalk.Short(j.key), "err", err)
		if dingtalk.IsFatal(err) {
			e.halted = haltReason(err)
		}
	} else {
		e.unthrottleLocked(j.at)
		fresh := k.ApplyAnswer(rs, now)
		e.putKeyLocked(k)
		events = e.readEventsLocked(k, fresh)
		e.events = append(e.events, events...)
		e.eventSeq += uint64(len(events))
		if len(e.events) > keptEvents {
			e.events = append([]ReadEvent(nil), e.events[len(e.events)-keptEvents:]...)
		}
	}
	e.answeredLocked(now)
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
		notice = e.noticeLocked(k.Notice)
		group = e.noticeKeysLocked(k.Notice)
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
	left := 0 // not delivered by DingTalk: complete as it can be, and said
	if all && notice != nil && !notice.Complete {
		// Its keys' people are not all of it: the people of a failed or
		// unknown batch have not got it (a resend makes a new round).
		a := AudienceOf(group, notice.Batches...)
		all = len(a.Failed)+len(a.Unknown) == 0
		left = len(a.NotDelivered)
	} else if all && notice == nil {
		left = len(k.NotDelivered)
	}
	if all && (notice == nil || !notice.Complete) {
		events[len(events)-1].Everyone = true
		events[len(events)-1].NotDelivered = left
		if notice != nil {
			e.editNoticeLocked(notice.ID, func(n *Notice) { n.Complete = true })
		}
	}
	return events
}

// noticeKeysLocked lists the keys of notice id, in order.
func (e *Engine) noticeKeysLocked(id string) []*Key {
	return e.state.NoticeKeys(id)
}
