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

// nobodyState is two notices sent 10 minutes ago: "Bad", two batches
// DingTalk delivered to nobody (40 invalid userIds), and "Some", a batch
// that reached u01 and u02 but not "ghost" (invalid) and a second batch
// delivered to nobody ("fc", flow-controlled). reason is DingTalk's reason
// for ghost.
func nobodyState(reason string) *watch.State {
	sent := now.Add(-10 * time.Minute)
	st := &watch.State{Notices: []*watch.Notice{{ID: "bad", Label: "Bad", CreatedAt: sent}, {ID: "some", Label: "Some", CreatedAt: sent}}}
	for b := range 2 {
		var lost []watch.Undelivered
		for i := range 20 {
			lost = append(lost, watch.Undelivered{UserID: fmt.Sprintf("bulk%02d", b*20+i), Reason: "invalid userId"})
		}
		k := &watch.Key{Key: fmt.Sprintf("BADkey%d", b), RobotCode: "dingrobot", Notice: "bad", AddedAt: sent, SentAt: sent, NotDelivered: lost}
		st.Keys = append(st.Keys, k)
		st.Notices[0].Batches = append(st.Notices[0].Batches, watch.Batch{Status: watch.BatchSent, Key: k.Key})
	}
	some := &watch.Key{Key: "SOMEkey", RobotCode: "dingrobot", Notice: "some", AddedAt: sent, SentAt: sent, SendStatus: "SUCCESS",
		LastOK: now.Add(-time.Minute), Recipients: people("张伟", "王芳"), NotDelivered: []watch.Undelivered{{UserID: "ghost", Reason: reason}}}
	fc := &watch.Key{Key: "FCkey", RobotCode: "dingrobot", Notice: "some", AddedAt: sent, SentAt: sent,
		NotDelivered: []watch.Undelivered{{UserID: "fc", Reason: "flow-controlled by DingTalk"}}}
	st.Keys = append(st.Keys, some, fc)
	st.Notices[1].Batches = []watch.Batch{{Status: watch.BatchSent, Key: some.Key}, {Status: watch.BatchSent, Key: fc.Key}}
	return st
}

// TestRowDeliveredToNobody: in the list, where a manager scans, a notice
// DingTalk delivered to nobody says "nobody" with "!", and so does each of
// its batches; a notice some of whose people DingTalk did not deliver to
// keeps its counts and state and is marked "!", and of its batches only
// the one delivered to nobody says "nobody"; a batch that reached
// everyone it was sent to is not marked. A key delivered to nobody stays
// "nobody" once its 24 hours are over.
func TestRowDeliveredToNobody(t *testing.T) {
	st := nobodyState("invalid userId")
	byNotice := func(id string) ([]*watch.Key, *watch.Notice) { return st.NoticeKeys(id), st.Notice(id) }
	for _, c := range []struct {
		notice       string
		word         string
		read, total  int
		childWords   []string
		childProblem []bool
	}{
		{"bad", "nobody", 0, 40, []string{"nobody", "nobody"}, []bool{true, true}},
		{"some", "sent", 0, 4, []string{"sent", "nobody"}, []bool{true, true}},
	} {
		keys, n := byNotice(c.notice)
		r := row{notice: n, keys: keys}.summedWith(watch.AudienceOf(keys, n.Batches...), now)
		if r.word != c.word || !r.problem || r.read != c.read || r.total != c.total {
			t.Errorf("%s: %d/%d %q problem=%v, want %d/%d %q with !", c.notice, r.read, r.total, r.word, r.problem, c.read, c.total, c.word)
		}
		for i, k := range keys {
			cr := row{keys: []*watch.Key{k}, child: i + 1}.summed(now)
			if cr.word != c.childWords[i] || cr.problem != c.childProblem[i] {
				t.Errorf("%s #%d: %q problem=%v, want %q %v", c.notice, i+1, cr.word, cr.problem, c.childWords[i], c.childProblem[i])
			}
		}
	}
	clean := &watch.Key{Key: "OKkey", SentAt: now.Add(-time.Minute), SendStatus: "SUCCESS", LastOK: now, Recipients: people("a")}
	if r := (row{keys: []*watch.Key{clean}}).summed(now); r.word != "sent" || r.problem {
		t.Errorf("a key delivered to all: %q problem=%v", r.word, r.problem)
	}
	late := now.Add(25 * time.Hour)
	if r := (row{keys: []*watch.Key{st.Keys[0]}}).summed(late); r.word != "nobody" || !r.problem {
		t.Errorf("after 24 hours: %q problem=%v, want nobody with !", r.word, r.problem)
	}
}

// TestNobodyOnScreen: the list line of each notice carries its word and
// "!"; the detail pane's head says delivered to nobody, or how many
// DingTalk did not deliver to, with DingTalk's reasons; inspect has the
// same message whole.
func TestNobodyOnScreen(t *testing.T) {
	m := loaded(&fakeEngine{state: nobodyState("invalid userId")}, 200, 30)
	v := m.View()
	if want := "! delivered to nobody: 40 people not delivered (invalid userId)"; !strings.Contains(v, want) {
		t.Errorf("detail lacks %q:\n%s", want, v)
	}
	listRow := func(title string) []string {
		l := lineWith(v, "▸ "+title+" ")
		return strings.Fields(strings.Split(l, "││")[0])
	}
	if f := listRow("Bad"); !slices.Contains(f, "0/40") || !slices.Contains(f, "nobody") || f[len(f)-1] != "!" {
		t.Errorf("the row of Bad: %q\n%s", f, v)
	}
	m = drive(m, runes("j"))
	v = m.View()
	if f := listRow("Some"); !slices.Contains(f, "0/4") || !slices.Contains(f, "sent") || f[len(f)-1] != "!" {
		t.Errorf("the row of Some: %q\n%s", f, v)
	}
	want := "! 2 people not delivered (1 flow-controlled by DingTalk, 1 invalid userId)"
	if !strings.Contains(v, want) {
		t.Errorf("detail lacks %q:\n%s", want, v)
	}
	if msgs := m.detail.messages(); len(msgs) == 0 || msgs[0] != want {
		t.Errorf("inspect messages %q", msgs)
	}
}

// TestNobodyReasonHostile: DingTalk's reason is an outside string: the
// detail head's line shows it inert.
func TestNobodyReasonHostile(t *testing.T) {
	for name, h := range safetexttest.Hostile {
		m := drive(loaded(&fakeEngine{state: nobodyState(h)}, 120, 30), runes("j"))
		safetexttest.AssertNoPayload(t, name, m.View())
		for _, msg := range m.detail.messages() {
			safetexttest.AssertInert(t, name, msg, false)
		}
	}
}

// lineWith is the first line of v containing s, or "".
func lineWith(v, s string) string {
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// TestSendToNobodyIsAnError: a send the dashboard made that DingTalk
// delivered to nobody is said as an error, with DingTalk's reason; one
// that reached some people is not.
func TestSendToNobodyIsAnError(t *testing.T) {
	lost := []watch.Undelivered{{UserID: "x1", Reason: "invalid userId"}, {UserID: "x2", Reason: "invalid userId"}}
	msg := sendReport(watch.SendReport{Notice: "n", Label: "Bad", Batches: []watch.Batch{{Status: watch.BatchSent, UserIDs: []string{"x1", "x2"}}}, NotDelivered: lost}, nil)
	d, ok := msg.(doneMsg)
	if !ok || d.err == nil || d.err.Error() != `"Bad": 1 of 1 batch sent, 2 not delivered: delivered to nobody (2 invalid userId)` {
		t.Errorf("to nobody: %#v", msg)
	}
	msg = sendReport(watch.SendReport{Notice: "n", Label: "Some", Batches: []watch.Batch{{Status: watch.BatchSent, UserIDs: []string{"x1", "x2", "u1"}}}, NotDelivered: lost}, nil)
	if d, ok := msg.(doneMsg); !ok || d.err != nil || d.text != `"Some": 1 of 1 batch sent, 2 not delivered` {
		t.Errorf("to some: %#v", msg)
	}
	// A reminder (or resend) that reached nobody: said of the round, not
	// of a notice its first round delivered to people (tester Q4).
	msg = sendReport(watch.SendReport{Notice: "n", Label: "Good", Round: 1, Batches: []watch.Batch{{Status: watch.BatchSent, Round: 1, UserIDs: []string{"x1", "x2"}}}, NotDelivered: lost}, nil)
	if d, ok := msg.(doneMsg); !ok || d.err == nil || d.err.Error() != `"Good" R1: 1 of 1 batch sent, 2 not delivered: this round reached nobody (2 invalid userId)` {
		t.Errorf("a reminder to nobody: %#v", msg)
	}
}
