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

// selected is the row under the list's cursor.
func (m Model) selected() (row, bool) { return m.list.selected() }

// formOf is the open form, or nil.
func formOf(m Model) *form {
	f, _ := m.overlay.(*form)
	return f
}

func TestAddKeysByPaste(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(loaded(e, 80, 24), keys("a")...)
	if formOf(m) == nil {
		t.Fatal("a did not open the form")
	}
	paste := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("NEWkey1+/=000000, NEWkey2000000000\nNEWkey2000000000 bad!key"), Paste: true}
	m = drive(m, paste)
	m = drive(m, keys("tab", "周报", "tab")...)
	formOf(m).fields[2].line.SetValue("otherbot")
	m = drive(m, keys("enter")...)
	// One rule reads keys everywhere: a bad word keeps the form open, with
	// the word named, and adds nothing (the CLI refuses the whole input too).
	if f := formOf(m); f == nil || !strings.Contains(f.err, "bad!key") || !strings.Contains(f.err, "nothing added") || len(e.added) != 0 {
		t.Fatalf("overlay %T, added %v", m.overlay, e.added)
	}
	formOf(m).fields[0].area.SetValue("NEWkey1+/=000000, NEWkey2000000000\nNEWkey2000000000")
	m = drive(m, keys("enter")...)
	if m.overlay != nil || len(e.added) != 1 {
		t.Fatalf("overlay %T, added %v", m.overlay, e.added)
	}
	got := e.added[0]
	if !slices.Equal(got.Keys, []string{"NEWkey1+/=000000", "NEWkey2000000000"}) || got.Label != "周报" || got.RobotCode != "otherbot" {
		t.Fatalf("%+v", got)
	}
	if r, _ := m.selected(); r.id() != "k:NEWkey1+/=000000" {
		t.Fatalf("the cursor should be on the new key, is on %q", r.id())
	}
}

func TestAddRejectsBlankInTheForm(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(loaded(e, 80, 24), keys("a", "enter")...)
	if f := formOf(m); f == nil || f.err == "" || len(e.added) != 0 {
		t.Fatalf("blank input must keep the form open with the reason: %T", m.overlay)
	}
	if !strings.Contains(m.View(), "! ") {
		t.Fatalf("the reason is not shown:\n%s", m.View())
	}
	m = drive(m, keys("STALEkey0000000000000000000000000000000000=", "enter")...)
	if !m.flashErr || !strings.Contains(m.flash, "already watched") {
		t.Fatalf("duplicate: %q", m.flash)
	}
	m = drive(m, keys("a", "x", "esc")...)
	if m.overlay != nil || len(e.added) != 1 {
		t.Fatal("esc must cancel without adding")
	}
}

func TestRemoveTakesYOnly(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(loaded(e, 80, 24), keys("j", "d", "wait")...)
	if _, ok := m.overlay.(*confirm); !ok || !strings.Contains(m.View(), "Stop watching key Security patch?") {
		t.Fatalf("no confirmation:\n%s", m.View())
	}
	if !strings.Contains(m.View(), "y removes · enter/esc cancel") {
		t.Fatalf("the prompt must say which key does what:\n%s", m.View())
	}
	for _, k := range []string{"enter", "esc", "n"} {
		m = drive(m, keys(k)...)
		if len(e.removed) != 0 || m.overlay != nil || !strings.Contains(m.flash, "cancelled") {
			t.Fatalf("%s removed %v", k, e.removed)
		}
		m = drive(m, keys("d", "wait")...)
	}
	m = drive(m, keys("j", "k")...) // other keys neither confirm nor cancel
	if _, ok := m.overlay.(*confirm); !ok || len(e.removed) != 0 {
		t.Fatal("a stray key decided the prompt")
	}
	m = drive(m, keys("wait", "y")...)
	if !slices.Equal(e.removed, []string{"STALEkey0000000000000000000000000000000000="}) {
		t.Fatalf("removed %v", e.removed)
	}
	for _, r := range m.list.rows {
		if r.title() == "Security patch" {
			t.Fatal("the removed key is still listed")
		}
	}
	m = drive(m, keys("g", "d", "wait", "y")...) // a notice: all its keys and its ID, one call
	if len(e.removed) != 4 || e.removed[3] != "n1" {
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
	if m.flash != "refreshed 5 keys (5 calls at most)" {
		t.Fatalf("the flash must say the refresh is done: %q", m.flash)
	}
	m = drive(m, flashEndMsg{m.flashID})
	if m.flash != "" {
		t.Fatal("the flash did not end")
	}
}

func TestFlashEndsOnlyItsOwn(t *testing.T) {
	m := loaded(&fakeEngine{state: fixtureState()}, 80, 24)
	m = drive(m, flashMsg{text: "first"})
	old := m.flashID
	m = drive(m, flashMsg{text: "second"}, flashEndMsg{old})
	if m.flash != "second" {
		t.Fatalf("an older flash's end cleared a newer one: %q", m.flash)
	}
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
	if _, cmd := m.Update(tickMsg{gen: 2}); cmd != nil {
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
	m.overlay.(*lineInput).input.SetValue("")
	m = drive(m, keys("安全补丁", "enter")...)
	if k := e.state.Key("STALEkey0000000000000000000000000000000000="); k.Label != "安全补丁" {
		t.Fatalf("label %q", k.Label)
	}
	m = drive(m, keys("t", "tomorrow", "enter")...)
	in, ok := m.overlay.(*lineInput)
	if !ok || in.input.Value() != "tomorrow" || in.err == "" || !strings.Contains(m.View(), "tomorrow") {
		t.Fatalf("a bad time must keep the input open with its text and the reason: %T\n%s", m.overlay, m.View())
	}
	m = drive(m, keys("q")...) // typed, not a command
	if in := m.overlay.(*lineInput); in.input.Value() != "tomorrowq" {
		t.Fatalf("q after an error: %q", in.input.Value())
	}
	in = m.overlay.(*lineInput)
	in.input.SetValue("20m ago")
	m = drive(m, keys("enter")...)
	if k := e.state.Key("STALEkey0000000000000000000000000000000000="); !k.SentAt.Equal(now.Add(-20*time.Minute)) || m.overlay != nil {
		t.Fatalf("sent at %v", k.SentAt)
	}
}

func TestFilterEscAndFocus(t *testing.T) {
	m := drive(loaded(&fakeEngine{state: fixtureState()}, 80, 24), keys("/", "grace")...)
	if len(m.list.rows) != 1 || m.list.rows[0].notice == nil {
		t.Fatalf("filter by a recipient's name: %d rows", len(m.list.rows))
	}
	m = drive(m, keys("enter")...) // applied
	if m.list.filtering || m.list.filter != "grace" || !strings.Contains(m.View(), "esc clear filter") || !strings.Contains(m.View(), "/grace (1)") {
		t.Fatalf("enter must keep the filter:\n%s", m.View())
	}
	if v := m.View(); !strings.Contains(v, "» Grace Kim") || !strings.Contains(v, `filter "grace" found Grace Kim`) {
		t.Fatalf("the filter must show where the recipient is:\n%s", v)
	}
	m = drive(m, keys("esc")...)
	if len(m.list.rows) != 4 || m.list.filter != "" {
		t.Fatal("esc must clear an applied filter")
	}
	m = drive(m, keys("/", "陈", "esc")...)
	if len(m.list.rows) != 4 || m.list.filter != "" || m.list.filtering {
		t.Fatal("esc while typing must clear the filter")
	}
	if r, _ := m.selected(); r.title() != "Security patch" {
		t.Fatalf("clearing the filter must keep the row that was selected, not %q", r.title())
	}
	m = drive(m, keys("tab", "j")...)
	if m.focus != focusDetail || m.list.cursor != 1 {
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
	for _, open := range []string{"/", "a", "s", "e", "n"} {
		m := drive(m, keys(open)...)
		_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
		if cmd != nil && cmd() == tea.Quit() {
			t.Fatalf("q quit from the input of %q", open)
		}
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

// TestKeysWhileLoading: a key typed before the first snapshot is not
// eaten (over SSH it often arrives first).
func TestKeysWhileLoading(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(newTestModel(e), sizeMsg(80, 24), runes("?"))
	if !strings.Contains(m.View(), "any key closes") {
		t.Fatalf("? while loading:\n%s", m.View())
	}
	m = drive(m, keys("esc")...)
	m = drive(m, runes("jk/"), snapshotMsg{e.Snapshot()})
	if !m.list.filtering {
		t.Fatal("keys while loading were lost")
	}
}

// A remove confirmed after another session removed the same keys says so,
// instead of "removed notice X and its 1 key (0 keys)" (tester G19).
func TestRemoveSaysWhenSomeoneWasFirst(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	k := e.state.Keys[0].Key
	first := removeKeys(e, "key A", []string{k}, 1)().(doneMsg)
	if first.err != nil || !strings.Contains(first.text, "removed key A (1 key)") {
		t.Fatalf("%+v", first)
	}
	again := removeKeys(e, "key A", []string{k}, 1)().(doneMsg)
	if !strings.Contains(again.text, "already removed") || strings.Contains(again.text, "(0 keys)") {
		t.Fatalf("%+v", again)
	}
}
