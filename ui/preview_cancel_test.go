package ui

import (
	"strings"
	"testing"
)

// F7: Enter on a send or remind preview must not claim a cancel it does
// not do: it goes back to the form and says so; esc there closes it, and
// the next s starts empty.
func TestPreviewCancelSaysBackToTheForm(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(loaded(e, 80, 24), keys("s", "p4", "tab", "hi", "tab", "Sync2", "enter", "wait", "enter")...)
	f, ok := m.overlay.(*form)
	if !ok || strings.Contains(m.flash, "cancelled") || !strings.Contains(m.flash, "back to the form") {
		t.Fatalf("after enter on the preview: %T, flash %q", m.overlay, m.flash)
	}
	if f.fields[2].value() != "Sync2" {
		t.Fatalf("the form lost its text: %q", f.fields[2].value())
	}
	m = drive(m, keys("esc")...)
	if m.overlay != nil || !strings.Contains(m.flash, "cancelled") {
		t.Fatalf("esc on the form: %T %q", m.overlay, m.flash)
	}
	m = drive(m, keys("s")...)
	for i, fl := range m.overlay.(*form).fields {
		if fl.value() != "" {
			t.Fatalf("a new send form holds the old field %d: %q", i, fl.value())
		}
	}
	m = drive(m, keys("esc", "m", "enter", "wait", "esc")...)
	if _, ok := m.overlay.(*form); !ok || !strings.Contains(m.flash, "back to the form") || len(e.sent) != 0 {
		t.Fatalf("esc on the reminder preview: %T %q", m.overlay, m.flash)
	}
}
