package ui

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dingwatch/dingwatch/watch"
)

// resentState is fixtureState after a failed batch was resent and sent:
// the batch of u11 failed, and the reminder key reached u11.
func resentState() *watch.State {
	st := fixtureState()
	n := st.Notices[0]
	n.Batches = append(n.Batches, watch.Batch{Status: watch.BatchFailed, UserIDs: []string{"u11"}, Error: "system.error"})
	return st
}

// TestOutcomeUnknownIsNotNotDelivered: the people of a batch whose
// outcome is unknown may have the notice. The row's state says "unknown"
// once the failed batch was resent (not "failed"); the detail pane lists
// them under their own title, never under "Not delivered" with a ✗, at
// every size; inspect's messages say they may have it (F23).
func TestOutcomeUnknownIsNotNotDelivered(t *testing.T) {
	m := loaded(&fakeEngine{state: resentState()}, 120, 60)
	if r := m.list.rows[0]; r.word != "unknown" || !r.problem {
		t.Fatalf("a resent failed batch still rules the row: %q", r.word)
	}
	v := m.View()
	if !strings.Contains(v, "Outcome unknown (20) · may have it") || !strings.Contains(v, "Not delivered (1)") ||
		!strings.Contains(v, "? 20 people may have it: batch outcome unknown") {
		t.Fatalf("no section of their own:\n%s", v)
	}
	for w := MinWidth; w <= 200; w += 7 {
		for h := MinHeight; h <= 60; h += 6 {
			v := drive(m, sizeMsg(w, h)).View()
			for _, l := range strings.Split(v, "\n") {
				if strings.Contains(l, "u2") && (strings.Contains(l, "✗") || strings.Contains(l, "not sent")) {
					t.Fatalf("%dx%d: %q calls someone who may have it not delivered:\n%s", w, h, l, v)
				}
			}
			if strings.Contains(v, "Not delivered (2") || strings.Contains(v, "not resent") {
				t.Fatalf("%dx%d: unknown people counted as not delivered:\n%s", w, h, v)
			}
		}
	}
	for _, msg := range m.detail.messages() {
		if strings.Contains(msg, "u20") && !strings.HasPrefix(msg, "may have it: ") {
			t.Fatalf("inspect says %q", msg)
		}
	}
}

// TestCountsAgreeWithStatus: the dashboard's row and detail count the
// same people as `dingwatch status` text, JSON and CSV: the reached, the
// people of failed and unknown batches, and the one DingTalk did not
// deliver to (F14).
func TestCountsAgreeWithStatus(t *testing.T) {
	st := resentState()
	m := loaded(&fakeEngine{state: st}, 120, 60)
	r := m.list.rows[0]
	var ks []watch.KeyStatus
	for _, k := range st.NoticeKeys("n1") {
		ks = append(ks, watch.KeyStatus{Key: k})
	}
	rep := watch.NewStatusReport(st, ks, now)
	var text, js, csv bytes.Buffer
	if rep.WriteText(&text) != nil || rep.WriteJSON(&js) != nil || rep.WriteCSV(&csv, false) != nil {
		t.Fatal("write")
	}
	total := rep.Notices[0].Audience.Total()
	count := itoa(r.read) + "/" + itoa(total)
	csvRows := strings.Count(csv.String(), "\n") - 1
	if r.total != total || total != 28 || !strings.Contains(m.View(), count) || !strings.Contains(text.String(), "read "+count) ||
		!strings.Contains(js.String(), `"total": 28`) || csvRows != total {
		t.Fatalf("row %d/%d, report %d, CSV %d rows:\n%s\n%s", r.read, r.total, total, csvRows, m.View(), text.String())
	}
	a := r.aud
	if got := len(a.Read) + len(a.Unread) + len(a.Failed) + len(a.Unknown) + len(a.NotDelivered); got != total {
		t.Fatalf("the detail's sections hold %d people of %d", got, total)
	}
}
