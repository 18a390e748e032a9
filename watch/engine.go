package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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

// inboxEvery is how often the owner of the state looks for keys left by
// other processes.
const inboxEvery = 2 * time.Second

// Run polls until ctx ends. When another process owns the state, it
// follows that process's state instead of polling.
func (e *Engine) Run(ctx context.Context) {
	for e.following() {
		if e.takeOver() {
			break // the owner quit: this engine polls and saves from now on
		}
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
