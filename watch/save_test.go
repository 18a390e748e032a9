package watch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// savesOf is how many times e wrote its state file.
func savesOf(e *Engine) uint64 {
	e.saver.mu.Lock()
	defer e.saver.mu.Unlock()
	return e.saver.count
}

func TestBulkEditsSaveOnce(t *testing.T) {
	dir := t.TempDir()
	store, st, _, err := OpenStore(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	e := NewEngine(Options{Client: &blockingQuerier{}, Sender: &fakeSender{}, Store: store, State: st, RobotCode: "r", Now: func() time.Time { return t0 }})
	id := e.CreateNotice("a big notice", "", t0)
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprintf("bulkKey%04d", i)
	}
	before := savesOf(e)
	if n, err := e.Add(AddSpec{Keys: keys, Notice: id, SentAt: t0}); n != 1000 || err != nil {
		t.Fatal(n, err)
	}
	if got := savesOf(e) - before; got != 1 {
		t.Fatalf("adding 1,000 keys saved %d times", got)
	}
	before = savesOf(e)
	if _, err := e.Recall(t.Context(), keys); err != nil {
		t.Fatal(err)
	}
	if got := savesOf(e) - before; got != 1 {
		t.Fatalf("recalling 1,000 keys saved %d times", got)
	}
	before = savesOf(e)
	if n, err := e.Remove(keys...); n != 1000 || err != nil {
		t.Fatal(n, err)
	}
	if got := savesOf(e) - before; got != 1 {
		t.Fatalf("removing 1,000 keys saved %d times", got)
	}
	saved, err := LoadState(dir)
	if err != nil || len(saved.Keys) != 0 || len(saved.Notices) != 0 || saved.Calls.Spent(t0) != 50 {
		t.Fatalf("saved %d keys, %d notices, %d calls (%v)", len(saved.Keys), len(saved.Notices), saved.Calls.Spent(t0), err)
	}
}

func TestNothingChangedNothingSaved(t *testing.T) {
	store, st, _, err := OpenStore(t.TempDir(), t0)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	e := NewEngine(Options{Client: &blockingQuerier{}, Store: store, State: st, RobotCode: "r", Now: func() time.Time { return t0 }})
	e.Add(AddSpec{Keys: []string{"k"}})
	before := savesOf(e)
	e.Remove("not-watched")
	e.SetLabel("not-watched", "x")
	e.Refresh("")
	e.Snapshot()
	e.Flush()
	if got := savesOf(e) - before; got != 0 {
		t.Fatalf("%d saves without a change", got)
	}
}

// TestRemoveNoticeWhoseBatchesAllFailed: a notice none of whose batches was
// sent has no key, yet is kept (its people count); removing it by its ID
// drops it, with one save, and it stays gone after a reload. A notice with
// keys removed by ID takes its keys with it.
func TestRemoveNoticeWhoseBatchesAllFailed(t *testing.T) {
	dir := t.TempDir()
	store, st, _, err := OpenStore(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	st.Notices = []*Notice{
		{ID: "nfail", Label: "Failed", CreatedAt: t0, Batches: []Batch{{Status: BatchFailed, UserIDs: []string{"a", "b"}}, {Status: BatchUnknown, UserIDs: []string{"c"}}}},
		{ID: "nkeys", Label: "Keys", CreatedAt: t0, Batches: []Batch{{Status: BatchSent, Key: "keyOfNoticeKeys0001", UserIDs: []string{"d"}}}},
	}
	st.Keys = []*Key{{Key: "keyOfNoticeKeys0001", Notice: "nkeys", RobotCode: "r", AddedAt: t0}, {Key: "loneKey000000000001", RobotCode: "r", AddedAt: t0}}
	e := NewEngine(Options{Client: &blockingQuerier{}, Sender: &fakeSender{}, Store: store, State: st, RobotCode: "r", Now: func() time.Time { return t0 }})

	before := savesOf(e)
	if n, err := e.Remove("nfail"); n != 0 || err != nil {
		t.Fatalf("Remove(nfail) = %d, %v", n, err)
	}
	if got := savesOf(e) - before; got != 1 {
		t.Fatalf("removing a keyless notice saved %d times, want 1", got)
	}
	if e.Snapshot().State.Notice("nfail") != nil {
		t.Fatal("the notice whose batches all failed is still there")
	}
	if n, err := e.Remove("nkeys"); n != 1 || err != nil {
		t.Fatalf("Remove(nkeys) = %d, %v; want its 1 key removed", n, err)
	}
	saved, err := LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.Notices) != 0 || len(saved.Keys) != 1 || saved.Keys[0].Key != "loneKey000000000001" {
		t.Fatalf("saved notices %d, keys %+v; want only the lone key", len(saved.Notices), saved.Keys)
	}
	before = savesOf(e)
	if n, err := e.Remove("nfail", "nosuch"); n != 0 || err != nil || savesOf(e) != before {
		t.Fatalf("removing what is gone: %d, %v, %d saves", n, err, savesOf(e)-before)
	}
}

// A long poll pass is saved as it goes: before its first call (the calls
// it will make are in the ledger on disk, so a crash cannot make them
// free) and every saveEvery on the engine's clock while it runs, so a
// crash loses at most that much of the answers (tester G13: 3,000 calls
// at 20 a second, nothing saved for 190 s).
func TestLongPassIsSavedAsItGoes(t *testing.T) {
	dir := t.TempDir()
	store, st, _, err := OpenStore(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	q := &blockingQuerier{started: make(chan string), release: make(chan struct{})}
	ticks := make(chan struct{}) // each one: saveEvery has passed
	sleep := func(ctx context.Context, _ time.Duration, wake <-chan struct{}) bool {
		select {
		case <-wake:
			return true
		case <-ticks:
			return false
		case <-ctx.Done():
			return false
		}
	}
	e := NewEngine(Options{Client: q, Store: store, State: st, RobotCode: "r", Now: func() time.Time { return t0 }, Sleep: sleep, Workers: 1})
	if _, err := e.Add(AddSpec{Keys: []string{"keyOne", "keyTwo"}}); err != nil {
		t.Fatal(err)
	}
	e.Flush()
	saved := func() *State {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, "state.json"))
		if err != nil {
			t.Fatal(err)
		}
		st, _, err := DecodeState(data)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	done := make(chan struct{})
	go func() { e.PollOnce(context.Background()); close(done) }()
	first := <-q.started
	if got := saved().Calls.Spent(t0); got != 2 {
		t.Fatalf("the ledger on disk holds %d calls as the pass starts, want 2", got)
	}
	q.release <- struct{}{} // the first answer is merged
	second := <-q.started   // the second call hangs
	for range saveEvery / inboxEvery {
		ticks <- struct{}{} // inboxEvery passes; the last one saves
	}
	ticks <- struct{}{} // taken once the save is done
	if k := saved().Key(first); k == nil || len(k.Recipients) != 1 {
		t.Fatalf("the answer for %s is not on disk while %s is still asked", first, second)
	}
	// A second process's change is taken during the pass too (its send
	// waits until the owner has saved it).
	fstore, fst, _, err := OpenStore(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer fstore.Close()
	follower := NewEngine(Options{Client: q, Store: fstore, State: fst, RobotCode: "r", Now: func() time.Time { return t0 }})
	if err := follower.SetLabel(second, "from the follower"); err != nil {
		t.Fatal(err)
	}
	ticks <- struct{}{} // inboxEvery passes: the inbox is taken
	ticks <- struct{}{}
	if k := saved().Key(second); k == nil || k.Label != "from the follower" {
		t.Fatalf("a handed-over change waited for the pass to end: %+v", k)
	}
	close(q.release)
	<-done
}
