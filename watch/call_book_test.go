package watch

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// TestCallBookHoldsToTheBudget: a one-shot command's book counts the
// saved ledger and the calls handed to the owner and not taken yet, and
// grants calls only while the budget has room; a call that never reached
// DingTalk is given back.
func TestCallBookHoldsToTheBudget(t *testing.T) {
	dir := t.TempDir()
	saved := &State{}
	saved.Calls.Add(t0.Add(-time.Hour))
	writeState(t, dir, saved)
	s := &Store{path: filepath.Join(dir, "state.json")}
	if err := s.Deliver(Parcel{Ops: []Op{{Kind: OpCalls, Calls: []time.Time{t0.Add(-30 * time.Minute)}}}}, t0); err != nil {
		t.Fatal(err)
	}
	b := NewCallBook(dir, saved, 3)
	if b.Spent(t0) != 2 {
		t.Fatalf("spent %d, want 2: the saved call and the one handed over", b.Spent(t0))
	}
	if err := b.Take(t0); err != nil {
		t.Fatalf("the 3rd call of a budget of 3: %v", err)
	}
	var spent *BudgetSpentError
	if err := b.Take(t0); !errors.As(err, &spent) || spent.Spent != 3 || spent.Budget != 3 || !spent.FreedAt.Equal(t0.Add(23*time.Hour+time.Minute)) {
		t.Fatalf("a 4th call: %v, want the budget spent until the oldest call ages out", err)
	}
	b.Undo(t0) // it never reached DingTalk
	if b.Made() != 0 || b.Spent(t0) != 2 || b.Take(t0) != nil {
		t.Fatalf("after undo: made %d spent %d", b.Made(), b.Spent(t0))
	}
	if unlimited := NewCallBook(dir, saved, 0); unlimited.Take(t0) != nil || unlimited.Take(t0) != nil || unlimited.Spent(t0) != 5 {
		t.Fatal("no budget: every call is granted, and counted with the other book's")
	}
}

// writeState saves st as the state file in dir, as an owner would.
func writeState(t *testing.T, dir string, st *State) {
	t.Helper()
	store, _, _, err := OpenStore(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.Save(st); err != nil {
		t.Fatal(err)
	}
}

// TestCallBookRecordsInTheStateFile: with no other dingwatch owning the
// state, the calls are added to the state file's ledger and nothing else
// in it changes.
func TestCallBookRecordsInTheStateFile(t *testing.T) {
	dir := t.TempDir()
	store, st, _, err := OpenStore(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	st.Keys = []*Key{{Key: "KEYAAAAAAAAAAAAAAAAAAAA", RobotCode: "r", AddedAt: t0, Recipients: []Recipient{{UserID: "u1", Read: true}}}}
	st.Calls.Add(t0.Add(-2 * time.Hour))
	if err := store.Save(st); err != nil {
		t.Fatal(err)
	}
	store.Close()

	b := NewCallBook(dir, st, 10)
	b.Take(t0)
	b.Take(t0.Add(time.Minute))
	if err := b.Record(t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, err := LoadState(dir)
	if err != nil || got.Calls.Spent(t0.Add(time.Minute)) != 3 || len(got.Keys) != 1 || !got.Keys[0].Recipients[0].Read {
		t.Fatalf("saved %+v, %v: want the key as it was and 3 calls", got, err)
	}
	if got.Calls.Minutes[0].Minute != minuteOf(t0.Add(-2*time.Hour)) || len(got.Calls.Minutes) != 3 {
		t.Fatalf("each call in its own minute, ascending: %+v", got.Calls.Minutes)
	}
	if b.Record(t0.Add(time.Minute)) != nil {
		t.Fatal("a second Record with nothing new")
	}
	if again, _ := LoadState(dir); again.Calls.Spent(t0.Add(time.Minute)) != 3 {
		t.Fatal("a second Record counted the calls twice")
	}
	if p := (&Store{path: filepath.Join(dir, "state.json")}).Pending(nil); len(p) != 0 {
		t.Fatalf("the calls were also handed over: %+v", p)
	}
}

// TestCallBookHandsCallsToTheOwner: with a dashboard owning the state the
// calls reach it through its inbox, and its header (Snapshot.Spent) and
// saved ledger count them once it takes the inbox.
func TestCallBookHandsCallsToTheOwner(t *testing.T) {
	p := newPair(t)
	before := p.owner.Snapshot().Spent
	b := NewCallBook(p.dir, p.owner.Snapshot().State, 0)
	for range 3 {
		b.Take(t0)
	}
	if err := b.Record(t0); err != nil {
		t.Fatal(err)
	}
	if !p.owner.takeInbox() {
		t.Fatal("the owner found nothing in its inbox")
	}
	if got := p.owner.Snapshot().Spent; got != before+3 {
		t.Fatalf("the owner counts %d calls, want %d", got, before+3)
	}
	p.owner.Flush()
	if saved, _ := LoadState(p.dir); saved.Calls.Spent(t0) != before+3 {
		t.Fatalf("the owner saved %d calls, want %d", saved.Calls.Spent(t0), before+3)
	}
}

// TestCallBookLeavesAStateWithBadEntries: a state file with an entry to
// set aside is not written over by a command that does not own it; the
// calls wait in the inbox, and the next owner counts them as it starts.
func TestCallBookLeavesAStateWithBadEntries(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	bad := `{"version":1,"keys":[{"key":"KEYAAAAAAAAAAAAAAAAAAAA","robotCode":"r"},{"key":"bad key!"}]}`
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	st, _, _ := LoadStateWarn(dir)
	b := NewCallBook(dir, st, 0)
	b.Take(t0)
	if err := b.Record(t0); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != bad {
		t.Fatalf("the state file was changed: %s", got)
	}
	store, st2, warnings, err := OpenStore(dir, t0)
	if err != nil || len(warnings) != 1 {
		t.Fatalf("%v %v", err, warnings)
	}
	defer store.Close()
	e := NewEngine(Options{Client: &blockingQuerier{}, Store: store, State: st2, RobotCode: "r", Now: func() time.Time { return t0 }})
	e.takeInbox()
	if got := e.Snapshot().Spent; got != 1 {
		t.Fatalf("the next owner counts %d calls, want 1", got)
	}
}

// TestLedgerMergeKeepsMinutesInOrder: calls recorded out of order land in
// their own minutes, ascending, and a day-old minute is forgotten.
func TestLedgerMergeKeepsMinutesInOrder(t *testing.T) {
	var l Ledger
	l.Add(t0.Add(10 * time.Minute))
	l.merge([]time.Time{t0, t0.Add(10 * time.Minute), t0.Add(5 * time.Minute), t0.Add(-25 * time.Hour)})
	want := []MinuteCount{{minuteOf(t0), 1}, {minuteOf(t0.Add(5 * time.Minute)), 1}, {minuteOf(t0.Add(10 * time.Minute)), 2}}
	if len(l.Minutes) != len(want) {
		t.Fatalf("%+v, want %+v", l.Minutes, want)
	}
	for i := range want {
		if l.Minutes[i] != want[i] {
			t.Fatalf("%+v, want %+v", l.Minutes, want)
		}
	}
}

// unreachableSender fails every call with err.
type unreachableSender struct{ err error }

func (u unreachableSender) BatchSend(context.Context, string, []string, dingtalk.Message) (dingtalk.SendResult, error) {
	return dingtalk.SendResult{}, u.err
}

func (u unreachableSender) BatchRecall(context.Context, string, []string) (dingtalk.RecallResult, error) {
	return dingtalk.RecallResult{}, u.err
}

// TestSendAndRecallCountOnlyCallsThatReachedDingTalk: a batchSend or
// batchRecall that never left the machine spends no budget; one DingTalk
// saw (even refused) is counted.
func TestSendAndRecallCountOnlyCallsThatReachedDingTalk(t *testing.T) {
	for _, c := range []struct {
		name  string
		err   error
		calls int
	}{
		{"never sent", &dingtalk.Error{Code: dingtalk.CodeNetwork}, 0},
		{"refused", &dingtalk.Error{Code: "system.error", HTTPStatus: 500}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := NewEngine(Options{Client: &blockingQuerier{}, Sender: unreachableSender{c.err}, RobotCode: "r", Now: func() time.Time { return t0 }})
			e.Send(context.Background(), SendSpec{UserIDs: []string{"u1"}, Message: dingtalk.Text("hi"), Label: "n"})
			e.Recall(context.Background(), []string{"KEYAAAAAAAAAAAAAAAAAAAA"})
			if got := e.Snapshot().Spent; got != c.calls {
				t.Fatalf("spent %d, want %d", got, c.calls)
			}
		})
	}
}
