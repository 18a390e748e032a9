package watch

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
)

// TestKeysDeliveredToNobodyAreNeverAsked: a batch DingTalk delivered to
// nobody (every userId invalid) leaves a key nobody can read. With push or
// without, it is never asked — not as its batch's sample, not as a key of
// unknown recipients, not by a refresh, not by status — and shows no
// error; its people count as not delivered (H10).
func TestKeysDeliveredToNobodyAreNeverAsked(t *testing.T) {
	for _, push := range []bool{true, false} {
		t.Run(fmt.Sprintf("push=%v", push), func(t *testing.T) {
			clk := newClock(t0)
			s, err := sim.Start(sim.Options{Now: clk.Now, AppKey: "app", AppSecret: "sek"})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var ids []string
			for i := range 60 { // three batches to nobody first, so the first key of the notice is one
				ids = append(ids, fmt.Sprintf("nobody%02d", i))
			}
			for i := range 20 {
				id := fmt.Sprintf("p%02d", i)
				s.AddPeople(sim.Person{UserID: id, Name: "P " + id})
				ids = append(ids, id)
			}
			c, _ := dingtalk.New(dingtalk.Options{Endpoint: s.URL(), Credentials: dingtalk.Credentials{AppKey: "app", AppSecret: "sek"},
				Rate: 1000, Retries: -1, Now: clk.Now})
			e := NewEngine(Options{Client: c, Sender: c, RobotCode: "dingdemo", Now: clk.Now,
				Policy: Policy{Interval: 10 * time.Second, Budget: 2000}})
			if push {
				e.SetPush(PushStatus{State: PushLive, Since: t0})
			}
			rep, err := e.Send(context.Background(), SendSpec{UserIDs: ids, Message: dingtalk.Text("hi"), Label: "bad"})
			if err != nil || len(rep.Keys) != 4 || len(rep.NotDelivered) != 60 {
				t.Fatalf("send: %v, %d keys, %d not delivered", err, len(rep.Keys), len(rep.NotDelivered))
			}
			nobody, live := rep.Keys[:3], rep.Keys[3]
			for range 5 {
				e.PollOnce(context.Background())
				clk.Add(time.Minute)
			}
			if got := e.Refresh(""); got.Queued > 1 {
				t.Errorf("a refresh queued %d keys: the keys delivered to nobody need no call", got.Queued)
			}
			e.PollOnce(context.Background())
			for _, k := range nobody {
				if n := s.CallsFor(k); n != 0 {
					t.Errorf("a key delivered to nobody was asked %d times", n)
				}
			}
			if s.CallsFor(live) == 0 {
				t.Error("the key that reached people was never asked")
			}
			snap := e.Snapshot()
			for _, k := range snap.State.Keys {
				if k.Err != nil {
					t.Errorf("key %s shows an error: %s", k.Key, k.Err.Hint)
				}
			}
			a := AudienceOf(snap.State.NoticeKeys(rep.Notice), snap.State.Notice(rep.Notice).Batches...)
			if len(a.NotDelivered) != 60 || len(a.Read)+len(a.Unread) != 20 || a.Total() != 80 {
				t.Errorf("audience: %d not delivered, %d reached, total %d", len(a.NotDelivered), len(a.Read)+len(a.Unread), a.Total())
			}
			// status asks only the key that reached people.
			before := s.Calls("readStatus")
			sr := QueryOnce(context.Background(), c, "dingdemo", snap.State, rep.Keys, nil, clk.Now)
			if s.Calls("readStatus")-before != 1 || sr.Failed() != 0 {
				t.Fatalf("status made %d calls, %d failed", s.Calls("readStatus")-before, sr.Failed())
			}
			for i, ks := range sr.Keys {
				if ks.Undelivered != (i < 3) {
					t.Errorf("status key %d: undelivered %v", i, ks.Undelivered)
				}
			}
		})
	}
}
