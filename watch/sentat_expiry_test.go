package watch

import (
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// TestSetSentAtReopensAnExpiryDingTalkMayNotHaveMeant: a key pasted without
// a send time whose first answers were processQueryKey.expireTime is taken
// as expired (DingTalk uses that code for "not generated yet" too). Given a
// send time inside the 24 hours, it is watched again; given one outside, it
// stays expired; and a key DingTalk gave data for before saying expireTime
// stays expired whatever time it is given.
func TestSetSentAtReopensAnExpiryDingTalkMayNotHaveMeant(t *testing.T) {
	now := t0.Add(3 * time.Hour)
	expireErr := &dingtalk.Error{Code: dingtalk.CodeKeyExpireTime, HTTPStatus: 400, Message: "expired"}
	never := &Key{Key: "neverAnsweredKey0001", RobotCode: "r", AddedAt: t0}
	never.ApplyError(expireErr, now)
	answered := &Key{Key: "answeredKey000000001", RobotCode: "r", AddedAt: t0, LastOK: t0.Add(time.Minute)}
	answered.ApplyError(expireErr, now)
	old := &Key{Key: "oldKey00000000000001", RobotCode: "r", AddedAt: t0}
	old.ApplyError(expireErr, now)
	for _, k := range []*Key{never, answered, old} {
		if !k.Expired || !k.ExpiryConfirmed {
			t.Fatalf("%s: expireTime did not confirm the expiry: %+v", k.Key, k)
		}
	}
	e := NewEngine(Options{Client: &blockingQuerier{}, RobotCode: "r", Now: func() time.Time { return now },
		State: &State{Keys: []*Key{never, answered, old}}})

	for key, at := range map[string]time.Time{
		never.Key:    now.Add(-30 * time.Minute),
		answered.Key: now.Add(-30 * time.Minute),
		old.Key:      now.Add(-30 * time.Hour),
	} {
		if err := e.SetSentAt(key, at); err != nil {
			t.Fatal(err)
		}
	}
	st := e.Snapshot().State
	if k := st.Key(never.Key); k.Expired || k.ExpiryConfirmed || k.Err != nil {
		t.Errorf("never answered, sent 30m ago: expired %v confirmed %v err %v; want watched again", k.Expired, k.ExpiryConfirmed, k.Err)
	}
	if k := st.Key(answered.Key); !k.Expired || !k.ExpiryConfirmed {
		t.Errorf("DingTalk gave data then said expired: expired %v confirmed %v; DingTalk's word must stand", k.Expired, k.ExpiryConfirmed)
	}
	if k := st.Key(old.Key); !k.Expired || !k.ExpiryConfirmed {
		t.Errorf("sent 30h ago: expired %v confirmed %v; want expired", k.Expired, k.ExpiryConfirmed)
	}
	if st.Key(never.Key).Final() {
		t.Errorf("the reopened key is final: it will never be asked again")
	}
}
