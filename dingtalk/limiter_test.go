package dingtalk

import (
	"testing"
	"time"
)

// TestLimiterStaysUnderTheRate schedules 200 calls through the client's
// limiter on explicit times (no sleeping, so a busy machine cannot change
// the answer) and checks that no one-second window holds more calls than the
// configured rate: DingTalk throttles at about 20 calls a second per app.
// The same figure against the simulator, on the wall clock, is measured by
// `go run ./scripts/bench throughput`.
func TestLimiterStaysUnderTheRate(t *testing.T) {
	for _, rate := range []float64{DefaultRate, 20, 5} {
		c, err := New(Options{Endpoint: "http://127.0.0.1:1", Credentials: Credentials{AppKey: "k", AppSecret: "s"}, Rate: rate})
		if err != nil {
			t.Fatal(err)
		}
		base := time.Unix(1_700_000_000, 0)
		var at []time.Time
		for range 200 {
			r := c.limiter.ReserveN(base, 1)
			if !r.OK() {
				t.Fatalf("rate %v: reservation refused", rate)
			}
			at = append(at, base.Add(r.DelayFrom(base)))
		}
		most, lo := 0, 0
		for hi := range at {
			for at[hi].Sub(at[lo]) >= time.Second {
				lo++
			}
			most = max(most, hi-lo+1)
		}
		if float64(most) > rate {
			t.Errorf("rate %v: %d calls in one second", rate, most)
		}
		if most < int(rate*0.8) {
			t.Errorf("rate %v: only %d calls in one second: the limiter is far slower than asked", rate, most)
		}
	}
}
