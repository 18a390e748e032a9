package watch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/dingwatch/dingwatch/internal/safetext/safetexttest"
)

// nobodyFixture is a saved notice "Bad" of two batches DingTalk delivered
// to nobody (40 invalid userIds) and, with reached, a third that reached
// p1 and p2: the partial case.
func nobodyFixture(reached bool) (*State, []KeyStatus) {
	saved := &State{Notices: []*Notice{{ID: "n1", Label: "Bad"}}}
	var out []KeyStatus
	for b := range 2 {
		var lost []Undelivered
		var ids []string
		for i := range 20 {
			id := fmt.Sprintf("bulk%02d", b*20+i)
			lost = append(lost, Undelivered{UserID: id, Reason: "invalid userId"})
			ids = append(ids, id)
		}
		k := &Key{Key: fmt.Sprintf("k%d", b), Notice: "n1", NotDelivered: lost}
		saved.Keys = append(saved.Keys, k)
		saved.Notices[0].Batches = append(saved.Notices[0].Batches, Batch{Status: BatchSent, Key: k.Key, UserIDs: ids})
		out = append(out, KeyStatus{Key: k, Undelivered: true})
	}
	if reached {
		k := &Key{Key: "k2", Notice: "n1", Recipients: []Recipient{{UserID: "p1", Read: true}, {UserID: "p2"}},
			NotDelivered: []Undelivered{{UserID: "fc", Reason: "flow-controlled by DingTalk"}}}
		saved.Keys = append(saved.Keys, k)
		saved.Notices[0].Batches = append(saved.Notices[0].Batches, Batch{Status: BatchSent, Key: "k2", UserIDs: []string{"p1", "p2", "fc"}})
		out = append(out, KeyStatus{Key: k})
	}
	return saved, out
}

// TestAudienceDeliveredToNobody: a notice is delivered to nobody when
// DingTalk did not deliver it to someone and nobody read it, has it
// unread, or may have it; failed batches do not change that.
func TestAudienceDeliveredToNobody(t *testing.T) {
	p := func(id string) Person { return Person{Recipient: Recipient{UserID: id}} }
	nd := []Person{{Recipient: Recipient{UserID: "x"}, Reason: "invalid userId"}}
	for _, c := range []struct {
		name string
		a    Audience
		want bool
	}{
		{"nobody at all", Audience{}, false},
		{"all not delivered", Audience{NotDelivered: nd}, true},
		{"not delivered and failed", Audience{NotDelivered: nd, Failed: []Person{p("f")}}, true},
		{"one unread", Audience{NotDelivered: nd, Unread: []Person{p("u")}}, false},
		{"one read", Audience{NotDelivered: nd, Read: []Person{p("r")}}, false},
		{"one may have it", Audience{NotDelivered: nd, Unknown: []Person{p("q")}}, false},
		{"failed only", Audience{Failed: []Person{p("f")}}, false},
	} {
		if got := c.a.DeliveredToNobody(); got != c.want {
			t.Errorf("%s: DeliveredToNobody = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestNotDeliveredWhy: DingTalk's reasons with their counts, the
// commonest first, ties by reason; a missing reason is said so.
func TestNotDeliveredWhy(t *testing.T) {
	var a Audience
	add := func(n int, reason string) {
		for range n {
			a.NotDelivered = append(a.NotDelivered, Person{Reason: reason})
		}
	}
	if got := a.NotDeliveredWhy(); got != "" {
		t.Errorf("empty: %q", got)
	}
	add(1, "filtered by DingTalk")
	add(3, "flow-controlled by DingTalk")
	add(5, "invalid userId")
	add(1, "")
	want := "5 invalid userId, 3 flow-controlled by DingTalk, 1 filtered by DingTalk, 1 no reason given"
	if got := a.NotDeliveredWhy(); got != want {
		t.Errorf("NotDeliveredWhy = %q, want %q", got, want)
	}
}

// TestStatusSaysDeliveredToNobody: a notice DingTalk delivered to nobody
// is a failure for a script: a problem line (so `status` exits 1), "!
// delivered to nobody" on its summary, "deliveredToNobody": true on the
// notice in the JSON. With some people reached it is still a problem (the
// people not delivered, how many of the total and why), but the JSON
// does not say nobody.
func TestStatusSaysDeliveredToNobody(t *testing.T) {
	for _, c := range []struct {
		reached              bool
		header, problem      string
		deliveredToNobody    bool
		total, notDeliveredN int
	}{
		{false, `notice "Bad": read 0/40 over 2 keys  ! delivered to nobody` + "\n",
			`notice "Bad" was delivered to nobody: DingTalk did not deliver it to 40 people (40 invalid userId)`, true, 40, 40},
		{true, `notice "Bad": read 1/43 over 3 keys  ! 41 people not delivered by DingTalk` + "\n",
			`notice "Bad": DingTalk did not deliver it to 41 people of 43 (40 invalid userId, 1 flow-controlled by DingTalk)`, false, 43, 41},
	} {
		t.Run(fmt.Sprintf("reached=%v", c.reached), func(t *testing.T) {
			saved, keys := nobodyFixture(c.reached)
			rep := NewStatusReport(saved, keys, t0)
			n := rep.Notices[0]
			if !n.Troubled() || !rep.Troubled() {
				t.Error("a notice not delivered to everyone is not troubled")
			}
			if got := n.Problems(); len(got) != 1 || got[0] != c.problem {
				t.Errorf("problems %q, want [%q]", got, c.problem)
			}
			var text bytes.Buffer
			if err := rep.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text.String(), c.header) {
				t.Errorf("text lacks %q:\n%s", c.header, text.String())
			}
			if got := strings.Count(text.String(), "NOT DELIVERED (DingTalk delivered it to nobody: 20 people not delivered; not asked)"); got != 2 {
				t.Errorf("%d keys say NOT DELIVERED, want 2:\n%s", got, text.String())
			}
			var js bytes.Buffer
			if err := rep.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			var got struct {
				Notices []map[string]json.RawMessage
			}
			if err := json.Unmarshal(js.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			// Always present (README's shape), true or false.
			if nobody := string(got.Notices[0]["deliveredToNobody"]); nobody != fmt.Sprint(c.deliveredToNobody) {
				t.Errorf("JSON deliveredToNobody %q, want %v", nobody, c.deliveredToNobody)
			}
			var undelivered []json.RawMessage
			if err := json.Unmarshal(got.Notices[0]["undelivered"], &undelivered); err != nil || len(undelivered) != c.notDeliveredN {
				t.Errorf("JSON undelivered: %d, %v", len(undelivered), err)
			}
		})
	}
}

// TestStatusNotDeliveredClean: a notice delivered to everyone it was sent
// to has no problem and no mark.
func TestStatusNotDeliveredClean(t *testing.T) {
	k := &Key{Key: "k1", Notice: "n1", Recipients: []Recipient{{UserID: "p1"}}}
	saved := &State{Keys: []*Key{k}, Notices: []*Notice{{ID: "n1", Label: "Good", Batches: []Batch{{Status: BatchSent, Key: "k1", UserIDs: []string{"p1"}}}}}}
	rep := NewStatusReport(saved, []KeyStatus{{Key: k}}, t0)
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if rep.Troubled() || rep.Notices[0].Problems() != nil || strings.Contains(text.String(), "!") {
		t.Errorf("a notice delivered to all is marked:\n%s", text.String())
	}
}

// TestStatusNotDeliveredHostile: DingTalk's reason, the userId and the
// label are outside strings: the summary and the problem line keep them
// inert.
func TestStatusNotDeliveredHostile(t *testing.T) {
	for name, h := range safetexttest.Hostile {
		k := &Key{Key: "k1", Notice: "n1", NotDelivered: []Undelivered{{UserID: h, Reason: h}}}
		saved := &State{Keys: []*Key{k}, Notices: []*Notice{{ID: "n1", Label: h, Batches: []Batch{{Status: BatchSent, Key: "k1", UserIDs: []string{h}}}}}}
		rep := NewStatusReport(saved, []KeyStatus{{Key: k, Undelivered: true}}, t0)
		var text bytes.Buffer
		if err := rep.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		safetexttest.AssertInert(t, name+" text", text.String(), true)
		for _, l := range rep.Notices[0].Problems() {
			safetexttest.AssertInert(t, name+" problem", l, false)
		}
		if !rep.Notices[0].Audience.DeliveredToNobody() {
			t.Errorf("%s: not delivered to nobody", name)
		}
	}
}

// TestSendReportDeliveredToNobody: a send reached nobody when it sent a
// batch and DingTalk delivered none of its sent batches' userIds; failed
// and unknown batches do not count either way.
func TestSendReportDeliveredToNobody(t *testing.T) {
	lost := []Undelivered{{UserID: "a", Reason: "invalid userId"}, {UserID: "b", Reason: "filtered by DingTalk"}}
	for _, c := range []struct {
		name string
		rep  SendReport
		want bool
	}{
		{"all invalid", SendReport{Batches: []Batch{{Status: BatchSent, UserIDs: []string{"a", "b"}}}, NotDelivered: lost}, true},
		{"one reached", SendReport{Batches: []Batch{{Status: BatchSent, UserIDs: []string{"a", "b", "c"}}}, NotDelivered: lost}, false},
		{"plus a failed batch", SendReport{Batches: []Batch{{Status: BatchSent, UserIDs: []string{"a", "b"}}, {Status: BatchFailed, UserIDs: []string{"c"}}}, NotDelivered: lost}, true},
		{"plus an unknown batch", SendReport{Batches: []Batch{{Status: BatchSent, UserIDs: []string{"a", "b"}}, {Status: BatchUnknown, UserIDs: []string{"c"}}}, NotDelivered: lost}, true},
		{"nothing sent", SendReport{Batches: []Batch{{Status: BatchFailed, UserIDs: []string{"a"}}}}, false},
		{"all delivered", SendReport{Batches: []Batch{{Status: BatchSent, UserIDs: []string{"c"}}}}, false},
	} {
		if got := c.rep.DeliveredToNobody(); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if got, want := (SendReport{NotDelivered: lost}).NotDeliveredWhy(), "1 filtered by DingTalk, 1 invalid userId"; got != want {
		t.Errorf("NotDeliveredWhy %q, want %q", got, want)
	}
}
