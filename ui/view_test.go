package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/dingwatch/dingwatch/watch"
)

// loaded is a model at size w×h showing e's snapshot.
func loaded(e Engine, w, h int) Model {
	return drive(newTestModel(e), tea.WindowSizeMsg{Width: w, Height: h}, snapshotMsg{e.Snapshot()})
}

func TestGoldens(t *testing.T) {
	data := func() Engine { return &fakeEngine{state: fixtureState()} }
	cases := []struct {
		name  string
		model func(w, h int) Model
	}{
		{"loading", func(w, h int) Model {
			return drive(newTestModel(data()), tea.WindowSizeMsg{Width: w, Height: h})
		}},
		{"notice", func(w, h int) Model { return loaded(data(), w, h) }},
		{"notice-open", func(w, h int) Model { return drive(loaded(data(), w, h), keys("enter")...) }},
		{"stale-key", func(w, h int) Model { return drive(loaded(data(), w, h), keys("j")...) }},
		{"waiting-key", func(w, h int) Model { return drive(loaded(data(), w, h), keys("j", "j")...) }},
		{"expired-key", func(w, h int) Model { return drive(loaded(data(), w, h), keys("G")...) }},
		{"empty", func(w, h int) Model { return loaded(&fakeEngine{state: &watch.State{}}, w, h) }},
		{"warnings", func(w, h int) Model {
			return loaded(&fakeEngine{state: fixtureState(), warnings: []watch.Warning{{Kind: watch.WarnFollowing, Path: "/state", Text: "another dingwatch owns /state: this one shows its state but saves nothing"}}}, w, h)
		}},
		{"help", func(w, h int) Model { return drive(loaded(data(), w, h), keys("?")...) }},
		{"add-form", func(w, h int) Model { return drive(loaded(data(), w, h), keys("a")...) }},
		{"confirm-remove", func(w, h int) Model { return drive(loaded(data(), w, h), keys("d", "wait")...) }},
		{"filter", func(w, h int) Model { return drive(loaded(data(), w, h), keys("/", "陈")...) }},
		{"send-form", func(w, h int) Model {
			return drive(loaded(data(), w, h), keys("s", "u01,u02", "tab", "周会改到三点")...)
		}},
		{"send-confirm", func(w, h int) Model {
			return drive(loaded(data(), w, h), keys("s", "u01,u02,u03", "tab", "Weekly sync moved to 15:00", "tab", "Weekly", "enter", "wait")...)
		}},
		{"remind-form", func(w, h int) Model { return drive(loaded(data(), w, h), keys("m")...) }},
		{"remind-confirm", func(w, h int) Model { return drive(loaded(data(), w, h), keys("m", "enter", "wait")...) }},
		{"recall-confirm", func(w, h int) Model { return drive(loaded(data(), w, h), keys("x", "wait")...) }},
		{"resend-confirm", func(w, h int) Model { return drive(loaded(data(), w, h), keys("B", "wait")...) }},
		{"inspect", func(w, h int) Model {
			return drive(loaded(&fakeEngine{state: fixtureState(), warnings: []watch.Warning{{Text: "the saved state was unreadable: moved aside to /home/someone/.local/state/dingwatch/state.json.corrupt-20261127-100000"}}}, w, h), keys("j", "i")...)
		}},
		{"focus-detail", func(w, h int) Model { return drive(loaded(data(), w, h), keys("tab")...) }},
		{"scroll-markers", func(w, h int) Model {
			return drive(loaded(&fakeEngine{state: manyKeys(60)}, w, h), runes(strings.Repeat("j", 30)))
		}},
		{"filter-applied", func(w, h int) Model { return drive(loaded(data(), w, h), keys("/", "grace", "enter")...) }},
		{"viewer", func(w, h int) Model {
			e := data()
			return drive(newTestModelWith(Options{Engine: e, ReadOnly: true, Title: "dingwatch · alice", Region: "international"}), sizeMsg(w, h), snapshotMsg{e.Snapshot()})
		}},
		{"send-time-error", func(w, h int) Model { return drive(loaded(data(), w, h), keys("j", "t", "tomorrow", "enter")...) }},
	}
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		for _, tc := range cases {
			t.Run(tc.name+"-"+itoa(size[0])+"x"+itoa(size[1]), func(t *testing.T) {
				view := tc.model(size[0], size[1]).View()
				checkFits(t, view, size[0], size[1])
				golden.RequireEqual(t, []byte(view))
			})
		}
	}
}

func TestTooSmall(t *testing.T) {
	for _, size := range [][2]int{{49, 24}, {80, 11}, {10, 3}} {
		view := loaded(&fakeEngine{state: fixtureState()}, size[0], size[1]).View()
		if !strings.Contains(strings.Join(strings.Fields(view), " "), "Terminal too small") {
			t.Fatalf("%v: %q", size, view)
		}
		checkFits(t, view, size[0], size[1])
	}
	golden.RequireEqual(t, []byte(loaded(&fakeEngine{state: fixtureState()}, 40, 10).View()))
}

// TestOddSizes draws at many sizes: never wider or taller than the terminal.
func TestOddSizes(t *testing.T) {
	for w := MinWidth; w <= 130; w += 7 {
		for h := MinHeight; h <= 40; h += 5 {
			for _, ks := range [][]string{nil, {"enter", "j"}, {"G"}, {"a"}, {"?"}} {
				m := drive(loaded(&fakeEngine{state: fixtureState()}, w, h), keys(ks...)...)
				checkFits(t, m.View(), w, h)
			}
		}
	}
}

// checkFits fails when view is not exactly h lines of at most w cells.
func checkFits(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Fatalf("%d lines in a %dx%d terminal:\n%s", len(lines), w, h, view)
	}
	for i, l := range lines {
		if got := stringWidth(l); got > w {
			t.Fatalf("line %d is %d cells wide in a %dx%d terminal: %q", i, got, w, h, l)
		}
	}
}

// TestBothListsStayInView: with thousands of people, Read and Unread each
// keep a share of the pane, and j/k in the pane scroll them.
func TestBothListsStayInView(t *testing.T) {
	m := loaded(&fakeEngine{state: largeState()}, 80, 24)
	view := m.View()
	if !strings.Contains(view, "Read (7000)") || !strings.Contains(view, "Unread (13000)") || strings.Count(view, "↓ ") != 2 {
		t.Fatalf("both lists must show:\n%s", view)
	}
	first := func(v string) string {
		for _, l := range strings.Split(v, "\n") {
			if i := strings.Index(l, "│ ✓ "); i >= 0 {
				return l[i:]
			}
		}
		return ""
	}
	before := first(view)
	m = drive(m, keys("tab", "j", "j", "j")...)
	if m.detail.offset != 3 || first(m.View()) == before {
		t.Fatalf("j in the detail pane did not scroll: offset %d", m.detail.offset)
	}
	m = drive(m, keys("G")...)
	if m.detail.offset != m.detail.max || m.detail.offset == 0 {
		t.Fatalf("G: offset %d of %d", m.detail.offset, m.detail.max)
	}
	checkFits(t, m.View(), 80, 24)
}

func TestEscHidesWarnings(t *testing.T) {
	e := &fakeEngine{state: fixtureState(), warnings: []watch.Warning{{Kind: watch.WarnStateSetAside, Text: "the saved state was unreadable: moved aside"}}}
	m := loaded(e, 80, 24)
	if !strings.Contains(m.View(), "moved aside") {
		t.Fatal("no warning shown")
	}
	m = drive(m, keys("esc")...)
	if strings.Contains(m.View(), "moved aside") {
		t.Fatal("esc did not hide the warning")
	}
	checkFits(t, m.View(), 80, 24)
}

func TestPastedKeyHasNoTimeToRead(t *testing.T) {
	st := fixtureState()
	k := st.Key("STALEkey0000000000000000000000000000000000=")
	k.Recipients[0].Read, k.Recipients[0].FirstSeenRead = true, now
	m := drive(loaded(&fakeEngine{state: st}, 100, 30), keys("j")...)
	if v := m.View(); !strings.Contains(v, "read times need the send time (t)") || strings.Contains(v, "50% in 0s") {
		t.Fatalf("a key without a send time must not claim a time to read:\n%s", v)
	}
}

// manyKeys is n lone keys, each with a few people.
func manyKeys(n int) *watch.State {
	st := &watch.State{}
	for i := range n {
		st.Keys = append(st.Keys, &watch.Key{Key: fmt.Sprintf("KEY%03dabcdefghijklmnopqrstuvwxyz0123=", i), RobotCode: "dingrobot", Label: fmt.Sprintf("Key %d", i),
			AddedAt: now.Add(-time.Hour), SentAt: now.Add(-time.Hour), SendStatus: "SUCCESS", LastOK: now.Add(-time.Minute), Recipients: people("张伟", "Alice Chen")})
	}
	return st
}
