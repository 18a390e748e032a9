package watch

import (
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// holds are the pauses DingTalk asked for (dingtalk.RetryAfter: a ban
// body's "wait", the 5 minutes of an IP ban, a Retry-After header): no
// readStatus call is made before they are over. A throttle, ban or quota
// answer is about the app or this host, so it holds every key; any other
// answer with a pause holds only its key. Holds live in memory: they are
// minutes long, and a restarted dingwatch starts with one call per key.
type holds struct {
	all  time.Time            // no call to DingTalk before this
	keys map[string]time.Time // no call for the key before this
}

// holdLocked records the pause err asks for, from now.
func (e *Engine) holdLocked(key string, err error, now time.Time) {
	d := dingtalk.RetryAfter(err)
	if d <= 0 {
		return
	}
	until := now.Add(d)
	if dingtalk.IsThrottle(err) || dingtalk.IsQuota(err) {
		if until.After(e.hold.all) {
			e.hold.all = until
		}
		return
	}
	if e.hold.keys == nil {
		e.hold.keys = map[string]time.Time{}
	}
	if until.After(e.hold.keys[key]) {
		e.hold.keys[key] = until
	}
}

// heldLocked is when key may be asked again, and whether that is after now.
func (e *Engine) heldLocked(key string, now time.Time) (time.Time, bool) {
	until := e.hold.all
	if k := e.hold.keys[key]; k.After(until) {
		until = k
	}
	return until, now.Before(until)
}

// applyHoldsLocked takes the held keys out of plan.Due and makes plan.Next
// no earlier than the end of a hold that kept a key back; past holds are
// forgotten.
func (e *Engine) applyHoldsLocked(plan Plan, now time.Time) Plan {
	for k, until := range e.hold.keys {
		if !now.Before(until) {
			delete(e.hold.keys, k)
		}
	}
	if now.Before(e.hold.all) {
		plan.HeldUntil = e.hold.all
	}
	if len(plan.Due) == 0 && !now.Before(e.hold.all) {
		return plan
	}
	due := plan.Due[:0:0]
	for _, k := range plan.Due {
		until, held := e.heldLocked(k.Key, now)
		if !held {
			due = append(due, k)
			continue
		}
		if plan.Next.IsZero() || until.Before(plan.Next) {
			plan.Next = until
		}
	}
	plan.Due = due
	if now.Before(e.hold.all) && plan.Next.Before(e.hold.all) && !plan.Next.IsZero() {
		plan.Next = e.hold.all // a key due before the hold ends waits for it
	}
	return plan
}
