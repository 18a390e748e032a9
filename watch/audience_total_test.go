package watch

import "testing"

// TestAudienceTotalCountsNotDelivered: Total is everyone the notice was
// meant for — read, unread, people of failed/unknown batches, and the
// people DingTalk said it did not deliver to (invalid, flow-controlled,
// filtered) — each once; someone a later reminder reached counts as
// reached, not as not delivered.
func TestAudienceTotalCountsNotDelivered(t *testing.T) {
	k1 := &Key{Key: "k1", Recipients: []Recipient{{UserID: "p1", Read: true}, {UserID: "p2"}},
		NotDelivered: []Undelivered{{UserID: "bad", Reason: "invalid userId"}, {UserID: "slow", Reason: "flow-controlled"}}}
	k2 := &Key{Key: "k2", Round: 1, Recipients: []Recipient{{UserID: "slow"}},
		NotDelivered: []Undelivered{{UserID: "bad", Reason: "invalid userId"}, {UserID: "hid", Reason: "filtered"}}}
	batches := []Batch{
		{Status: BatchSent, Key: "k1", UserIDs: []string{"p1", "p2", "bad", "slow"}},
		{Status: BatchFailed, UserIDs: []string{"q1"}},
		{Status: BatchSent, Key: "k2", UserIDs: []string{"slow", "bad", "hid"}},
	}
	a := AudienceOf([]*Key{k1, k2}, batches...)
	if got := a.Total(); got != 6 { // p1 p2 slow (reached by k2), q1 (failed), bad, hid
		t.Fatalf("Total = %d, want 6: %+v", got, a)
	}
	if len(a.NotDelivered) != 2 || a.NotDelivered[0].UserID != "bad" || a.NotDelivered[1].UserID != "hid" ||
		a.NotDelivered[1].Reason != "filtered" {
		t.Fatalf("NotDelivered = %+v, want bad, hid", a.NotDelivered)
	}
	if !a.Reached(1.0/6) || a.Reached(2.0/6) {
		t.Fatalf("1 reader of 6: Reached(1/6)=%v Reached(2/6)=%v", a.Reached(1.0/6), a.Reached(2.0/6))
	}
}
