package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// F17: keys typed ahead must never answer a y/N question the user has not
// seen: neither the rest of a burst that opened it, nor separate key
// messages arriving before the prompt is armed.
func TestTypedAheadNeverConfirms(t *testing.T) {
	burst := func(s string) tea.Msg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }
	cases := []struct {
		name string
		msgs []tea.Msg
	}{
		{"xy in one read", []tea.Msg{burst("xy")}},
		{"dy in one read", []tea.Msg{burst("dy")}},
		{"x then y", keys("x", "y")},
		{"d then y", keys("d", "y")},
		{"m enter y", keys("m", "enter", "y")},
		{"B then y", keys("B", "y")},
		{"s, form, enter, y", append(keys("s", "u1", "tab", "hi", "enter"), keys("y")...)},
	}
	for _, c := range cases {
		e := &fakeEngine{state: fixtureState()}
		m := drive(loaded(e, 80, 24), c.msgs...)
		if len(e.recalled)+len(e.removed)+len(e.sent)+len(e.resent) != 0 {
			t.Fatalf("%s: acted: recalled %v removed %v sent %d resent %v", c.name, e.recalled, e.removed, len(e.sent), e.resent)
		}
		p, ok := m.overlay.(*confirm)
		if !ok {
			t.Fatalf("%s: the question is not open (%T)", c.name, m.overlay)
		}
		if v := m.View(); strings.Contains(v, "y "+p.yesWhat+" ·") || !strings.Contains(v, "in a moment") {
			t.Fatalf("%s: the prompt must not offer y before it is armed:\n%s", c.name, v)
		}
		// The redraw timer alone does not arm it: the model's clock decides
		// (it stands still in this test).
		if m = drive(m, armMsg{p}); p.armed() {
			t.Fatalf("%s: armed without time passing", c.name)
		}
	}
}

// After the arming delay (on the injected clock), y confirms.
func TestConfirmArmsOnTheModelClock(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	clock := now
	m := newTestModelWith(Options{Engine: e, Region: "international"})
	m.opts.Now = func() time.Time { return clock }
	m = drive(m, sizeMsg(80, 24), snapshotMsg{e.Snapshot()})
	m = drive(m, keys("x")...)
	clock = clock.Add(armDelay - 1)
	m = drive(m, keys("y")...)
	if len(e.recalled) != 0 {
		t.Fatal("y before the delay recalled")
	}
	clock = clock.Add(1)
	p := m.overlay.(*confirm)
	m = drive(m, armMsg{p})
	if v := m.View(); !strings.Contains(v, "y recalls · enter/esc cancel") {
		t.Fatalf("armed prompt:\n%s", v)
	}
	m = drive(m, keys("y")...)
	if len(e.recalled) != 1 {
		t.Fatalf("y after the delay must recall: %v %q", e.recalled, m.flash)
	}
}

// A burst that opens an input leaves none of its other keys in it.
func TestBurstStopsAtAnOverlay(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(loaded(e, 80, 24), tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("eabc")})
	li, ok := m.overlay.(*lineInput)
	if !ok {
		t.Fatalf("e did not open the label input: %T", m.overlay)
	}
	if strings.Contains(li.View(), "abc") {
		t.Fatalf("typed-ahead keys reached the input:\n%s", li.View())
	}
	m = drive(m, keys("esc")...)
	m = drive(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jj")}) // no overlay: every rune counts
	if m.list.cursor != 2 {
		t.Fatalf("cursor %d after jj", m.list.cursor)
	}
}
