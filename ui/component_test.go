package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

func testCommon() common {
	return common{st: NewStyles(asciiRenderer()), keys: newKeyMap(), now: now}
}

// TestScrollWindow: the cursor is always shown, markers take a line each,
// and no space is left blank at the end.
func TestScrollWindow(t *testing.T) {
	for n := 0; n <= 30; n++ {
		for avail := 1; avail <= 12; avail++ {
			for cur := 0; cur < max(n, 1); cur++ {
				for off := 0; off <= n; off += 3 {
					s, e := scrollWindow(n, cur, off, avail)
					lines := e - s
					if avail >= 3 && s > 0 {
						lines++
					}
					if avail >= 3 && e < n {
						lines++
					}
					if n > 0 && (cur < s || cur >= e) || lines > max(avail, 1) || (n <= avail && (s != 0 || e != n)) {
						t.Fatalf("n=%d avail=%d cursor=%d offset=%d: [%d,%d) in %d lines", n, avail, cur, off, s, e, lines)
					}
					if e < n && s > 0 && lines < avail {
						t.Fatalf("n=%d avail=%d cursor=%d: blank lines with rows hidden", n, avail, cur)
					}
				}
			}
		}
	}
}

func TestKeyListMarkersAndMoves(t *testing.T) {
	l := newKeyList(testCommon())
	l.focused = true
	l.SetSize(40, 8)
	l.setSnapshot((&fakeEngine{state: manyKeys(20)}).Snapshot())
	v := l.View()
	if !strings.Contains(v, "▸ Watched (20)") || !strings.Contains(v, "↓ 14 more") || strings.Contains(v, "↑") {
		t.Fatalf("top:\n%s", v)
	}
	for range 10 {
		l, _ = l.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("j")})
	}
	v = l.View()
	if !strings.Contains(v, "↑ ") || !strings.Contains(v, "↓ ") || !strings.Contains(v, "› Key 10") {
		t.Fatalf("middle:\n%s", v)
	}
	l, _ = l.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("G")})
	if v = l.View(); strings.Contains(v, "↓") || !strings.Contains(v, "› Key 19") {
		t.Fatalf("bottom:\n%s", v)
	}
}

func TestRowCacheReusesUnchangedRows(t *testing.T) {
	e := &fakeEngine{state: manyKeys(5)}
	l := newKeyList(testCommon())
	l.SetSize(40, 8)
	snap := e.Snapshot()
	l.setSnapshot(snap)
	_ = l.View()
	before := len(l.cache.rows)
	// The same pointers again (a snapshot that changed something else): no row renders anew.
	l.setSnapshot(snap)
	_ = l.View()
	if len(l.cache.rows) != before {
		t.Fatalf("unchanged rows rendered again: %d → %d", before, len(l.cache.rows))
	}
	// One key changed (a new pointer): only its row renders anew.
	next := *snap
	st := *snap.State
	st.Keys = append(st.Keys[:0:0], snap.State.Keys...)
	k := *st.Keys[2]
	k.Label = "changed"
	st.Keys[2] = &k
	next.State = &st
	l.setSnapshot(&next)
	_ = l.View()
	if len(l.cache.rows) != before+1 {
		t.Fatalf("%d rows rendered for one changed key", len(l.cache.rows)-before)
	}
}

func TestConfirmOnlyYConfirms(t *testing.T) {
	ran := false
	yes := func() tea.Msg { ran = true; return nil }
	back := newLineInput(testCommon(), "x", "", "", nil)
	for _, k := range []tea.KeyMsg{{Type: tea.KeyEnter}, {Type: tea.KeyEsc}, runes("n")} {
		p := &confirm{c: testCommon(), prompt: "Recall?", yesWhat: "recalls", yes: yes, back: back}
		next, _ := p.Update(k)
		if next != back || ran {
			t.Fatalf("%v: went to %T", k, next)
		}
	}
	p := &confirm{c: testCommon(), prompt: strings.Repeat("a long question ", 20), yesWhat: "recalls", yes: yes}
	if next, _ := p.Update(runes("j")); next != p {
		t.Fatal("a stray key closed the prompt")
	}
	p.SetSize(40, 1)
	p.opened(now)
	if next, _ := p.Update(runes("y")); next != p || ran || strings.Contains(p.View(), "y recalls ·") {
		t.Fatalf("y right after the prompt opened must do nothing, and the prompt say so:\n%s", p.View())
	}
	p.now = now.Add(armDelay)
	if p.Height(40) < 3 || !strings.Contains(p.View(), "y recalls · enter/esc cancel") {
		t.Fatalf("the prompt must wrap whole:\n%s", p.View())
	}
	next, cmd := p.Update(runes("y"))
	if next != nil || cmd == nil {
		t.Fatal("y must confirm")
	}
	cmd()
	if !ran {
		t.Fatal("y did not run the action")
	}
}

func TestFormKeepsTextOnError(t *testing.T) {
	f := newForm(testCommon(), "T", "", func(v []string) (overlay, tea.Cmd, error) {
		return nil, nil, errString("needs more")
	}, newLine(testCommon().st, "Name", "", "", 20))
	f.SetSize(60, 20)
	var o overlay = f
	for _, k := range []tea.KeyMsg{runes("q"), runes("j"), {Type: tea.KeyEnter}} {
		o, _ = o.Update(k)
	}
	if o != f || f.fields[0].value() != "qj" || !strings.Contains(f.View(), "! needs more") {
		t.Fatalf("the form must stay open with its text and the error:\n%s", f.View())
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestInspectScrolls(t *testing.T) {
	v := newInspect(testCommon(), "Messages", []string{strings.Repeat("word ", 200)})
	v.SetSize(40, 10)
	if v.maxOffset() == 0 || !strings.Contains(v.View(), "lines 1–8 of") {
		t.Fatalf("%d\n%s", v.maxOffset(), v.View())
	}
	var o overlay = v
	o, _ = o.Update(runes("G"))
	if v.offset != v.maxOffset() {
		t.Fatal("G did not go to the end")
	}
	if o, _ = o.Update(tea.KeyMsg{Type: tea.KeyEsc}); o != nil {
		t.Fatal("esc did not close")
	}
}

// TestFormsFit: every form fits the terminal, whole (both corners of its
// box), at every width from the minimum, short and tall.
func TestFormsFit(t *testing.T) {
	for w := MinWidth; w <= 120; w++ {
		for _, h := range []int{MinHeight, MinHeight + 1, 16, 24} {
			for _, k := range []string{"a", "s", "m", "e"} {
				m := drive(loaded(&fakeEngine{state: fixtureState()}, w, h), keys(k)...)
				v := m.View()
				checkFits(t, v, w, h)
				if k != "e" && !strings.Contains(v, "╰") {
					t.Fatalf("%dx%d, %s: the form is cut at the bottom:\n%s", w, h, k, v)
				}
				for _, l := range strings.Split(v, "\n") {
					if strings.Contains(l, "╭") && !strings.HasSuffix(strings.TrimRight(l, " "), "╮") {
						t.Fatalf("%d columns, %s: the form is cut:\n%s", w, k, v)
					}
				}
			}
		}
	}
}

// TestTickKeepsPeople: a tick lays the detail out again without listing
// its people again (20,000 of them, every second, when idle).
func TestTickKeepsPeople(t *testing.T) {
	m := loaded(&fakeEngine{state: fixtureState()}, 80, 24)
	before := &m.detail.secs[0]
	m = drive(m, tickMsg{gen: m.tickGen})
	if &m.detail.secs[0] != before {
		t.Fatal("a tick rebuilt the people")
	}
	m = drive(m, keys("j")...)
	if &m.detail.secs[0] == before {
		t.Fatal("another row kept the old people")
	}
}

// The width of a plain title, measured without a grapheme parse, is the
// width ansi.StringWidth gives, and anything else is measured by it.
func FuzzStringWidthAgreesWithANSI(f *testing.F) {
	for _, s := range []string{"", "JLdR1YhJ…4Eg=", "周会", "a\u0301", "\x1b[31mx", "…", "e\u200d", "~\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := stringWidth(s), ansi.StringWidth(s); got != want {
			t.Fatalf("stringWidth(%q) = %d, ansi says %d", s, got, want)
		}
	})
}
