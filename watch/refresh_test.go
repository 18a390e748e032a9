package watch

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// countingQuerier answers every key with one unread person and counts calls.
type countingQuerier struct{ calls atomic.Int64 }

func (q *countingQuerier) ReadStatus(context.Context, string, string) (dingtalk.ReadStatus, error) {
	q.calls.Add(1)
	return dingtalk.ReadStatus{SendStatus: dingtalk.SendSuccess, Recipients: []dingtalk.Recipient{{UserID: "u", Name: "U"}}}, nil
}

// quietEngine watches n keys sent four hours ago, each answered an hour
// ago and unchanged since: none is due for a while.
func quietEngine(t *testing.T, n int, p Policy) (*Engine, *countingQuerier, *clock) {
	t.Helper()
	clk := newClock(t0)
	q := &countingQuerier{}
	e := NewEngine(Options{Client: q, RobotCode: "r", Now: clk.Now, Policy: p})
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("quietKey%04d", i)
	}
	e.Add(AddSpec{Keys: keys, SentAt: t0.Add(-4 * time.Hour)})
	e.mu.Lock()
	for _, k := range keys {
		e.editKeyLocked(k, func(k *Key) {
			k.LastTry, k.LastOK, k.LastChange = t0.Add(-time.Minute), t0.Add(-time.Minute), t0.Add(-3*time.Hour)
			k.Recipients = []Recipient{{UserID: "u", Name: "U"}}
		})
	}
	e.mu.Unlock()
	if e.PollOnce(context.Background()); q.calls.Load() != 0 {
		t.Fatalf("%d keys were due", q.calls.Load())
	}
	return e, q, clk
}

// TestHoldingRefreshIsBounded is a viewer pressing R 150 times over 15 s
// (ten a second) with the engine polling after each press: it spends at
// most RefreshBurst + 15s/RefreshRefill calls, however many keys there are.
func TestHoldingRefreshIsBounded(t *testing.T) {
	for _, n := range []int{5, 100, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			e, q, clk := quietEngine(t, n, Policy{})
			limit := int64(RefreshBurst + int(15*time.Second/RefreshRefill))
			queued := 0
			for range 150 {
				r := e.Refresh("ssh:viewer")
				if r.Queued > RefreshBurst || r.Asked != r.Queued+r.Coalesced+r.Limited {
					t.Fatalf("one refresh: %+v", r)
				}
				queued += r.Queued
				e.PollOnce(context.Background())
				clk.Add(100 * time.Millisecond)
			}
			if got := q.calls.Load(); got > limit || got != int64(queued) || got < int64(min(n, RefreshBurst)) {
				t.Fatalf("%d keys: holding R spent %d calls (%d queued); the bound is %d", n, got, queued, limit)
			}
			// Another session has its own allowance; the first one's
			// keys, tried just now, are coalesced.
			r := e.Refresh("ssh:other")
			if r.Queued > RefreshBurst || (n <= RefreshBurst && r.Coalesced != n) {
				t.Fatalf("second session: %+v", r)
			}
		})
	}
}

// TestRefreshKeepsTheLastLookReserve: with the budget nearly spent, a
// refresh queues nothing that would eat into the calls kept for each
// key's last look before its window closes.
func TestRefreshKeepsTheLastLookReserve(t *testing.T) {
	e, q, clk := quietEngine(t, 10, Policy{Budget: 30})
	e.mu.Lock()
	for range 15 {
		e.state.Calls.Add(clk.Now()) // spent today: 15 of 30; 10 kept for last looks
	}
	e.mu.Unlock()
	r := e.Refresh("")
	if r.Queued != 5 || r.Limited != 5 {
		t.Fatalf("refresh with 5 spare calls: %+v", r)
	}
	e.PollOnce(context.Background())
	if q.calls.Load() != 5 {
		t.Fatalf("%d calls", q.calls.Load())
	}
	clk.Add(time.Minute)
	if r := e.Refresh(""); r.Queued != 0 {
		t.Fatalf("refresh into the reserve: %+v", r)
	}
}
