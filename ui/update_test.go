package ui

import (
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/dingwatch/dingwatch/watch"
)

func TestAddKeysByPaste(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(loaded(e, 80, 24), keys("a")...)
	if m.mode != modeAdd {
		t.Fatal("a did not open the form")
	}
	paste := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("NEWkey1+/=, NEWkey2\nNEWkey2 bad!key"), Paste: true}
	m = drive(m, paste)
	m = drive(m, keys("tab", "周报", "tab")...)
	m.form.fields[2].set("otherbot")
	m = drive(m, keys("enter")...)
	if m.mode != modeNormal || len(e.added) != 1 {
		t.Fatalf("mode %v, added %v", m.mode, e.added)
	}
	got := e.added[0]
	if !slices.Equal(got.Keys, []string{"NEWkey1+/=", "NEWkey2"}) || got.Label != "周报" || got.RobotCode != "otherbot" {
		t.Fatalf("%+v", got)
	}
	if !m.flashErr || !strings.Contains(m.flash, "bad!key") {
		t.Fatalf("the bad key must be reported: %q", m.flash)
	}
	if r, _ := m.selected(); r.id() != "k:NEWkey1+/=" {
		t.Fatalf("the cursor should be on the new key, is on %q", r.id())
	}
}

func TestAddRejectsDuplicatesAndBlanks(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(loaded(e, 80, 24), keys("a", "enter")...)
	if m.mode != modeAdd || !m.flashErr || len(e.added) != 0 {
		t.Fatalf("blank input: mode %v flash %q", m.mode, m.flash)
	}
	m = drive(m, keys("WAITkey", "enter")...)
	if !m.flashErr || !strings.Contains(m.flash, "already watched") {
		t.Fatalf("duplicate: %q", m.flash)
	}
	m = drive(m, keys("a", "x", "esc")...)
	if m.mode != modeNormal || len(e.added) != 1 {
		t.Fatal("esc must cancel without adding")
	}
}

func TestRemoveAsksFirst(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(loaded(e, 80, 24), keys("j", "d")...)
	if m.mode != modeConfirm || !strings.Contains(m.View(), "Stop watching key Security patch?") {
		t.Fatal("no confirmation")
	}
	m = drive(m, keys("n")...)
	if len(e.removed) != 0 || m.flash != "cancelled" {
		t.Fatalf("removed %v", e.removed)
	}
	m = drive(m, keys("d", "y")...)
	if !slices.Equal(e.removed, []string{"STALEkey0000000000000000000000000000000000="}) {
		t.Fatalf("removed %v", e.removed)
	}
	for _, r := range m.list.rows {
		if r.title() == "Security patch" {
			t.Fatal("the removed key is still listed")
		}
	}
	// Removing a notice removes all its keys.
	m = drive(m, keys("g", "d", "y")...)
	if len(e.removed) != 3 {
		t.Fatalf("removed %v", e.removed)
	}
}

func TestRefreshSelectedAndAll(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(loaded(e, 80, 24), keys("r", "j", "r", "R")...)
	want := [][]string{
		{"Kna29Ra5pdJznx1ghavbumkQKwDzgfxZLapw55G7x0Q=", "Zq81+abc/def=ghiJKLmnoPQRstuVWXyz0123456789="},
		{"STALEkey0000000000000000000000000000000000="},
		nil,
	}
	if len(e.refreshed) != 3 || !slices.Equal(e.refreshed[0], want[0]) || !slices.Equal(e.refreshed[1], want[1]) || e.refreshed[2] != nil {
		t.Fatalf("refreshed %q", e.refreshed)
	}
	_ = m
}

func TestStaleSnapshotsAndTicksAreDropped(t *testing.T) {
	e := &fakeEngine{state: fixtureState(), version: 5}
	m := loaded(e, 80, 24)
	old := &watch.Snapshot{Version: 4, State: &watch.State{}, Robot: "old"}
	m = drive(m, snapshotMsg{old})
	if m.snap.Version != 5 || len(m.list.rows) != 4 {
		t.Fatalf("an older snapshot replaced a newer one: v%d, %d rows", m.snap.Version, len(m.list.rows))
	}
	m.tickGen = 3
	_, cmd := m.Update(tickMsg{gen: 2})
	if cmd != nil {
		t.Fatal("a stale tick started another tick chain")
	}
	if _, cmd := m.Update(tickMsg{gen: 3}); cmd == nil {
		t.Fatal("the current tick chain stopped")
	}
}

func TestCursorFollowsRowAcrossSnapshots(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(loaded(e, 80, 24), keys("j", "j")...) // WAITkey
	e.mu.Lock()
	e.state.Keys = append([]*watch.Key{{Key: "FIRSTkey", RobotCode: "r", AddedAt: now}}, e.state.Keys...)
	e.version++
	e.mu.Unlock()
	m = drive(m, snapshotMsg{e.Snapshot()})
	if r, _ := m.selected(); r.id() != "k:WAITkey" {
		t.Fatalf("cursor moved to %q", r.id())
	}
}

func TestLabelAndSendTime(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(loaded(e, 80, 24), keys("j", "e")...)
	m.input.SetValue("")
	m = drive(m, keys("安全补丁", "enter")...)
	if k := e.state.Key("STALEkey0000000000000000000000000000000000="); k.Label != "安全补丁" {
		t.Fatalf("label %q", k.Label)
	}
	m = drive(m, keys("t", "tomorrow", "enter")...)
	if !m.flashErr || !strings.Contains(m.flash, "send time") {
		t.Fatalf("bad time: %q", m.flash)
	}
	m = drive(m, keys("t", "20m ago", "enter")...)
	if k := e.state.Key("STALEkey0000000000000000000000000000000000="); !k.SentAt.Equal(now.Add(-20 * 60e9)) {
		t.Fatalf("sent at %v", k.SentAt)
	}
}

func TestFilterAndFocus(t *testing.T) {
	m := drive(loaded(&fakeEngine{state: fixtureState()}, 80, 24), keys("/", "grace")...)
	if len(m.list.rows) != 1 || m.list.rows[0].notice == nil {
		t.Fatalf("filter by a recipient's name: %d rows", len(m.list.rows))
	}
	m = drive(m, keys("esc")...)
	if len(m.list.rows) != 4 || m.list.filter != "" {
		t.Fatal("esc must clear the filter")
	}
	m = drive(m, keys("tab", "j")...)
	if m.focus != paneDetail || m.list.cursor != 0 {
		t.Fatal("j in the detail pane must scroll it, not move the list")
	}
}

func TestQuitKeys(t *testing.T) {
	m := loaded(&fakeEngine{state: fixtureState()}, 80, 24)
	for _, k := range []tea.KeyMsg{{Type: tea.KeyRunes, Runes: []rune("q")}, {Type: tea.KeyCtrlC}} {
		_, cmd := m.Update(k)
		if cmd == nil || cmd() != tea.Quit() {
			t.Fatalf("%v does not quit", k)
		}
	}
	// In an input, q is typed, not quit.
	m = drive(m, keys("/")...)
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	if cmd != nil && cmd() == tea.Quit() {
		t.Fatal("q quit from the filter input")
	}
}

func TestPanicEndsCleanly(t *testing.T) {
	var logged strings.Builder
	calls := 0
	m := New(Options{Engine: &fakeEngine{state: fixtureState()}, Renderer: asciiRenderer(),
		Log: slog.New(slog.NewTextHandler(&logged, nil)),
		Now: func() time.Time {
			if calls++; calls > 1 {
				panic("clock broke")
			}
			return now
		}})
	m = drive(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	tm, cmd := m.Update(tickMsg{gen: m.tickGen})
	m = tm.(Model)
	if cmd == nil || cmd() != tea.Quit() || m.Crashed() != "clock broke" {
		t.Fatalf("a panic must quit and say why: %q", m.Crashed())
	}
	if !strings.Contains(logged.String(), "goroutine") || strings.Contains(m.View(), "goroutine") {
		t.Fatal("the stack belongs in the log, not on the screen")
	}
}
