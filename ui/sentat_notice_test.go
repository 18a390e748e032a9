package ui

import (
	"strings"
	"testing"
	"time"
)

// F13: t on a notice row sets the send time of its keys whose send time
// is unknown, or says why not; it never does nothing.
func TestSendTimeOnANotice(t *testing.T) {
	st := fixtureState()
	st.Keys[0].SentAt, st.Keys[1].SentAt = time.Time{}, time.Time{}
	e := &fakeEngine{state: st}
	m := drive(loaded(e, 80, 24), keys("t")...)
	if _, ok := m.overlay.(*lineInput); !ok || !strings.Contains(m.View(), "Sent at (2 keys):") {
		t.Fatalf("t on a notice: %T %q\n%s", m.overlay, m.flash, m.View())
	}
	m = drive(m, keys("10m ago", "enter")...)
	for _, k := range e.Snapshot().State.Keys[:2] {
		if !k.SentAt.Equal(now.Add(-10 * time.Minute)) {
			t.Fatalf("key %s: sent at %v (%q)", k.Key, k.SentAt, m.flash)
		}
	}
	m = drive(loaded(&fakeEngine{state: fixtureState()}, 80, 24), keys("t")...)
	if m.overlay != nil || !strings.Contains(m.flash, "send times known") {
		t.Fatalf("t on a notice whose send times are known: %T %q", m.overlay, m.flash)
	}
}
