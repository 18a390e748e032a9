package watch

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
)

// TestEngineHonoursDingTalksPause: after a ban (the 5-minute web page) or
// a throttle body with a "wait", the engine asks DingTalk nothing — for no
// key, a user's refresh included — until the pause is over, then asks
// again; the calls it did not make are not counted.
func TestEngineHonoursDingTalksPause(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault sim.Fault
		pause time.Duration
	}{
		{"ban page", sim.Fault{Endpoint: "readStatus", Status: 403, Body: "<html><body>denied</body></html>", Times: 1}, 5 * time.Minute},
		{"throttle wait", sim.Fault{Endpoint: "readStatus", Body: sim.BanBody, Times: 1}, 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock(t0)
			s, c := simClient(t, clk)
			var keys []string
			for range 3 {
				keys = append(keys, s.AddMessage("dingdemo", t0, []sim.Person{{UserID: "u1", Name: "A", ReadAfter: sim.Never}}))
			}
			e := NewEngine(Options{Client: c, RobotCode: "dingdemo", Now: clk.Now, Workers: 1, Policy: Policy{Interval: time.Second}})
			if _, err := e.Add(AddSpec{Keys: keys, SentAt: t0}); err != nil {
				t.Fatal(err)
			}
			clk.Add(time.Minute) // past "not generated yet"
			s.Inject(tc.fault)
			next := e.PollOnce(context.Background())
			if got := s.Calls("readStatus"); got != 1 {
				t.Fatalf("the pass went on after DingTalk asked for a pause: %d calls, want 1", got)
			}
			if spent := e.Snapshot().Spent; spent != 1 {
				t.Fatalf("spent %d calls, but 1 was made", spent)
			}
			if want := clk.Now().Add(tc.pause); next.Before(want) || e.Snapshot().HeldUntil.Before(want) {
				t.Fatalf("next poll at %v, held until %v: before the pause ends (%v)", next, e.Snapshot().HeldUntil, want)
			}
			clk.Add(tc.pause - time.Second/2)
			e.Refresh("", keys...)
			e.PollOnce(context.Background())
			if got := s.Calls("readStatus"); got != 1 {
				t.Fatalf("asked DingTalk %d times during its pause", got-1)
			}
			clk.Add(time.Second)
			e.PollOnce(context.Background())
			if got := s.Calls("readStatus"); got != 4 {
				t.Fatalf("after the pause: %d calls, want 1+3", got)
			}
		})
	}
}

// TestEngineHoldsOnlyTheKeyWhenTheWaitIsTheKeys: a pause asked by an answer
// that is not a throttle, ban or quota (a Retry-After on a busy answer)
// holds that key only; the others are asked as usual.
func TestEngineHoldsOnlyTheKeyWhenTheWaitIsTheKeys(t *testing.T) {
	clk := newClock(t0)
	var mu sync.Mutex
	calls := map[string]int{}
	q := queryFunc(func(ctx context.Context, robot, key string) (dingtalk.ReadStatus, error) {
		mu.Lock()
		defer mu.Unlock()
		calls[key]++
		if key == "busyKey0000000000001" {
			return dingtalk.ReadStatus{}, &dingtalk.Error{HTTPStatus: 500, Code: "system.error", RetryAfter: 10 * time.Minute}
		}
		return dingtalk.ReadStatus{SendStatus: "SUCCESS", Recipients: []dingtalk.Recipient{{UserID: "u1", Name: "A"}}}, nil
	})
	e := NewEngine(Options{Client: q, RobotCode: "r", Now: clk.Now, Workers: 1, Policy: Policy{Interval: 10 * time.Second}})
	if _, err := e.Add(AddSpec{Keys: []string{"busyKey0000000000001", "fineKey0000000000001"}, SentAt: t0}); err != nil {
		t.Fatal(err)
	}
	for range 30 { // five minutes of polling every 10 s
		clk.Add(10 * time.Second)
		e.PollOnce(context.Background())
	}
	if calls["busyKey0000000000001"] != 1 || calls["fineKey0000000000001"] < 10 {
		t.Fatalf("calls %v: the busy key must wait its 10 minutes, the other go on", calls)
	}
	clk.Add(6 * time.Minute)
	e.PollOnce(context.Background())
	if calls["busyKey0000000000001"] != 2 {
		t.Fatalf("the busy key was not asked again after its pause: %v", calls)
	}
}

// TestQueryOnceStopsAskingAfterABan: the one-shot status query asks no
// more keys once DingTalk answered with a ban; the keys it did not ask
// fail with that answer, so the report says why.
// A throttle without a wait (a QPS limit the client's own retries did not
// outlast) stops it too: asking the rest at once would be throttled again.
func TestQueryOnceStopsAskingAfterABan(t *testing.T) {
	for _, answer := range []*dingtalk.Error{
		{HTTPStatus: 403, Code: dingtalk.CodeBanned, RetryAfter: 5 * time.Minute},
		{HTTPStatus: 403, Code: "Forbidden.AccessDenied.QpsLimitForApi"},
	} {
		t.Run(answer.Code, func(t *testing.T) {
			var mu sync.Mutex
			calls := 0
			q := queryFunc(func(ctx context.Context, robot, key string) (dingtalk.ReadStatus, error) {
				mu.Lock()
				defer mu.Unlock()
				calls++
				return dingtalk.ReadStatus{}, answer
			})
			keys := make([]string, 20)
			for i := range keys {
				keys[i] = "bannedKey00000000" + string(rune('a'+i))
			}
			book := &CallBook{}
			rep := QueryOnce(context.Background(), q, "r", nil, keys, book, func() time.Time { return t0 })
			if calls > queryWorkers {
				t.Fatalf("%d calls after a ban answer; at most the %d already under way may be made", calls, queryWorkers)
			}
			if rep.Failed() != len(keys) {
				t.Fatalf("%d of %d keys failed; every key not asked must fail with the ban", rep.Failed(), len(keys))
			}
			if book.Made() != calls {
				t.Fatalf("%d calls counted, %d made: a key not asked spends nothing", book.Made(), calls)
			}
		})
	}
}
