package watch

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/dingtalk/stream"
)

// pushRig is a simulated DingTalk with its Stream gateway, an engine
// polling it, and a Stream client feeding the engine, all on one clock.
type pushRig struct {
	t      *testing.T
	clk    *clock
	sim    *sim.Server
	e      *Engine
	stream *stream.Client
	stop   func()

	mu    sync.Mutex
	reads []ReadEvent
}

func newPushRig(t *testing.T, people []sim.Person) (*pushRig, string) {
	t.Helper()
	r := &pushRig{t: t, clk: newClock(t0)}
	s, err := sim.Start(sim.Options{Now: r.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.Stream().Configure(sim.StreamSettings{Tick: 5 * time.Millisecond, PingEvery: time.Hour})
	r.sim = s
	c, _ := dingtalk.New(dingtalk.Options{Endpoint: s.URL(), Credentials: dingtalk.Credentials{AppKey: "demo", AppSecret: "demo-secret"},
		Rate: 1000, Retries: -1, Now: r.clk.Now})
	key := s.AddMessage("dingdemo", t0, people)
	r.e = NewEngine(Options{Client: c, RobotCode: "dingdemo", Now: r.clk.Now, Policy: Policy{Interval: 10 * time.Second},
		OnRead: func(ev ReadEvent) { r.mu.Lock(); r.reads = append(r.reads, ev); r.mu.Unlock() }})
	if _, err := r.e.Add(AddSpec{Keys: []string{key}, Label: "drill", SentAt: t0}); err != nil {
		t.Fatal(err)
	}
	r.stream, err = stream.New(stream.Config{Endpoint: s.URL(), ClientID: "demo", ClientSecret: "demo-secret", Now: r.clk.Now,
		OnEvent:  func(ev stream.Event) { r.e.Push(PushEventOf(ev)) },
		OnStatus: func(st stream.Status) { r.e.SetPush(PushStatusOf(st)) },
		Sleep: func(ctx context.Context, _ time.Duration) error { // no test waits out a backoff
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Millisecond):
				return nil
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.stream.Run(ctx) }() //nolint:errcheck // ends with ctx
	r.stop = func() { cancel(); <-done }
	t.Cleanup(r.stop)
	r.waitFor("push live", func(s *Snapshot) bool { return s.Push.State == PushLive })
	return r, key
}

// waitFor waits (a failure timeout, not a measurement) until cond holds.
func (r *pushRig) waitFor(what string, cond func(*Snapshot) bool) {
	r.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond(r.e.Snapshot()) {
		if time.Now().After(deadline) {
			r.t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (r *pushRig) calls() int { return r.sim.Calls("readStatus") }

func TestPushedReadsNeedNoPollingBeyondReconciliation(t *testing.T) {
	people := []sim.Person{{UserID: "u1", Name: "王芳", ReadAfter: time.Minute}, {UserID: "u2", Name: "Bob", ReadAfter: 3 * time.Hour},
		{UserID: "u3", Name: "Never", ReadAfter: sim.Never}}
	r, key := newPushRig(t, people)
	ctx := context.Background()
	// The day of the key, polled as the engine's Run would: every 10 s of its clock.
	for elapsed := time.Duration(0); elapsed <= 25*time.Hour; elapsed += 10 * time.Second {
		r.clk.Set(t0.Add(elapsed))
		if elapsed == 2*time.Minute {
			r.waitFor("u1's pushed read", func(s *Snapshot) bool { read, _ := s.State.Key(key).Counts(); return read == 1 })
		}
		if elapsed == 3*time.Hour+time.Minute {
			r.waitFor("u2's pushed read", func(s *Snapshot) bool { read, _ := s.State.Key(key).Counts(); return read == 2 })
		}
		r.e.PollOnce(ctx)
	}
	k := r.e.Snapshot().State.Key(key)
	for _, rc := range k.Recipients {
		want := map[string]time.Time{"u1": t0.Add(time.Minute), "u2": t0.Add(3 * time.Hour)}[rc.UserID]
		if !rc.FirstSeenRead.Equal(want) || rc.Read != !want.IsZero() {
			t.Errorf("%s: read %v at %v, want DingTalk's time %v", rc.UserID, rc.Read, rc.FirstSeenRead, want)
		}
	}
	// Not generated yet, the first answer, 2 h after sending, the last look.
	t.Logf("%d readStatus calls over 25 h with push healthy", r.calls())
	if got := r.calls(); got > 4 {
		t.Errorf("%d readStatus calls over the key's day with push healthy, want at most 4", got)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reads) != 2 || r.reads[0].Name != "王芳" || r.reads[0].Notice != "drill" {
		t.Errorf("--on-read events %+v", r.reads)
	}
}

func TestDroppedStreamBringsPollingBackAndPushRecovers(t *testing.T) {
	r, key := newPushRig(t, []sim.Person{{UserID: "u1", ReadAfter: time.Hour}, {UserID: "u2", ReadAfter: sim.Never}})
	ctx := context.Background()
	gw := r.sim.Stream()
	r.e.PollOnce(ctx)
	r.clk.Add(10 * time.Second)
	r.e.PollOnce(ctx) // the first answer
	r.clk.Add(10 * time.Minute)
	r.e.PollOnce(ctx)
	if got := r.calls(); got != 2 {
		t.Fatalf("%d calls with push live, want 2 (waiting, first answer)", got)
	}
	gw.RefuseTickets(1 << 30)
	gw.Drop()
	r.waitFor("push reconnecting", func(s *Snapshot) bool { return s.Push.State == PushReconnecting })
	down := r.e.Snapshot().Push.Since
	if txt := r.e.Snapshot().Push.Text(down.Add(12 * time.Second)); txt != "push: reconnecting (12s)" {
		t.Errorf("header text %q", txt)
	}
	r.clk.Add(PushGrace / 2)
	if next := r.e.PollOnce(ctx); r.calls() != 2 || next.After(down.Add(PushGrace)) {
		t.Errorf("within the grace: %d calls, next wake %v (grace ends %v)", r.calls(), next, down.Add(PushGrace))
	}
	r.clk.Set(down.Add(PushGrace))
	r.e.PollOnce(ctx)
	if r.calls() != 3 {
		t.Fatalf("the grace over: %d calls, want polling back at once (3)", r.calls())
	}
	tickets := len(gw.Conns())
	gw.RefuseTickets(0)
	// The client may say live before the gateway has logged the connection
	// its handshake opened: wait for both.
	r.waitFor("push live again", func(s *Snapshot) bool { return s.Push.State == PushLive && len(gw.Conns()) > tickets })
	if cs := gw.Conns(); len(cs) != tickets+1 || cs[len(cs)-1].Ticket == cs[0].Ticket {
		t.Errorf("push did not recover with a fresh ticket: %+v", cs)
	}
	before := r.calls()
	for range 30 { // 30 minutes: normal polling would ask several times
		r.clk.Add(time.Minute)
		r.e.PollOnce(ctx)
	}
	if r.calls() != before {
		t.Errorf("%d calls in 30 min after push recovered, want none", r.calls()-before)
	}
	if read, _ := r.e.Snapshot().State.Key(key).Counts(); read != 0 {
		t.Errorf("%d read before anyone read", read)
	}
}

func TestPushedReadAfterTheWindowUpdatesTheFrozenKey(t *testing.T) {
	r, key := newPushRig(t, []sim.Person{{UserID: "u1", ReadAfter: 25 * time.Hour}, {UserID: "u2", ReadAfter: sim.Never}})
	ctx := context.Background()
	r.clk.Add(10 * time.Second)
	r.e.PollOnce(ctx)
	r.clk.Set(t0.Add(Window + time.Minute))
	r.e.PollOnce(ctx)
	if k := r.e.Snapshot().State.Key(key); !k.Expired {
		t.Fatal("the key is not frozen after its window")
	}
	before := r.calls()
	r.clk.Set(t0.Add(25*time.Hour + time.Minute))
	r.waitFor("the late pushed read", func(s *Snapshot) bool { read, _ := s.State.Key(key).Counts(); return read == 1 })
	k := r.e.Snapshot().State.Key(key)
	if !k.Expired || !k.Recipients[0].FirstSeenRead.Equal(t0.Add(25*time.Hour)) {
		t.Errorf("frozen key after the late read: %+v", k)
	}
	r.e.PollOnce(ctx)
	if r.calls() != before {
		t.Error("a frozen key was polled")
	}
}

func TestPushMatchesKeyAndRobot(t *testing.T) {
	var hooks []ReadEvent
	e := NewEngine(Options{RobotCode: "dingdemo", Now: func() time.Time { return t0.Add(time.Hour) },
		OnRead: func(ev ReadEvent) { hooks = append(hooks, ev) }})
	key := strings.Repeat("k", 20)
	if _, err := e.Add(AddSpec{Keys: []string{key}, SentAt: t0}); err != nil {
		t.Fatal(err)
	}
	e.Push(PushEvent{Type: PushRead, Key: "unwatched", UserID: "u1", At: t0})
	e.Push(PushEvent{Type: PushRead, Key: key, RobotCode: "otherbot", UserID: "u1", At: t0})
	e.Push(PushEvent{Type: "robot_msg_other", Key: key, UserID: "u1", At: t0})
	if k := e.Snapshot().State.Key(key); len(k.Recipients) != 0 || len(hooks) != 0 {
		t.Fatalf("an event for another key, robot or type changed the key: %+v, hooks %+v", k.Recipients, hooks)
	}
	e.Push(PushEvent{Type: PushRead, Key: key, RobotCode: "dingdemo", UserID: "u1", UnionID: "n1", At: t0.Add(time.Minute)})
	e.Push(PushEvent{Type: PushRead, Key: key, UnionID: "outsider"})                       // no userId, no time
	e.Push(PushEvent{Type: PushRead, Key: key, UserID: "u1", At: t0.Add(2 * time.Minute)}) // a redelivery
	k := e.Snapshot().State.Key(key)
	if len(k.Recipients) != 2 || k.Recipients[1].ID() != "unionId:outsider" || !k.Recipients[1].FirstSeenRead.Equal(t0.Add(time.Hour)) {
		t.Errorf("recipients %+v", k.Recipients)
	}
	if len(hooks) != 2 || hooks[0].UserID != "u1" || hooks[1].Name != "outsider" || !hooks[0].At.Equal(t0.Add(time.Minute)) {
		t.Errorf("hook events %+v", hooks)
	}
	e.Push(PushEvent{Type: PushRecall, Key: key, At: t0.Add(3 * time.Minute)})
	if k := e.Snapshot().State.Key(key); !k.Recalled() || !k.RecalledAt.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("recall not applied: %+v", k)
	}
}

func TestPushStatusText(t *testing.T) {
	now := t0.Add(time.Hour)
	for st, want := range map[PushStatus]string{
		{}:                "",
		{State: PushLive}: "push: live",
		{State: PushOff}:  "push: off",
		{State: PushReconnecting, Since: now.Add(-95 * time.Second)}: "push: reconnecting (1m35s)",
	} {
		if got := st.Text(now); got != want {
			t.Errorf("%+v: %q, want %q", st, got, want)
		}
	}
	if got := PushStatusOf(stream.Status{State: stream.Reconnecting, Since: now, Err: "x"}); got != (PushStatus{State: PushReconnecting, Since: now, Err: "x"}) {
		t.Errorf("PushStatusOf: %+v", got)
	}
}

func TestAPushedReadBeforeTheFirstAnswerStillAsksWhoElse(t *testing.T) {
	r, key := newPushRig(t, []sim.Person{{UserID: "u1", ReadAfter: time.Second}, {UserID: "u2", ReadAfter: sim.Never}})
	// The key is pasted: dingwatch knows none of its recipients yet.
	r.e.Remove(key)
	if _, err := r.e.Add(AddSpec{Keys: []string{key}, SentAt: t0}); err != nil {
		t.Fatal(err)
	}
	r.clk.Add(time.Second)
	r.waitFor("u1's pushed read", func(s *Snapshot) bool { read, _ := s.State.Key(key).Counts(); return read == 1 })
	r.clk.Add(10 * time.Second)
	r.e.PollOnce(context.Background())
	if read, total := r.e.Snapshot().State.Key(key).Counts(); read != 1 || total != 2 {
		t.Errorf("after the first answer %d/%d, want 1/2: one pushed read made the key look complete", read, total)
	}
}
