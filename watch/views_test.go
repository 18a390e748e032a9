package watch

import (
	"fmt"
	"testing"
	"time"
)

func TestSnapshotsShareWhatDidNotChange(t *testing.T) {
	e := NewEngine(Options{Client: &blockingQuerier{}, RobotCode: "r", Now: func() time.Time { return t0 }})
	a := e.CreateNotice("A", "", t0)
	b := e.CreateNotice("B", "", t0)
	e.Add(AddSpec{Keys: []string{"a1", "a2"}, Notice: a})
	e.Add(AddSpec{Keys: []string{"b1", "b2"}, Notice: b})
	e.mu.Lock()
	for _, k := range []string{"a1", "a2", "b1", "b2"} {
		e.editKeyLocked(k, func(k *Key) { k.Recipients = []Recipient{{UserID: "u-" + k.Key, Name: k.Key}} })
	}
	e.dataChangedLocked()
	e.mu.Unlock()

	s1 := e.Snapshot()
	if e.Snapshot() != s1 {
		t.Fatal("nothing changed, yet a new snapshot")
	}
	audA, audB := s1.Audience(a), s1.Audience(b)
	if len(audA.Unread) != 2 || len(audB.Unread) != 2 {
		t.Fatalf("audiences %+v %+v", audA, audB)
	}
	old := s1.State.Key("a1")
	if err := e.SetLabel("a1", "changed"); err != nil {
		t.Fatal(err)
	}
	s2 := e.Snapshot()
	if s2 == s1 || s2.State.Key("a1").Label != "changed" {
		t.Fatal("the edit is not in the new snapshot")
	}
	if old.Label != "" || s1.State.Key("a1") != old {
		t.Fatal("a key in an earlier snapshot was changed: keys are copy-on-write")
	}
	if s2.State.Key("b1") != s1.State.Key("b1") || s2.State.Notice(b) != s1.State.Notice(b) {
		t.Fatal("keys and notices that did not change are not shared")
	}
	// B did not change: every view gets the same merge, not a new one.
	if got := s2.Audience(b); &got.Unread[0] != &audB.Unread[0] {
		t.Fatal("the audience of an unchanged notice was merged again")
	}
	if got := s2.Audience(a); &got.Unread[0] == &audA.Unread[0] {
		t.Fatal("the audience of a changed notice was not merged again")
	}
}

// TestAddIndexesEveryKey: Add finds duplicates through the engine's index
// by key, not by scanning the state for each key (which made adding
// 20,000 keys quadratic; the time is in BENCHMARKS.md, not asserted here).
func TestAddIndexesEveryKey(t *testing.T) {
	e := NewEngine(Options{Client: &blockingQuerier{}, RobotCode: "r", Now: func() time.Time { return t0 }})
	keys := make([]string, 20000)
	for i := range keys {
		keys[i] = fmt.Sprintf("linearKey%05d", i)
	}
	if n, err := e.Add(AddSpec{Keys: keys}); n != 20000 || err != nil {
		t.Fatal(n, err)
	}
	for i := range 2000 {
		if n, _ := e.Add(AddSpec{Keys: []string{fmt.Sprintf("moreKey%05d", i)}}); n != 1 {
			t.Fatal("not added")
		}
	}
	if n, err := e.Add(AddSpec{Keys: keys[:3]}); n != 0 || err == nil {
		t.Fatal("duplicates accepted", n)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.pos) != 22000 || e.keyLocked("moreKey01999") == nil {
		t.Fatalf("index holds %d keys", len(e.pos))
	}
}

// Answers merged during a pass show at the next announcement: until then
// every view gets the snapshot that was announced, so that thirty SSH
// sessions share one snapshot and one merge of each notice, not thirty.
func TestViewsShareTheAnnouncedSnapshotDuringAPass(t *testing.T) {
	now := t0
	e := NewEngine(Options{Client: &blockingQuerier{}, RobotCode: "r", Now: func() time.Time { return now }})
	e.Add(AddSpec{Keys: []string{"k1", "k2", "k3"}})
	changes, stop := e.Subscribe()
	defer stop()
	answer := func(key string) {
		e.mu.Lock()
		e.editKeyLocked(key, func(k *Key) {
			k.Recipients = append(k.Recipients, Recipient{UserID: "u" + fmt.Sprint(len(k.Recipients))})
		})
		e.answeredLocked(now)
		e.mu.Unlock()
	}
	announcedNow := func() bool { // announcements are sent before answeredLocked returns
		select {
		case <-changes:
			return true
		default:
			return false
		}
	}
	now = now.Add(notifyEvery)
	answer("k1") // the first answer in a while is announced at once
	if !announcedNow() {
		t.Fatal("the first answer in a while was not announced")
	}
	announced := e.Snapshot()
	if len(announced.State.Key("k1").Recipients) != 1 {
		t.Fatal("the announced answer is not in the snapshot")
	}
	now = now.Add(notifyEvery / 5)
	answer("k2")
	if got := e.Snapshot(); got != announced {
		t.Fatal("an answer not yet announced gave one view a snapshot of its own")
	}
	if announcedNow() {
		t.Fatal("announced again within notifyEvery")
	}
	now = now.Add(notifyEvery)
	answer("k3")
	if !announcedNow() {
		t.Fatal("an answer notifyEvery after the last announcement was not announced")
	}
	latest := e.Snapshot()
	if latest == announced || len(latest.State.Key("k2").Recipients) != 1 || len(latest.State.Key("k3").Recipients) != 1 {
		t.Fatal("the next announcement does not show every answer merged since")
	}
	if err := e.SetLabel("k1", "now"); err != nil { // any other change shows at once
		t.Fatal(err)
	}
	if e.Snapshot().State.Key("k1").Label != "now" {
		t.Fatal("an edit waited for an announcement")
	}
}

// With no view subscribed (a one-shot command), a snapshot shows every
// answer merged so far: only views share the announced one.
func TestWithoutViewsTheSnapshotIsCurrent(t *testing.T) {
	now := t0
	e := NewEngine(Options{Client: &blockingQuerier{}, RobotCode: "r", Now: func() time.Time { return now }})
	e.Add(AddSpec{Keys: []string{"k1", "k2"}})
	answer := func(key string) {
		e.mu.Lock()
		e.editKeyLocked(key, func(k *Key) { k.Recipients = append(k.Recipients, Recipient{UserID: "u"}) })
		e.answeredLocked(now)
		e.mu.Unlock()
	}
	now = now.Add(notifyEvery)
	answer("k1")
	_ = e.Snapshot()
	answer("k2") // within notifyEvery: not announced
	if len(e.Snapshot().State.Key("k2").Recipients) != 1 {
		t.Fatal("an engine without views showed a snapshot older than its state")
	}
}
