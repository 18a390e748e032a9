package watch

import (
	"fmt"
	"testing"
	"time"
)

func liveKey(name string, added time.Time, unread int) *Key {
	k := &Key{Key: name, AddedAt: added, SentAt: added}
	for i := range unread {
		k.Recipients = append(k.Recipients, Recipient{UserID: fmt.Sprint(i)})
	}
	return k
}

func TestNewKeysAreDueAtOnceFinalNever(t *testing.T) {
	p := Policy{Interval: 10 * time.Second}
	done := liveKey("done", t0, 0)
	done.Recipients = []Recipient{{UserID: "x", Read: true}}
	done.LastOK = t0 // DingTalk said so: all read before any answer (pushed reads) is not done
	recalled := liveKey("recalled", t0, 3)
	recalled.SendStatus = "RECALLED"
	expired := liveKey("expired", t0.Add(-25*time.Hour), 3)
	st := &State{Keys: []*Key{liveKey("new", t0, 3), done, recalled, expired}}
	plan := p.Plan(st, t0, nil)
	if len(plan.Due) != 1 || plan.Due[0].Key != "new" {
		t.Fatalf("due %v", keysOf(plan.Due))
	}
}

func keysOf(ks []*Key) []string {
	var s []string
	for _, k := range ks {
		s = append(s, k.Key)
	}
	return s
}

func TestIntervalGrowsWithQuietAndIsCapped(t *testing.T) {
	p := Policy{Interval: 10 * time.Second, MaxInterval: 20 * time.Minute}.WithDefaults()
	k := liveKey("k", t0, 5)
	if d := p.interval(k, 0, 0); d != 10*time.Second {
		t.Fatalf("fresh: %v", d)
	}
	d1 := p.interval(k, 10*time.Minute, 0)
	d2 := p.interval(k, time.Hour, 0)
	if !(d1 > 10*time.Second && d2 > d1) {
		t.Fatalf("quiet 10m %v, 1h %v", d1, d2)
	}
	if d := p.interval(k, 10*time.Hour, 0); d != 20*time.Minute {
		t.Fatalf("cap: %v", d)
	}
	if d := p.interval(k, 0, 3); d != 80*time.Second {
		t.Fatalf("3 failures: %v", d)
	}
	// Mostly read: polled less often than all unread at the same quiet time.
	mostly := liveKey("m", t0, 10)
	for i := range 9 {
		mostly.Recipients[i].Read = true
	}
	if p.interval(mostly, 10*time.Minute, 0) <= d1 {
		t.Fatal("a key with few unread should be polled less often")
	}
}

func TestForcedRefreshAndOverdueOrder(t *testing.T) {
	p := Policy{Interval: 10 * time.Second}
	a, b := liveKey("a", t0, 3), liveKey("b", t0, 3)
	a.LastTry, b.LastTry = t0, t0.Add(5*time.Second)
	st := &State{Keys: []*Key{b, a}}
	plan := p.Plan(st, t0.Add(6*time.Second), nil)
	if len(plan.Due) != 0 || !plan.Next.Equal(t0.Add(10*time.Second)) {
		t.Fatalf("due %v next %v", keysOf(plan.Due), plan.Next)
	}
	plan = p.Plan(st, t0.Add(6*time.Second), map[string]bool{"b": true})
	if len(plan.Due) != 1 || plan.Due[0].Key != "b" {
		t.Fatalf("forced: %v", keysOf(plan.Due))
	}
	plan = p.Plan(st, t0.Add(16*time.Second), nil)
	if fmt.Sprint(keysOf(plan.Due)) != "[a b]" {
		t.Fatalf("most overdue first: %v", keysOf(plan.Due))
	}
}

func TestBudgetStretchesAndCaps(t *testing.T) {
	var keys []*Key
	for i := range 10 {
		keys = append(keys, liveKey(fmt.Sprint("k", i), t0, 20))
	}
	st := &State{Keys: keys}
	free := Policy{Interval: 30 * time.Second}
	tight := Policy{Interval: 30 * time.Second, Budget: 200}
	if plan := free.Plan(st, t0, nil); plan.Stretch != 1 || len(plan.Due) != 10 {
		t.Fatalf("no budget: %+v", plan)
	}
	plan := tight.Plan(st, t0, nil)
	if plan.Stretch <= 1 || len(plan.Due) != 10 {
		t.Fatalf("tight budget: stretch %v due %d", plan.Stretch, len(plan.Due))
	}
	// Spent budget: nothing is due, and the plan says when a call ages out.
	for i := range 195 {
		st.Calls.Add(t0.Add(time.Duration(i) * time.Second))
	}
	now := t0.Add(time.Hour)
	if plan := tight.Plan(st, now, nil); len(plan.Due) != 5 {
		t.Fatalf("5 calls left, %d due", len(plan.Due))
	}
	for range 5 {
		st.Calls.Add(now)
	}
	plan = tight.Plan(st, now, map[string]bool{"k1": true})
	if !plan.Blocked || len(plan.Due) != 0 || !plan.Next.Equal(t0.Add(24*time.Hour+time.Minute)) {
		t.Fatalf("blocked plan %+v", plan)
	}
}

func TestLedgerIsBoundedAndCountsTheLastDay(t *testing.T) {
	var l Ledger
	for i := range 3 * 24 * 60 * 10 { // ten calls a minute for three days
		l.Add(t0.Add(time.Duration(i) * 6 * time.Second))
	}
	end := t0.Add(3*24*time.Hour - 6*time.Second)
	if len(l.Minutes) > 24*60+1 {
		t.Fatalf("%d minutes kept", len(l.Minutes))
	}
	if got := l.Spent(end); got != 24*60*10 {
		t.Fatalf("spent %d, want %d", got, 24*60*10)
	}
	if got := l.Spent(end.Add(25 * time.Hour)); got != 0 {
		t.Fatalf("spent a day later %d", got)
	}
	if !l.FreedAt(end, 24*60*10+1).IsZero() {
		t.Fatal("under budget yet not free")
	}
	if at := l.FreedAt(end, 24*60*10); !at.After(end) || at.After(end.Add(2*time.Minute)) {
		t.Fatalf("freed at %v (now %v)", at, end)
	}
}

func TestLastLookBeforeTheWindowCloses(t *testing.T) {
	p := Policy{Interval: 30 * time.Second, MaxInterval: 30 * time.Minute}
	k := liveKey("k", t0, 5)
	k.LastTry, k.LastChange = t0.Add(23*time.Hour+45*time.Minute), t0
	st := &State{Keys: []*Key{k}}
	// Quiet for a day: next poll would be 30 min away, past the window; the last look comes first.
	plan := p.Plan(st, t0.Add(23*time.Hour+46*time.Minute), nil)
	if want := t0.Add(Window - lastLook); !plan.Next.Equal(want) {
		t.Fatalf("next %v, want the last look at %v", plan.Next, want)
	}
	plan = p.Plan(st, t0.Add(Window-lastLook), nil)
	if len(plan.Due) != 1 {
		t.Fatal("the last look is not due")
	}
	k.LastTry = t0.Add(Window - lastLook)
	if plan := p.Plan(st, t0.Add(Window-lastLook+time.Minute), nil); len(plan.Due) != 0 {
		t.Fatal("a second last look")
	}
}
