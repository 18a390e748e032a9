package watch

import (
	"context"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk/sim"
)

// --on-read (Options.OnRead) hears only of reads dingwatch saw happen: not
// of people who had read before the key's first answer.
func TestOnReadOnlyForReadsSeenHappening(t *testing.T) {
	clk := newClock(t0)
	s, c := simClient(t, clk)
	// Sent two hours ago: two have read already, one reads later.
	key := s.AddMessage("dingdemo", t0.Add(-2*time.Hour), []sim.Person{
		{UserID: "early1", Name: "林", ReadAfter: time.Minute}, {UserID: "early2", Name: "王", ReadAfter: time.Hour},
		{UserID: "late", Name: "胡", ReadAfter: 2*time.Hour + 5*time.Minute}})
	var events []ReadEvent
	e := NewEngine(Options{Client: c, RobotCode: "dingdemo", Now: clk.Now, Policy: Policy{Interval: 10 * time.Second},
		OnRead: func(ev ReadEvent) { events = append(events, ev) }})
	if _, err := e.Add(AddSpec{Keys: []string{key}, SentAt: t0.Add(-2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	e.PollOnce(context.Background())
	k := e.Snapshot().State.Key(key)
	if read, _ := k.Counts(); read != 2 || len(events) != 0 {
		t.Fatalf("first answer: read %d, events %+v (want 2 read, no event)", read, events)
	}
	for _, r := range k.Recipients {
		if !r.FirstSeenRead.IsZero() {
			t.Fatalf("%s read before the first answer has a time: %v", r.UserID, r.FirstSeenRead)
		}
	}
	for range 60 {
		clk.Add(10 * time.Second)
		e.PollOnce(context.Background())
		if len(events) > 0 {
			break
		}
	}
	if len(events) != 1 || events[0].UserID != "late" || !events[0].Everyone || events[0].At.IsZero() {
		t.Fatalf("events %+v, want one for late, completing the key", events)
	}
}
