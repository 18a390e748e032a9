package watch

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// A throttle answer (a QPS or QPM limit, a legacy throttle errcode, HTTP
// 429) is about how fast the app calls, not about the key that happened
// to be asked: the key keeps its last answer and is not marked failed,
// and no key is asked before a pause. The pause doubles with each throttle
// since the last good answer (throttlePause, 2×, 4×, … up to
// throttleMaxPause), and is never shorter than what DingTalk asked for. One
// warning (WarnThrottled) says so while it lasts; a good answer to a call
// made after the throttle takes it away (one made with it, in the same
// pass, does not: DingTalk may still be throttling). A ban (the 5-minute page, the ban body) is not a throttle
// here: it holds every key (hold.go) and shows on the keys asked.
const (
	throttlePause    = 5 * time.Second
	throttleMaxPause = 5 * time.Minute
)

// throttled reports whether err is DingTalk slowing the app down, short
// of a ban.
func throttled(err error) bool {
	return dingtalk.IsThrottle(err) && !dingtalk.HasCode(err, dingtalk.CodeBanned)
}

// throttleLocked records a throttle answer at now: the pause, and the
// warning. Throttles of calls made during a pause already under way (the
// rest of one pass) do not lengthen it.
func (e *Engine) throttleLocked(err error, now time.Time) {
	if e.throttles == 0 || !now.Before(e.hold.all) {
		e.throttles++
	}
	e.throttledAt = now
	d := max(min(throttlePause<<min(e.throttles-1, 16), throttleMaxPause), dingtalk.RetryAfter(err))
	if until := now.Add(d); until.After(e.hold.all) {
		e.hold.all = until
	}
	code := "HTTP 429"
	if de := (*dingtalk.Error)(nil); errors.As(err, &de) && de.Code != "" {
		code = de.Code
	}
	w := Warning{Kind: WarnThrottled, Text: fmt.Sprintf(
		"DingTalk is throttling this app's calls (%s): dingwatch pauses, longer each time, and asks again; the keys keep their last answers", code)}
	if i := slices.IndexFunc(e.warnings, func(w Warning) bool { return w.Kind == WarnThrottled }); i >= 0 {
		if e.warnings[i] == w {
			return
		}
		e.warnings[i] = w
	} else {
		e.warnings = append(e.warnings, w)
	}
	e.changedLocked()
}

// unthrottleLocked ends a throttle: DingTalk answered a call made at
// asked; a call made before the last throttle answer tells nothing.
func (e *Engine) unthrottleLocked(asked time.Time) {
	if e.throttles == 0 || !asked.After(e.throttledAt) {
		return
	}
	e.throttles = 0
	e.warnings = slices.DeleteFunc(e.warnings, func(w Warning) bool { return w.Kind == WarnThrottled })
	e.changedLocked()
}
