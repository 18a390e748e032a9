package watch

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/internal/safetext/safetexttest"
)

func TestParseKeysSkipsCommentsAndNamesLines(t *testing.T) {
	got, err := ParseKeys("# weekly sync\n\nKna29Ra5pdJznx1g\n  # old: abc\nKna29Ra5pdJznx1g, defKey0000000000d\n")
	if err != nil || !slices.Equal(got, []string{"Kna29Ra5pdJznx1g", "defKey0000000000d"}) {
		t.Fatalf("%q %v", got, err)
	}
	_, err = ParseKeys("# header\n\nokKey00000000001\nbad!key\n")
	if err == nil || !strings.HasPrefix(err.Error(), "line 4: ") {
		t.Fatalf("want the line as in the text: %v", err)
	}
	if _, err := ParseKeys("# only a comment\n\n"); !errors.Is(err, ErrNoKey) {
		t.Fatalf("no key: %v", err)
	}
}

func TestUniqueLabel(t *testing.T) {
	st := &State{Notices: []*Notice{{ID: "a", Label: "notice 11-29 14:05"}, {ID: "b", Label: "Notice 11-29 14:05 (2)"}}}
	if got := st.UniqueLabel("notice 11-29 14:05"); got != "notice 11-29 14:05 (3)" {
		t.Fatalf("got %q", got)
	}
	if got := st.UniqueLabel("Weekly"); got != "Weekly" {
		t.Fatalf("got %q", got)
	}
	if n := st.NoticesLabelled("  NOTICE 11-29 14:05 "); len(n) != 1 || n[0].ID != "a" {
		t.Fatalf("%v", n)
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 keys", 1: "1 key", 2: "2 keys"} {
		if got := Plural(n, "key", "keys"); got != want {
			t.Errorf("%d: %q", n, got)
		}
	}
}

// statusFixture is a report on a notice of two keys, one failed batch
// and one failed query, with hostile text wherever DingTalk's answer goes.
func statusFixture(h string) *StatusReport {
	at := time.Date(2026, 11, 29, 14, 0, 0, 0, time.UTC)
	saved := &State{Notices: []*Notice{{ID: "n1", Label: h, Batches: []Batch{
		{UserIDs: []string{"u9", h}, Status: BatchFailed, Error: h},
	}}}}
	k1 := &Key{Key: "k1", Notice: "n1", SendStatus: h, Recipients: []Recipient{
		{UserID: "u1", Name: "张伟", Read: true, FirstSeenRead: at},
		{UserID: h, Name: h},
	}}
	k2 := &Key{Key: "k2", Notice: "n1"}
	lone := &Key{Key: "k3", Label: h, SendStatus: "SUCCESS", Recipients: []Recipient{{UserID: "u3", Name: h}}} // a lone key's label is shown
	nobody := &Key{Key: "k4", Label: h, NotDelivered: []Undelivered{{UserID: h, Reason: h}}}
	unasked := &Key{Key: "k5", Label: h}
	return NewStatusReport(saved, []KeyStatus{{Key: k1}, {Key: k2, Err: &dingtalk.Error{Code: h, Message: h, Hint: h, RequestID: h}}, {Key: lone},
		{Key: nobody, Undelivered: true}, {Key: unasked, Err: &BudgetSpentError{Spent: 3, Budget: 3}}}, at)
}

func TestStatusTextSummarisesNotices(t *testing.T) {
	var b bytes.Buffer
	if err := statusFixture("Ann").WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"k1  Ann  read 1/2", "k2  FAILED: ", `notice "Ann": read 1/3 over 2 keys  ! a batch failed`,
		"  unread (1): Ann\n", "  batch failed, not sent (1): u9\n",
		`k4  label "Ann"  NOT DELIVERED (DingTalk delivered it to nobody: 1 person not delivered; not asked)  read 0/1`,
		`k5  label "Ann"  FAILED: not asked: the daily budget is spent (3 of 3 metered calls in the last 24 hours): wait, or raise the budget`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

// TestStatusJSONSaysWhyAKeyWasNotAsked: a key delivered to nobody and one
// the budget had no call for are told apart from a failed query.
func TestStatusJSONSaysWhyAKeyWasNotAsked(t *testing.T) {
	var b bytes.Buffer
	if err := statusFixture("Ann").WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Messages []struct {
			ProcessQueryKey   string
			DeliveredToNobody bool
			Error             *struct{ Code string }
		}
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil || len(got.Messages) != 5 {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if m := got.Messages[3]; !m.DeliveredToNobody || m.Error != nil {
		t.Errorf("k4: %+v", m)
	}
	if m := got.Messages[4]; m.DeliveredToNobody || m.Error == nil || m.Error.Code != "budget" {
		t.Errorf("k5: %+v", m)
	}
}

func TestStatusOutputsAreInert(t *testing.T) {
	for name, h := range safetexttest.Hostile {
		rep := statusFixture(h)
		var text, csv, js bytes.Buffer
		if err := rep.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		safetexttest.AssertInert(t, name+": status text", text.String(), true)
		if err := rep.WriteCSV(&csv, false); err != nil {
			t.Fatal(err)
		}
		safetexttest.AssertInert(t, name+": status csv", csv.String(), true)
		if err := rep.WriteJSON(&js); err != nil {
			t.Fatal(err)
		}
		var back struct {
			Notices []struct{ Label string }
		}
		if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Notices) != 1 {
			t.Fatalf("%s: %v", name, err)
		}
		if utf8.ValidString(h) && back.Notices[0].Label != h {
			t.Errorf("%s: JSON must keep the raw value", name)
		}
		// Raw, but escaped: printed to a terminal, nothing in it acts.
		safetexttest.AssertInert(t, name+": status json", js.String(), true)
	}
}

func TestSendAndRecallTextAreInert(t *testing.T) {
	for name, h := range safetexttest.Hostile {
		rep := SendReport{Label: h, Keys: []string{h}, Batches: []Batch{
			{UserIDs: []string{h}, Key: h, Status: BatchSent}, {UserIDs: []string{h, "u2"}, Status: BatchUnknown, Error: h},
		}, NotDelivered: []Undelivered{{UserID: h, Reason: h}}}
		var b bytes.Buffer
		if err := rep.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		safetexttest.AssertInert(t, name+": send text", b.String(), true)
		if !strings.Contains(b.String(), "1 of 2 batches sent") || !strings.Contains(b.String(), "(1 recipient)") {
			t.Fatalf("%s:\n%s", name, b.String())
		}
		b.Reset()
		if err := WriteRecallText(&b, []RecallOutcome{{Key: h, OK: true}, {Key: h, Error: h}}); err != nil {
			t.Fatal(err)
		}
		safetexttest.AssertInert(t, name+": recall text", b.String(), true)
		b.Reset()
		if err := rep.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		safetexttest.AssertInert(t, name+": send json", b.String(), true)
	}
}
