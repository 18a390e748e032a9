package watch

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
)

// TestThrottlePausesAllKeysAndMarksNone: DingTalk throttling the app while
// 30 keys are due is one warning and a pause, not an error line per key
// (H10): the calls under way when the first throttle answer comes are all
// that are made, no key shows an error or loses its turn, the pause
// doubles while the throttle lasts, and the first good answer after it
// takes the warning away. Only the calls made are counted.
func TestThrottlePausesAllKeysAndMarksNone(t *testing.T) {
	clk := newClock(t0)
	s, err := sim.Start(sim.Options{Now: clk.Now, AppKey: "app", AppSecret: "sek"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var keys []string
	for range 30 {
		keys = append(keys, s.AddMessage("dingdemo", t0.Add(-time.Minute), []sim.Person{{UserID: "u1", Name: "A"}}))
	}
	c, _ := dingtalk.New(dingtalk.Options{Endpoint: s.URL(), Credentials: dingtalk.Credentials{AppKey: "app", AppSecret: "sek"},
		Rate: 1000, Retries: -1, Now: clk.Now})
	e := NewEngine(Options{Client: c, RobotCode: "dingdemo", Now: clk.Now, Policy: Policy{Interval: 10 * time.Second}})
	if _, err := e.Add(AddSpec{Keys: keys, SentAt: t0.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	s.Inject(sim.Fault{Endpoint: "readStatus", Status: 403, Code: "Forbidden.AccessDenied.QpsLimitForApi"})
	throttledNow := func(snap *Snapshot) bool {
		return slices.ContainsFunc(snap.Warnings, func(w Warning) bool { return w.Kind == WarnThrottled })
	}
	check := func(pause time.Duration) {
		t.Helper()
		snap := e.Snapshot()
		if calls := s.Calls("readStatus"); calls > 4 || snap.Spent != calls {
			t.Fatalf("%d calls made (at most the 4 under way), %d counted", calls, snap.Spent)
		}
		for _, k := range snap.State.Keys {
			if k.Err != nil || !k.LastTry.IsZero() {
				t.Fatalf("a throttle touched key %s: %+v", k.Key, k.Err)
			}
		}
		if !throttledNow(snap) || !snap.HeldUntil.Equal(clk.Now().Add(pause)) {
			t.Fatalf("warning %v, held until %v, want %v", throttledNow(snap), snap.HeldUntil, clk.Now().Add(pause))
		}
	}
	e.PollOnce(context.Background())
	check(throttlePause)
	s.ClearFaults()
	s.Inject(sim.Fault{Endpoint: "readStatus", Status: 403, Code: "Forbidden.AccessDenied.QpsLimitForApi"})
	calls := s.Calls("readStatus")
	clk.Add(throttlePause - time.Second)
	e.PollOnce(context.Background())
	if s.Calls("readStatus") != calls {
		t.Fatal("a key was asked during the pause")
	}
	clk.Add(time.Second)
	before := s.Calls("readStatus")
	e.PollOnce(context.Background())
	if made := s.Calls("readStatus") - before; made == 0 || made > 4 {
		t.Fatalf("after the pause %d calls, want the few under way", made)
	}
	snap := e.Snapshot()
	if !snap.HeldUntil.Equal(clk.Now().Add(2 * throttlePause)) {
		t.Fatalf("a second throttle: held until %v, want the pause doubled", snap.HeldUntil)
	}
	s.ClearFaults()
	clk.Add(2 * throttlePause)
	e.PollOnce(context.Background())
	snap = e.Snapshot()
	if throttledNow(snap) {
		t.Fatal("the warning stayed after DingTalk answered")
	}
	for _, k := range snap.State.Keys {
		if k.LastOK.IsZero() || k.Err != nil {
			t.Fatalf("key %s not answered after the throttle: %+v", k.Key, k.Err)
		}
	}
}
