package watch

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dingwatch/dingwatch/internal/safetext/safetexttest"
)

// partialJSON is the part of `status --json` the partial-notice tests read.
type partialJSON struct {
	Messages []struct {
		ProcessQueryKey   string
		DeliveredToNobody bool
		ReadCount, Total  int
		Undelivered       []struct{ UserID, Batch, Reason string }
	}
	Notices []struct {
		DeliveredToNobody bool
		ReadCount, Total  int
	}
}

// writeReport writes rep as text and JSON, with its problem lines.
func writeReport(t *testing.T, rep *StatusReport) (string, partialJSON, []string) {
	t.Helper()
	var text, js bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var got partialJSON
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	var problems []string
	for _, n := range rep.Notices {
		problems = append(problems, n.Problems()...)
	}
	return text.String(), got, problems
}

// TestStatusOfSomeKeysSaysNothingFalseOfTheNotice (tester Q4): `status
// KEY` of the batch of a notice that reached nobody, while another batch
// of it reached people, says so of the key asked — not "notice … was
// delivered to nobody", not "deliveredToNobody": true on the notice —, and
// the key's line counts its batch's people as the dashboard's row does
// (read 0/20, not 0/0).
func TestStatusOfSomeKeysSaysNothingFalseOfTheNotice(t *testing.T) {
	saved, keys := nobodyFixture(true) // k0, k1 reached nobody; k2 reached p1 (read), p2
	rep := NewStatusReport(saved, keys[:1], t0)
	n := rep.Notices[0]
	if n.DeliveredToNobody() || !n.KeysReachedNobody() || !n.Partial || !rep.Troubled() {
		t.Fatalf("notice: nobody %v, keys reached nobody %v, partial %v, troubled %v", n.DeliveredToNobody(), n.KeysReachedNobody(), n.Partial, rep.Troubled())
	}
	text, js, problems := writeReport(t, rep)
	want := `notice "Bad": DingTalk delivered the key asked (1 of its 3) to nobody: 20 people not delivered (20 invalid userId); the notice's other keys reached people`
	if len(problems) != 1 || problems[0] != want {
		t.Errorf("problems %q, want [%q]", problems, want)
	}
	for _, s := range []string{
		"k0  NOT DELIVERED (DingTalk delivered it to nobody: 20 people not delivered; not asked)  read 0/20\n",
		"  Not delivered by DingTalk (20)\n    bulk00  (invalid userId)\n",
		`notice "Bad": read 0/20 over 1 key  ! the key asked (1 of its 3) reached nobody` + "\n",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("text lacks %q:\n%s", s, text)
		}
	}
	if strings.Contains(text, "delivered to nobody\n") || strings.Contains(text, "read 0/0") {
		t.Errorf("the text says the notice reached nobody, or counts 0/0:\n%s", text)
	}
	m := js.Messages[0]
	if !m.DeliveredToNobody || m.ReadCount != 0 || m.Total != 20 || len(m.Undelivered) != 20 ||
		m.Undelivered[0] != (struct{ UserID, Batch, Reason string }{"bulk00", BatchSent, "invalid userId"}) {
		t.Errorf("JSON message: %+v", m)
	}
	if js.Notices[0].DeliveredToNobody {
		t.Error(`JSON: "deliveredToNobody": true on a notice that reached people`)
	}

	// Both nobody keys asked: still of the keys, with their count.
	_, js, problems = writeReport(t, NewStatusReport(saved, keys[:2], t0))
	want = `notice "Bad": DingTalk delivered the keys asked (2 of its 3) to nobody: 40 people not delivered (40 invalid userId); the notice's other keys reached people`
	if len(problems) != 1 || problems[0] != want || js.Notices[0].DeliveredToNobody {
		t.Errorf("two keys: problems %q (want [%q]), notice nobody %v", problems, want, js.Notices[0].DeliveredToNobody)
	}

	// Only the key that reached people asked: its own not delivered, of
	// its own total, said of that key.
	_, _, problems = writeReport(t, NewStatusReport(saved, keys[2:], t0))
	want = `notice "Bad": DingTalk did not deliver the key asked (1 of its 3) to 1 person of 3 (1 flow-controlled by DingTalk)`
	if len(problems) != 1 || problems[0] != want {
		t.Errorf("the key that reached people: problems %q, want [%q]", problems, want)
	}
}

// TestStatusOfSomeKeysOfANoticeThatReachedNobody: when every key of the
// notice reached nobody, asking one of them says it of the notice, with
// the whole notice's count.
func TestStatusOfSomeKeysOfANoticeThatReachedNobody(t *testing.T) {
	saved, keys := nobodyFixture(false)
	rep := NewStatusReport(saved, keys[:1], t0)
	text, js, problems := writeReport(t, rep)
	want := `notice "Bad" was delivered to nobody: DingTalk did not deliver it to 40 people (40 invalid userId)`
	if len(problems) != 1 || problems[0] != want {
		t.Errorf("problems %q, want [%q]", problems, want)
	}
	if !js.Notices[0].DeliveredToNobody || !strings.Contains(text, `notice "Bad": read 0/20 over 1 key  ! delivered to nobody`+"\n") {
		t.Errorf("JSON nobody %v; text:\n%s", js.Notices[0].DeliveredToNobody, text)
	}
}

// TestStatusOfSomeKeysIsInert: the words said of the keys asked keep
// hostile labels and reasons inert.
func TestStatusOfSomeKeysIsInert(t *testing.T) {
	for name, h := range safetexttest.Hostile {
		saved, keys := nobodyFixture(true)
		saved.Notices[0].Label = h
		keys[0].Key.NotDelivered[0].Reason = h
		text, _, problems := writeReport(t, NewStatusReport(saved, keys[:1], t0))
		safetexttest.AssertInert(t, name+" text", text, true)
		for _, p := range problems {
			safetexttest.AssertInert(t, name+" problem", p, false)
		}
	}
}
