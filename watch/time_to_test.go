package watch

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// answerOf is a readStatus answer naming people p0…p(n-1), the first read
// of them read.
func answerOf(n, read int) dingtalk.ReadStatus {
	rs := dingtalk.ReadStatus{SendStatus: "SUCCESS"}
	for i := range n {
		rs.Recipients = append(rs.Recipients, dingtalk.Recipient{UserID: fmt.Sprintf("p%d", i), Read: i < read})
	}
	return rs
}

// TestTimeToKnownWhenEarlyReadersReadBefore: people who read before
// dingwatch first asked (no read time) do not hide a milestone dingwatch
// saw crossed after that first answer (H11): 3 of 10 read before the
// first answer at t0+1m; the 5th read is seen at t0+5m, the 9th at t0+9m.
func TestTimeToKnownWhenEarlyReadersReadBefore(t *testing.T) {
	k := &Key{Key: "k", SentAt: t0}
	k.ApplyAnswer(answerOf(10, 3), t0.Add(time.Minute))
	for read := 4; read <= 9; read++ {
		k.ApplyAnswer(answerOf(10, read), t0.Add(time.Duration(read)*time.Minute))
	}
	a := AudienceOf([]*Key{k})
	if a.UnknownReadTimes() != 3 {
		t.Fatalf("unknown read times %d, want 3", a.UnknownReadTimes())
	}
	if d, ok := a.TimeTo(0.5, t0); !ok || d != 5*time.Minute {
		t.Errorf("50%%: %v %v, want 5m (the 5th read, seen after the 3 early ones)", d, ok)
	}
	if d, ok := a.TimeTo(0.9, t0); !ok || d != 9*time.Minute {
		t.Errorf("90%%: %v %v, want 9m", d, ok)
	}
	// The fraction reached among the early readers alone: its moment is
	// unknown (one of them was the 2nd, at some moment before t0+1m).
	if _, ok := a.TimeTo(0.2, t0); ok || !a.Reached(0.2) {
		t.Error("20% is reached among readers of unknown time: its moment is unknown")
	}
	// Saved by a dingwatch that did not keep the first answer: unknown.
	old := k.Clone()
	old.FirstOK = time.Time{}
	if _, ok := AudienceOf([]*Key{old}).TimeTo(0.5, t0); ok {
		t.Error("without the first answer's time the early reads may be later: unknown")
	}
}

// TestTimeToUnknownWhenAnEarlyReaderMayBeLater: a reader of unknown time
// on a key first answered after the crossing may have read after it: the
// moment is unknown, and it is known again once the crossing is later
// than every such key's first answer.
func TestTimeToUnknownWhenAnEarlyReaderMayBeLater(t *testing.T) {
	sent := &Key{Key: "a", Notice: "n", SentAt: t0, Recipients: []Recipient{
		{UserID: "a1", Read: true, FirstSeenRead: t0.Add(2 * time.Minute)},
		{UserID: "a2", Read: true, FirstSeenRead: t0.Add(3 * time.Minute)},
		{UserID: "a3"}, {UserID: "a4"},
	}}
	// Pasted later: first answered at t0+10m with b1 already read.
	pasted := &Key{Key: "b", Notice: "n", SentAt: t0, FirstOK: t0.Add(10 * time.Minute), Recipients: []Recipient{
		{UserID: "b1", Read: true}, {UserID: "b2"}, {UserID: "b3"}, {UserID: "b4"},
	}}
	a := AudienceOf([]*Key{sent, pasted})
	// 25% of 8 is the 2nd read: a1's at t0+2m if b1 read before it, but
	// b1 may have read as late as t0+10m.
	if _, ok := a.TimeTo(0.25, t0); ok || !a.Reached(0.25) {
		t.Error("25%: b1 may have read after t0+2m, so the 2nd read's moment is unknown")
	}
	// b1 also read another key at t0+1m: read by then, the crossing at
	// t0+2m is known.
	other := &Key{Key: "c", Notice: "n", SentAt: t0, Recipients: []Recipient{
		{UserID: "b1", Read: true, FirstSeenRead: t0.Add(time.Minute)},
	}}
	for _, order := range [][]*Key{{sent, pasted, other}, {other, pasted, sent}} {
		a = AudienceOf(order)
		if a.UnknownReadTimes() != 1 {
			t.Fatalf("b1's time stays unknown: %d", a.UnknownReadTimes())
		}
		if d, ok := a.TimeTo(0.25, t0); !ok || d != 2*time.Minute {
			t.Errorf("25%% (order %s…): %v %v, want 2m", order[0].Key, d, ok)
		}
	}
}

// TestFirstOKIsSavedAndRead: the first answer's time survives a save and
// both ways of reading the state file (the one-pass decoder, and the
// part-by-part one a bad entry sends the file to).
func TestFirstOKIsSavedAndRead(t *testing.T) {
	k := &Key{Key: "KEYAAAAAAAAAAAAAAAAAAAA", RobotCode: "r", AddedAt: t0, FirstOK: t0.Add(time.Minute), LastOK: t0.Add(time.Hour),
		Recipients: []Recipient{{UserID: "u1", Read: true}}}
	data, err := EncodeState(&State{Keys: []*Key{k}})
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(data), `"keys": [`, `"keys": [{"key":"bad key!"},`, 1)
	if bad == string(data) {
		t.Fatal("could not add a bad entry")
	}
	for file, problems := range map[string]int{string(data): 0, bad: 1} {
		st, p, err := DecodeState([]byte(file))
		if err != nil || len(p) != problems || st.Key(k.Key) == nil || !st.Key(k.Key).FirstOK.Equal(k.FirstOK) {
			t.Errorf("%d problems (want %d): %v, %+v", len(p), problems, err, st)
		}
	}
}
