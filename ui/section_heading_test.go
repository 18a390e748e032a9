package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// weeklyState is a notice like the tester's "Weekly sync": 12 unread and
// 48 read in three sent batches, a failed batch of 20 and an unknown one
// of 20 — people with no name known.
func weeklyState() *watch.State {
	sent := now.Add(-30 * time.Minute)
	n := &watch.Notice{ID: "w", Label: "Weekly sync", CreatedAt: sent}
	st := &watch.State{Notices: []*watch.Notice{n}}
	id := 0
	for b := range 5 {
		ids := userIDs(id, 20)
		id += 20
		switch b {
		case 1:
			n.Batches = append(n.Batches, watch.Batch{Status: watch.BatchFailed, UserIDs: ids, Error: "system.error"})
			continue
		case 2:
			n.Batches = append(n.Batches, watch.Batch{Status: watch.BatchUnknown, UserIDs: ids, Error: "timeout"})
			continue
		}
		k := &watch.Key{Key: fmt.Sprintf("Key%dabcdefghijklmnopqrstuvwxyz0123456789ab=", b), RobotCode: "dingrobot", Notice: "w",
			AddedAt: sent, SentAt: sent, SendStatus: "SUCCESS", LastOK: now.Add(-time.Minute)}
		for i, u := range ids {
			r := watch.Recipient{UserID: u, Name: "Person " + u[1:]}
			if i%5 != 0 {
				r.Read, r.FirstSeenRead = true, sent.Add(time.Duration(i)*time.Minute)
			}
			k.Recipients = append(k.Recipients, r)
		}
		n.Batches = append(n.Batches, watch.Batch{Status: watch.BatchSent, UserIDs: ids, Key: k.Key})
		st.Keys = append(st.Keys, k)
	}
	return st
}

// TestSectionTitlesKeepTheirCount: however a section is scrolled and
// however narrow the pane, its title shows its own count whole — the word
// gives way ("Not deli… (20)"), never the number (G5: "Not delivered (2…").
func TestSectionTitlesKeepTheirCount(t *testing.T) {
	m := drive(loaded(&fakeEngine{state: weeklyState()}, 80, 24), keys("tab")...)
	for _, size := range [][2]int{{80, 24}, {60, 18}, {MinWidth, MinHeight}, {72, 20}, {100, 30}, {120, 40}} {
		m = drive(m, sizeMsg(size[0], size[1]), keys("g")[0])
		for step := range 30 {
			for _, s := range m.detail.secs {
				lines := m.detail.sectionLines(s, m.detail.width)
				if len(lines) == 0 {
					continue
				}
				if count := fmt.Sprintf("(%d)", s.n); !strings.Contains(lines[0], count) {
					t.Fatalf("%v, %d down: %q lost its count %s:\n%s", size, step, lines[0], count, m.View())
				}
			}
			m = drive(m, keys("j")...)
		}
	}
	for _, c := range []struct {
		title, marks string
		width        int
		want         string
	}{
		{"Not delivered (20)", " ↑ 8 more ↓ 10 more", 36, "Not deliver… (20) ↑ 8 more ↓ 10 more"},
		{"Outcome unknown (20) · may have it", " ↑ 8 more ↓ 10 more", 40, "Outcome unknown (20) ↑ 8 more ↓ 10 more "},
		{"Outcome unknown (20) · may have it", "", 30, "Outcome unknown (20)          "},
		{"Read (48)", " ↓ 40 more", 12, "(48) ↓ 40 m…"},
	} {
		if got := sectionHeading(c.title, c.marks, c.width); got != c.want {
			t.Errorf("sectionHeading(%q, %q, %d) = %q, want %q", c.title, c.marks, c.width, got, c.want)
		}
	}
}

// TestNamelessShowTheirIDOnce: people with no name known (a failed or
// unknown batch's) show their userId once, not in both columns (G5:
// "✗ u000   u000").
func TestNamelessShowTheirIDOnce(t *testing.T) {
	for _, w := range []int{MinWidth, 80, 120, 200} {
		v := loaded(&fakeEngine{state: weeklyState()}, w, 60).View()
		seen := 0
		for _, l := range strings.Split(v, "\n") {
			for _, mark := range []string{"✗ u", "? u"} {
				i := strings.Index(l, mark)
				if i < 0 {
					continue
				}
				seen++
				id := strings.Fields(l[i+len(mark)-1:])[0]
				if strings.Count(l, id) != 1 {
					t.Fatalf("width %d: %q shows %s twice", w, l, id)
				}
			}
		}
		if seen == 0 {
			t.Fatalf("width %d: no failed or unknown row:\n%s", w, v)
		}
	}
}

// TestReasonsUseTheRoomLeft: a not-delivered reason is not cut while the
// line has room beside the ids (G5: "flow-controlled b…" with 55 columns
// free at 200x60; "filtered by…" in an 80-column pane).
func TestReasonsUseTheRoomLeft(t *testing.T) {
	st := fixtureState()
	reason := "flow-controlled: too many messages to this person today"
	st.Keys[0].NotDelivered = []watch.Undelivered{{UserID: "u003", Reason: reason}, {UserID: "u007", Reason: "filtered by DingTalk"}}
	v := loaded(&fakeEngine{state: st}, 200, 60).View()
	if !strings.Contains(v, reason) || !strings.Contains(v, "filtered by DingTalk") {
		t.Fatalf("a reason is cut with room to spare:\n%s", v)
	}
	for _, w := range []int{MinWidth, 60, 80, 120} {
		v := loaded(&fakeEngine{state: st}, w, 30).View()
		checkFits(t, v, w, 30)
		if !strings.Contains(v, "flow-contr") || !strings.Contains(v, "filtered by DingTalk") {
			t.Fatalf("width %d: a reason lost its start (a reason with ':' is not a time):\n%s", w, v)
		}
	}
}
