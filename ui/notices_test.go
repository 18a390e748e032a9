package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dingwatch/dingwatch/watch"
)

func TestSendTakesYNotEnter(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(loaded(e, 80, 24), keys("s", "u01, u02\nu03", "tab", "周会改到三点", "tab", "Weekly", "enter")...)
	if _, ok := m.overlay.(*confirm); !ok || len(e.sent) != 0 {
		t.Fatalf("enter must preview first: %T, sent %d", m.overlay, len(e.sent))
	}
	m = drive(m, keys("enter")...)
	if f := formOf(m); f == nil || f.fields[1].value() != "周会改到三点" || len(e.sent) != 0 {
		t.Fatal("enter on the preview must cancel, back to the filled form")
	}
	m = drive(m, keys("enter", "esc")...)
	if formOf(m) == nil || len(e.sent) != 0 {
		t.Fatal("esc on the preview must cancel, back to the form")
	}
	m = drive(m, keys("enter", "wait", "y")...)
	if len(e.sent) != 1 {
		t.Fatalf("sent %d", len(e.sent))
	}
	got := e.sent[0]
	if !slices.Equal(got.UserIDs, []string{"u01", "u02", "u03"}) || got.Label != "Weekly" || got.Message.Params["content"] != "周会改到三点" {
		t.Fatalf("%+v", got)
	}
	if !strings.Contains(m.flash, "1 of 1 batch sent") {
		t.Fatalf("flash %q", m.flash)
	}
	m = drive(m, keys("s", "enter")...)
	if f := formOf(m); f == nil || f.err == "" || len(e.sent) != 1 {
		t.Fatal("an empty send must be refused in the form")
	}
}

func TestSendWarnsOfIDsThatAreNotUserIDs(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(loaded(e, 100, 30), keys("s", "u01 cidAbCdEfGh12345678+xyz=", "tab", "hello", "enter")...)
	v := m.View()
	if !strings.Contains(v, "cidAbCdEfGh12345678+xyz=") || !strings.Contains(v, "cannot be a userId") {
		t.Fatalf("no warning before sending:\n%s", v)
	}
}

func TestRemindGoesToUnreadOnly(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(loaded(e, 80, 24), keys("m", "enter", "wait", "y")...)
	if len(e.sent) != 1 {
		t.Fatalf("sent %d", len(e.sent))
	}
	got := e.sent[0]
	ids := slices.Clone(got.UserIDs)
	slices.Sort(ids)
	if got.Notice != "n1" || !slices.Equal(ids, []string{"u02", "u03", "u05", "u11"}) {
		t.Fatalf("%+v", got)
	}
	m = drive(m, keys("j", "m")...) // a lone key: explained, nothing sent
	if !m.flashErr || m.overlay != nil || len(e.sent) != 1 {
		t.Fatalf("remind on a lone key: %q", m.flash)
	}
}

func TestRecallTakesYNotEnter(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(loaded(e, 80, 24), keys("x", "enter")...)
	if len(e.recalled) != 0 || m.overlay != nil {
		t.Fatal("enter must not recall")
	}
	m = drive(m, keys("x", "wait", "y")...)
	if len(e.recalled) != 1 || len(e.recalled[0]) != 2 || !strings.Contains(m.flash, "recalled 2 keys") {
		t.Fatalf("%v %q", e.recalled, m.flash)
	}
}

func TestResendFailedAndUnknown(t *testing.T) {
	e := &fakeEngine{state: fixtureState()} // n1: one batch of 20 whose outcome is unknown
	m := drive(loaded(e, 80, 24), keys("b")...)
	if m.overlay != nil || !strings.Contains(m.flash, "no failed batch") {
		t.Fatalf("b without failed batches: %q", m.flash)
	}
	m = drive(m, keys("B")...)
	v := strings.Join(strings.Fields(m.View()), " ")
	if !strings.Contains(v, "may get the notice twice") || !strings.Contains(v, "y resends") {
		t.Fatalf("the prompt must say the notice may arrive twice:\n%s", v)
	}
	m = drive(m, keys("enter")...)
	if len(e.resent) != 0 {
		t.Fatal("enter resent")
	}
	m = drive(m, keys("B", "wait", "y")...)
	if !slices.Equal(e.resent, []string{"n1 true"}) {
		t.Fatalf("resent %v", e.resent)
	}
	st := fixtureState()
	st.Notices[0].Batches[1].Status = watch.BatchFailed
	e = &fakeEngine{state: st}
	m = drive(loaded(e, 80, 24), keys("b", "wait", "y")...)
	if !slices.Equal(e.resent, []string{"n1 false"}) {
		t.Fatalf("resent %v", e.resent)
	}
}

func TestMarkAndNameANotice(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(loaded(e, 80, 24), keys("j", " ", " ", "n", "Q4 review", "enter")...)
	got := e.grouped["Q4 review"]
	if !slices.Equal(got, []string{"STALEkey0000000000000000000000000000000000=", "WAITkey"}) {
		t.Fatalf("grouped %v", got)
	}
	if r, _ := m.selected(); r.notice == nil || r.notice.Label != "Q4 review" || len(m.list.marked) != 0 {
		t.Fatalf("cursor on %q, marks %v", r.title(), m.list.marked)
	}
}

func TestWriteCSV(t *testing.T) {
	dir := t.TempDir()
	e := &fakeEngine{state: fixtureState()}
	m := newTestModel(e)
	m.opts.ExportDir = dir
	m = drive(m, sizeMsg(80, 24), snapshotMsg{e.Snapshot()})
	m = drive(m, keys("w")...)
	files, _ := filepath.Glob(filepath.Join(dir, "dingwatch-周会通知-Weekly-sync-*.csv"))
	if len(files) != 1 || !strings.Contains(m.flash, files[0]) {
		t.Fatalf("files %v, flash %q", files, m.flash)
	}
	b, _ := os.ReadFile(files[0])
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	// 8 rows of the sent key and its undelivered person, then the 20 people of
	// the batch whose outcome is unknown: a notice's CSV lists everyone it was for.
	if len(lines) != 29 || lines[0] != strings.Join(watch.CSVHeader, ",") || !strings.Contains(string(b), ",u01,张伟,READ,2026-11-27T09:35:00Z") ||
		!strings.Contains(string(b), ",ghost,,NOT_DELIVERED,") || strings.Count(string(b), ",UNKNOWN,") != 20 {
		t.Fatalf("%s", b)
	}
}

func TestEveryoneReadMessage(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := loaded(e, 80, 24)
	snap := e.Snapshot()
	snap.Version++
	snap.EventSeq = 1
	m = drive(m, snapshotMsg{snap}) // events before this view: not announced
	if m.flash != "" {
		t.Fatalf("old events announced: %q", m.flash)
	}
	snap = e.Snapshot()
	snap.Version += 2
	snap.EventSeq = 2
	snap.Events = []watch.ReadEvent{{Notice: "周会通知 Weekly sync", UserID: "u02", Everyone: true}}
	m = drive(m, snapshotMsg{snap})
	if m.flash != "周会通知 Weekly sync: everyone has read it" {
		t.Fatalf("flash %q", m.flash)
	}
	// Not "everyone" of people DingTalk did not deliver it to.
	snap = e.Snapshot()
	snap.Version += 3
	snap.EventSeq = 3
	snap.Events = []watch.ReadEvent{{Notice: "Some", UserID: "u03", Everyone: true, NotDelivered: 2}}
	m = drive(m, snapshotMsg{snap})
	if m.flash != "Some: everyone it reached has read it (2 people not delivered by DingTalk)" {
		t.Fatalf("flash %q", m.flash)
	}
}

func TestMarkedRowsShowIt(t *testing.T) {
	m := drive(loaded(&fakeEngine{state: fixtureState()}, 80, 24), keys("j", " ")...)
	if !strings.Contains(m.View(), " *Security patch") {
		t.Fatalf("the marked key shows no mark:\n%s", m.View())
	}
}

func TestRenameNotice(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(loaded(e, 80, 24), keys("e")...)
	in := m.overlay.(*lineInput)
	if in.input.Value() != "周会通知 Weekly sync" {
		t.Fatalf("the input starts from %q", in.input.Value())
	}
	in.input.SetValue("")
	m = drive(m, keys("Team sync", "enter")...)
	if e.state.Notice("n1").Label != "Team sync" || m.list.rows[0].title() != "Team sync" {
		t.Fatalf("label %q", e.state.Notice("n1").Label)
	}
}
