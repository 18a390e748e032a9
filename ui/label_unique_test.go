package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/dingwatch/dingwatch/watch"
)

// F26: n and e refuse a notice label already in use (case and spaces
// ignored, as the CLI compares), keeping the input open with its text and
// the reason; a notice keeps its own label.
func TestNoticeLabelsStayUnique(t *testing.T) {
	st := fixtureState()
	st.Notices = append(st.Notices, &watch.Notice{ID: "n2", Label: "Other", CreatedAt: now,
		Batches: []watch.Batch{{Status: watch.BatchFailed, UserIDs: []string{"u1"}}}})
	e := &fakeEngine{state: st}
	m := drive(loaded(e, 80, 24), keys("e")...)
	m = drive(m, tea.KeyMsg{Type: tea.KeyCtrlU})
	m = drive(m, keys(" other ", "enter")...)
	li, ok := m.overlay.(*lineInput)
	if !ok || !strings.Contains(m.View(), "already") || !strings.Contains(li.View(), "other") {
		t.Fatalf("rename to a label in use: %T %q\n%s", m.overlay, m.flash, m.View())
	}
	m = drive(m, keys("esc", "e", "enter")...) // its own label again: fine
	if m.overlay != nil || m.flashErr {
		t.Fatalf("keeping its own label: %T %q", m.overlay, m.flash)
	}
	m = drive(m, keys("G")...)
	for m.list.cursor > 0 {
		if r, _ := m.list.selected(); r.notice == nil {
			break
		}
		m = drive(m, keys("k")...)
	}
	m = drive(m, keys("n", "周会通知 weekly SYNC", "enter")...)
	if _, ok := m.overlay.(*lineInput); !ok || !strings.Contains(m.View(), "already") {
		t.Fatalf("a new notice named as another: %T %q\n%s", m.overlay, m.flash, m.View())
	}
	if n := len(e.Snapshot().State.Notices); n != 2 {
		t.Fatalf("%d notices", n)
	}
}
