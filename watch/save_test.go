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
