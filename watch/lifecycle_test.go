package watch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// quitKeys is how many keys the engines of these tests watch: enough that
// a save takes a while, so that an exit that does not wait for it loses
// the change.
const quitKeys = 5000

// quitEngine is an engine on the state in dir, watching quitKeys keys
// named quit0000… when it owns the state; its querier answers at once
// (Run can always stop).
func quitEngine(t *testing.T, dir string, seed bool) *Engine {
	t.Helper()
	store, st, _, err := OpenStore(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	q := queryFunc(func(context.Context, string, string) (dingtalk.ReadStatus, error) {
		return dingtalk.ReadStatus{SendStatus: "SUCCESS", Recipients: []dingtalk.Recipient{{UserID: "x"}}}, nil
	})
	e := NewEngine(Options{Client: q, Store: store, State: st, RobotCode: "r"})
	if seed {
		keys := make([]string, quitKeys)
		for i := range keys {
			keys[i] = fmt.Sprintf("quit%04d", i)
		}
		if _, err := e.Add(AddSpec{Keys: keys, SentAt: time.Now().Add(-48 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		e.Flush()
	}
	return e
}

// shown waits until e's snapshot satisfies ok, as a screen would show it.
func shown(t *testing.T, e *Engine, what string, ok func(*Snapshot) bool) {
	t.Helper()
	changes, unsubscribe := e.Subscribe()
	defer unsubscribe()
	deadline := time.After(time.Minute) // only a bound on a failing test: the machine may be busy
	for !ok(e.Snapshot()) {
		select {
		case <-changes:
		case <-deadline:
			t.Fatalf("never shown: %s", what)
		}
	}
}

func watches(key string) func(*Snapshot) bool {
	return func(s *Snapshot) bool { return s.State.Key(key) != nil }
}

func gone(key string) func(*Snapshot) bool {
	return func(s *Snapshot) bool { return s.State.Key(key) == nil }
}

// savedHas reports whether the state file in dir holds key.
func savedHas(t *testing.T, dir, key string) bool {
	t.Helper()
	st, err := LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	return st.Key(key) != nil
}

// An edit made on another goroutine (a dashboard's command) and shown is
// saved when the engine is stopped the moment it shows: the exit waits
// for the save in flight.
func TestStopSavesAnEditShownAMomentBefore(t *testing.T) {
	dir := t.TempDir()
	e := quitEngine(t, dir, true)
	e.Start(context.Background())
	for _, key := range []string{"quit0001", "quit2500", "quit4999"} {
		go e.Remove(key)
		shown(t, e, key+" removed", gone(key))
		if err := e.Stop(); err != nil {
			t.Fatal(err)
		}
		if savedHas(t, dir, key) {
			t.Fatalf("%s was removed, the engine stopped, and the file still holds it", key)
		}
		e = quitEngine(t, dir, false) // the next run, on what was saved
		if !e.opts.Store.ReadOnly() && e.Snapshot().State.Key("quit0000") == nil {
			t.Fatal("the next run lost the other keys")
		}
	}
}

// A follower's edit, shown on its screen, reaches the owner's inbox when
// the follower stops at once; the owner, stopped the moment it shows what
// it took from its inbox, has saved it.
func TestStopHandsOverAndTheOwnerSavesWhatItTook(t *testing.T) {
	dir := t.TempDir()
	owner := quitEngine(t, dir, true)
	follower := quitEngine(t, dir, false)
	if !follower.following() {
		t.Fatal("the second engine must follow")
	}
	go follower.Remove("quit0007")
	shown(t, follower, "the follower's removal", gone("quit0007"))
	if err := follower.Stop(); err != nil {
		t.Fatal(err)
	}
	handed := false
	for _, p := range owner.opts.Store.Pending(nil) {
		for _, op := range p.Ops {
			handed = handed || op.Kind == OpRemove && slices.Contains(op.Names, "quit0007")
		}
	}
	if !handed {
		t.Fatal("the follower stopped and its removal is not in the owner's inbox")
	}
	owner.Start(context.Background()) // takes its inbox at once
	shown(t, owner, "the owner taking the removal", gone("quit0007"))
	if err := owner.Stop(); err != nil {
		t.Fatal(err)
	}
	if savedHas(t, dir, "quit0007") {
		t.Fatal("the owner took the removal from its inbox, stopped, and the file still holds the key")
	}
	if len(owner.opts.Store.Pending(nil)) != 0 {
		t.Fatal("the parcel is still in the inbox")
	}
}

// A follower that took over once the owner quit saves as an owner: an
// edit shown just before it stops is in the file.
func TestStopSavesAFollowerThatTookOver(t *testing.T) {
	dir := t.TempDir()
	owner := quitEngine(t, dir, true)
	follower := quitEngine(t, dir, false)
	follower.Start(context.Background())
	if err := owner.Stop(); err != nil { // lets go of the state
		t.Fatal(err)
	}
	changes, unsubscribe := follower.Subscribe()
	deadline := time.After(time.Minute) // Run looks every inboxEvery
	for follower.following() {
		select {
		case <-changes:
		case <-deadline:
			t.Fatal("the follower never took over")
		}
	}
	unsubscribe()
	shown(t, follower, "the owner's keys", watches("quit0000"))
	go follower.Remove("quit0042")
	shown(t, follower, "the removal", gone("quit0042"))
	if err := follower.Stop(); err != nil {
		t.Fatal(err)
	}
	if savedHas(t, dir, "quit0042") {
		t.Fatal("the follower that took over removed a key, stopped, and the file still holds it")
	}
	if !savedHas(t, dir, "quit0043") {
		t.Fatal("the other keys were lost")
	}
}

// After Stop the engine has let go of the state: a change still made (a
// command finishing on another goroutine) is handed to the next owner,
// never written without the lock.
func TestAChangeAfterStopGoesToTheInbox(t *testing.T) {
	dir := t.TempDir()
	e := quitEngine(t, dir, true)
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(); err != nil { // a second Stop does nothing
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "state.json"))
	if _, err := e.Remove("quit0003"); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "state.json"))
	if string(before) != string(after) {
		t.Fatal("a stopped engine wrote the state file")
	}
	next := quitEngine(t, dir, false)
	if next.following() {
		t.Fatal("the stopped engine still holds the lock")
	}
	next.Start(context.Background())
	shown(t, next, "the handed-over removal", gone("quit0003"))
	if err := next.Stop(); err != nil {
		t.Fatal(err)
	}
	if savedHas(t, dir, "quit0003") {
		t.Fatal("the change made after Stop was lost")
	}
}

// Stop says when the last save failed, with Snapshot.SaveErr's words.
func TestStopReturnsTheFailedSave(t *testing.T) {
	dir := t.TempDir()
	e := quitEngine(t, dir, true)
	path := filepath.Join(dir, "state.json")
	// A directory where the file was: the atomic rename over it fails.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(path, "blocker"), 0o700); err != nil {
		t.Fatal(err)
	}
	e.Remove("quit0001")
	err := e.Stop()
	if err == nil || !strings.Contains(err.Error(), "could not save state") {
		t.Fatalf("Stop after a failed save: %v", err)
	}
}

// A save being written when the store is closed ends before Close
// returns: after it, the file never changes (the next owner may be
// writing it by then).
func TestNoWriteOutlivesClose(t *testing.T) {
	dir := t.TempDir()
	store, _, _, err := OpenStore(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	states := [2]*State{{}, {}}
	for i := range quitKeys {
		states[i%2].Keys = append(states[i%2].Keys, &Key{Key: fmt.Sprintf("close%04d", i), RobotCode: "r"})
	}
	started := make(chan struct{})
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // saves as fast as it can, as a busy engine would
		defer close(done)
		for i := 0; ; i++ {
			store.Save(states[i%2])
			if i == 0 {
				close(started)
			}
			select {
			case <-stop:
				return
			default:
			}
		}
	}()
	<-started
	store.Close()
	closed, _ := os.ReadFile(filepath.Join(dir, "state.json"))
	close(stop)
	<-done
	after, _ := os.ReadFile(filepath.Join(dir, "state.json"))
	if string(closed) != string(after) {
		t.Fatal("the state file was written after Close returned")
	}
}
