package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// loneKeys is a state of n lone keys; the last one was answered last.
func loneKeys(n int) *watch.State {
	st := &watch.State{}
	for i := range n {
		st.Keys = append(st.Keys, &watch.Key{Key: fmt.Sprintf("key%05d", i), RobotCode: "dingrobot", AddedAt: now.Add(-time.Hour),
			SentAt: now.Add(-time.Hour), LastOK: now.Add(time.Duration(i-n) * time.Second), Recipients: people("张伟", "Alice")})
	}
	return st
}

// peekOf is the snapshot PeekState would make of the first shown keys
// of st (lone keys: a group each).
func peekOf(st *watch.State, shown int) *watch.Snapshot {
	full := (&fakeEngine{state: st}).Snapshot()
	p := *full
	p.State = &watch.State{Keys: st.Keys[:shown], Calls: st.Calls}
	p.Preview = &watch.Preview{Unloaded: len(st.Keys) - shown, LastOK: st.Keys[len(st.Keys)-1].LastOK}
	return &p
}

// A preview of the saved state draws the frame the whole state draws: the
// same count, rows, overflow marker and last answer, at any size the
// preview covers; the whole state then replaces it, the cursor staying on
// its row.
func TestPreviewDrawsTheLoadedFrame(t *testing.T) {
	st := loneKeys(300)
	e := &fakeEngine{state: st}
	for _, size := range [][2]int{{80, 24}, {120, 40}, {50, 12}, {200, 60}} {
		w, h := size[0], size[1]
		first := peekOf(st, 2*h) // what the dashboard asks for
		m := drive(newTestModelWith(Options{Engine: e, Region: "international", Snapshot: first}), sizeMsg(w, h))
		if got, want := m.View(), loaded(e, w, h).View(); got != want {
			t.Fatalf("%dx%d: the preview's frame is not the loaded one:\n%s\n---\n%s", w, h, got, want)
		}
	}
	m := drive(newTestModelWith(Options{Engine: e, Region: "international", Snapshot: peekOf(st, 48)}), sizeMsg(80, 24))
	m = drive(m, keys("G")...)
	r, _ := m.list.selected()
	if r.key().Key != "key00047" || !strings.Contains(m.View(), "↓ 252 more, loading…") {
		t.Fatalf("G in a preview: on %s, want the last row loaded, with the rest said to be loading:\n%s", r.key().Key, m.View())
	}
	if m = drive(m, keys("d", "e")...); m.overlay != nil || !strings.Contains(m.View(), "still loading: nothing done") {
		t.Fatalf("d or e after G in a preview acted on the last row loaded:\n%s", m.View())
	}
	m = drive(m, snapshotMsg{e.Snapshot()})
	if r, _ := m.list.selected(); r.key().Key != "key00299" {
		t.Fatalf("G in a preview ends on %s once loaded, want the last row:\n%s", r.key().Key, m.View())
	}
	m = drive(newTestModelWith(Options{Engine: e, Region: "international", Snapshot: peekOf(st, 48)}), sizeMsg(80, 24))
	m = drive(m, keys("G", "k", "k")...)
	m = drive(m, snapshotMsg{e.Snapshot()})
	if r, _ := m.list.selected(); r.key().Key != "key00297" {
		t.Fatalf("G k k in a preview ends on %s, want key00297", r.key().Key)
	}
	m = drive(newTestModelWith(Options{Engine: e, Region: "international", Snapshot: peekOf(st, 48)}), sizeMsg(80, 24))
	m = drive(m, keys("G", "g")...) // back to the top: no move is left to make
	m = drive(m, snapshotMsg{e.Snapshot()})
	if r, _ := m.list.selected(); r.key().Key != "key00000" {
		t.Fatalf("G g in a preview ends on %s, want key00000", r.key().Key)
	}
	m = drive(newTestModelWith(Options{Engine: e, Region: "international", Snapshot: peekOf(st, 48)}), sizeMsg(80, 24))
	m = drive(m, keys("/", "z", "z", "z")...)
	if v := m.View(); !strings.Contains(v, "Nothing matches yet: 252 more are") || !strings.Contains(v, "loading.") {
		t.Fatalf("a filter in a preview with no match says nothing of the rows loading:\n%s", m.View())
	}
}

// FirstFrame is called once, when the first size comes, whatever comes
// after.
func TestFirstFrameIsCalledOnce(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	calls := 0
	m := newTestModelWith(Options{Engine: e, Snapshot: e.Snapshot(), FirstFrame: func() { calls++ }})
	m = drive(m, keys("j")...)
	if calls != 0 {
		t.Fatal("FirstFrame was called before a frame had a size")
	}
	m = drive(m, sizeMsg(80, 24), sizeMsg(100, 30), snapshotMsg{e.Snapshot()})
	_ = drive(m, sizeMsg(60, 20))
	if calls != 1 {
		t.Fatalf("FirstFrame was called %d times, want once", calls)
	}
}
