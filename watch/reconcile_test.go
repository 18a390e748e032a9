package watch

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// batchKeys are n keys of one batch sent at sent: of notice notice
// (round 0), or on their own when notice is "".
func batchKeys(prefix, notice string, n int, sent time.Time) []*Key {
	ks := make([]*Key, n)
	for i := range ks {
		ks[i] = liveKey(fmt.Sprintf("%s%d", prefix, i), sent, 3)
		ks[i].Notice = notice
	}
	return ks
}

func TestReconcileAsksOneKeyOfEachBatchAtOnce(t *testing.T) {
	var keys []*Key
	keys = append(keys, batchKeys("a", "n1", 3, t0)...)
	reminders := batchKeys("r", "n1", 2, t0.Add(time.Minute))
	for _, k := range reminders {
		k.Round = 1 // a reminder round is a batch of its own
	}
	keys = append(keys, reminders...)
	keys = append(keys, batchKeys("p", "", 2, t0)...)                   // pasted together
	keys = append(keys, batchKeys("q", "", 1, t0.Add(-time.Minute))...) // pasted on its own
	st := &State{Keys: keys}
	now := t0.Add(2 * time.Minute)

	plan := Policy{Reconcile: true}.Plan(st, now, nil)
	if got, want := keysOf(plan.Due), []string{"a0", "r0", "p0", "q0"}; !slices.Equal(got, want) {
		t.Errorf("push healthy: due %v, want one key of each batch %v", got, want)
	}
	if want := t0.Add(ReconcileAfter); !plan.Next.Equal(want) {
		t.Errorf("next wake %v, want the checkpoint of the keys waiting (%v)", plan.Next, want)
	}
	if plan := (Policy{}).Plan(st, now, nil); len(plan.Due) != len(keys) {
		t.Errorf("push down: due %v, want every key's first look at once", keysOf(plan.Due))
	}
	if plan := eagerFirstLooks(Policy{Reconcile: true}).Plan(st, now, nil); len(plan.Due) != len(keys) {
		t.Errorf("the first push release: due %v, want every first look", keysOf(plan.Due))
	}
	// Keys whose recipients are unknown (pasted) have their first look
	// at once when the budget holds it beside every checkpoint and last
	// look: 8 keys, 3 calls each, 24 of 24; a call fewer, one first
	// look fewer; 20 (two calls each and the 4 samples), the samples only.
	var pasted []*Key
	for _, k := range keys {
		c := k.Clone()
		c.Recipients = nil
		pasted = append(pasted, c)
	}
	ps := &State{Keys: pasted}
	if plan := (Policy{Reconcile: true, Budget: 3 * len(keys)}).Plan(ps, now, nil); len(plan.Due) != len(keys) {
		t.Errorf("pasted keys, budget %d: due %v, want every first look", 3*len(keys), keysOf(plan.Due))
	}
	if plan := (Policy{Reconcile: true, Budget: 3*len(keys) - 1}).Plan(ps, now, nil); len(plan.Due) != len(keys)-1 {
		t.Errorf("pasted keys, budget %d: due %v, want all but one", 3*len(keys)-1, keysOf(plan.Due))
	}
	if plan := (Policy{Reconcile: true, Budget: 2*len(keys) + 4}).Plan(ps, now, nil); len(plan.Due) != 4 {
		t.Errorf("pasted keys, budget %d: due %v, want the 4 samples", 2*len(keys)+4, keysOf(plan.Due))
	}
	if plan := (Policy{Reconcile: true}).Plan(ps, now, nil); len(plan.Due) != len(keys) {
		t.Errorf("pasted keys, no budget: due %v, want every first look", keysOf(plan.Due))
	}

	// The sample asked (it answered), the batch's others wait for their
	// checkpoint, and are asked then.
	keys[0].LastTry, keys[0].LastOK = now, now
	plan = Policy{Reconcile: true}.Plan(st, now.Add(time.Minute), nil)
	if slices.Contains(keysOf(plan.Due), "a1") {
		t.Errorf("a1 asked before its checkpoint: %v", keysOf(plan.Due))
	}
	plan = Policy{Reconcile: true}.Plan(st, t0.Add(ReconcileAfter), nil)
	if got := keysOf(plan.Due); !slices.Contains(got, "a1") || !slices.Contains(got, "a2") || !slices.Contains(got, "a0") {
		t.Errorf("at the checkpoint: due %v, want a0, a1, a2", got)
	}
}

func TestRefreshAsksAKeyWaitingForItsCheckpoint(t *testing.T) {
	clk := newClock(t0)
	q := &countingQuerier{}
	e := NewEngine(Options{Client: q, RobotCode: "r", Now: clk.Now, Policy: Policy{Budget: DefaultBudget}})
	e.SetPush(PushStatus{State: PushLive, Since: t0})
	keys := []string{"waitKey0001", "waitKey0002", "waitKey0003"}
	if _, err := e.Add(AddSpec{Keys: keys, SentAt: t0}); err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	for _, k := range keys { // sent by dingwatch: who it went to is known
		e.editKeyLocked(k, func(k *Key) { k.Recipients = []Recipient{{UserID: "u"}} })
	}
	e.mu.Unlock()
	ctx := context.Background()
	e.PollOnce(ctx)
	if got := q.calls.Load(); got != 1 {
		t.Fatalf("%d calls at arrival with push live, want 1 (the batch's sample)", got)
	}
	clk.Add(time.Minute)
	if e.PollOnce(ctx); q.calls.Load() != 1 {
		t.Fatalf("%d calls a minute later, want none before the checkpoint", q.calls.Load())
	}
	r := e.Refresh("local", keys[2])
	if r.Queued != 1 {
		t.Fatalf("refresh of a key waiting for its checkpoint: %+v, want it queued", r)
	}
	e.PollOnce(ctx)
	if got := q.calls.Load(); got != 2 {
		t.Errorf("%d calls after R, want 2", got)
	}
	if k := e.Snapshot().State.Key(keys[2]); k.LastOK.IsZero() {
		t.Errorf("the refreshed key has no answer: %+v", k)
	}
}

func TestCheckpointsKeepTheLastLookReserve(t *testing.T) {
	const n = 100
	keys := batchKeys("k", "big", n, t0)
	st := &State{Keys: keys}
	keys[0].LastTry, keys[0].LastOK = t0, t0 // the sample
	st.Calls.Add(t0)
	at := t0.Add(ReconcileAfter)
	plan := Policy{Reconcile: true, Budget: DefaultBudget}.Plan(st, at, nil)
	// 165 calls left today, n of them kept for the last looks.
	if want := DefaultBudget - 1 - n; len(plan.Due) != want {
		t.Fatalf("%d checkpoints at %v, want %d (the budget less the last-look reserve)", len(plan.Due), ReconcileAfter, want)
	}
	for _, k := range plan.Due {
		k.LastTry, k.LastOK = at, at
		st.Calls.Add(at)
	}
	if plan := (Policy{Reconcile: true, Budget: DefaultBudget}).Plan(st, at.Add(time.Hour), nil); len(plan.Due) != 0 {
		t.Errorf("%d more checkpoints an hour later, out of the reserve", len(plan.Due))
	}
	last := t0.Add(Window - lastLook)
	plan = Policy{Reconcile: true, Budget: DefaultBudget}.Plan(st, last, nil)
	if len(plan.Due) != n {
		t.Errorf("%d last looks, want every key's (%d)", len(plan.Due), n)
	}
	// Without a budget every checkpoint is taken.
	for _, k := range keys {
		k.LastTry, k.LastOK = t0, t0
	}
	if plan := (Policy{Reconcile: true}).Plan(st, at, nil); len(plan.Due) != n {
		t.Errorf("no budget: %d checkpoints, want %d", len(plan.Due), n)
	}
}

// A 1,000-key notice (20,000 people) with push live and the default
// budget: the first hour of the engine's own loop on a virtual clock asks
// one key, where the first push release spent the day's budget; every
// pushed read is shown either way.
func TestPushLiveSpendsLittleAsABigNoticeArrives(t *testing.T) {
	wl := simWorkload{name: "20,000 people, first hour", notices: []simNotice{{0, 20000}}, span: time.Hour}
	for _, budget := range []int{DefaultBudget} {
		p := Policy{Budget: budget}
		now := simulate(wl, simStrategy{"now", dingwatchPush(p, 0, pushOutage{})}, 1)
		before := simulate(wl, simStrategy{"before", dingwatchPush(eagerFirstLooks(p), 0, pushOutage{})}, 1)
		t.Logf("budget %d: first hour %+v; the first push release %+v", budget, now, before)
		wantBefore := 1000
		if budget > 0 {
			wantBefore = budget
		}
		if before.calls != wantBefore {
			t.Errorf("budget %d: the first push release made %d calls, want %d (the anchor moved)", budget, before.calls, wantBefore)
		}
		if now.calls != 1 || now.missed != 0 || now.reads == 0 {
			t.Errorf("budget %d: %+v, want 1 call (the batch's sample) and every pushed read shown", budget, now)
		}
	}
}

// Every read whose event was lost (1%) is shown by polling: those made
// before the checkpoint by the checkpoint, the others by the last look,
// within the budget.
func TestReconcilingFindsLostReads(t *testing.T) {
	cases := []struct {
		people, budget int
		allChecked     bool // every key's checkpoint fits the budget
	}{
		{2000, DefaultBudget, false}, // 100 keys: 65 checkpoints, 100 last looks
		{20000, 2200, true},          // 1,000 keys: a budget for both
	}
	for _, c := range cases {
		keys := (c.people + 19) / 20
		wl := single(fmt.Sprintf("%d people", c.people), c.people)
		var dropped []pushedRead
		w := simulateWorld(wl, simStrategy{"1%", dingwatchPushDropping(Policy{Budget: c.budget}, 0.01, pushOutage{}, &dropped, false)}, 7)
		r := w.result()
		t.Logf("%d keys, budget %d: %+v, %d events lost", keys, c.budget, r, len(dropped))
		if len(dropped) == 0 {
			t.Fatalf("%d keys: no event was lost: the test shows nothing", keys)
		}
		if r.missed != 0 {
			t.Errorf("%d keys: %d reads never shown (%d events lost)", keys, r.missed, len(dropped))
		}
		if r.calls > c.budget || r.calls > 2*keys+1 {
			t.Errorf("%d keys: %d calls, want at most %d (budget) and %d (two a key and a sample)", keys, r.calls, c.budget, 2*keys+1)
		}
		sent := w.sends[0].at
		for _, d := range dropped {
			told := w.told[d.key+"/"+d.user]
			bound := sent.Add(Window - lastLook)
			if c.allChecked && d.at.Before(sent.Add(ReconcileAfter)) {
				bound = sent.Add(ReconcileAfter)
			}
			if !d.at.Before(sent.Add(Window)) {
				continue // after the window: not counted
			}
			if told.IsZero() || told.After(bound.Add(time.Minute)) {
				t.Errorf("%d keys: %s/%s read at +%v, lost, shown at +%v, want by +%v", keys, d.key, d.user, d.at.Sub(sent), told.Sub(sent), bound.Sub(sent))
			}
		}
	}
}

// dingwatchPollingWithPush is dingwatchPolling with the stream's status
// set to st before any notice is sent, and no event ever pushed.
func dingwatchPollingWithPush(p Policy, st PushStatus) func(*world, *vclock, context.Context) {
	return func(w *world, vc *vclock, ctx context.Context) {
		e := NewEngine(Options{Client: w, RobotCode: "simbot", Now: vc.Now, Sleep: vc.Sleep, Policy: p})
		e.SetPush(st)
		for _, s := range w.sends {
			vc.At(s.at, func() { e.Add(AddSpec{Keys: s.keys, SentAt: s.at}) })
		}
		e.Run(ctx)
	}
}

// With push off, or reconnecting beyond its grace, the engine polls
// exactly as it does without push: the same calls at the same moments
// show the same reads at the same moments.
func TestPushDownPollsAsWithoutPush(t *testing.T) {
	wl := single("one 2,000-person notice", 2000)
	p := Policy{Budget: DefaultBudget}
	plain := simulateWorld(wl, simStrategy{"plain", dingwatchPolling(p)}, 3)
	for _, st := range []PushStatus{
		{State: PushOff},
		{State: PushReconnecting, Since: t0.Add(-PushGrace)},
	} {
		down := simulateWorld(wl, simStrategy{"down", dingwatchPollingWithPush(p, st)}, 3)
		if a, b := plain.result(), down.result(); a != b {
			t.Errorf("push %s: %+v, without push %+v", st.State, b, a)
		}
		if len(plain.told) != len(down.told) {
			t.Errorf("push %s: %d reads shown, without push %d", st.State, len(down.told), len(plain.told))
		}
		for id, at := range plain.told {
			if got := down.told[id]; !got.Equal(at) {
				t.Errorf("push %s: %s shown at %v, without push at %v", st.State, id, got, at)
				break
			}
		}
	}
}

// When the budget cannot ask every key, the keys with the most
// recipients unread are asked first, at the checkpoint and the last look.
func TestReconcileAsksTheKeysWithMostUnreadFirst(t *testing.T) {
	keys := batchKeys("k", "n", 4, t0)
	for _, k := range keys {
		k.LastTry, k.LastOK = t0, t0
	}
	keys[0].Recipients[0].Read, keys[0].Recipients[1].Read = true, true     // 1 unread
	keys[1].Recipients[0].Read = true                                       // 2 unread
	keys[3].Recipients = append(keys[3].Recipients, Recipient{UserID: "x"}) // 4 unread
	st := &State{Keys: keys}
	// Unread: k0 1, k1 2, k2 3, k3 4. A budget of 6 with 4 kept for the
	// last looks leaves 2 checkpoints.
	plan := Policy{Reconcile: true, Budget: 6}.Plan(st, t0.Add(ReconcileAfter), nil)
	if got := keysOf(plan.Due); !slices.Equal(got, []string{"k3", "k2"}) {
		t.Errorf("checkpoints %v, want k3, k2 (the most unread)", got)
	}
	// At the last look, with 2 calls left.
	for range 4 {
		st.Calls.Add(t0.Add(ReconcileAfter))
	}
	plan = Policy{Reconcile: true, Budget: 6}.Plan(st, t0.Add(Window-lastLook), nil)
	if got := keysOf(plan.Due); !slices.Equal(got, []string{"k3", "k2"}) {
		t.Errorf("last looks %v, want k3, k2 (the most unread)", got)
	}
}
