package ui

import (
	"strings"
	"testing"
)

// TestHeadDetailsGiveWayToNames: at every size, while the detail pane
// shows a head detail line (send time, read-time hint, rounds), Unread
// shows its first names, up to five (F9: at 60x18 "added…" and "read
// times need the send time" stayed while one unread name showed).
func TestHeadDetailsGiveWayToNames(t *testing.T) {
	details := []string{"send time unknown", "read times need", "rounds:", "notice · 2 keys"}
	for _, down := range []int{0, 1} {
		m := loaded(&fakeEngine{state: resentState()}, 80, 24)
		for range down {
			m = drive(m, keys("j")...)
		}
		for w := MinWidth; w <= 120; w += 5 {
			for h := MinHeight; h <= 40; h++ {
				m = drive(m, sizeMsg(w, h))
				r, _ := m.selected()
				v := m.detail.View()
				shown := 0
				for _, p := range r.aud.Unread {
					if strings.Contains(v, personName(p.Name, idOf(p.Recipient))) {
						shown++
					}
				}
				for _, d := range details {
					if strings.Contains(v, d) && shown < min(len(r.aud.Unread), 5) {
						t.Fatalf("%dx%d: %q kept while %d of %d unread names show:\n%s", w, h, d, shown, len(r.aud.Unread), m.View())
					}
				}
			}
		}
	}
}

// TestViewerGetsNoHintItCannotUse: a view-only session is never told to
// press t (set the send time) or b/B (resend): it cannot.
func TestViewerGetsNoHintItCannotUse(t *testing.T) {
	e := &fakeEngine{state: resentState()}
	for _, ro := range []bool{false, true} {
		m := newTestModelWith(Options{Engine: e, ReadOnly: ro})
		m = drive(m, sizeMsg(120, 40), snapshotMsg{e.Snapshot()})
		seen := ""
		for range len(m.list.rows) + 1 {
			seen += m.View() + strings.Join(m.detail.messages(), "\n")
			m = drive(m, keys("j")...)
		}
		for _, hint := range []string{"(t sets it)", "(B resends"} {
			if strings.Contains(seen, hint) != !ro {
				t.Fatalf("read-only %v: hint %q shown %v:\n%s", ro, hint, strings.Contains(seen, hint), seen)
			}
		}
	}
}

// TestEverySectionShowsItsTitle: from 60x18 up, no list of people
// vanishes without a sign: each section shows at least its title with its
// count (and "↓ N more" when its people do not fit).
func TestEverySectionShowsItsTitle(t *testing.T) {
	m := loaded(&fakeEngine{state: resentState()}, 80, 24)
	for w := 60; w <= 200; w += 7 {
		for h := 18; h <= 60; h += 4 {
			m = drive(m, sizeMsg(w, h))
			v := m.View()
			for _, s := range m.detail.secs {
				name := s.title[:strings.Index(s.title, ")")+1] // "Outcome unknown (20)": the rest may give way to marks
				if !strings.Contains(v, name) {
					t.Fatalf("%dx%d: %q is not on screen:\n%s", w, h, name, v)
				}
			}
		}
	}
}
