package ui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// Given the snapshot taken before the engine starts polling, the first
// frame shows the saved keys, the same frame a snapshot from the engine
// draws, and Init does not ask the engine again (a poll pass planning
// 20,000 keys holds it).
func TestFirstFrameShowsTheSnapshotGiven(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := newTestModelWith(Options{Engine: e, Region: "international", Snapshot: e.Snapshot()})
	given := drive(m, tea.WindowSizeMsg{Width: 80, Height: 24}).View()
	asked := loaded(&fakeEngine{state: fixtureState()}, 80, 24).View()
	if given != asked {
		t.Fatalf("the first frame differs from a loaded one:\n%s\n---\n%s", given, asked)
	}
	if cmd := m.Init(); cmd != nil {
		for _, msg := range runBatch(cmd) {
			if _, ok := msg.(snapshotMsg); ok {
				t.Fatal("Init asked the engine for the snapshot it was given")
			}
		}
	}
	if loading := drive(newTestModel(e), tea.WindowSizeMsg{Width: 80, Height: 24}).View(); loading == given {
		t.Fatal("a model given no snapshot draws the keys before it has them")
	}
}

// runBatch runs cmd and the commands of a tea.Batch it returns, except
// those that wait (changes, timers).
func runBatch(cmd tea.Cmd) []tea.Msg {
	msg := cmd()
	batch, ok := msg.(tea.BatchMsg)
	if !ok {
		return []tea.Msg{msg}
	}
	var out []tea.Msg
	for _, c := range batch {
		if c == nil {
			continue
		}
		if m := c(); m != nil {
			out = append(out, m)
		}
	}
	return out
}

// The rendered-row cache holds a few screens, not every version of every
// row: 30 SSH sessions each kept up to 4,096 rendered rows (tester H7).
func TestRowCacheStaysAFewScreens(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := loaded(e, 80, 24)
	for range 500 {
		m = drive(m, snapshotMsg{e.Snapshot()}) // new keys each time: every row is summed again
		_ = m.View()
	}
	if n, most := len(m.list.cache.rows), 4*m.list.rowsShown()+64+1; n > most {
		t.Fatalf("%d rendered rows kept, at most %d", n, most)
	}
}
