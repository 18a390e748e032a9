package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// TestFilterFindsEveryoneThePaneLists: / finds, by userId, the people the
// detail pane lists under Not delivered (a failed batch's, and those on
// DingTalk's not-delivered list, of a notice or of a lone key) and Outcome
// unknown, as it finds the unread and the readers, and marks them ».
func TestFilterFindsEveryoneThePaneLists(t *testing.T) {
	st := fixtureState()
	n := st.Notices[0]
	n.Batches = append(n.Batches, watch.Batch{Status: watch.BatchFailed, UserIDs: userIDs(40, 5), Error: "system.error"})
	lone := &watch.Key{Key: "LONEkey000000000000000000000000000000000000=", RobotCode: "dingrobot", Label: "Lone",
		AddedAt: now.Add(-time.Hour), SentAt: now.Add(-time.Hour), SendStatus: "SUCCESS", LastOK: now.Add(-time.Minute),
		Recipients: people("Dora"), NotDelivered: []watch.Undelivered{{UserID: "lonely", Reason: "flow-controlled"}}}
	st.Keys = append(st.Keys, lone)
	for _, c := range []struct{ query, row, section string }{
		{"u41", n.Label, "Not delivered"},   // a failed batch's
		{"ghost", n.Label, "Not delivered"}, // DingTalk's not-delivered list, in a notice
		{"u25", n.Label, "Outcome unknown"}, // an unknown batch's
		{"lonely", "Lone", "Not delivered"}, // DingTalk's not-delivered list, of a lone key
		{"grace", n.Label, "Unread"},        // still: an unread name
		{"u10", n.Label, "Read"},            // still: a reader's userId
	} {
		m := drive(loaded(&fakeEngine{state: st}, 120, 40), keys("/", c.query, "enter")...)
		if len(m.list.rows) != 1 || m.list.rows[0].title() != c.row {
			var got []string
			for _, r := range m.list.rows {
				got = append(got, r.title())
			}
			t.Errorf("/%s: rows %q, want only %q", c.query, got, c.row)
			continue
		}
		v := m.View()
		if !strings.Contains(v, `filter "`+c.query+`" found`) {
			t.Errorf("/%s: the pane does not say whom it found:\n%s", c.query, v)
		}
		marked := false
		for _, sec := range m.detail.secs {
			if strings.HasPrefix(sec.title, c.section) && sec.n > 0 && sec.at(0).match {
				marked = true
				if line := m.detail.personLine(sec.at(0), columnsFor([]personItem{sec.at(0)}, 60)); !strings.HasPrefix(line, "»") {
					t.Errorf("/%s: not marked »: %q", c.query, line)
				}
			}
		}
		if !marked {
			t.Errorf("/%s: not first in %s, marked:\n%s", c.query, c.section, v)
		}
	}
}

// TestFilterShowsWhomItFound: a filter typed while the detail pane is
// scrolled shows the person it found, marked, not the old scroll position.
func TestFilterShowsWhomItFound(t *testing.T) {
	m := drive(loaded(&fakeEngine{state: weeklyState()}, 80, 24), keys("tab", "j", "j", "j", "j", "j", "j", "j", "j", "tab")...)
	if m.detail.offset == 0 {
		t.Fatal("the pane did not scroll")
	}
	for _, q := range []string{"u25", "u45", "u63"} {
		m = drive(m, keys("/", q, "enter")...)
		if v := m.View(); !strings.Contains(v, "» "+q) && !strings.Contains(v, "» Person "+q[1:]) {
			t.Fatalf("/%s: whom it found is not in view:\n%s", q, v)
		}
		m = drive(m, keys("esc")...)
	}
}
