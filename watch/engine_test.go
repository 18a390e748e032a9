package watch

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
)

type clock = sim.Clock

func newClock(t time.Time) *clock { return sim.NewClock(t) }

// simClient starts a simulator on clk, closed when t ends, and a client
// of it that never retries on its own.
func simClient(t *testing.T, clk *clock) (*sim.Server, *dingtalk.Client) {
	t.Helper()
	s, err := sim.Start(sim.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c, err := dingtalk.New(dingtalk.Options{Endpoint: s.URL(), Credentials: dingtalk.Credentials{AppKey: "demo", AppSecret: "demo-secret"}, Rate: 1000, Retries: -1, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func TestEngineAgainstSim(t *testing.T) {
	clk := newClock(t0)
	s, c := simClient(t, clk)
	key := s.AddMessage("dingdemo", t0, []sim.Person{{UserID: "u1", Name: "王芳", ReadAfter: time.Minute}, {UserID: "u2", Name: "Bob", ReadAfter: sim.Never}})
	var events []ReadEvent
	e := NewEngine(Options{Client: c, RobotCode: "dingdemo", Now: clk.Now, Policy: Policy{Interval: 10 * time.Second},
		OnRead: func(ev ReadEvent) { events = append(events, ev) }})
	sub, stop := e.Subscribe()
	defer stop()
	if _, err := e.Add(AddSpec{Keys: []string{key}, Label: "notice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Add(AddSpec{Keys: []string{key}}); err == nil {
		t.Fatal("duplicate accepted")
	}
	<-sub
	// Just sent: DingTalk has no data yet.
	e.PollOnce(context.Background())
	if k := e.Snapshot().State.Key(key); !k.Waiting() {
		t.Fatalf("want waiting, got %+v", k.Err)
	}
	clk.Add(10 * time.Second)
	e.PollOnce(context.Background())
	if read, total := e.Snapshot().State.Key(key).Counts(); read != 0 || total != 2 {
		t.Fatalf("%d/%d", read, total)
	}
	clk.Add(time.Minute)
	e.PollOnce(context.Background())
	snap := e.Snapshot()
	k := snap.State.Key(key)
	if read, _ := k.Counts(); read != 1 || len(events) != 1 || events[0].Name != "王芳" || events[0].Notice != "notice" {
		t.Fatalf("read %d events %+v", read, events)
	}
	if snap.Spent != 3 || s.Calls("readStatus") != 3 {
		t.Fatalf("spent %d, sim saw %d", snap.Spent, s.Calls("readStatus"))
	}
	// Not due yet: no call.
	e.PollOnce(context.Background())
	if s.Calls("readStatus") != 3 {
		t.Fatal("polled a key that was not due")
	}
	// A fault keeps data, marks stale; recovery clears it.
	s.Inject(sim.Fault{Endpoint: "readStatus", Status: 500, Code: "system.error", Times: 1})
	if r := e.Refresh("", key); r != (RefreshResult{Asked: 1, Coalesced: 1}) {
		t.Fatalf("a key tried just now was asked again: %+v", r)
	}
	clk.Add(10 * time.Second) // one interval on: a refresh asks at once
	if r := e.Refresh("", key); r != (RefreshResult{Asked: 1, Queued: 1}) {
		t.Fatalf("refresh %+v", r)
	}
	e.PollOnce(context.Background())
	if k := e.Snapshot().State.Key(key); !k.Stale() || len(k.Recipients) != 2 {
		t.Fatalf("after fault %+v", k)
	}
	clk.Add(10 * time.Second)
	e.Refresh("")
	e.PollOnce(context.Background())
	if k := e.Snapshot().State.Key(key); k.Stale() {
		t.Fatal("still stale after recovery")
	}
	// Quota spent: polling stops until the user refreshes.
	s.Inject(sim.Fault{Endpoint: "readStatus", Status: 403, Code: dingtalk.CodeQuotaSpent, Times: 1})
	clk.Add(10 * time.Second)
	e.Refresh("")
	if next := e.PollOnce(context.Background()); !next.IsZero() || e.Snapshot().Halted == "" {
		t.Fatal("quota spent should halt polling")
	}
	clk.Add(time.Hour)
	before := s.Calls("readStatus")
	e.PollOnce(context.Background())
	if s.Calls("readStatus") != before {
		t.Fatal("polled while halted")
	}
}

// blockingQuerier answers only when released.
type blockingQuerier struct {
	started chan string
	release chan struct{}
}

func (b *blockingQuerier) ReadStatus(ctx context.Context, robot, key string) (dingtalk.ReadStatus, error) {
	b.started <- key
	<-b.release
	return dingtalk.ReadStatus{SendStatus: "SUCCESS", Recipients: []dingtalk.Recipient{{UserID: "x", Read: true}}}, nil
}

func TestStaleAnswerIsDropped(t *testing.T) {
	q := &blockingQuerier{started: make(chan string), release: make(chan struct{})}
	e := NewEngine(Options{Client: q, RobotCode: "r", Now: func() time.Time { return t0 }})
	e.Add(AddSpec{Keys: []string{"abc"}})
	done := make(chan struct{})
	go func() { e.PollOnce(context.Background()); close(done) }()
	<-q.started
	// Removed and added again while the old query is in flight.
	e.Remove("abc")
	e.Add(AddSpec{Keys: []string{"abc"}})
	close(q.release)
	<-done
	k := e.Snapshot().State.Key("abc")
	if k == nil || len(k.Recipients) != 0 || !k.LastOK.IsZero() {
		t.Fatalf("the answer for the removed key was merged into the new one: %+v", k)
	}
}

// TestIdleEngineSleeps runs the engine's own loop on a virtual clock: with
// nothing due it sleeps until the next key falls due (or a minute, to
// replan), and an edit wakes it at once.
func TestIdleEngineSleeps(t *testing.T) {
	vc, ctx := newVClock(t0, t0.Add(2*time.Hour))
	q := &countingQuerier{}
	var polls []time.Time
	e := NewEngine(Options{Client: queryFunc(func(ctx context.Context, robot, key string) (dingtalk.ReadStatus, error) {
		polls = append(polls, vc.Now())
		return q.ReadStatus(ctx, robot, key)
	}), RobotCode: "r", Now: vc.Now, Sleep: vc.Sleep, Workers: 1})
	// An hour of nothing to watch, then a key is added.
	added := t0.Add(time.Hour + 90*time.Second)
	vc.At(added, func() { e.Add(AddSpec{Keys: []string{"lateKey"}, SentAt: added}) })
	e.Run(ctx)
	if len(polls) == 0 || !polls[0].Equal(added) {
		t.Fatalf("the added key was first asked at %v, not when added (%v)", polls, added)
	}
	// Before the key: one wait a minute. After: one per poll of the key
	// (asked every 30 s at first, slower as it stays quiet) plus the
	// minute replans.
	before := 0
	for _, d := range vc.slept[:60] {
		if d == time.Minute {
			before++
		}
	}
	if before != 60 || vc.wakeups != 1 {
		t.Fatalf("idle hour: %d one-minute sleeps of 60, %d wakeups (want 1): %v", before, vc.wakeups, vc.slept[:61])
	}
	if vc.sleeps > 60+1+2*len(polls)+60 {
		t.Fatalf("%d sleeps for %d polls in the second hour", vc.sleeps, len(polls))
	}
}

// queryFunc is a Querier from a function.
type queryFunc func(ctx context.Context, robot, key string) (dingtalk.ReadStatus, error)

func (f queryFunc) ReadStatus(ctx context.Context, robot, key string) (dingtalk.ReadStatus, error) {
	return f(ctx, robot, key)
}

// A call that never reached DingTalk (connection refused) spends nothing
// of the budget: with DingTalk unreachable, 300 keys used the day's 166
// calls in seconds and polling stopped for 24 hours (tester H3).
func TestUnreachableDingTalkSpendsNoBudget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: every connection is refused
	c, err := dingtalk.New(dingtalk.Options{Endpoint: "http://" + addr, Credentials: dingtalk.Credentials{AppKey: "demo", AppSecret: "demo-secret"}, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine(Options{Client: c, RobotCode: "r", Now: func() time.Time { return t0 }})
	e.Add(AddSpec{Keys: []string{"unreachable1", "unreachable2", "unreachable3"}})
	e.PollOnce(context.Background())
	snap := e.Snapshot()
	if snap.Spent != 0 {
		t.Fatalf("%d calls counted for requests DingTalk never saw", snap.Spent)
	}
	if k := snap.State.Key("unreachable1"); k.Err == nil {
		t.Fatal("the failure is not shown")
	}
}
