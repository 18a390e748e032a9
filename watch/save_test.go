package watch

import (
	"fmt"
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
