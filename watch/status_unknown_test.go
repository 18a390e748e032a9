package watch

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// unknownFixture is F22's notice "Big" after `send --resend`: batch 1
// (q0…q19) has an unknown outcome, batch 2 (q20…q39) failed and was
// resent and sent (key k4), batch 3 (q40…q44) was sent (key k3), and
// DingTalk did not deliver to "ghost" of batch 3.
func unknownFixture() *StatusReport {
	ids := func(from, n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("q%d", from+i))
		}
		return out
	}
	recips := func(ids []string) []Recipient {
		out := make([]Recipient, len(ids))
		for i, id := range ids {
			out[i] = Recipient{UserID: id}
		}
		return out
	}
	k3 := &Key{Key: "k3", Notice: "n1", Recipients: recips(ids(40, 5)), NotDelivered: []Undelivered{{UserID: "ghost", Reason: "invalid userId"}}}
	k4 := &Key{Key: "k4", Notice: "n1", Round: 1, Recipients: recips(ids(20, 20))}
	saved := &State{Keys: []*Key{k3, k4}, Notices: []*Notice{{ID: "n1", Label: "Big", Batches: []Batch{
		{UserIDs: ids(0, 20), Status: BatchUnknown, Error: "timeout"},
		{UserIDs: ids(20, 20), Status: BatchFailed, Error: "system.error"},
		{UserIDs: append(ids(40, 5), "ghost"), Status: BatchSent, Key: "k3"},
		{Round: 1, UserIDs: ids(20, 20), Status: BatchSent, Key: "k4"},
	}}}}
	return NewStatusReport(saved, []KeyStatus{{Key: k3}, {Key: k4}}, t0)
}

// TestUnknownBatchIsNeverNotSent: people of a batch whose outcome is
// unknown may have the notice. Text, JSON and the closing problem lines
// list them apart, as people who may have it, never as "not sent", "did
// not reach" or undelivered; a failed batch resent is no longer counted;
// ids come in counting order (q2 before q10); every format counts the same
// 46 people (F22, F14).
func TestUnknownBatchIsNeverNotSent(t *testing.T) {
	rep := unknownFixture()
	n := rep.Notices[0]
	if len(n.Audience.Failed) != 0 || len(n.Audience.Unknown) != 20 || n.Audience.Total() != 46 {
		t.Fatalf("failed %d unknown %d total %d", len(n.Audience.Failed), len(n.Audience.Unknown), n.Audience.Total())
	}

	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	want := "  batch outcome unknown, may have it (20): q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11,"
	// The header names ghost's not delivered and the unknown batch apart.
	header := "read 0/46 over 2 keys  ! 1 person not delivered by DingTalk; a batch's outcome is unknown\n"
	if !strings.Contains(text.String(), want) || !strings.Contains(text.String(), header) {
		t.Fatalf("text lacks %q or the header:\n%s", want, text.String())
	}
	problems := n.Problems()
	for _, l := range append(strings.Split(text.String(), "\n"), problems...) {
		if strings.HasSuffix(l+"\n", header) {
			continue // checked whole above
		}
		if strings.Contains(l, "q0") || strings.Contains(l, "unknown") {
			for _, lie := range []string{"not sent", "did not reach", "not delivered", "0 in failed"} {
				if strings.Contains(l, lie) {
					t.Errorf("%q says %q of people who may have it", l, lie)
				}
			}
		}
	}
	// ghost, whom DingTalk did not deliver to, is a problem line of its own.
	if len(problems) != 2 || problems[0] != `notice "Big": DingTalk did not deliver it to 1 person of 46 (1 invalid userId)` ||
		!strings.Contains(problems[1], "20 people in batches whose outcome is unknown may have it") {
		t.Fatalf("problems %q", problems)
	}

	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Notices []struct {
			Total          int
			Undelivered    []struct{ UserID, Batch string }
			OutcomeUnknown []struct{ UserID, Batch string }
		}
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	j := got.Notices[0]
	var unknown []string
	for _, p := range j.OutcomeUnknown {
		unknown = append(unknown, p.UserID)
	}
	if j.Total != 46 || len(j.Undelivered) != 1 || j.Undelivered[0].UserID != "ghost" ||
		!slices.Equal(unknown[:12], []string{"q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10", "q11"}) {
		t.Fatalf("JSON %+v", j)
	}

	var c bytes.Buffer
	if err := rep.WriteCSV(&c, false); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&c).ReadAll()
	if err != nil || len(rows)-1 != 46 {
		t.Fatalf("CSV: %v, %d rows for 46 people", err, len(rows)-1)
	}
}

// TestCollationCountsDigits: names and userIds with numbers sort as a
// reader counts: q2 before q10, Person 9 before Person 10.
func TestCollationCountsDigits(t *testing.T) {
	ps := []Person{{Recipient: Recipient{UserID: "q10"}}, {Recipient: Recipient{UserID: "q2"}}, {Recipient: Recipient{UserID: "q1"}},
		{Recipient: Recipient{UserID: "x", Name: "Person 10"}}, {Recipient: Recipient{UserID: "y", Name: "Person 9"}}}
	SortPeople(ps)
	var got []string
	for _, p := range ps {
		got = append(got, p.Display())
	}
	if want := []string{"Person 9", "Person 10", "q1", "q2", "q10"}; !slices.Equal(got, want) {
		t.Fatalf("%v, want %v", got, want)
	}
}
