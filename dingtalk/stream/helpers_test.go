package stream_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/dingtalk/stream"
)

// patience bounds every wait: a failure timeout, never a measurement.
const patience = 20 * time.Second

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// rig is a simulated DingTalk with its gateway, and the log of one client.
type rig struct {
	t     *testing.T
	sim   *sim.Server
	gw    *sim.Gateway
	clock *sim.Clock

	mu       sync.Mutex
	events   []stream.Event
	statuses []stream.Status
	sleeps   []time.Duration
}

func newRig(t *testing.T, st sim.StreamSettings) *rig {
	t.Helper()
	clock := sim.NewClock(t0)
	s, err := sim.Start(sim.Options{Now: clock.Now, AppKey: "app", AppSecret: "app-secret-123"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if st.Tick == 0 {
		st.Tick = 5 * time.Millisecond
	}
	if st.PingEvery == 0 {
		st.PingEvery = time.Hour // tests ping with PingNow
	}
	s.Stream().Configure(st)
	return &rig{t: t, sim: s, gw: s.Stream(), clock: clock}
}

// config is a client config recording events, statuses and backoff pauses
// (which return at once: no test waits out a backoff).
func (r *rig) config() stream.Config {
	return stream.Config{
		Endpoint: r.sim.URL(), ClientID: "app", ClientSecret: "app-secret-123",
		Now:  r.clock.Now,
		Rand: func() float64 { return 0.5 }, // jitter factor exactly 1
		Sleep: func(ctx context.Context, d time.Duration) error {
			r.mu.Lock()
			r.sleeps = append(r.sleeps, d)
			r.mu.Unlock()
			return ctx.Err()
		},
		OnEvent: func(ev stream.Event) {
			r.mu.Lock()
			r.events = append(r.events, ev)
			r.mu.Unlock()
		},
		OnStatus: func(st stream.Status) {
			r.mu.Lock()
			r.statuses = append(r.statuses, st)
			r.mu.Unlock()
		},
	}
}

// run starts c.Run and returns a stop that cancels it and waits for it.
func (r *rig) run(c *stream.Client) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case <-done:
		case <-time.After(patience):
			r.t.Fatal("Run did not return after its context ended")
		}
	}
	r.t.Cleanup(stop)
	return stop
}

func (r *rig) client(mod func(*stream.Config)) *stream.Client {
	cfg := r.config()
	if mod != nil {
		mod(&cfg)
	}
	c, err := stream.New(cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}

func (r *rig) gotEvents() []stream.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]stream.Event(nil), r.events...)
}

func (r *rig) gotStatuses() []stream.Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]stream.Status(nil), r.statuses...)
}

func (r *rig) gotSleeps() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.sleeps...)
}

// eventually waits for cond, failing with what after patience.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// openConns is the connections the gateway has that are still open.
func openConns(gw *sim.Gateway) []sim.StreamConn {
	var out []sim.StreamConn
	for _, c := range gw.Conns() {
		if c.CloseSeq == 0 {
			out = append(out, c)
		}
	}
	return out
}

// people are n recipients reading after the given delays.
func people(n int, after time.Duration) []sim.Person {
	ps := make([]sim.Person, n)
	for i := range ps {
		ps[i] = sim.Person{UserID: fmt.Sprintf("user%02d", i), Name: fmt.Sprintf("Person %d", i), ReadAfter: after}
	}
	return ps
}

// goroutines is the number of goroutines once it stops falling.
func settledGoroutines() int {
	low := runtime.NumGoroutine()
	for range 50 {
		time.Sleep(10 * time.Millisecond)
		low = min(low, runtime.NumGoroutine())
	}
	return low
}

func stacks() string {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	return strings.TrimSpace(string(buf[:n]))
}

// recorder collects events of a second client.
type recorder struct {
	mu  sync.Mutex
	evs []stream.Event
}

func newRecorder() *recorder { return &recorder{} }

func (r *recorder) add(ev stream.Event) {
	r.mu.Lock()
	r.evs = append(r.evs, ev)
	r.mu.Unlock()
}

func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.evs)
}
