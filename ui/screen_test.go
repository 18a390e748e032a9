package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/internal/safetext/safetexttest"
	"github.com/dingwatch/dingwatch/watch"
)

// TestUnreadNamesAlwaysShow: at every size from the minimum to 200x60,
// with a banner, an unread name of the selected notice is on screen; at a
// sample of sizes, the same for every row.
func TestUnreadNamesAlwaysShow(t *testing.T) {
	warn := []watch.Warning{{Text: "the saved state was unreadable: moved aside to /home/someone/.local/state/dingwatch/state.json.corrupt-20261127-100000 (one bad key)"}}
	m := loaded(&fakeEngine{state: fixtureState(), warnings: warn}, 80, 24)
	check := func(w, h int) {
		r, _ := m.selected()
		view := m.View()
		checkFits(t, view, w, h)
		if len(r.aud.Unread) > 0 && !strings.Contains(view, personName(r.aud.Unread[0].Name, idOf(r.aud.Unread[0].Recipient))) {
			t.Fatalf("%dx%d, row %s: no unread name visible:\n%s", w, h, r.title(), view)
		}
	}
	for w := MinWidth; w <= 200; w++ {
		for h := MinHeight; h <= 60; h++ {
			m = drive(m, sizeMsg(w, h))
			check(w, h)
			if w%9 == 0 && h%7 == 0 || w == 79 && h == 16 || w == 60 && h == 18 {
				for range m.list.rows {
					m = drive(m, keys("j")...)
					check(w, h)
				}
				m = drive(m, keys("g")...)
			}
		}
	}
}

// TestFocusShowsWithoutColour: the goldens have no colour; the focused
// pane's title is marked.
func TestUnreadNameShowsUnderAPrompt(t *testing.T) {
	m := drive(loaded(&fakeEngine{state: fixtureState()}, MinWidth, MinHeight), keys("x")...)
	v := m.View()
	checkFits(t, v, MinWidth, MinHeight)
	if !strings.Contains(v, "Bob Martin") || !strings.Contains(v, "y recalls") || !strings.Contains(v, "周会通知") {
		t.Fatalf("at the minimum size with a prompt, the row, an unread name and the keys must show:\n%s", v)
	}
}

func TestFocusShowsWithoutColour(t *testing.T) {
	m := loaded(&fakeEngine{state: fixtureState()}, 80, 24)
	before := m.View()
	if !strings.Contains(before, "▸ Watched (4)") {
		t.Fatalf("the list's title is not marked:\n%s", before)
	}
	m = drive(m, keys("tab")...)
	after := m.View()
	if after == before || strings.Contains(after, "▸ Watched") || !strings.Contains(after, "▸ 周会通知 Weekly sync") {
		t.Fatalf("tab changed nothing visible without colour:\n%s", after)
	}
	if !strings.Contains(after, "j/k scroll people") {
		t.Fatalf("the hint does not follow the focus:\n%s", after)
	}
}

func TestViewerSeesViewOnlyAtEveryWidth(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	for w := MinWidth; w <= 200; w += 3 {
		m := newTestModelWith(Options{Engine: e, ReadOnly: true, Title: "dingwatch · alice"})
		m = drive(m, sizeMsg(w, 24), snapshotMsg{e.Snapshot()})
		if !strings.Contains(strings.Split(m.View(), "\n")[0], "[view only]") {
			t.Fatalf("%d columns: no view-only badge:\n%s", w, m.View())
		}
	}
	m := newTestModelWith(Options{Engine: e, ReadOnly: true})
	m = drive(m, sizeMsg(80, 24), snapshotMsg{e.Snapshot()})
	for _, k := range []string{"s", "x", "d", "a", "b", "m"} {
		m = drive(m, keys(k)...)
		if m.overlay != nil || !strings.Contains(m.flash, "view only") {
			t.Fatalf("%s: a refused action must say why: %q", k, m.flash)
		}
	}
}

func TestStateColumnAndCounts(t *testing.T) {
	m := loaded(&fakeEngine{state: fixtureState()}, 120, 30)
	v := m.View()
	if !strings.Contains(v, "Watched (4)") {
		t.Fatalf("Watched counts notices and lone keys:\n%s", v)
	}
	m = drive(m, keys("enter")...)
	if !strings.Contains(m.View(), "Watched (4)") || len(m.list.rows) != 6 {
		t.Fatalf("opening a notice changed the count:\n%s", m.View())
	}
	if r := m.list.rows[0]; r.word != "unknown" || !r.problem || r.total != 28 { // 27 reached or in batches, and ghost, whom DingTalk did not deliver to (F14)
		t.Fatalf("the notice's state: %q problem %v total %d", r.word, r.problem, r.total)
	}
}

func TestRecalledKeyStopsCountingDown(t *testing.T) {
	st := fixtureState()
	for _, k := range st.Keys[:2] {
		k.SendStatus = watch.SendRecalled
	}
	m := loaded(&fakeEngine{state: st}, 120, 30)
	v := m.View()
	if !strings.Contains(v, "recalled: recipients no longer see it") || strings.Contains(strings.Split(v, "\n")[3], "23h30m") {
		t.Fatalf("a recalled notice must say so and stop counting down:\n%s", v)
	}
}

func TestTimesUnknownWithoutObservedReads(t *testing.T) {
	st := fixtureState()
	k := st.Keys[2] // Security patch: both read, neither seen happening
	k.SentAt = now.Add(-time.Hour)
	for i := range k.Recipients {
		k.Recipients[i].Read, k.Recipients[i].FirstSeenRead = true, time.Time{}
	}
	m := drive(loaded(&fakeEngine{state: st}, 120, 30), keys("j")...)
	if v := m.View(); !strings.Contains(v, "50% unknown · 90% unknown") || strings.Contains(v, "in 0s") || !strings.Contains(v, "earlier") {
		t.Fatalf("no observed times: the times must say unknown:\n%s", v)
	}
}

func TestLongMessagesWrapAndInspect(t *testing.T) {
	long := "the saved state was unreadable: moved aside to /home/someone/.local/state/dingwatch/state.json.corrupt-20261127-100000; every key in it was set aside and nothing was lost"
	e := &fakeEngine{state: fixtureState(), warnings: []watch.Warning{{Text: long}}}
	m := loaded(e, 80, 24)
	flat := strings.Join(strings.Fields(m.View()), " ")
	if !strings.Contains(flat, "nothing was lost") {
		t.Fatalf("a banner with room must wrap, whole:\n%s", m.View())
	}
	m = loaded(e, 60, 14)
	m = drive(m, keys("i")...)
	if !strings.Contains(strings.Join(strings.Fields(m.View()), ""), "/home/someone/.local/state/dingwatch/state.json.corrupt-20261127-100000") {
		t.Fatalf("inspect must show the whole path:\n%s", m.View())
	}
	m = drive(m, keys("esc")...)
	if m.overlay != nil {
		t.Fatal("esc must close inspect")
	}
}

func TestListWidensForLabelsWhenWide(t *testing.T) {
	st := fixtureState()
	st.Keys[2].Label = "Security patch for the payroll servers, to be applied tonight"
	m := loaded(&fakeEngine{state: st}, 200, 40)
	if !strings.Contains(m.View(), st.Keys[2].Label) {
		t.Fatalf("a wide terminal must show the whole label:\n%s", m.View())
	}
}

func TestNamelessRecipientShowsUserID(t *testing.T) {
	st := fixtureState()
	st.Keys[0].Recipients[1].Name = ""
	m := loaded(&fakeEngine{state: st}, 100, 30)
	if !strings.Contains(m.View(), "· u02") {
		t.Fatalf("a recipient without a name must show the userId:\n%s", m.View())
	}
}

// hostileState puts s in every field that comes from outside.
func hostileState(s string) *watch.State {
	st := fixtureState()
	for _, k := range st.Keys {
		k.Label, k.SendStatus, k.RobotCode = s, s, s
		for i := range k.Recipients {
			k.Recipients[i].Name, k.Recipients[i].UserID = s, s+fmt.Sprint(i)
		}
		k.NotDelivered = []watch.Undelivered{{UserID: s, Reason: s}}
		if k.Err != nil {
			k.Err.Hint = s
		}
	}
	st.Notices[0].Label = s
	st.Notices[0].Batches[1].Status, st.Notices[0].Batches[1].Error = watch.BatchFailed, s
	st.Notices[0].Batches[1].UserIDs = []string{s}
	st.Notices[0].Rounds[0].Text = s
	return st
}

// TestHostileTextIsInert runs every hostile string through the drawn
// screen at several sizes and states, and through the copied text.
func TestHostileTextIsInert(t *testing.T) {
	for name, s := range safetexttest.Hostile {
		e := &fakeEngine{state: hostileState(s), warnings: []watch.Warning{{Text: s, Path: s}}}
		for _, size := range [][2]int{{MinWidth, MinHeight}, {80, 24}, {160, 48}} {
			for _, ks := range [][]string{nil, {"enter"}, {"j"}, {"tab"}, {"i"}, {"m"}, {"e"}, {"x"}, {"d"}, {"b"}, {"/", "a"}, {"G"}} {
				m := drive(loaded(e, size[0], size[1]), keys(ks...)...)
				safetexttest.AssertInert(t, fmt.Sprintf("%s at %v after %v", name, size, ks), m.View(), true)
			}
		}
		m := loaded(e, 80, 24)
		r, _ := m.selected()
		safetexttest.AssertInert(t, name+" copied", strings.ReplaceAll(strings.ReplaceAll(unreadText(r.aud.Unread), "\t", " "), "\n", " "), false)
	}
}

// TestNoticeWithoutKeys: a notice whose every batch failed has no key; it
// is listed with its people, marked, and refuses what needs a key.
func TestNoticeWithoutKeys(t *testing.T) {
	st := fixtureState()
	st.Notices = append(st.Notices, &watch.Notice{ID: "n2", Label: "全员 All staff", CreatedAt: now,
		Batches: []watch.Batch{{Status: watch.BatchFailed, UserIDs: userIDs(50, 3), Error: "Forbidden.AccessDenied.IpNotInWhiteList: 203.0.113.9"}}})
	e := &fakeEngine{state: st}
	m := drive(loaded(e, 100, 30), keys("G")...)
	v := m.View()
	if r, _ := m.selected(); r.title() != "全员 All staff" || r.total != 3 || r.word != "failed" || !r.problem {
		t.Fatalf("row %q total %d state %q", r.title(), r.total, r.word)
	}
	if !strings.Contains(v, "Not delivered (3)") || !strings.Contains(v, "203.0.113.9") {
		t.Fatalf("the people and the reason must show:\n%s", v)
	}
	m = drive(m, keys("r")...)
	if len(e.refreshed) != 0 || !strings.Contains(m.flash, "has no key") {
		t.Fatalf("r on a keyless notice must not refresh everything: %v %q", e.refreshed, m.flash)
	}
	m = drive(m, keys("b", "wait", "y")...)
	if len(e.resent) != 1 || e.resent[0] != "n2 false" {
		t.Fatalf("resent %v", e.resent)
	}
	// It can be removed: by its ID, the engine's way to remove a notice without keys.
	m = drive(m, keys("d", "wait", "y")...)
	if !slices.Equal(e.removed, []string{"n2"}) {
		t.Fatalf("d on a keyless notice removed %q, want its ID n2 (flash %q)", e.removed, m.flash)
	}
}
