package watch

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// Defaults of the poll schedule. See README "Polling and the quota".
const (
	DefaultInterval    = 30 * time.Second
	DefaultMaxInterval = 30 * time.Minute
	// DefaultMonthlyQuota is the low end of DingTalk's documented monthly
	// cap of metered calls on the standard edition.
	DefaultMonthlyQuota = 5000
	// DefaultBudget spends at most that quota over a 30-day month, even if
	// dingwatch watched something every single day.
	DefaultBudget = DefaultMonthlyQuota / 30
	// quietDivisor: a key that has not changed for q is polled every q/8.
	quietDivisor = 8
	// lastLook is how long before its window closes a key gets a last poll,
	// so reads late in the day are shown even on a spent-out schedule.
	lastLook = 10 * time.Minute
)

// Policy is the poll schedule: fast while reads arrive, slower as a key
// ages and stops changing, never once it is final, and within a daily
// budget of metered calls.
type Policy struct {
	Interval    time.Duration // the fastest period of one key
	MaxInterval time.Duration // the slowest period of a key that can still change
	Budget      int           // metered calls per 24 hours across all keys; 0: no limit
	// Reconcile is set while pushed events are arriving (see push.go):
	// reads come by push, so keys are only asked at their reconciliation
	// points (reconcile.go).
	Reconcile bool
	// eagerFirstLook reconciles as the first push release did: every
	// key's first look at once, checkpoints not held back for the
	// last-look reserve. Only the quota report sets it, to measure the
	// schedule against.
	eagerFirstLook bool
}

// BudgetText is the daily budget as the dashboard and the SSH status say
// it: the number, or "no limit" for 0.
func (p Policy) BudgetText() string {
	if p.Budget > 0 {
		return strconv.Itoa(p.Budget)
	}
	return "no limit"
}

// spentUp reports whether spent metered calls in the last 24 hours use
// up the budget: polling waits until calls age out.
func (p Policy) spentUp(spent int) bool { return p.Budget > 0 && spent >= p.Budget }

// WithDefaults fills zero fields with the defaults.
func (p Policy) WithDefaults() Policy {
	if p.Interval <= 0 {
		p.Interval = DefaultInterval
	}
	if p.MaxInterval < p.Interval {
		p.MaxInterval = max(DefaultMaxInterval, p.Interval)
	}
	return p
}

// interval is how long to wait after a try of k at quiet time quiet
// (time since the key last changed) with the given failures in a row,
// before the budget stretches it.
func (p Policy) interval(k *Key, quiet time.Duration, failures int) time.Duration {
	return p.intervalAt(readFactor(k), quiet, failures)
}

// readFactor scales a key's interval by how many of its recipients have
// read: keys with many unread are where reads are most likely (1 with
// everyone unread, 2 with everyone read; 1 when none are known yet).
func readFactor(k *Key) float64 {
	return factorOf(k.Counts())
}

// factorOf is readFactor from a key's counts.
func factorOf(read, total int) float64 {
	if total > 0 {
		return 1 + float64(read)/float64(total)
	}
	return 1
}

// intervalAt is interval with k's readFactor worked out once.
func (p Policy) intervalAt(factor float64, quiet time.Duration, failures int) time.Duration {
	d := max(p.Interval, quiet/quietDivisor)
	d = time.Duration(float64(d) * factor)
	if failures > 0 {
		d = max(d, p.Interval<<min(failures, 12))
	}
	return min(max(d, p.Interval), p.MaxInterval)
}

func (p Policy) quiet(k *Key, now time.Time) time.Duration {
	last := k.Start()
	if k.LastChange.After(last) {
		last = k.LastChange
	}
	return max(0, now.Sub(last))
}

// horizon is how much longer k can change: until its window ends.
func horizon(k *Key, now time.Time) time.Duration {
	return max(0, k.Start().Add(Window).Sub(now))
}

// expectedCalls estimates the calls k needs for the rest of its window
// if nothing changes from now on (intervals only grow with quiet time).
func (p Policy) expectedCalls(k *Key, f float64, now time.Time) float64 {
	h := horizon(k, now)
	q := p.quiet(k, now)
	n := 0.0
	for t := time.Duration(0); t < h; n++ {
		d := p.intervalAt(f, q+t, 0)
		if d >= p.MaxInterval {
			return n + math.Ceil(float64(h-t)/float64(d))
		}
		t += d
	}
	return n
}

// Plan is what the schedule says at one moment.
type Plan struct {
	Due     []*Key    // keys to query now, most overdue first
	Next    time.Time // when the next key falls due; zero if none will
	Stretch float64   // how much the budget stretches every interval (≥1)
	Spent   int       // metered calls in the last 24 hours
	Blocked bool      // the budget is spent: nothing is polled until calls age out
	// HeldUntil is set while DingTalk asked this host to pause (a ban, a
	// throttle with a wait): no key is asked before it. Set by the engine
	// (see hold.go), not by Policy.Plan.
	HeldUntil time.Time
}

// Plan decides which keys of s to query at now. forced keys are due at
// once (a user's refresh) unless the budget is spent.
func (p Policy) Plan(s *State, now time.Time, forced map[string]bool) Plan {
	p = p.WithDefaults()
	plan := Plan{Stretch: 1, Spent: s.Calls.Spent(now)}
	type liveKey struct {
		k      *Key
		factor float64 // readFactor, worked out once: counting is most of a plan's time
	}
	live := make([]liveKey, 0, len(s.Keys))
	demand := 0.0
	for _, k := range s.Keys {
		if k.Expired || k.Unknown || k.Recalled() || k.ExpiredBy(now) {
			continue // final (see Key.Final) or past its window
		}
		if settled(k) {
			continue // final: everyone read (all read before any answer: a pushed read; DingTalk must still say who else)
		}
		f := factorOf(k.Counts())
		live = append(live, liveKey{k, f})
		switch {
		case p.Budget <= 0: // the demand only matters against a budget
		case p.Reconcile && k.Failures == 0 && (k.LastTry.IsZero() || !k.LastOK.IsZero()):
			demand += float64(reconcileCalls(k)) // asked only to reconcile (reconcile.go)
		default:
			demand += p.expectedCalls(k, f, now)
		}
	}
	remaining := math.MaxInt
	if p.Budget > 0 {
		remaining = p.Budget - plan.Spent
		if p.spentUp(plan.Spent) {
			plan.Blocked = true
			if len(live) > 0 {
				plan.Next = s.Calls.FreedAt(now, p.Budget)
			}
			return plan
		}
		// One last look per key before its window closes is set aside.
		usable := max(remaining-len(live), 1)
		if demand > float64(usable) {
			plan.Stretch = demand / float64(usable)
		}
	}
	type due struct {
		k        *Key
		overdue  float64
		lastLook bool // a reconciling last look, which the reserve is for
		unread   int  // recipients known unread: where a lost event may hide
	}
	// firsts: first looks of keys whose recipients are unknown, checks:
	// reconciling checkpoints (reconcile.go).
	var dues, firsts, checks []due
	// Keys a user asked for come first, but never out of the reserve for
	// every key's last look (see refresh.go).
	spare := math.MaxInt
	if p.Budget > 0 {
		spare = remaining - reserve(s, now)
	}
	forcedRoom := spare
	// While push is healthy, one key of each batch has its first look at
	// once; the others wait for their checkpoint.
	var tried map[batchID]bool
	sampling := p.Reconcile && !p.eagerFirstLook
	owed := 0 // checkpoints still to take, for firsts
	if sampling {
		tried = triedBatches(s)
		if p.Budget > 0 {
			for _, lk := range live {
				if lk.k.LastTry.Before(lk.k.Start().Add(ReconcileAfter)) {
					owed++
				}
			}
		}
	}
	for _, lk := range live {
		k := lk.k
		untried := k.LastTry.IsZero()
		if untried && sampling {
			if b := batchOf(k); !tried[b] {
				tried[b] = true
				dues = append(dues, due{k, math.Inf(1), false, 0})
				continue
			}
			if len(k.Recipients) == 0 && now.Before(k.Start().Add(ReconcileAfter)) && !forced[k.Key] {
				firsts = append(firsts, due{k, 0, false, 0})
				if at := k.Start().Add(ReconcileAfter); plan.Next.IsZero() || at.Before(plan.Next) {
					plan.Next = at
				}
				continue
			}
		} else if untried {
			dues = append(dues, due{k, math.Inf(1), false, 0})
			continue
		}
		if forced[k.Key] && forcedRoom > 0 {
			forcedRoom--
			dues = append(dues, due{k, math.Inf(1), false, 0})
			continue
		}
		if p.Reconcile && (untried || !k.LastOK.IsZero()) && k.Failures == 0 {
			at, ok := reconcileAt(k)
			switch {
			case !ok: // every checkpoint passed: push alone until the window ends
			case at.After(now):
				if plan.Next.IsZero() || at.Before(plan.Next) {
					plan.Next = at
				}
			case p.eagerFirstLook || isLastLook(k, now):
				u := unreadOf(k)
				if p.eagerFirstLook {
					u = 0 // the first release asked in state order
				}
				dues = append(dues, due{k, 0, true, u})
			default:
				checks = append(checks, due{k, float64(now.Sub(at)), false, unreadOf(k)})
			}
			continue
		}
		d := p.intervalAt(lk.factor, p.quiet(k, k.LastTry), k.Failures)
		if k.Waiting() {
			d = p.Interval // no data yet: ask again soon, not stretched
		} else {
			d = time.Duration(float64(d) * plan.Stretch)
		}
		at := k.LastTry.Add(d)
		if last := k.Start().Add(Window - lastLook); k.LastTry.Before(last) && last.Before(at) {
			at = last // a last look before the window closes, however stretched
		}
		if !at.After(now) {
			dues = append(dues, due{k, float64(now.Sub(at)) / float64(d), false, 0})
		} else if plan.Next.IsZero() || at.Before(plan.Next) {
			plan.Next = at
		}
	}
	byOverdue := func(a, b due) int {
		switch {
		case a.overdue > b.overdue:
			return -1
		case a.overdue < b.overdue:
			return 1
		}
		return b.unread - a.unread
	}
	slices.SortStableFunc(dues, byOverdue)
	for i, d := range dues {
		if i >= remaining {
			plan.Next = now.Add(time.Second) // the rest wait for the budget
			break
		}
		plan.Due = append(plan.Due, d.k)
		if !d.lastLook {
			spare--
		}
	}
	// First looks of keys whose recipients are unknown take only what
	// the budget holds beyond every key's checkpoint and last look; the
	// others wait for their checkpoint.
	room := spare - owed
	for _, d := range firsts {
		if len(plan.Due) >= remaining || room <= 0 {
			break
		}
		plan.Due = append(plan.Due, d.k)
		spare--
		room--
	}
	// Checkpoints take what the budget has left after the last-look
	// reserve; the others wait for calls to age out (the engine replans
	// every minute) or for their last look.
	// The keys with the most recipients unread come first: a read whose
	// event was lost can only hide among them.
	slices.SortStableFunc(checks, func(a, b due) int {
		if a.unread != b.unread {
			return b.unread - a.unread
		}
		return byOverdue(a, b)
	})
	for _, d := range checks {
		if len(plan.Due) >= remaining || spare <= 0 {
			break
		}
		plan.Due = append(plan.Due, d.k)
		spare--
	}
	return plan
}

// ExpiredBy reports whether k's known window is over at now.
func (k *Key) ExpiredBy(now time.Time) bool {
	return !k.SentAt.IsZero() && !now.Before(k.SentAt.Add(Window))
}
