package serve

import (
	"context"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/watch"
)

// holdR has a session press R every 100 ms of the engine's clock for
// span, polling after each press, and returns the readStatus calls spent.
func holdR(t *testing.T, f *fixture, term *terminal, span time.Duration) int {
	t.Helper()
	before := f.sim.Calls("readStatus")
	for at := time.Duration(0); at < span; at += 100 * time.Millisecond {
		term.in.Write([]byte("R"))
		time.Sleep(5 * time.Millisecond)
		f.clk.Add(100 * time.Millisecond)
		f.engine.PollOnce(context.Background())
	}
	term.waitFor(t, "calls at most") // the dashboard has handled an R and said what it may cost
	f.engine.PollOnce(context.Background())
	return f.sim.Calls("readStatus") - before
}

func TestViewersHoldingRSpendABoundedNumberOfCalls(t *testing.T) {
	// A refresh may ask a key again one second after its last try; the
	// schedule asks these keys (nobody has read, nothing changed for two
	// hours) every quarter hour, so every call in the 15 s below is one
	// that R bought.
	f := startPolicy(t, watch.Policy{Interval: time.Second}, nil)
	if _, err := f.engine.Remove(f.keys...); err != nil {
		t.Fatal(err)
	}
	sent := f.clk.Now().Add(-8 * time.Hour)
	var keys []string
	for range 40 {
		keys = append(keys, f.sim.AddMessage("dingdemo", sent, []sim.Person{{UserID: "u9", Name: "Zoe", ReadAfter: sim.Never}}))
	}
	if _, err := f.engine.Add(watch.AddSpec{Keys: keys, SentAt: sent}); err != nil {
		t.Fatal(err)
	}
	f.engine.PollOnce(context.Background())
	// Two quiet hours later the schedule asks each key every quarter hour.
	f.clk.Add(2 * time.Hour)
	f.engine.PollOnce(context.Background())
	f.clk.Add(2 * time.Second)

	const span = 15 * time.Second
	bound := watch.RefreshBurst + int(span/watch.RefreshRefill)
	viewer := f.openTerminal(t, f.viewer)
	viewer.waitFor(t, "Watched (40)")
	spent := holdR(t, f, viewer, span)
	if spent == 0 || spent > bound {
		t.Fatalf("a viewer holding R for %v spent %d calls; want 1…%d (RefreshBurst + one per RefreshRefill)", span, spent, bound)
	}
	t.Logf("a viewer holding R for %v spent %d calls (bound %d)", span, spent, bound)

	// A second session of the same key shares the allowance: opening more
	// sessions buys no more calls.
	again := f.openTerminal(t, f.viewer)
	again.waitFor(t, "Watched (40)")
	if more := holdR(t, f, again, 5*time.Second); more > 1 {
		t.Fatalf("a second session of the same viewer key spent %d more calls at once", more)
	}
}
