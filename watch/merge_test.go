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
