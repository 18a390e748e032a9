package watch

import (
	"time"

	"golang.org/x/time/rate"
)

// Limits of a refresh (the R key), see README "Refreshing by hand". The
// daily budget belongs to everyone watching, so one session cannot spend
// it: whatever a viewer does, one refresh queues at most RefreshBurst
// calls, and a session that keeps asking gets one more call every
// RefreshRefill. Holding R for a time t therefore costs at most
// RefreshBurst + t/RefreshRefill calls (21 over 15 s), fewer when keys
// were tried within the last Policy.Interval (coalesced: they are not
// asked again) or when the budget's reserve for every key's last look
// before its window closes is reached (a refresh never spends it).
const (
	RefreshBurst  = 20
	RefreshRefill = 15 * time.Second
)

// RefreshResult is what one refresh asked for and what it may cost.
// Asked = Queued + Coalesced + Limited.
type RefreshResult struct {
	Asked     int // keys named (every watched key when none were)
	Queued    int // keys asked now: the most this refresh costs in calls (≤ RefreshBurst)
	Coalesced int // keys already queued, tried within the last Policy.Interval, or final: no call needed
	Limited   int // keys left to the schedule: the session's allowance or the budget's reserve is used up
	// HeldUntil is set while DingTalk's pause of every key (a ban, a
	// throttle: hold.go) lasts: the keys queued are asked only after it.
	HeldUntil time.Time
	// Stuck is set while no call can be made at all (the call ledger's
	// lock cannot be taken, or the pass's calls cannot be saved:
	// pass_counted.go; the daily budget is spent): why, in a few words
	// ("calls.lock cannot be taken"). The keys queued are asked once that
	// ends.
	Stuck string
}

// bucket is one session's refresh allowance.
type bucket struct{ lim *rate.Limiter }

// Refresh asks DingTalk about keys now (every watched key when none are
// named), within the limits above, and resumes polling stopped by a
// fatal error. session names who asks: "" for the local dashboard or
// command line, a per-connection ID for an SSH session. On a follower
// the request reaches the owner of the state, which applies the same
// limits.
func (e *Engine) Refresh(session string, keys ...string) RefreshResult {
	res, _ := e.apply(Op{Kind: OpRefresh, Names: keys, Session: session})
	return res.refresh
}

// refreshLocked queues keys for the next poll within session's limits.
func (e *Engine) refreshLocked(session string, keys []string, now time.Time) RefreshResult {
	if len(keys) == 0 {
		keys = make([]string, 0, len(e.state.Keys))
		for _, k := range e.state.Keys {
			keys = append(keys, k.Key)
		}
	}
	r := RefreshResult{Asked: len(keys)}
	e.pruneBucketsLocked(now)
	b := e.buckets[session]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(rate.Every(RefreshRefill), RefreshBurst)}
		e.buckets[session] = b
	}
	room := int(b.lim.TokensAt(now))
	if p := e.opts.Policy; p.Budget > 0 {
		// What polling may still spend today, less what is already queued
		// and the reserve for each key's last look: a refresh takes only
		// what is left.
		spare := p.Budget - e.state.Calls.Spent(now) - len(e.forced) - reserve(e.state, now)
		room = min(room, max(spare, 0))
	}
	p := e.opts.Policy
	// While push is healthy a key never tried may be waiting for its
	// checkpoint (reconcile.go): a refresh asks it now.
	pushed, _ := e.push.healthy(now)
	seen := make(map[string]bool, len(keys))
	for _, name := range keys {
		k := e.keyLocked(name)
		switch {
		case k == nil || seen[name] || e.forced[name] || settled(k) || k.ExpiredBy(now) ||
			(!k.LastTry.IsZero() && now.Sub(k.LastTry) < p.Interval) || k.LastTry.IsZero() && !pushed:
			r.Coalesced++ // without push, a key never tried is asked at once anyway
		case r.Queued >= room:
			r.Limited++
		default:
			e.forced[name] = true
			r.Queued++
		}
		seen[name] = true
	}
	if r.Queued > 0 {
		b.lim.AllowN(now, r.Queued)
	}
	if e.halted != "" {
		e.halted = ""
	}
	if now.Before(e.hold.all) {
		r.HeldUntil = e.hold.all
	}
	r.Stuck = e.stuckLocked()
	if r.Stuck == "" && p.spentUp(e.state.Calls.Spent(now)) {
		r.Stuck = "the daily call budget is spent (--budget)" // no key is asked, never tried or not
	}
	e.changedLocked()
	return r
}

// pruneBucketsLocked forgets sessions whose allowance is whole again, so
// the map holds only sessions that refreshed lately.
func (e *Engine) pruneBucketsLocked(now time.Time) {
	for s, b := range e.buckets {
		if b.lim.TokensAt(now) >= RefreshBurst {
			delete(e.buckets, s)
		}
	}
}

// reserve is how many calls the schedule keeps for the last look of each
// live key before its window closes.
func reserve(s *State, now time.Time) int {
	n := 0
	for _, k := range s.Keys {
		if !settled(k) && !k.ExpiredBy(now) && k.LastTry.Before(k.Start().Add(Window-lastLook)) {
			n++
		}
	}
	return n
}
