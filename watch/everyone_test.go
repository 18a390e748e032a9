package watch

import (
	"context"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk/sim"
)

// TestEveryoneIsSaidOfTheWholeNotice: "everyone has read it" (the
// Everyone event, the hook's DINGWATCH_EVENT=everyone) is said of the
// notice, not of its keys alone: not while a failed batch leaves people
// out of it, and with the count of the people DingTalk did not deliver it
// to, who never can read it (the tester's Q4, of the same kind).
func TestEveryoneIsSaidOfTheWholeNotice(t *testing.T) {
	for _, c := range []struct {
		name          string
		batch         Batch // besides the key's own
		notDelivered  []Undelivered
		everyone      bool
		notDeliveredN int
	}{
		{name: "all reached", everyone: true},
		{name: "a failed batch", batch: Batch{Status: BatchFailed, UserIDs: []string{"left1"}, Error: "DingTalk was busy"}},
		{name: "an unknown batch", batch: Batch{Status: BatchUnknown, UserIDs: []string{"maybe1"}}},
		{name: "not delivered", notDelivered: []Undelivered{{UserID: "ghost1", Reason: "invalid userId"}}, everyone: true, notDeliveredN: 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			clk := newClock(t0)
			s, cl := simClient(t, clk)
			sent := t0.Add(-time.Hour)
			key := s.AddMessage("dingdemo", sent, []sim.Person{{UserID: "p1", Name: "林", ReadAfter: time.Hour + time.Minute}})
			batches := []Batch{{Status: BatchSent, Key: key, UserIDs: []string{"p1"}, At: sent}}
			if c.batch.Status != "" {
				batches = append(batches, c.batch)
			}
			st := &State{
				Keys: []*Key{{Key: key, RobotCode: "dingdemo", Notice: "n1", SentAt: sent, AddedAt: sent,
					Recipients: []Recipient{{UserID: "p1", Name: "林"}}, NotDelivered: c.notDelivered}}, // as a send saves it
				Notices: []*Notice{{ID: "n1", Label: "Weekly", CreatedAt: sent, Batches: batches}},
			}
			var events []ReadEvent
			e := NewEngine(Options{Client: cl, RobotCode: "dingdemo", Now: clk.Now, State: st, Policy: Policy{Interval: 10 * time.Second},
				OnRead: func(ev ReadEvent) { events = append(events, ev) }})
			e.PollOnce(context.Background()) // the first answer: unread
			for range 30 {
				clk.Add(10 * time.Second)
				e.PollOnce(context.Background())
				if len(events) > 0 {
					break
				}
			}
			if len(events) != 1 || events[0].UserID != "p1" {
				t.Fatalf("events %+v, want p1's read", events)
			}
			if ev := events[0]; ev.Everyone != c.everyone || ev.NotDelivered != c.notDeliveredN {
				t.Errorf("everyone %v with %d not delivered, want %v with %d", ev.Everyone, ev.NotDelivered, c.everyone, c.notDeliveredN)
			}
			if got := e.Snapshot().State.Notice("n1").Complete; got != c.everyone {
				t.Errorf("notice complete %v, want %v", got, c.everyone)
			}
		})
	}
}
