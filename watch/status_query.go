package watch

import (
	"cmp"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// queryWorkers is how many keys a one-shot query asks at once; the
// client's limiter paces them.
const queryWorkers = 4

// KeyStatus is one key as a one-shot query found it.
type KeyStatus struct {
	// Key is the saved key (or a new one) with the answer merged into a
	// copy, so names and observed read times dingwatch kept are there.
	// It is never nil.
	Key *Key
	// Err is the query's failure; Key then holds what was saved, if anything.
	Err error
	// Expired is set for a saved key past DingTalk's 24 hours: it is not
	// asked (DingTalk keeps no read status then) and Key is as last saved.
	Expired bool
	// Undelivered is set for a saved key DingTalk delivered to nobody
	// (Key.DeliveredToNobody): it is not asked, nobody can read it; its
	// people are in Key.NotDelivered.
	Undelivered bool
}

// QueryOnce asks DingTalk once for each key (with the robot it was watched
// with, else robot), a few at once, and no more once an answer asked this
// host to pause or slow down (a ban, a throttle: the keys not asked yet
// fail with that answer), and merges each answer into a copy of
// what saved holds of it; saved is not changed. A saved key past its 24
// hours is not asked: it is reported as last saved, marked Expired. now is the time of the
// answers. The result keeps the order of keys and summarises each notice
// the keys belong to.
//
// The calls are counted by book (CallBook.Reserve) before any is made,
// and granted in the order of keys: once the daily budget has no call
// left, the keys not asked yet are not asked and fail with a
// *BudgetSpentError (with a *LedgerUnknownError when the calls cannot be
// counted). A call that never reached DingTalk is given back to book.
// The caller records book's calls (CallBook.Record); a nil book holds to
// no budget.
func QueryOnce(ctx context.Context, q Querier, robot string, saved *State, keys []string, book *CallBook, now func() time.Time) *StatusReport {
	if saved == nil {
		saved = &State{}
	}
	if book == nil {
		book = &CallBook{}
	}
	out := make([]KeyStatus, len(keys))
	sem := make(chan struct{}, queryWorkers)
	var wg sync.WaitGroup
	// paused is the first answer that asked this host to pause (a ban, a
	// throttle with a wait: see Engine's holds): the keys not asked yet are
	// not asked, and fail with it.
	var mu sync.Mutex
	var paused error
	ask := make([]*Key, len(keys)) // nil: not to be asked
	n := 0
	for i, key := range keys {
		k := &Key{Key: key, RobotCode: robot}
		if wk := saved.Key(key); wk != nil {
			k = wk.Clone()
			if k.RobotCode == "" {
				k.RobotCode = robot
			}
			if k.ExpiryConfirmed || k.ExpiredBy(now()) {
				out[i] = KeyStatus{Key: k, Expired: true}
				continue
			}
			if k.DeliveredToNobody() {
				out[i] = KeyStatus{Key: k, Undelivered: true}
				continue
			}
		}
		ask[i] = k
		n++
	}
	// Counted on disk, all at once, before any is asked; Take below gives
	// the answer key by key.
	_ = book.Reserve(ctx, n, now())
	for i, key := range keys {
		k := ask[i]
		if k == nil {
			continue
		}
		// Granted here, in the order of keys, not in the order the
		// workers happen to start.
		at := now()
		if err := book.Take(at); err != nil {
			out[i] = KeyStatus{Key: k, Err: err}
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			mu.Lock()
			p := paused
			mu.Unlock()
			if p != nil {
				book.Undo(at) // not made
				out[i] = KeyStatus{Key: k, Err: p}
				return
			}
			rs, err := q.ReadStatus(ctx, k.RobotCode, key)
			if err != nil && dingtalk.NeverSent(err) {
				book.Undo(at) // DingTalk never saw it: it spent nothing
			}
			if throttled(err) || dingtalk.RetryAfter(err) > 0 && (dingtalk.IsThrottle(err) || dingtalk.IsQuota(err)) {
				mu.Lock()
				paused = cmp.Or(paused, err)
				mu.Unlock()
			}
			if err == nil {
				k.ApplyAnswer(rs, now())
			}
			out[i] = KeyStatus{Key: k, Err: err}
		}()
	}
	wg.Wait()
	return NewStatusReport(saved, out, now())
}

// Failed counts the keys whose query failed.
func (r *StatusReport) Failed() int {
	n := 0
	for _, k := range r.Keys {
		if k.Err != nil {
			n++
		}
	}
	return n
}

// NotAsked counts the keys not asked because the daily budget had no call
// left for them, or their calls could not be counted (their Err is a
// *BudgetSpentError or a *LedgerUnknownError); Failed counts them too.
func (r *StatusReport) NotAsked() int {
	n := 0
	for _, k := range r.Keys {
		if NotAskedForBudget(k.Err) {
			n++
		}
	}
	return n
}

// NotAskedForBudget reports whether err kept a call from being made for
// the budget: a *BudgetSpentError or a *LedgerUnknownError.
func NotAskedForBudget(err error) bool {
	var spent *BudgetSpentError
	var unknown *LedgerUnknownError
	return errors.As(err, &spent) || errors.As(err, &unknown)
}

// SettingsError is the first failure among the keys that the user must
// fix in the settings (credentials, robot code, …), or nil.
func (r *StatusReport) SettingsError() error {
	for _, k := range r.Keys {
		if k.Err != nil && dingtalk.IsSettings(k.Err) {
			return k.Err
		}
	}
	return nil
}
