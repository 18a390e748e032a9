package watch

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
)

// sendSetup is an engine that can send, against a simulator whose
// directory knows user001…user060.
func sendSetup(t *testing.T, timeout time.Duration) (*Engine, *sim.Server, *clock) {
	t.Helper()
	clk := newClock(t0)
	s, err := sim.Start(sim.Options{Now: clk.Now, NotReadyFor: time.Second,
		ReadPlan: func(id string) time.Duration {
			if id < "user010" { // user001…user009 read after a minute
				return time.Minute
			}
			return sim.Never
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for i := 1; i <= 60; i++ {
		s.AddPeople(sim.Person{UserID: fmt.Sprintf("user%03d", i), Name: fmt.Sprintf("Person %d", i)})
	}
	c, _ := dingtalk.New(dingtalk.Options{Endpoint: s.URL(), Credentials: dingtalk.Credentials{AppKey: "demo", AppSecret: "demo-secret"},
		Rate: 1000, Retries: -1, Timeout: timeout, Now: clk.Now})
	e := NewEngine(Options{Client: c, Sender: c, RobotCode: "dingdemo", Now: clk.Now, Policy: Policy{Interval: 10 * time.Second}})
	return e, s, clk
}

func users(from, n int) []string {
	var ids []string
	for i := from; i < from+n; i++ {
		ids = append(ids, fmt.Sprintf("user%03d", i))
	}
	return ids
}

func TestSendSplitsIntoBatchesOfTwenty(t *testing.T) {
	e, s, _ := sendSetup(t, 2*time.Second)
	rep, err := e.Send(context.Background(), SendSpec{UserIDs: users(1, 45), Message: dingtalk.Text("周会改到三点"), Label: "Weekly"})
	if err != nil || !rep.OK() {
		t.Fatalf("%v %+v", err, rep)
	}
	sends := s.Sends()
	if len(sends) != 3 || len(sends[0].UserIDs) != 20 || len(sends[1].UserIDs) != 20 || len(sends[2].UserIDs) != 5 {
		t.Fatalf("batches %d", len(sends))
	}
	var param map[string]string
	if err := json.Unmarshal([]byte(sends[0].MsgParam), &param); err != nil || param["content"] != "周会改到三点" {
		t.Fatalf("msgParam %q is not a JSON string of the params", sends[0].MsgParam)
	}
	st := e.Snapshot().State
	keys := st.NoticeKeys(rep.Notice)
	if len(keys) != 3 || len(rep.Keys) != 3 || st.Notice(rep.Notice).Label != "Weekly" || keys[0].SentAt.IsZero() {
		t.Fatalf("notice keys %d, report %+v", len(keys), rep)
	}
	if e.Snapshot().Spent != 3 {
		t.Fatalf("spent %d", e.Snapshot().Spent)
	}
}

func TestSendTimeoutIsUnknownAndNotRetried(t *testing.T) {
	e, s, _ := sendSetup(t, 200*time.Millisecond)
	s.Inject(sim.Fault{Endpoint: "batchSend", Kind: sim.Hang, Delay: 2 * time.Second, Times: 1})
	rep, err := e.Send(context.Background(), SendSpec{UserIDs: users(1, 25), Message: dingtalk.Text("hi")})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || rep.Batches[0].Status != BatchUnknown || rep.Batches[1].Status != BatchSent {
		t.Fatalf("%+v", rep.Batches)
	}
	if got := s.Calls("batchSend"); got != 2 {
		t.Fatalf("batchSend calls = %d, want 2: the unknown batch must not be resent", got)
	}
	n := e.Snapshot().State.Notice(rep.Notice)
	if len(n.Batches) != 2 || n.Batches[0].Status != BatchUnknown || len(n.Batches[0].UserIDs) != 20 {
		t.Fatalf("the notice must remember the unknown batch: %+v", n.Batches)
	}
}

func TestRejectedRecipientsAreShown(t *testing.T) {
	e, _, _ := sendSetup(t, 2*time.Second)
	rep, _ := e.Send(context.Background(), SendSpec{UserIDs: []string{"user001", "ghost", "user002"}, Message: dingtalk.Text("hi")})
	if len(rep.NotDelivered) != 1 || rep.NotDelivered[0].UserID != "ghost" || rep.NotDelivered[0].Reason == "" {
		t.Fatalf("%+v", rep.NotDelivered)
	}
	if k := e.Snapshot().State.Key(rep.Keys[0]); len(k.NotDelivered) != 1 {
		t.Fatalf("the key must keep who was not delivered: %+v", k.NotDelivered)
	}
}

func TestRemindSendsOnlyToUnread(t *testing.T) {
	e, s, clk := sendSetup(t, 2*time.Second)
	rep, _ := e.Send(context.Background(), SendSpec{UserIDs: users(1, 30), Message: dingtalk.Text("first")})
	clk.Add(2 * time.Minute)
	e.PollOnce(context.Background())
	unread := e.Unread(rep.Notice)
	if len(unread) != 21 || slices.Contains(unread, "user001") {
		t.Fatalf("unread %v", unread)
	}
	rem, err := e.Send(context.Background(), SendSpec{Notice: rep.Notice, UserIDs: unread, Message: dingtalk.Text("reminder")})
	if err != nil || rem.Round != 1 || len(rem.Keys) != 2 {
		t.Fatalf("%v %+v", err, rem)
	}
	var reminded []string
	for _, sc := range s.Sends()[2:] {
		reminded = append(reminded, sc.UserIDs...)
	}
	slices.Sort(reminded)
	if !slices.Equal(reminded, unread) {
		t.Fatalf("reminded %v, want the unread %v", reminded, unread)
	}
	st := e.Snapshot().State
	n := st.Notice(rep.Notice)
	if len(n.Rounds) != 2 || len(st.NoticeKeys(rep.Notice)) != 4 {
		t.Fatalf("rounds %d keys %d", len(n.Rounds), len(st.NoticeKeys(rep.Notice)))
	}
	// People in two rounds count once.
	if a := AudienceOf(st.NoticeKeys(rep.Notice)); a.Total() != 30 {
		t.Fatalf("audience %d, want 30", a.Total())
	}
}

func TestRecallInChunksOfTwenty(t *testing.T) {
	e, s, clk := sendSetup(t, 2*time.Second)
	var keys []string
	for range 25 {
		keys = append(keys, s.AddMessage("dingdemo", clk.Now().Add(-time.Hour), []sim.Person{{UserID: "user001", Name: "P"}}))
	}
	e.Add(AddSpec{Keys: keys[:3], SentAt: clk.Now().Add(-time.Hour)})
	out, err := e.Recall(context.Background(), keys)
	if err != nil {
		t.Fatal(err)
	}
	if s.Calls("batchRecall") != 2 || len(out) != 25 {
		t.Fatalf("calls %d outcomes %d", s.Calls("batchRecall"), len(out))
	}
	for _, o := range out {
		if !o.OK {
			t.Fatalf("%+v", o)
		}
	}
	if k := e.Snapshot().State.Key(keys[0]); k.SendStatus != dingtalk.SendRecalled || !k.Final() {
		t.Fatalf("a recalled watched key must be final: %+v", k)
	}
	// Past 24 hours: refused without a call.
	old := s.AddMessage("dingdemo", clk.Now().Add(-30*time.Hour), nil)
	e.Add(AddSpec{Keys: []string{old}, SentAt: clk.Now().Add(-30 * time.Hour)})
	out, _ = e.Recall(context.Background(), []string{old})
	if out[0].OK || out[0].Error == "" || s.Calls("batchRecall") != 2 {
		t.Fatalf("%+v after %d calls", out, s.Calls("batchRecall"))
	}
}

func TestGroupKeysIntoNotice(t *testing.T) {
	e := NewEngine(Options{Client: &blockingQuerier{}, RobotCode: "r", Now: func() time.Time { return t0 }})
	e.Add(AddSpec{Keys: []string{"a", "b", "c"}})
	id, err := e.Group([]string{"a", "c"}, "季度总结")
	if err != nil {
		t.Fatal(err)
	}
	st := e.Snapshot().State
	if ks := st.NoticeKeys(id); len(ks) != 2 || st.Notice(id).Label != "季度总结" || st.Key("b").Notice != "" {
		t.Fatalf("%+v", ks)
	}
	id2, _ := e.Group([]string{"a", "c"}, "again")
	if st := e.Snapshot().State; st.Notice(id) != nil || len(st.NoticeKeys(id2)) != 2 {
		t.Fatal("the emptied notice must go")
	}
	if _, err := e.Group(nil, "x"); err == nil {
		t.Fatal("grouping nothing")
	}
}

func TestTimelineAndTimeTo(t *testing.T) {
	k := &Key{Key: "k", Recipients: []Recipient{
		{UserID: "a", Read: true, FirstSeenRead: t0.Add(time.Minute)},
		{UserID: "b", Read: true, FirstSeenRead: t0.Add(3 * time.Minute)},
		{UserID: "c", Read: true, FirstSeenRead: t0.Add(10 * time.Minute)},
		{UserID: "d"},
	}}
	a := AudienceOf([]*Key{k})
	if got := a.Timeline(t0, t0.Add(10*time.Minute), 6); !slices.Equal(got, []int{0, 1, 2, 2, 2, 3}) {
		t.Fatalf("timeline %v", got)
	}
	if d, ok := a.TimeTo(0.5, t0); !ok || d != 3*time.Minute {
		t.Fatalf("50%%: %v %v", d, ok)
	}
	if _, ok := a.TimeTo(0.9, t0); ok {
		t.Fatal("90% is not reached with 3 of 4")
	}
}

func TestTimelineEndsAtTheLastRead(t *testing.T) {
	last := t0.Add(40*time.Minute + 333*time.Millisecond + 7) // not a multiple of any step
	a := AudienceOf([]*Key{{Key: "k", Recipients: []Recipient{{UserID: "a", Read: true, FirstSeenRead: last}}}})
	if got := a.Timeline(t0, last, 15); got[14] != 1 {
		t.Fatalf("the last sample misses the read at the end: %v", got)
	}
}

// sendWithBatchFaults sends a 45-person notice whose first batch fails
// (DingTalk refuses it) and whose second has an unknown outcome (the
// answer never comes in time).
func sendWithBatchFaults(t *testing.T) (*Engine, *sim.Server, SendReport) {
	t.Helper()
	e, s, _ := sendSetup(t, 300*time.Millisecond)
	s.Inject(sim.Fault{Endpoint: "batchSend", Kind: sim.Answer, Status: 400, Code: "invalidParameter.param.invalid", Times: 1})
	s.Inject(sim.Fault{Endpoint: "batchSend", Kind: sim.Hang, Delay: 2 * time.Second, Times: 1})
	rep, err := e.Send(context.Background(), SendSpec{UserIDs: users(1, 45), Message: dingtalk.Text("周会改到三点"), Label: "Weekly"})
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{rep.Batches[0].Status, rep.Batches[1].Status, rep.Batches[2].Status}; !slices.Equal(got, []string{BatchFailed, BatchUnknown, BatchSent}) {
		t.Fatalf("batches %v", got)
	}
	return e, s, rep
}

func noticeGroup(t *testing.T, e *Engine, id string) Group {
	t.Helper()
	for _, g := range e.Snapshot().State.Groups() {
		if g.Notice != nil && g.Notice.ID == id {
			return g
		}
	}
	t.Fatalf("no group for notice %s", id)
	return Group{}
}

func userIDs(people []Person) []string {
	var ids []string
	for _, p := range people {
		ids = append(ids, p.UserID)
	}
	slices.Sort(ids)
	return ids
}

func TestFailedAndUnknownBatchesCount(t *testing.T) {
	e, _, rep := sendWithBatchFaults(t)
	a := noticeGroup(t, e, rep.Notice).Audience()
	if a.Total() != 45 || len(a.Unread) != 5 || len(a.Failed) != 20 || len(a.Unknown) != 20 {
		t.Fatalf("total %d unread %d failed %d unknown %d, want 45, 5, 20, 20", a.Total(), len(a.Unread), len(a.Failed), len(a.Unknown))
	}
	for _, p := range append(slices.Clip(a.Failed), a.Unknown...) {
		want := BatchFailed
		if p.UserID > "user020" {
			want = BatchUnknown
		}
		if p.Batch != want || p.Display() != p.UserID {
			t.Fatalf("%s: batch %q shown as %q, want %q and the userId", p.UserID, p.Batch, p.Display(), want)
		}
	}
	if !slices.Equal(userIDs(a.Failed), users(1, 20)) || !slices.Equal(userIDs(a.Unknown), users(21, 20)) {
		t.Fatalf("failed %v unknown %v", userIDs(a.Failed), userIDs(a.Unknown))
	}
	if a.Reached(0.5) {
		t.Fatal("5 of 45 is not half")
	}
}

func TestResendReachesOnlyFailedBatches(t *testing.T) {
	e, s, rep := sendWithBatchFaults(t)
	before := len(s.Sends())
	re, err := e.Resend(context.Background(), rep.Notice, false)
	if err != nil || !re.OK() || re.Round != 1 || len(re.Keys) != 1 {
		t.Fatalf("%v %+v", err, re)
	}
	var got []string
	for _, sc := range s.Sends()[before:] {
		got = append(got, sc.UserIDs...)
		var param map[string]string
		if json.Unmarshal([]byte(sc.MsgParam), &param); param["content"] != "周会改到三点" {
			t.Fatalf("resent %q, not the round's message", sc.MsgParam)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, users(1, 20)) {
		t.Fatalf("resent to %v, want only the failed batch's people", got)
	}
	n := e.Snapshot().State.Notice(rep.Notice)
	if r := n.Rounds[1]; !r.Resend || r.ResendOf != 0 {
		t.Fatalf("round %+v is not marked as a resend of round 0", r)
	}
	a := noticeGroup(t, e, rep.Notice).Audience()
	if failed, unknown := len(a.Failed), len(a.Unknown); a.Total() != 45 || failed != 0 || unknown != 20 {
		t.Fatalf("after resend: total %d failed %d unknown %d", a.Total(), failed, unknown)
	}
	// Only unknown batches are left: not without the caller's say-so.
	calls := s.Calls("batchSend")
	if _, err := e.Resend(context.Background(), rep.Notice, false); err == nil || !strings.Contains(err.Error(), "unknown") {
		t.Fatalf("want a refusal naming the unknown outcome, got %v", err)
	}
	if s.Calls("batchSend") != calls {
		t.Fatal("a refused resend called batchSend")
	}
	if _, err := e.Resend(context.Background(), rep.Notice, true); err != nil {
		t.Fatal(err)
	}
	var second []string
	for _, sc := range s.Sends()[before+1:] {
		second = append(second, sc.UserIDs...)
	}
	slices.Sort(second)
	if !slices.Equal(second, users(21, 20)) {
		t.Fatalf("second resend to %v, want the unknown batch's people", second)
	}
	if a := noticeGroup(t, e, rep.Notice).Audience(); a.Total() != 45 || len(a.Failed)+len(a.Unknown) != 0 {
		t.Fatalf("total %d failed %d unknown %d", a.Total(), len(a.Failed), len(a.Unknown))
	}
	if _, err := e.Resend(context.Background(), rep.Notice, true); err == nil {
		t.Fatal("nothing left to resend, yet no error")
	}
}

func TestResendNeedsTheKeptMessage(t *testing.T) {
	e, s, rep := sendWithBatchFaults(t)
	e.mu.Lock()
	e.state.Notice(rep.Notice).Rounds[0].Message = nil // as an older dingwatch saved it
	e.mu.Unlock()
	calls := s.Calls("batchSend")
	if _, err := e.Resend(context.Background(), rep.Notice, true); err == nil || s.Calls("batchSend") != calls {
		t.Fatalf("err %v, calls %d → %d", err, calls, s.Calls("batchSend"))
	}
	if _, err := e.Resend(context.Background(), "no-such-notice", true); err == nil {
		t.Fatal("resend of an unknown notice")
	}
}

// oddSender answers every batchSend with a key dingwatch's check refuses.
type oddSender struct{ key string }

func (o oddSender) BatchSend(context.Context, string, []string, dingtalk.Message) (dingtalk.SendResult, error) {
	return dingtalk.SendResult{ProcessQueryKey: o.key}, nil
}

func (oddSender) BatchRecall(context.Context, string, []string) (dingtalk.RecallResult, error) {
	return dingtalk.RecallResult{}, nil
}

func TestOddKeyFromBatchSendIsKeptNotWatched(t *testing.T) {
	odd := "not a key\x1b[2J"
	e := NewEngine(Options{Client: &blockingQuerier{}, Sender: oddSender{odd}, RobotCode: "r", Now: func() time.Time { return t0 }})
	rep, err := e.Send(context.Background(), SendSpec{UserIDs: users(1, 3), Message: dingtalk.Text("hi")})
	if err != nil {
		t.Fatal(err)
	}
	b := rep.Batches[0]
	if b.Status != BatchUnknown || b.Key != odd || !strings.Contains(b.Error, "processQueryKey") || len(rep.Keys) != 0 {
		t.Fatalf("batch %+v keys %v", b, rep.Keys)
	}
	st := e.Snapshot().State
	if len(st.Keys) != 0 {
		t.Fatalf("a key that fails the check is watched: %+v", st.Keys[0])
	}
	if g := st.Groups(); len(g) != 1 || g[0].Notice == nil || g[0].Notice.ID != rep.Notice || g[0].Audience().Total() != 3 {
		t.Fatalf("a notice with no key must still be listed: %+v", g)
	}
	if n := st.Notice(rep.Notice); n == nil || len(n.Batches) != 1 {
		t.Fatal("the notice must keep the batch")
	}
	if a := AudienceOf(nil, st.Notice(rep.Notice).Batches...); a.Total() != 3 || len(a.Failed)+len(a.Unknown) != 3 {
		t.Fatalf("audience %+v", a)
	}
	if _, err := EncodeState(st); err != nil {
		t.Fatal(err)
	}
}

func TestNoticeFromKeysTakesTheirSendTime(t *testing.T) {
	e := NewEngine(Options{Client: &blockingQuerier{}, RobotCode: "r", Now: func() time.Time { return t0 }})
	e.Add(AddSpec{Keys: []string{"a"}, SentAt: t0.Add(-3 * time.Hour)})
	e.Add(AddSpec{Keys: []string{"b"}, SentAt: t0.Add(-5 * time.Hour)})
	e.Add(AddSpec{Keys: []string{"c"}}) // send time unknown
	id, err := e.Group([]string{"a", "b", "c"}, "old keys")
	if err != nil {
		t.Fatal(err)
	}
	st := e.Snapshot().State
	n := st.Notice(id)
	if !n.CreatedAt.Equal(t0.Add(-5*time.Hour)) || !n.Rounds[0].At.Equal(t0.Add(-5*time.Hour)) {
		t.Fatalf("notice made at %v (round 0 at %v), want the earliest send time", n.CreatedAt, n.Rounds[0].At)
	}
	if start, ok := (Group{Notice: n, Keys: st.NoticeKeys(id)}).Start(); !ok || !start.Equal(t0.Add(-5*time.Hour)) {
		t.Fatalf("start %v %v", start, ok)
	}
	if _, ok := (Group{Keys: []*Key{st.Key("c")}}).Start(); ok {
		t.Fatal("a key without send time has no start")
	}
}

// A failed batch says it was not sent and never that it will be tried
// again: nothing resends it on its own.
func TestFailedBatchClaimsNoRetry(t *testing.T) {
	for _, f := range []sim.Fault{
		{Endpoint: "batchSend", Kind: sim.Answer, Status: 500, Code: "system.error", Times: 1},
		{Endpoint: "batchSend", Kind: sim.Answer, Status: 429, Code: "Throttling", Times: 1},
		{Endpoint: "batchSend", Kind: sim.Answer, Status: 403, Code: "Forbidden.AccessDenied.QpsLimitForApi", Times: 1},
	} {
		t.Run(f.Code, func(t *testing.T) {
			e, s, _ := sendSetup(t, 2*time.Second)
			s.Inject(f)
			rep, err := e.Send(context.Background(), SendSpec{UserIDs: users(1, 3), Message: dingtalk.Text("hi")})
			if err != nil || rep.Batches[0].Status != BatchFailed {
				t.Fatalf("%v %+v", err, rep.Batches)
			}
			msg := strings.ToLower(rep.Batches[0].Error)
			if strings.Contains(msg, "retrying") || strings.Contains(msg, "later") || !strings.Contains(msg, "resend") {
				t.Fatalf("batch error %q", rep.Batches[0].Error)
			}
			if s.Calls("batchSend") != 1 {
				t.Fatalf("batchSend called %d times", s.Calls("batchSend"))
			}
		})
	}
}

// A notice none of whose batches was sent has no key: it stays listed when
// other keys are removed, and its people count.
func TestUnsentNoticeSurvivesRemovals(t *testing.T) {
	e, s, _ := sendSetup(t, 2*time.Second)
	s.Inject(sim.Fault{Endpoint: "batchSend", Kind: sim.Answer, Status: 400, Code: "invalidParameter.param.invalid", Times: 1})
	failed, err := e.Send(context.Background(), SendSpec{UserIDs: users(1, 5), Message: dingtalk.Text("a"), Label: "failed"})
	if err != nil || failed.Batches[0].Status != BatchFailed {
		t.Fatalf("%v %+v", err, failed.Batches)
	}
	sent, _ := e.Send(context.Background(), SendSpec{UserIDs: users(10, 3), Message: dingtalk.Text("b"), Label: "sent"})
	if _, err := e.Remove(sent.Keys...); err != nil {
		t.Fatal(err)
	}
	st := e.Snapshot().State
	if st.Notice(sent.Notice) != nil {
		t.Fatal("a notice whose keys were all removed stays")
	}
	g := st.Groups()
	if len(g) != 1 || g[0].Notice == nil || g[0].Notice.ID != failed.Notice || g[0].Audience().Total() != 5 {
		t.Fatalf("groups %+v", g)
	}
}

// stoppingSender stops the send (as quitting dingwatch does) while its
// first batch is sent: that batch went out, the others never left.
type stoppingSender struct {
	fakeSender
	stop context.CancelFunc
}

func (s *stoppingSender) BatchSend(ctx context.Context, robot string, ids []string, msg dingtalk.Message) (dingtalk.SendResult, error) {
	s.stop()
	return s.fakeSender.BatchSend(ctx, robot, ids, msg)
}

// A send stopped part way (dingwatch quit during it) records the batches
// that never left as not sent because the send stopped, never as
// DingTalk's doing, and charges no call for them (tester Q7: they said
// "DingTalk was busy").
func TestStoppedSendSaysItStopped(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &stoppingSender{stop: cancel}
	e := NewEngine(Options{Sender: s, RobotCode: "r", Now: func() time.Time { return t0 }})
	rep, err := e.Send(ctx, SendSpec{Label: "stopped", UserIDs: users(1, 60), Message: dingtalk.Text("hi")})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Batches) != 3 || rep.Batches[0].Status != BatchSent {
		t.Fatalf("batches: %+v", rep.Batches)
	}
	for _, b := range rep.Batches[1:] {
		if b.Status != BatchFailed || b.Error != notSentStopped {
			t.Errorf("a batch that never left: %s %q", b.Status, b.Error)
		}
	}
	if spent := e.Snapshot().State.Calls.Spent(t0); spent != 1 {
		t.Errorf("%d calls charged, want 1 (the batch that left)", spent)
	}
}
