package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// setAside is a warning of what a load set aside, as watch's store words it.
var setAside = watch.Warning{Kind: watch.WarnStateSetAside, Path: "/home/someone/.local/state/dingwatch/state.json.set-aside-20261129-200940.json",
	Text: "2 entries of the saved state could not be used and were set aside in /home/someone/.local/state/dingwatch/state.json.set-aside-20261129-200940.json"}

// TestWarningDrawnOnlyWhenAFrameSaysIt (tester Q5): a warning counts as
// drawn only once a frame the dashboard draws has its banner, whole or in
// its short form — never while the terminal is too small to draw banners,
// never when it is cut short or only counted in "+N more (i)" — so that
// the command says the rest on stderr.
func TestWarningDrawnOnlyWhenAFrameSaysIt(t *testing.T) {
	e := &fakeEngine{state: fixtureState(), warnings: []watch.Warning{setAside}}
	m := loaded(e, 40, 10) // too small: "Terminal too small"
	if !strings.Contains(m.View(), "Terminal too small") {
		t.Fatalf("not the too-small screen:\n%s", m.View())
	}
	m = drive(m, keys("j", "j")...)
	if seen(m).WarningDrawn(setAside) {
		t.Fatal("too small: the set-aside warning counts as drawn, though no frame had room for it")
	}
	m = drive(m, sizeMsg(100, 30))
	if v := m.View(); !strings.Contains(strings.Join(strings.Fields(v), " "), "were set aside in") || !seen(m).WarningDrawn(setAside) {
		t.Fatalf("drawn whole, not counted (%v):\n%s", seen(m).WarningDrawn(setAside), v)
	}
	// Once drawn it stays drawn, whatever the size after.
	if m = drive(m, sizeMsg(40, 10)); !seen(m).WarningDrawn(setAside) {
		t.Fatal("a warning drawn before the terminal shrank is no longer counted")
	}

	// The short form at the least size counts (i shows the text whole).
	m = loaded(&fakeEngine{state: fixtureState(), warnings: []watch.Warning{setAside}}, MinWidth, MinHeight)
	if v := m.View(); !strings.Contains(v, "saved state moved aside") || strings.Contains(v, "were set aside in") || !seen(m).WarningDrawn(setAside) {
		t.Fatalf("the short form at %dx%d (counted %v):\n%s", MinWidth, MinHeight, seen(m).WarningDrawn(setAside), v)
	}

	// A note with no short form, cut short, is not drawn; nor is one
	// counted in "+N more (i)".
	note := watch.Warning{Kind: watch.WarnNote, Text: "could not save the state without them: " + strings.Repeat("a long reason ", 10)}
	others := []watch.Warning{setAside, note}
	for i := range 6 {
		others = append(others, watch.Warning{Kind: watch.WarnHandOver, Text: "a change could not be handed over " + strings.Repeat("!", i+1)})
	}
	m = loaded(&fakeEngine{state: fixtureState(), warnings: others}, MinWidth, MinHeight)
	v := m.View()
	if !strings.Contains(v, "more (i)") || !seen(m).WarningDrawn(setAside) {
		t.Fatalf("crowded: want the set-aside's short form and a count (counted %v):\n%s", seen(m).WarningDrawn(setAside), v)
	}
	if seen(m).WarningDrawn(note) || strings.Contains(v, strings.TrimSpace(note.Text)) {
		t.Errorf("the cut note counts as drawn:\n%s", v)
	}
	hidden := 0
	for _, w := range others[2:] {
		if !seen(m).WarningDrawn(w) {
			hidden++
		}
	}
	if hidden == 0 {
		t.Errorf("every banner counts as drawn, though some are only counted:\n%s", v)
	}

	// Alone, the note is drawn cut: not said.
	m = loaded(&fakeEngine{state: fixtureState(), warnings: []watch.Warning{note}}, MinWidth, MinHeight)
	if v := m.View(); !strings.Contains(v, "! could not save the state") || !strings.Contains(v, "…") || seen(m).WarningDrawn(note) {
		t.Errorf("a note drawn cut counts as drawn (%v):\n%s", seen(m).WarningDrawn(note), v)
	}
	// With room it is drawn whole, wrapped.
	if m = drive(m, sizeMsg(160, 48)); !seen(m).WarningDrawn(note) {
		t.Errorf("a note drawn whole does not count:\n%s", m.View())
	}

	// The zero Model (no program ran) drew nothing.
	if (Model{}).WarningDrawn(setAside) || (Model{}).Crashed() != "" {
		t.Error("the zero Model drew something")
	}
}

// seen is m a second later (seenFor), a tick of its clock come: what it
// drew has stood long enough to count.
func seen(m Model) Model {
	later := m.c.now.Add(seenFor)
	m.opts.Now = func() time.Time { return later }
	m.opts.Tick = time.Hour // the tick's next one is not run by drive's command loop
	return drive(m, tickMsg{gen: m.tickGen})
}

// A banner drawn and then quit at once (a q typed ahead, tester R10) was
// on the screen for milliseconds: it is not counted, and the command
// says it on stderr.
func TestWarningDrawnOnlyOnceItStood(t *testing.T) {
	m := loaded(&fakeEngine{state: fixtureState(), warnings: []watch.Warning{setAside}}, 100, 30)
	if !strings.Contains(strings.Join(strings.Fields(m.View()), " "), "were set aside in") {
		t.Fatalf("not drawn:\n%s", m.View())
	}
	if m.WarningDrawn(setAside) {
		t.Fatal("a banner counts as seen the moment it is drawn")
	}
	if !seen(m).WarningDrawn(setAside) {
		t.Fatal("a banner that stood a second does not count")
	}
}
