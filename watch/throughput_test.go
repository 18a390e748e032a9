package watch

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
)

// TestLimiterHoldsUnderLoad refreshes 60 keys at once against the
// simulator answering after 50 ms, through a client limited to 20 calls a
// second: DingTalk never sees more than 20 in any one second, even with
// the token fetched in the middle. (go run ./bench throughput does 1,000.)
func TestLimiterHoldsUnderLoad(t *testing.T) {
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
	if most := s.MaxCallsPerSecond(); most > 20 {
		t.Fatalf("%d calls in one second through a 20/s limiter", most)
	}
}
