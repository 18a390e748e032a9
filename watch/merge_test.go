package watch

import (
	"errors"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func answer(status string, reads map[string]bool) dingtalk.ReadStatus {
	rs := dingtalk.ReadStatus{SendStatus: status}
	for _, id := range []string{"a", "b", "c"} {
		if read, ok := reads[id]; ok {
			rs.Recipients = append(rs.Recipients, dingtalk.Recipient{UserID: id, Name: "N" + id, Read: read})
		}
	}
	return rs
}

func TestReadNeverGoesBack(t *testing.T) {
	k := &Key{Key: "k", AddedAt: t0}
	k.ApplyAnswer(answer("SUCCESS", map[string]bool{"a": false, "b": false, "c": false}), t0)
	fresh := k.ApplyAnswer(answer("SUCCESS", map[string]bool{"a": true, "b": false, "c": false}), t0.Add(time.Minute))
	if len(fresh) != 1 || fresh[0].UserID != "a" || !fresh[0].FirstSeenRead.Equal(t0.Add(time.Minute)) {
		t.Fatalf("fresh %+v", fresh)
	}
	// DingTalk forgets a and says b unread: a stays read, keeps its time.
	fresh = k.ApplyAnswer(answer("SUCCESS", map[string]bool{"b": true, "c": false}), t0.Add(2*time.Minute))
	if len(fresh) != 1 || fresh[0].UserID != "b" {
		t.Fatalf("fresh %+v", fresh)
	}
	k.ApplyAnswer(answer("SUCCESS", map[string]bool{"a": false, "b": false, "c": false}), t0.Add(3*time.Minute))
	read, total := k.Counts()
	if read != 2 || total != 3 || !k.Recipients[0].FirstSeenRead.Equal(t0.Add(time.Minute)) {
		t.Fatalf("read %d/%d %+v", read, total, k.Recipients)
	}
	if !k.LastChange.Equal(t0.Add(2 * time.Minute)) {
		t.Fatalf("last change %v", k.LastChange)
	}
	if fresh := k.ApplyAnswer(answer("SUCCESS", map[string]bool{"a": true, "b": true, "c": false}), t0.Add(4*time.Minute)); len(fresh) != 0 || !k.LastChange.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("an answer that changes nothing changed the key: %v, last change %v", fresh, k.LastChange)
	}
	k.ApplyAnswer(answer("SUCCESS", map[string]bool{"c": true}), t0.Add(5*time.Minute))
	if !k.Final() {
		t.Fatal("everyone read but not final")
	}
}

// Only observed times: a read present at a key's first answer happened at
// an unknown moment before; dingwatch saw it happen only when an earlier
// answer showed the person unread. DingTalk's own read time always counts.
func TestReadTimesAreOnlyObserved(t *testing.T) {
	given := t0.Add(3 * time.Minute)
	at := t0.Add(10 * time.Minute)
	cases := []struct {
		name      string
		before    []dingtalk.Recipient // an earlier answer at t0; nil: none
		in        dingtalk.Recipient
		wantTime  time.Time
		wantFresh bool
	}{
		{"first answer, no read time", nil, dingtalk.Recipient{UserID: "a", Read: true}, time.Time{}, false},
		{"first answer, read time in seconds", nil, dingtalk.Recipient{UserID: "a", Read: true, ReadAt: given}, given, false},
		{"seen unread, then read", []dingtalk.Recipient{{UserID: "a"}}, dingtalk.Recipient{UserID: "a", Read: true}, at, true},
		{"seen unread, then read with a time", []dingtalk.Recipient{{UserID: "a"}}, dingtalk.Recipient{UserID: "a", Read: true, ReadAt: given}, given, true},
		{"read time in the future is not taken", []dingtalk.Recipient{{UserID: "a"}}, dingtalk.Recipient{UserID: "a", Read: true, ReadAt: at.Add(time.Hour)}, at, true},
		{"read time long before sending is not taken", nil, dingtalk.Recipient{UserID: "a", Read: true, ReadAt: t0.Add(-3 * Window)}, time.Time{}, false},
		{"read without time, a later answer gives one", []dingtalk.Recipient{{UserID: "a", Read: true}}, dingtalk.Recipient{UserID: "a", Read: true, ReadAt: given}, given, false},
		{"still unread", []dingtalk.Recipient{{UserID: "a"}}, dingtalk.Recipient{UserID: "a"}, time.Time{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := &Key{Key: "k", AddedAt: t0, SentAt: t0}
			if c.before != nil {
				k.ApplyAnswer(dingtalk.ReadStatus{SendStatus: "SUCCESS", Recipients: c.before}, t0)
			}
			fresh := k.ApplyAnswer(dingtalk.ReadStatus{SendStatus: "SUCCESS", Recipients: []dingtalk.Recipient{c.in}}, at)
			if got := k.Recipients[0].FirstSeenRead; !got.Equal(c.wantTime) {
				t.Errorf("firstSeenRead %v, want %v", got, c.wantTime)
			}
			if (len(fresh) == 1) != c.wantFresh {
				t.Errorf("fresh %+v, want fresh %v", fresh, c.wantFresh)
			}
		})
	}
}

func TestApplyPushedRead(t *testing.T) {
	pushed := t0.Add(30 * time.Hour) // after the 24-hour window
	cases := []struct {
		name             string
		key              func() *Key
		userID, unionID  string
		at               time.Time
		wantNew          bool
		wantRead, wantOf int // read of total afterwards
		wantTime         time.Time
	}{
		{"unread to read on a frozen key", func() *Key {
			k := liveKey("k", t0, 2)
			k.Expired, k.ExpiryConfirmed = true, true
			return k
		}, "0", "", pushed, true, 1, 2, pushed},
		{"a reader without userId is kept by unionId", func() *Key { return liveKey("k", t0, 1) }, "", "u-x", pushed, true, 1, 2, pushed},
		{"the same unionId again is not new", func() *Key {
			k := liveKey("k", t0, 1)
			k.ApplyPushedRead("", "u-x", pushed)
			return k
		}, "", "u-x", pushed.Add(time.Minute), false, 1, 2, pushed},
		{"already read: an earlier pushed time wins", func() *Key {
			k := liveKey("k", t0, 1)
			k.Recipients[0].Read, k.Recipients[0].FirstSeenRead = true, pushed
			return k
		}, "0", "", t0.Add(time.Hour), false, 1, 1, t0.Add(time.Hour)},
		{"already read without time: the pushed time fills it", func() *Key {
			k := liveKey("k", t0, 1)
			k.Recipients[0].Read = true
			return k
		}, "0", "", pushed, false, 1, 1, pushed},
		{"a later pushed time does not replace an earlier one", func() *Key {
			k := liveKey("k", t0, 1)
			k.Recipients[0].Read, k.Recipients[0].FirstSeenRead = true, t0.Add(time.Hour)
			return k
		}, "0", "", pushed, false, 1, 1, t0.Add(time.Hour)},
		{"neither id: ignored", func() *Key { return liveKey("k", t0, 1) }, "", "", pushed, false, 0, 1, time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := c.key()
			if got := k.ApplyPushedRead(c.userID, c.unionID, c.at); got != c.wantNew {
				t.Errorf("newlyRead %v, want %v", got, c.wantNew)
			}
			read, total := k.Counts()
			if read != c.wantRead || total != c.wantOf {
				t.Errorf("read %d/%d, want %d/%d", read, total, c.wantRead, c.wantOf)
			}
			i := 0
			if c.userID == "" && c.unionID != "" {
				i = len(k.Recipients) - 1
			}
			if got := k.Recipients[i].FirstSeenRead; !got.Equal(c.wantTime) {
				t.Errorf("time %v, want %v", got, c.wantTime)
			}
			// A later answer saying UNREAD never takes a read back.
			k.ApplyAnswer(dingtalk.ReadStatus{SendStatus: "SUCCESS", Recipients: []dingtalk.Recipient{{UserID: "0"}}}, pushed)
			if again, _ := k.Counts(); again != read {
				t.Errorf("an UNREAD answer took a read back: %d → %d", read, again)
			}
		})
	}
}

func TestRecalledKeyStopsCountingDown(t *testing.T) {
	k := liveKey("k", t0, 2)
	if left, ok := k.TimeLeft(t0.Add(time.Hour)); !ok || left != 23*time.Hour {
		t.Fatalf("before recall: %v %v", left, ok)
	}
	at := t0.Add(time.Hour)
	if !k.ApplyRecall(at) || k.ApplyRecall(at.Add(time.Minute)) {
		t.Fatal("a recall is new once")
	}
	if !k.Recalled() || !k.RecalledAt.Equal(at) || !k.Final() {
		t.Fatalf("recalled %v at %v final %v", k.Recalled(), k.RecalledAt, k.Final())
	}
	if _, ok := k.TimeLeft(t0.Add(2 * time.Hour)); ok {
		t.Fatal("a recalled key still counts down")
	}
	// A stale answer from before the recall does not undo it.
	k.ApplyAnswer(answer("SUCCESS", map[string]bool{"a": false}), t0.Add(2*time.Hour))
	if !k.Recalled() || k.SendStatus != dingtalk.SendRecalled {
		t.Fatalf("a later SUCCESS answer undid the recall: %q", k.SendStatus)
	}
	// Seen recalled in an answer: recalled, no time made up.
	seen := liveKey("s", t0, 1)
	seen.ApplyAnswer(answer(dingtalk.SendRecalled, map[string]bool{"a": false}), t0.Add(time.Hour))
	if !seen.Recalled() || !seen.RecalledAt.IsZero() {
		t.Fatalf("recalled %v at %v", seen.Recalled(), seen.RecalledAt)
	}
	// A pushed recall then is not news, but its time is kept.
	if seen.ApplyRecall(t0.Add(2*time.Hour)) || !seen.RecalledAt.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("pushed recall of a key seen recalled: at %v", seen.RecalledAt)
	}
}

func expireErr() error {
	return &dingtalk.Error{HTTPStatus: 400, Code: dingtalk.CodeKeyExpireTime, Hint: "x"}
}

func TestExpireTimeMeaning(t *testing.T) {
	k := &Key{Key: "k", AddedAt: t0}
	k.ApplyError(expireErr(), t0.Add(10*time.Second))
	if !k.Waiting() || k.Expired || k.Final() {
		t.Fatalf("just added: want waiting, got %+v", k)
	}
	k.ApplyAnswer(answer("SUCCESS", map[string]bool{"a": false}), t0.Add(time.Minute))
	k.ApplyError(expireErr(), t0.Add(2*time.Minute))
	if !k.Expired || !k.Final() || k.Waiting() {
		t.Fatalf("after a good answer: want expired, got %+v", k)
	}
	old := &Key{Key: "o", AddedAt: t0}
	old.ApplyError(expireErr(), t0.Add(NotYetFor))
	if !old.Expired {
		t.Fatal("still no data long after adding: want expired")
	}
	sent := &Key{Key: "s", AddedAt: t0, SentAt: t0}
	if sent.ExpireIfPast(t0.Add(23*time.Hour)) || !sent.ExpireIfPast(t0.Add(24*time.Hour)) || !sent.Final() {
		t.Fatal("a known window's end must expire the key")
	}
}

// A clock that jumps ahead expires keys only while it is ahead: expiry by
// the clock is derived from SentAt again on every poll. DingTalk's own
// word (expireTime) stays.
func TestClockJumpDoesNotExpireForGood(t *testing.T) {
	cases := []struct {
		name        string
		key         func() *Key
		wantExpired bool // once the clock is back
	}{
		{"expired by the clock only", func() *Key { return liveKey("k", t0, 2) }, false},
		{"confirmed by DingTalk", func() *Key {
			k := liveKey("k", t0, 2)
			k.ApplyAnswer(answer("SUCCESS", map[string]bool{"a": false}), t0.Add(time.Minute))
			k.ApplyError(expireErr(), t0.Add(2*time.Minute))
			return k
		}, true},
		{"saved expired by an older dingwatch, window not over", func() *Key {
			k := liveKey("k", t0, 2)
			k.Expired = true
			return k
		}, false},
		{"pasted key DingTalk called expired: no window to derive", func() *Key {
			k := &Key{Key: "k", AddedAt: t0, Expired: true}
			return k
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := c.key()
			k.ExpireIfPast(t0.Add(3 * 24 * time.Hour)) // the clock jumps three days
			if !k.Expired && !k.SentAt.IsZero() {
				t.Fatal("past the window by the clock: want expired")
			}
			k.ExpireIfPast(t0.Add(time.Hour)) // and comes back
			if k.Expired != c.wantExpired || k.Final() != c.wantExpired {
				t.Fatalf("expired %v final %v, want %v", k.Expired, k.Final(), c.wantExpired)
			}
		})
	}
}

func TestFailureKeepsData(t *testing.T) {
	k := &Key{Key: "k", AddedAt: t0}
	k.ApplyAnswer(answer("SUCCESS", map[string]bool{"a": true, "b": false}), t0)
	k.ApplyError(&dingtalk.Error{HTTPStatus: 500, Code: "system.error", Hint: "busy"}, t0.Add(time.Minute))
	k.ApplyError(errors.New("plain failure"), t0.Add(2*time.Minute))
	if !k.Stale() || k.Failures != 2 || len(k.Recipients) != 2 || k.Err.Hint != "plain failure" {
		t.Fatalf("%+v", k)
	}
	k.ApplyAnswer(answer("SUCCESS", map[string]bool{"a": true, "b": false}), t0.Add(3*time.Minute))
	if k.Stale() || k.Failures != 0 {
		t.Fatalf("recovery: %+v", k)
	}
}

// The people of a batch dingwatch sent are known unread from the send: a
// read in the key's first answer was seen happening (--on-read, the bell,
// "everyone" hear of it), while a pasted key's first answer tells only
// what happened before (tester G16).
func TestFirstAnswerOfASentKeyReportsItsReads(t *testing.T) {
	answer := dingtalk.ReadStatus{SendStatus: dingtalk.SendSuccess, Recipients: []dingtalk.Recipient{
		{UserID: "a", Name: "A", Read: true}, {UserID: "b", Name: "B"}}}
	sent := &Key{Key: "sentKey", SentAt: t0, Recipients: []Recipient{{UserID: "a"}, {UserID: "b"}}}
	fresh := sent.ApplyAnswer(answer, t0.Add(time.Minute))
	if len(fresh) != 1 || fresh[0].UserID != "a" || fresh[0].FirstSeenRead.IsZero() {
		t.Fatalf("a sent key's first answer reported %+v", fresh)
	}
	pasted := &Key{Key: "pastedKey"}
	if fresh := pasted.ApplyAnswer(answer, t0.Add(time.Minute)); len(fresh) != 0 {
		t.Fatalf("a pasted key's first answer reported reads it did not see happen: %+v", fresh)
	}
	if r := pasted.Recipients[0]; !r.Read || !r.FirstSeenRead.IsZero() {
		t.Fatalf("a read before watching got a time: %+v", r)
	}
}
