package watch

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestStatusOutputsAgreeOnNotDelivered: people of a sent batch DingTalk did
// not deliver to are in the CSV (NOT_DELIVERED), so the JSON's undelivered
// and the text list them too, with the reason, and count them in the
// total (F14).
func TestStatusOutputsAgreeOnNotDelivered(t *testing.T) {
	k := &Key{Key: "k1", Notice: "n1", Recipients: []Recipient{{UserID: "p1", Read: true}, {UserID: "p2"}},
		NotDelivered: []Undelivered{{UserID: "team", Reason: "invalid userId"}, {UserID: "lw", Reason: "invalid userId"}}}
	saved := &State{Keys: []*Key{k}, Notices: []*Notice{{ID: "n1", Label: "L", Batches: []Batch{
		{Status: BatchSent, Key: "k1", UserIDs: []string{"p1", "p2", "team", "lw"}}}}}}
	rep := NewStatusReport(saved, []KeyStatus{{Key: k}}, t0)

	var csvOut bytes.Buffer
	if err := rep.WriteCSV(&csvOut, false); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(csvOut.String(), CSVNotDelivered); n != 2 {
		t.Fatalf("CSV has %d NOT_DELIVERED rows, want 2:\n%s", n, csvOut.String())
	}

	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Notices []struct {
			Total       int
			Undelivered []struct{ UserID, Batch, Reason string }
		}
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Notices) != 1 || got.Notices[0].Total != 4 || len(got.Notices[0].Undelivered) != 2 ||
		got.Notices[0].Undelivered[1].UserID != "team" || got.Notices[0].Undelivered[1].Reason != "invalid userId" ||
		got.Notices[0].Undelivered[1].Batch != BatchSent {
		t.Fatalf("JSON notices %+v\n%s", got.Notices, js.String())
	}

	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"read 1/4", "team (invalid userId)", "lw (invalid userId)"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
}
