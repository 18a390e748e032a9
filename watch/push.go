package watch

import (
	"fmt"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk/stream"
)

// Push: reads DingTalk pushes over its Stream mode (package
// dingtalk/stream) reach the watched state through Engine.Push, and the
// stream's health through Engine.SetPush. While push is healthy, polling
// only reconciles (see Policy.Reconcile and reconcile.go): one key of each
// batch is asked at once, every key at ReconcileAfter after its send and
// for its last look, and at no other time unless a user refreshes it. Once the stream has been
// down for PushGrace, every key is polled on its normal schedule at once.

// Push schedule, see README "Push".
const (
	// PushGrace is how long the stream may be down before polling resumes
	// its normal schedule: a reconnect after a dropped connection or a
	// gateway restart takes a few seconds, and DingTalk redelivers events
	// that were not acknowledged.
	PushGrace = 30 * time.Second
	// ReconcileAfter is when, after its send, a key read by push is asked
	// (its first look, but for one key of each batch), in case an event
	// was lost: the reads of most notices are in by then.
	ReconcileAfter = 2 * time.Hour
)

// PushEvent is one event DingTalk pushed, as the engine needs it. Its
// strings are raw, untrusted text: outputs clean them (safetext).
type PushEvent struct {
	Type      PushType
	Key       string    // processQueryKey
	RobotCode string    // "" when the event did not name one
	UserID    string    // "" for a reader outside the organisation
	UnionID   string    // the reader's unionId
	At        time.Time // DingTalk's operatTime; zero when it gave none
}

// PushType is what a pushed event reports.
type PushType string

// The pushed events the engine acts on; others are ignored.
const (
	PushRead   PushType = "robot_msg_read"
	PushRecall PushType = "robot_msg_recall"
)

// PushState is whether pushed events arrive.
type PushState string

// The states of push. The zero value means push is not in use.
const (
	PushOff          PushState = "off"
	PushLive         PushState = "live"
	PushReconnecting PushState = "reconnecting"
)

// PushStatus is the health of the Stream connection, shown in the header,
// `status --json` and the SSH text status. The zero value: push not used.
type PushStatus struct {
	State PushState `json:"state,omitempty"`
	// Since is when State began, on the engine's clock: for reconnecting,
	// when the connection was lost (or push started).
	Since time.Time `json:"since,omitzero"`
	// Err is the last failure, secrets removed; raw text to clean for output.
	Err string `json:"error,omitempty"`
}

// Text is the status as the header shows it: "push: live",
// "push: reconnecting (12s)", "push: off", or "" when push is not used.
func (p PushStatus) Text(now time.Time) string {
	switch p.State {
	case PushLive, PushOff:
		return "push: " + string(p.State)
	case PushReconnecting:
		return fmt.Sprintf("push: reconnecting (%s)", max(0, now.Sub(p.Since)).Truncate(time.Second))
	}
	return ""
}

// healthy reports whether reads can be left to push at now, and until
// when at most (zero: no end in sight).
func (p PushStatus) healthy(now time.Time) (bool, time.Time) {
	switch p.State {
	case PushLive:
		return true, time.Time{}
	case PushReconnecting:
		end := p.Since.Add(PushGrace)
		return now.Before(end), end
	}
	return false, time.Time{}
}

// SetPush records the stream's health; the schedule follows it at once.
func (e *Engine) SetPush(st PushStatus) {
	e.mu.Lock()
	changed := st != e.push
	e.push = st
	if changed {
		e.changedLocked()
	}
	e.mu.Unlock()
	if changed {
		e.poke()
	}
}

// Push merges one pushed event: robot_msg_read moves the reader to Read
// with DingTalk's read time, robot_msg_recall marks the key recalled.
// Events for keys that are not watched, of another robot, or of another
// type are ignored. Reads after a key's 24-hour window still count on
// the frozen key. Each new read fires the OnRead hook, as a polled one
// does. On a follower the event is handed to the owner of the state.
func (e *Engine) Push(ev PushEvent) {
	if ev.Type != PushRead && ev.Type != PushRecall || ev.Key == "" {
		return
	}
	ev.At = ev.At.UTC()
	res, err := e.apply(Op{Kind: OpPush, Push: &ev})
	if err != nil || e.opts.OnRead == nil {
		return
	}
	for _, r := range res.events {
		e.opts.OnRead(r)
	}
}

// applyPushLocked merges ev; it reports whether the state changed, and
// adds the read events to res.
func (e *Engine) applyPushLocked(ev *PushEvent, now time.Time, res *opResult) bool {
	if ev == nil {
		return false
	}
	k := e.keyLocked(ev.Key)
	if k == nil || ev.RobotCode != "" && k.RobotCode != "" && ev.RobotCode != k.RobotCode {
		return false
	}
	at := ev.At
	if at.IsZero() || at.After(now.Add(time.Minute)) {
		at = now // no time given, or one from the future: when it reached us
	}
	c := k.Clone()
	switch ev.Type {
	case PushRecall:
		if !c.ApplyRecall(at) {
			return false
		}
		e.putKeyLocked(c)
		return true
	case PushRead:
		if !c.ApplyPushedRead(ev.UserID, ev.UnionID, at) {
			return false
		}
		e.putKeyLocked(c)
		var fresh []Recipient
		for _, r := range c.Recipients {
			if ev.UserID != "" && r.UserID == ev.UserID || ev.UserID == "" && r.UserID == "" && r.UnionID == ev.UnionID {
				if r.Name == "" {
					r.Name = r.Display() // the event names a reader without userId by unionId
				}
				fresh = append(fresh, r)
				break
			}
		}
		events := e.readEventsLocked(c, fresh)
		e.events = append(e.events, events...)
		e.eventSeq += uint64(len(events))
		if len(e.events) > keptEvents {
			e.events = append([]ReadEvent(nil), e.events[len(e.events)-keptEvents:]...)
		}
		res.events = append(res.events, events...)
		return true
	}
	return false
}

// planLocked is the schedule's plan at now, reconciling only while push
// is healthy; while the stream is down within its grace, the plan wakes
// the engine when the grace ends, so polling resumes at once.
func (e *Engine) planLocked(now time.Time) Plan {
	p := e.opts.Policy
	ok, until := e.push.healthy(now)
	p.Reconcile = ok
	plan := p.Plan(e.state, now, e.forced)
	if ok && !until.IsZero() && (plan.Next.IsZero() || until.Before(plan.Next)) && !plan.Blocked {
		plan.Next = until
	}
	return e.applyHoldsLocked(plan, now)
}

// PushEventOf is the engine's view of an event the Stream client decoded.
func PushEventOf(ev stream.Event) PushEvent {
	return PushEvent{Type: PushType(ev.Type), Key: ev.ProcessQueryKey, RobotCode: ev.RobotCode,
		UserID: ev.UserID, UnionID: ev.UnionID, At: ev.At}
}

// PushStatusOf is the engine's view of the Stream client's status.
func PushStatusOf(st stream.Status) PushStatus {
	state := PushOff
	switch st.State {
	case stream.Live:
		state = PushLive
	case stream.Reconnecting:
		state = PushReconnecting
	}
	return PushStatus{State: state, Since: st.Since, Err: st.Err}
}
