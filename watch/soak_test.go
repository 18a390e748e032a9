package watch

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
)

// TestSoak watches 1,000 keys against the simulator with 5% of queries
// failing, for a bounded number of passes on a virtual clock, with a
// store: goroutines and heap stay flat.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak")
	}
	clk := newClock(t0)
	s, err := sim.Start(sim.Options{Now: clk.Now, NotReadyFor: time.Second, FaultRate: 0.05, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var keys []string
	for i := range 1000 {
		var ps []sim.Person
		for j := range 20 {
			after := time.Duration(i%97+j*13) * time.Minute
			if j%7 == 3 {
				after = sim.Never
			}
			ps = append(ps, sim.Person{UserID: fmt.Sprintf("u%d-%d", i, j), Name: fmt.Sprintf("员工%d", j), ReadAfter: after})
		}
		keys = append(keys, s.AddMessage("dingdemo", t0, ps))
	}
	c, _ := dingtalk.New(dingtalk.Options{Endpoint: s.URL(), Credentials: dingtalk.Credentials{AppKey: "demo", AppSecret: "demo-secret"},
		Rate: 5000, Retries: -1, Timeout: 2 * time.Second, Now: clk.Now})
	store, st, _, err := OpenStore(t.TempDir(), t0)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	e := NewEngine(Options{Client: c, Store: store, State: st, RobotCode: "dingdemo", Now: clk.Now, Workers: 8,
		Policy: Policy{Interval: 10 * time.Second}})
	e.Add(AddSpec{Keys: keys, SentAt: t0})
	changes, stop := e.Subscribe()
	defer stop()
	go func() {
		for range changes { // a view that keeps up
		}
	}()

	measure := func() (int, uint64) {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return runtime.NumGoroutine(), ms.HeapInuse
	}
	pass := func() {
		clk.Add(20 * time.Second)
		e.PollOnce(context.Background())
	}
	for range 5 {
		pass() // warm up: every key answered once, connections open
	}
	g0, h0 := measure()
	deadline := time.Now().Add(30 * time.Second)
	passes := 0
	for ; passes < 60 && time.Now().Before(deadline); passes++ {
		pass()
	}
	g1, h1 := measure()
	t.Logf("%d passes, %d readStatus calls: goroutines %d → %d, heap in use %.1f → %.1f MiB",
		passes, s.Calls("readStatus"), g0, g1, float64(h0)/(1<<20), float64(h1)/(1<<20))
	if g1 > g0+5 {
		t.Errorf("goroutines grew from %d to %d", g0, g1)
	}
	if float64(h1) > float64(h0)*1.5+4<<20 {
		t.Errorf("heap grew from %d to %d bytes", h0, h1)
	}
	snap := e.Snapshot()
	failing := 0
	for _, k := range snap.State.Keys {
		if k.Err != nil {
			failing++
		}
	}
	if len(snap.State.Keys) != 1000 || failing > 150 {
		t.Errorf("%d keys, %d failing", len(snap.State.Keys), failing)
	}
}
