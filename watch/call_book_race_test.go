package watch

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// budgetState is a state of n keys sent two hours ago and never asked
// (due at once) and a ledger of spent calls made an hour ago, saved in a
// new directory.
func budgetState(t *testing.T, n, spent int) (string, *State) {
	t.Helper()
	dir := t.TempDir()
	st := &State{}
	for i := range n {
		st.Keys = append(st.Keys, &Key{Key: "KEY" + string(rune('A'+i)) + "AAAAAAAAAAAAAAAAAAA", RobotCode: "r", AddedAt: t0.Add(-2 * time.Hour)})
	}
	for range spent {
		st.Calls.Add(t0.Add(-time.Hour))
	}
	writeState(t, dir, st)
	return dir, st
}

// savedSpent is the calls the state in dir counts on disk at t0: its
// file's ledger and the calls parcels in its inbox.
func savedSpent(t *testing.T, dir string) int {
	t.Helper()
	l, err := diskLedger(dir)
	if err != nil {
		t.Fatal(err)
	}
	return l.Spent(t0)
}

// inboxNames lists the parcels waiting in the state's inbox.
func inboxNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "inbox"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestTwoStatusRunsHoldTogetherToTheBudget (breaker5 Q2): two one-shot
// commands on one state, each with a book made before either asks (two
// `status` processes started at once), ask 3 keys each with 3 calls left
// of a budget of 18: together they make 3 calls, the other 3 keys are
// "not asked", and the ledger ends at 18, not 21.
func TestTwoStatusRunsHoldTogetherToTheBudget(t *testing.T) {
	dir, st := budgetState(t, 3, 15)
	keys := []string{st.Keys[0].Key, st.Keys[1].Key, st.Keys[2].Key}
	q := &countingQuerier{}
	books := []*CallBook{NewCallBook(dir, st, 18), NewCallBook(dir, st, 18)}
	reports := make([]*StatusReport, len(books))
	var start, wg sync.WaitGroup
	start.Add(1)
	for i, b := range books {
		wg.Go(func() {
			start.Wait()
			reports[i] = QueryOnce(context.Background(), q, "r", st, keys, b, func() time.Time { return t0 })
			if err := b.Record(t0); err != nil {
				t.Error(err)
			}
		})
	}
	start.Done()
	wg.Wait()
	if got := q.calls.Load(); got != 3 {
		t.Fatalf("%d calls made, want the 3 the budget had room for", got)
	}
	if n := reports[0].NotAsked() + reports[1].NotAsked(); n != 3 {
		t.Fatalf("%d keys not asked, want 3", n)
	}
	if got := savedSpent(t, dir); got != 18 {
		t.Fatalf("the ledger counts %d calls, want 18 (the budget)", got)
	}
	if names := inboxNames(t, dir); len(names) != 0 {
		t.Fatalf("with no owner the calls belong in the state file, not the inbox: %v", names)
	}
	saved, err := LoadState(dir)
	if err != nil || saved.Calls.Spent(t0) != 18 || len(saved.Keys) != 3 {
		t.Fatalf("state file: %d calls, %d keys, %v", saved.Calls.Spent(t0), len(saved.Keys), err)
	}
}

// TestCallBookCrashNeverMakesCallsFree: calls reserved are counted on disk
// before they are made, so a command that dies before Record leaves them
// all counted (more than it made, never fewer); Record counts only what
// was made and gives the rest back.
func TestCallBookCrashNeverMakesCallsFree(t *testing.T) {
	dir, st := budgetState(t, 0, 5)
	b := NewCallBook(dir, st, 100)
	if err := b.Reserve(context.Background(), 3, t0); err != nil {
		t.Fatal(err)
	}
	if err := b.Take(t0); err != nil {
		t.Fatal(err)
	}
	// Another command now, or after this one was killed here.
	if got := savedSpent(t, dir); got != 8 {
		t.Fatalf("before Record the ledger on disk counts %d calls, want 8: all 3 reserved", got)
	}
	if got := NewCallBook(dir, st, 100).Spent(t0); got != 8 {
		t.Fatalf("a new book counts %d calls, want 8", got)
	}
	if err := b.Record(t0); err != nil {
		t.Fatal(err)
	}
	if got := savedSpent(t, dir); got != 6 {
		t.Fatalf("after Record the ledger counts %d calls, want 6: the 1 made", got)
	}
	if names := inboxNames(t, dir); len(names) != 0 {
		t.Fatalf("the reservation is still in the inbox: %v", names)
	}
	if err := b.Take(t0); err == nil {
		t.Fatal("a book grants no call once recorded")
	}
}

// ownerOf opens the state in dir as its owner, with a budget.
func ownerOf(t *testing.T, dir string, q Querier, budget int) *Engine {
	t.Helper()
	store, st, _, err := OpenStore(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return NewEngine(Options{Client: q, Store: store, State: st, RobotCode: "r", Now: func() time.Time { return t0 },
		Policy: Policy{Interval: time.Minute, Budget: budget}})
}

// TestStatusRacingAnOwnerHoldsToTheBudget: with a dashboard owning the
// state and polling, a status that reserved the last calls first leaves
// the owner's pass nothing to ask; and an owner pass in flight leaves
// status only what it did not take.
func TestStatusRacingAnOwnerHoldsToTheBudget(t *testing.T) {
	t.Run("status first", func(t *testing.T) {
		dir, st := budgetState(t, 3, 15)
		q := &countingQuerier{}
		owner := ownerOf(t, dir, q, 18)
		b := NewCallBook(dir, st, 18)
		if err := b.Reserve(context.Background(), 3, t0); err != nil {
			t.Fatal(err)
		}
		owner.PollOnce(context.Background())
		if got := q.calls.Load(); got != 0 {
			t.Fatalf("the owner made %d calls of a budget status had reserved", got)
		}
		if got := owner.Snapshot().Spent; got != 18 {
			t.Fatalf("the owner's header counts %d calls, want 18", got)
		}
	})
	t.Run("owner first", func(t *testing.T) {
		dir, st := budgetState(t, 3, 15)
		q := &blockingQuerier{started: make(chan string), release: make(chan struct{})}
		owner := ownerOf(t, dir, q, 18)
		done := make(chan struct{})
		go func() { owner.PollOnce(context.Background()); close(done) }()
		<-q.started // the pass's calls are counted and on disk: one is in flight
		b := NewCallBook(dir, st, 18)
		var spent *BudgetSpentError
		if err := b.Reserve(context.Background(), 3, t0); !errors.As(err, &spent) || spent.Spent != 18 {
			t.Fatalf("status reserved during the owner's pass: %v, want the budget spent (18 of 18)", err)
		}
		close(q.release)
		for range 2 {
			<-q.started
		}
		<-done
		if b.Take(t0) == nil {
			t.Fatal("status was granted a call the owner's pass spent")
		}
	})
}

// TestCallBookGivesBackWhatTheOwnerTook: a reservation the owner took
// from its inbox while status asked is given back in part when status
// made fewer calls: the owner counts the calls made, not those reserved.
func TestCallBookGivesBackWhatTheOwnerTook(t *testing.T) {
	dir, st := budgetState(t, 0, 5)
	owner := ownerOf(t, dir, &countingQuerier{}, 100)
	b := NewCallBook(dir, st, 100)
	if err := b.Reserve(context.Background(), 3, t0); err != nil {
		t.Fatal(err)
	}
	if !owner.takeInbox() || owner.Snapshot().Spent != 8 {
		t.Fatalf("the owner counts %d calls, want the 3 reserved too", owner.Snapshot().Spent)
	}
	b.Take(t0)
	if err := b.Take(t0); err != nil {
		t.Fatal(err)
	}
	b.Undo(t0) // never reached DingTalk
	if err := b.Record(t0); err != nil {
		t.Fatal(err)
	}
	if !owner.takeInbox() {
		t.Fatal("no parcel gave the calls back")
	}
	if got := owner.Snapshot().Spent; got != 6 {
		t.Fatalf("the owner counts %d calls, want 6 (1 made)", got)
	}
	if saved, _ := LoadState(dir); saved.Calls.Spent(t0) != 6 {
		t.Fatalf("the owner saved %d calls, want 6", saved.Calls.Spent(t0))
	}
}

// TestCallBookOnAStateItCannotRead (breaker5 Q8): with the saved ledger
// unknown no call is granted under a budget, and nothing is written; with
// no budget (--budget 0) the calls are granted and handed to the next
// owner; a newer dingwatch's state is never written, whatever the budget.
func TestCallBookOnAStateItCannotRead(t *testing.T) {
	for _, c := range []struct {
		name, file string
		budget     int
		granted    bool
	}{
		{"unreadable, budget", "not json", 5, false},
		{"unreadable, no budget", "not json", 0, true},
		{"newer, budget", `{"version": 2, "keys": []}`, 5, false},
		{"newer, no budget", `{"version": 2, "keys": []}`, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "state.json")
			if err := os.WriteFile(path, []byte(c.file), 0o600); err != nil {
				t.Fatal(err)
			}
			b := NewCallBook(dir, nil, c.budget)
			err := b.Take(t0)
			var unknown *LedgerUnknownError
			switch {
			case c.granted && err != nil:
				t.Fatalf("no budget: %v", err)
			case !c.granted && !errors.As(err, &unknown):
				t.Fatalf("%v, want a *LedgerUnknownError", err)
			case !c.granted && !NotAskedForBudget(err):
				t.Fatal("not counted as not asked")
			}
			if err := b.Record(t0); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(path); string(got) != c.file {
				t.Fatalf("the state file changed: %q", got)
			}
			names := inboxNames(t, dir)
			switch {
			case c.granted && len(names) != 1:
				t.Fatalf("the call made must wait for the next owner in one parcel: %v", names)
			case !c.granted && len(names) != 0:
				t.Fatalf("a parcel was written though no call was made: %v", names)
			}
		})
	}
}

// TestOwnerTakesTheInboxUnderTheLedgerLock: while a one-shot command
// holds the ledger's lock the owner leaves its inbox for the next look,
// so the command never misses calls that left the inbox and are not
// saved yet.
func TestOwnerTakesTheInboxUnderTheLedgerLock(t *testing.T) {
	dir, _ := budgetState(t, 0, 0)
	owner := ownerOf(t, dir, &countingQuerier{}, 0)
	s := &Store{path: filepath.Join(dir, "state.json")}
	if err := s.Deliver(Parcel{Ops: []Op{{Kind: OpCalls, Calls: []time.Time{t0}}}}, t0); err != nil {
		t.Fatal(err)
	}
	unlock, err := lockCalls(context.Background(), dir, callsLockWait, nil)
	if err != nil {
		t.Fatal(err)
	}
	if owner.takeInbox() {
		t.Fatal("the owner took its inbox while another held the ledger's lock")
	}
	unlock()
	if !owner.takeInbox() || owner.Snapshot().Spent != 1 {
		t.Fatal("the owner did not take its inbox once the lock was free")
	}
}
