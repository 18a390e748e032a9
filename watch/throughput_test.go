package watch

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
)

// TestRefreshAllUnderLoad refreshes 60 keys at once against the simulator
// answering after 50 ms, through a client limited to 20 calls a second with
// eight workers: every key is asked exactly once, the token fetched once in
// the middle. That the limiter keeps the calls under 20 in any second is
// checked on explicit times in dingtalk's TestLimiterStaysUnderTheRate; on
// the wall clock it is measured, not asserted (a busy machine bunches
// arrivals), by `go run ./scripts/bench throughput` with 1,000 keys.
func TestRefreshAllUnderLoad(t *testing.T) {
	s, err := sim.Start(sim.Options{Latency: 50 * time.Millisecond, NotReadyFor: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var keys []string
	for i := range 60 {
		keys = append(keys, s.AddMessage("dingdemo", time.Now().Add(-time.Hour), []sim.Person{{UserID: fmt.Sprint(i), Name: "P", ReadAfter: sim.Never}}))
	}
	c, _ := dingtalk.New(dingtalk.Options{Endpoint: s.URL(), Credentials: dingtalk.Credentials{AppKey: "demo", AppSecret: "demo-secret"}, Retries: -1, Rate: 20})
	e := NewEngine(Options{Client: c, RobotCode: "dingdemo", Workers: 8})
	e.Add(AddSpec{Keys: keys, SentAt: time.Now().Add(-time.Hour)})
	e.PollOnce(context.Background())
	if got := s.Calls("readStatus"); got != 60 {
		t.Fatalf("%d calls", got)
	}
	for _, k := range keys {
		if n := s.CallsFor(k); n != 1 {
			t.Fatalf("key %s asked %d times", k, n)
		}
	}
	if n := s.Calls("token"); n != 1 {
		t.Fatalf("%d token calls", n)
	}
}
