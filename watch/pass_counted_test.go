package watch

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// failingSaves makes the owner's store fail every save (as a full disk
// would) while the returned switch is on.
func failingSaves(e *Engine) *atomic.Bool {
	var fail atomic.Bool
	e.opts.Store.failSave = func() error {
		if fail.Load() {
			return errors.New("write state.json: no space left on device")
		}
		return nil
	}
	return &fail
}

// statusRun is a one-shot status asking n keys at t0 through a book, as
// QueryOnce does: it reserves, makes the calls it is granted, records.
func statusRun(t *testing.T, dir string, st *State, budget, n int) int {
	t.Helper()
	b := NewCallBook(dir, st, budget)
	b.Reserve(context.Background(), n, t0)
	made := 0
	for range n {
		if b.Take(t0) == nil {
			made++
		}
	}
	if err := b.Record(t0); err != nil && !errors.As(err, new(*LeftInInboxError)) {
		t.Fatal(err)
	}
	return made
}

// TestAPassWhoseCallsCannotBeSavedAsksNothing (breaker7 #1): an owner
// whose save fails makes no call (its pass's calls would be counted in
// memory only), says that polling waits for a save, and resumes once a
// save succeeds; a status run meanwhile and the owner together stay
// within the budget (the breaker saw 60 calls against --budget 40).
func TestAPassWhoseCallsCannotBeSavedAsksNothing(t *testing.T) {
	for _, statusFirst := range []bool{false, true} {
		dir, st := budgetState(t, 30, 0)
		q := &countingQuerier{}
		owner := ownerOf(t, dir, q, 40)
		fail := failingSaves(owner)
		fail.Store(true)
		made := 0
		if statusFirst {
			made = statusRun(t, dir, st, 40, 30)
		}
		owner.PollOnce(context.Background())
		if got := q.calls.Load(); got != 0 {
			t.Fatalf("statusFirst=%v: the owner made %d calls it could not count on disk", statusFirst, got)
		}
		snap := owner.Snapshot()
		if want := made; snap.Spent != want {
			t.Fatalf("statusFirst=%v: the owner's header counts %d calls, want %d (its pass's given back)", statusFirst, snap.Spent, want)
		}
		if !strings.Contains(snap.SaveErr, "no space left on device") || !strings.Contains(snap.SaveErr, "polling asks nothing until a save succeeds") {
			t.Fatalf("statusFirst=%v: the banner says %q", statusFirst, snap.SaveErr)
		}
		if res := owner.Refresh("", st.Keys[0].Key); res.Stuck == "" || !strings.Contains(res.Stuck, "cannot be saved") {
			t.Fatalf("statusFirst=%v: a refresh while polling waits says %+v", statusFirst, res)
		}
		if !statusFirst {
			made = statusRun(t, dir, st, 40, 30)
		}
		if made != 30 {
			t.Fatalf("statusFirst=%v: status made %d calls, want 30 (the owner made none)", statusFirst, made)
		}
		owner.PollOnce(context.Background()) // the save still fails: still nothing
		if got := q.calls.Load(); got != 0 {
			t.Fatalf("statusFirst=%v: the owner made %d calls while its saves fail", statusFirst, got)
		}
		fail.Store(false)
		owner.PollOnce(context.Background())
		owner.Flush()
		asked := int(q.calls.Load())
		if asked == 0 {
			t.Fatalf("statusFirst=%v: polling did not resume once a save succeeded", statusFirst)
		}
		if total := asked + made; total > 40 {
			t.Fatalf("statusFirst=%v: %d calls made against a budget of 40 (owner %d, status %d)", statusFirst, total, asked, made)
		}
		snap = owner.Snapshot()
		if snap.SaveErr != "" || snap.Spent != asked+made {
			t.Fatalf("statusFirst=%v: after a good save the banner says %q and the header %d calls, want none and %d", statusFirst, snap.SaveErr, snap.Spent, asked+made)
		}
		if got := savedSpent(t, dir); got != asked+made {
			t.Fatalf("statusFirst=%v: the disk counts %d calls, %d were made", statusFirst, got, asked+made)
		}
		// The save's reason is gone; the budget's is said while it is spent.
		if res := owner.Refresh("", st.Keys[0].Key); strings.Contains(res.Stuck, "cannot be saved") ||
			(asked+made >= 40) != strings.Contains(res.Stuck, "budget is spent") {
			t.Fatalf("statusFirst=%v: a refresh after the save (%d of 40 calls) says %q", statusFirst, asked+made, res.Stuck)
		}
	}
}

// TestAPassNotMadeKeepsItsRefresh: a key a refresh asked for, in a pass
// whose save failed, is still asked for once a save succeeds.
func TestAPassNotMadeKeepsItsRefresh(t *testing.T) {
	dir, st := budgetState(t, 1, 0)
	q := &countingQuerier{}
	owner := ownerOf(t, dir, q, 0)
	owner.PollOnce(context.Background()) // asked once: no longer due for a while
	fail := failingSaves(owner)
	fail.Store(true)
	owner.mu.Lock()
	owner.forced[st.Keys[0].Key] = true
	owner.mu.Unlock()
	owner.PollOnce(context.Background())
	if got := q.calls.Load(); got != 1 {
		t.Fatalf("%d calls, want the first pass's 1 only", got)
	}
	fail.Store(false)
	owner.PollOnce(context.Background())
	if got := q.calls.Load(); got != 2 {
		t.Fatalf("%d calls, want 2: the refresh outlives a pass that was not made", got)
	}
}

// TestABrokenCallsLockIsSaid (breaker7 #2): when calls.lock cannot be
// taken the owner asks nothing and takes no parcel, and says so in a
// WarnCallsLock warning naming the lock; a refresh says why nothing is
// asked. Once the lock can be taken the warning goes and polling resumes.
func TestABrokenCallsLockIsSaid(t *testing.T) {
	dir, st := budgetState(t, 3, 0)
	q := &countingQuerier{}
	owner := ownerOf(t, dir, q, 40)
	if statusRun(t, dir, st, 40, 1) != 1 { // a parcel for the owner to take
		t.Fatal("status made no call")
	}
	lock := filepath.Join(dir, callsLockName)
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(lock, 0o700); err != nil {
		t.Fatal(err)
	}
	warned := func() *Warning {
		ws := owner.Snapshot().Warnings
		if i := slices.IndexFunc(ws, func(w Warning) bool { return w.Kind == WarnCallsLock }); i >= 0 {
			return &ws[i]
		}
		return nil
	}
	if owner.takeInbox() {
		t.Fatal("the owner took its inbox without the ledger's lock")
	}
	if w := warned(); w == nil || w.Path != lock || !strings.Contains(w.Text, "is a directory") || !strings.Contains(w.Text, "nothing is asked") {
		t.Fatalf("the inbox look left the warning %+v", w)
	}
	owner.PollOnce(context.Background())
	if got := q.calls.Load(); got != 0 {
		t.Fatalf("%d calls made without the ledger's lock", got)
	}
	if len(inboxNames(t, dir)) == 0 {
		t.Fatal("the parcel was taken without the ledger's lock")
	}
	if w := warned(); w == nil || !strings.Contains(w.Text, "check the state directory") {
		t.Fatalf("a pass put off for the lock says %+v", w)
	}
	res := owner.Refresh("")
	if !strings.Contains(res.Stuck, "calls.lock") {
		t.Fatalf("a refresh without the lock says %+v", res)
	}
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	owner.PollOnce(context.Background())
	if w := warned(); w != nil {
		t.Fatalf("the warning stays once the lock is taken: %+v", w)
	}
	if got := q.calls.Load(); got != 3 {
		t.Fatalf("%d calls once the lock works, want the 3 keys", got)
	}
	if len(inboxNames(t, dir)) != 0 || owner.Snapshot().Spent != 4 {
		t.Fatalf("inbox %v, spent %d: want it taken and 4 calls counted", inboxNames(t, dir), owner.Snapshot().Spent)
	}
}

// TestABusyCallsLockIsSaidByThePassOnly: a lock another process holds
// for the pass's whole wait (a hung dingwatch) is said; one busy for an
// inbox look's short wait is contention, and a wait cut short by quitting
// says nothing.
func TestABusyCallsLockIsSaidByThePassOnly(t *testing.T) {
	dir, _ := budgetState(t, 1, 0)
	owner := ownerOf(t, dir, &countingQuerier{}, 40)
	busy := &callsBusyError{filepath.Join(dir, callsLockName), callsLockWait}
	has := func() bool {
		return slices.ContainsFunc(owner.Snapshot().Warnings, func(w Warning) bool { return w.Kind == WarnCallsLock })
	}
	owner.lockAnswer(context.Background(), busy, false)
	if has() {
		t.Fatal("an inbox look's short wait is said")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	owner.lockAnswer(ctx, context.Canceled, true)
	if has() {
		t.Fatal("a wait cut short by quitting is said")
	}
	owner.lockAnswer(context.Background(), busy, true)
	if !has() || !strings.Contains(owner.Snapshot().Warnings[0].Text, "for over 30s") {
		t.Fatalf("a lock held for the pass's whole wait is not said: %+v", owner.Snapshot().Warnings)
	}
	owner.lockAnswer(context.Background(), nil, true)
	if has() {
		t.Fatal("the warning stays once the lock is taken")
	}
}

// TestAnOwnerThatCannotSaveTakesNoParcel: a status reservation the owner
// would take while its saves fail (a save failed already) stays in the inbox, untaken, so that
// status replacing it by the calls it made is counted once (the breaker
// saw the owner's header at 90/40: the reservation and the calls made
// both counted).
func TestAnOwnerThatCannotSaveTakesNoParcel(t *testing.T) {
	dir, st := budgetState(t, 30, 0)
	q := &countingQuerier{}
	owner := ownerOf(t, dir, q, 40)
	fail := failingSaves(owner)
	fail.Store(true)
	owner.PollOnce(context.Background()) // its save fails: nothing asked
	b := NewCallBook(dir, st, 40)
	if err := b.Reserve(context.Background(), 30, t0); err != nil {
		t.Fatal(err)
	}
	owner.PollOnce(context.Background()) // between status's reservation and its record
	if got := owner.Snapshot().Spent; got != 0 {
		t.Fatalf("an owner that cannot save counts %d calls in memory, want 0 (the parcel is not taken)", got)
	}
	for range 30 {
		if err := b.Take(t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Record(t0); err != nil && !errors.As(err, new(*LeftInInboxError)) {
		t.Fatal(err)
	}
	fail.Store(false)
	owner.PollOnce(context.Background())
	owner.Flush()
	asked := int(q.calls.Load())
	if got := owner.Snapshot().Spent; got != 30+asked || got > 40 {
		t.Fatalf("the owner counts %d calls, %d were made (budget 40)", got, 30+asked)
	}
	if got := savedSpent(t, dir); got != 30+asked {
		t.Fatalf("the disk counts %d calls, %d were made", got, 30+asked)
	}
}
