package serve

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/internal/safetext"
	"github.com/dingwatch/dingwatch/internal/safetext/safetexttest"
	"github.com/dingwatch/dingwatch/watch"
)

// TestTextStatusCountsEveryone: the SSH text status counts a notice's
// people as `dingwatch status` and the dashboard do (watch.Audience.Total):
// the reached, the people of a failed batch, of a batch whose outcome is
// unknown, and those DingTalk did not deliver to; it names each group for
// what it is and never calls the unknown ones not sent (F14, F22). The
// notice's line is marked "!" for ghost, as the dashboard's row is.
func TestTextStatusCountsEveryone(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	k := &watch.Key{Key: "k1", Notice: "n1", LastOK: now, Recipients: []watch.Recipient{{UserID: "a", Read: true}, {UserID: "b"}},
		NotDelivered: []watch.Undelivered{{UserID: "ghost", Reason: "invalid userId"}}}
	st := &watch.State{Keys: []*watch.Key{k}, Notices: []*watch.Notice{{ID: "n1", Label: "Big", Batches: []watch.Batch{
		{Status: watch.BatchSent, Key: "k1", UserIDs: []string{"a", "b", "ghost"}},
		{Status: watch.BatchFailed, UserIDs: []string{"f1"}},
		{Status: watch.BatchUnknown, UserIDs: []string{"q2", "q10"}},
	}}}}
	snap := &watch.Snapshot{State: st}
	var text bytes.Buffer
	if err := writeStatus(&text, statusRequest{format: "text"}, snap, statusReport(snap, st.Keys, nil, now)); err != nil {
		t.Fatal(err)
	}
	rep := watch.NewStatusReport(st, []watch.KeyStatus{{Key: k}}, now)
	total := rep.Notices[0].Audience.Total()
	out := text.String()
	for _, want := range []string{"Big  read 1/6  ! 1 person not delivered (1 invalid userId)\n", "  unread    b\n", "  not sent (batch failed)    f1\n",
		"  not delivered    ghost  (invalid userId)\n", "  may have it (batch outcome unknown)    q2\n  may have it (batch outcome unknown)    q10\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if total != 6 {
		t.Fatalf("status counts %d", total)
	}
}

// TestTextStatusSaysDeliveredToNobody: a notice DingTalk delivered to
// nobody says so on its line, with DingTalk's reasons kept inert.
func TestTextStatusSaysDeliveredToNobody(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	for name, h := range map[string]string{"plain": "invalid userId", "hostile": safetexttest.Hostile["osc52 clipboard"]} {
		k := &watch.Key{Key: "k1", Notice: "n1", NotDelivered: []watch.Undelivered{{UserID: "x1", Reason: h}, {UserID: "x2", Reason: h}}}
		st := &watch.State{Keys: []*watch.Key{k}, Notices: []*watch.Notice{{ID: "n1", Label: "Bad", Batches: []watch.Batch{
			{Status: watch.BatchSent, Key: "k1", UserIDs: []string{"x1", "x2"}}}}}}
		snap := &watch.Snapshot{State: st}
		var text bytes.Buffer
		if err := writeStatus(&text, statusRequest{format: "text"}, snap, statusReport(snap, st.Keys, nil, now)); err != nil {
			t.Fatal(err)
		}
		safetexttest.AssertInert(t, name, text.String(), true)
		if want := "Bad  read 0/2  ! delivered to nobody (2 " + safetext.Line(h, 0) + ")\n"; !strings.Contains(text.String(), want) {
			t.Errorf("%s: missing %q in:\n%s", name, want, text.String())
		}
	}
}

// TestTextStatusOfSomeKeysSaysNothingFalseOfTheNotice (tester Q4): the
// SSH status of the one key of a notice that reached nobody, while its
// other key reached people, says it of that key, never "delivered to
// nobody" of the notice; with every key of it, the notice reached people.
func TestTextStatusOfSomeKeysSaysNothingFalseOfTheNotice(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	lost := &watch.Key{Key: "k1", Notice: "n1", NotDelivered: []watch.Undelivered{{UserID: "x1", Reason: "invalid userId"}, {UserID: "x2", Reason: "invalid userId"}}}
	reached := &watch.Key{Key: "k2", Notice: "n1", LastOK: now, Recipients: []watch.Recipient{{UserID: "a", Read: true}}}
	st := &watch.State{Keys: []*watch.Key{lost, reached}, Notices: []*watch.Notice{{ID: "n1", Label: "Mixed", Batches: []watch.Batch{
		{Status: watch.BatchSent, Key: "k1", UserIDs: []string{"x1", "x2"}}, {Status: watch.BatchSent, Key: "k2", UserIDs: []string{"a"}}}}}}
	snap := &watch.Snapshot{State: st}
	for _, c := range []struct {
		keys []*watch.Key
		want string
	}{
		{[]*watch.Key{lost}, "Mixed  read 0/2  ! the key asked (1 of its 2) reached nobody (2 invalid userId)\n"},
		{st.Keys, "Mixed  read 1/3  ! 2 people not delivered (2 invalid userId)\n"},
	} {
		var text bytes.Buffer
		if err := writeStatus(&text, statusRequest{format: "text"}, snap, statusReport(snap, c.keys, nil, now)); err != nil {
			t.Fatal(err)
		}
		if out := text.String(); !strings.Contains(out, c.want) || strings.Contains(out, "delivered to nobody") {
			t.Errorf("%d keys: want %q, never \"delivered to nobody\", in:\n%s", len(c.keys), c.want, out)
		}
	}
}
