package ui

import (
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// boundKeys is every key of every binding of the dashboard, as the key
// messages the terminal sends for them.
func boundKeys(t *testing.T) []tea.KeyMsg {
	t.Helper()
	named := map[string]tea.KeyType{}
	for kt := tea.KeyType(-200); kt < 200; kt++ {
		if s := kt.String(); s != "" {
			named[s] = kt
		}
	}
	km := reflect.ValueOf(newKeyMap())
	var out []tea.KeyMsg
	for i := range km.NumField() {
		b := km.Field(i).Interface().(key.Binding)
		for _, k := range b.Keys() {
			if kt, ok := named[k]; ok {
				out = append(out, tea.KeyMsg{Type: kt})
			} else if r := []rune(k); len(r) == 1 {
				out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: r})
			} else {
				t.Fatalf("binding %s: no key message for %q", km.Type().Field(i).Name, k)
			}
		}
	}
	return out
}

// isQuit reports whether cmd quits the program.
func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	switch msg := cmd().(type) {
	case tea.QuitMsg:
		return true
	case tea.BatchMsg:
		return slices.ContainsFunc(msg, isQuit)
	}
	return false
}

// TestTooSmallOnlyQuits: while the screen says only "Terminal too small …
// q quits", no key but q and ctrl+c does anything — none opens a question,
// a form or the help unseen, none answers one, none copies, writes,
// refreshes or moves — and q quits even with the help open.
func TestTooSmallOnlyQuits(t *testing.T) {
	for _, k := range boundKeys(t) {
		if k.String() == "q" || k.String() == "ctrl+c" {
			continue
		}
		for _, size := range [][2]int{{20, 6}, {MinWidth - 1, 24}, {80, MinHeight - 1}} {
			e := &fakeEngine{state: fixtureState()}
			dir := t.TempDir()
			m := drive(newTestModelWith(Options{Engine: e, ExportDir: dir}), sizeMsg(80, 24), snapshotMsg{e.Snapshot()})
			m = drive(m, sizeMsg(size[0], size[1]))
			before := m.list.cursor
			// The key, then whatever would answer a question it opened.
			m = drive(m, k)
			m = drive(m, keys("wait", "y", "wait", "y", "enter", "wait", "y")...)
			m = drive(m, sizeMsg(80, 24))
			files, _ := os.ReadDir(dir)
			switch {
			case m.overlay != nil:
				t.Errorf("%q at %v opened %T unseen", k.String(), size, m.overlay)
			case len(e.removed)+len(e.recalled)+len(e.resent)+len(e.sent)+len(e.added)+len(e.refreshed) > 0:
				t.Errorf("%q at %v acted: removed %v recalled %v resent %v sent %d added %d refreshed %v",
					k.String(), size, e.removed, e.recalled, e.resent, len(e.sent), len(e.added), e.refreshed)
			case m.flash != "":
				t.Errorf("%q at %v did something: %q", k.String(), size, m.flash)
			case len(files) > 0:
				t.Errorf("%q at %v wrote %s", k.String(), size, files[0].Name())
			case m.list.cursor != before || m.list.filtering || m.focus != focusList:
				t.Errorf("%q at %v moved: cursor %d→%d, filtering %v, focus %v", k.String(), size, before, m.list.cursor, m.list.filtering, m.focus)
			}
		}
	}
	for _, open := range []string{"", "?", "a", "d", "x"} {
		e := &fakeEngine{state: fixtureState()}
		m := drive(loaded(e, 80, 24), keys(open)...)
		m = drive(m, sizeMsg(20, 6))
		_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
		if !isQuit(cmd) {
			t.Errorf("with %q open, q at 20x6 does not quit", open)
		}
		if _, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q"), Paste: true}); isQuit(cmd) {
			t.Errorf("with %q open, a pasted q at 20x6 quits", open)
		}
	}
}

// TestQuestionOpenWhenShrunkWaitsToBeSeen: a question open when the window
// shrinks stays open but cannot be answered while it is not drawn; once
// drawn again it arms afresh, so y counts only after the arming delay.
func TestQuestionOpenWhenShrunkWaitsToBeSeen(t *testing.T) {
	for _, open := range []string{"d", "x", "B"} {
		e := &fakeEngine{state: fixtureState()}
		m := drive(loaded(e, 80, 24), keys(open, "wait")...)
		if _, ok := m.overlay.(*confirm); !ok {
			t.Fatalf("%q opened %T, not a question", open, m.overlay)
		}
		m = drive(m, sizeMsg(20, 6))
		m = drive(m, keys("y", "wait", "y")...)
		m = drive(m, sizeMsg(80, 24))
		m = drive(m, keys("y")...) // typed the moment it shows again
		if len(e.removed)+len(e.recalled)+len(e.resent) > 0 {
			t.Fatalf("%q answered unseen: removed %v recalled %v resent %v", open, e.removed, e.recalled, e.resent)
		}
		p, ok := m.overlay.(*confirm)
		if !ok {
			t.Fatalf("%q: the question is gone (%T)", open, m.overlay)
		}
		if p.armed() {
			t.Fatalf("%q: armed the moment it shows again", open)
		}
		m = drive(m, keys("wait", "y")...)
		if len(e.removed)+len(e.recalled)+len(e.resent) == 0 {
			t.Fatalf("%q: y after reading it again did nothing: removed %v recalled %v resent %v", open, e.removed, e.recalled, e.resent)
		}
	}
}
