package watch

import (
	"errors"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// NotYetFor is how long after a key's start processQueryKey.expireTime
// means "not generated yet" rather than "expired", when no good answer has
// come yet.
const NotYetFor = 10 * time.Minute

// ApplyAnswer merges a good readStatus answer seen at now and returns the
// recipients newly seen read. READ never goes back to UNREAD, and people
// missing from a later answer are kept.
func (k *Key) ApplyAnswer(rs dingtalk.ReadStatus, now time.Time) []Recipient {
	k.SendStatus = rs.SendStatus
	k.LastOK, k.LastTry = now, now
	k.Polls++
	k.Failures, k.Err = 0, nil
	index := make(map[string]int, len(k.Recipients))
	for i, r := range k.Recipients {
		index[r.UserID] = i
	}
	var fresh []Recipient
	for _, in := range rs.Recipients {
		i, known := index[in.UserID]
		if !known {
			k.Recipients = append(k.Recipients, Recipient{UserID: in.UserID, Name: in.Name})
			i = len(k.Recipients) - 1
			index[in.UserID] = i
		}
		r := &k.Recipients[i]
		if in.Name != "" && r.Name != in.Name {
			r.Name = in.Name
		}
		if in.Read && !r.Read {
			r.Read, r.FirstSeenRead = true, firstSeen(in.ReadAt, k.Start(), now)
			fresh = append(fresh, *r)
		}
	}
	if len(fresh) > 0 || k.LastChange.IsZero() {
		k.LastChange = now
	}
	return fresh
}

// firstSeen is DingTalk's read time when it gave a plausible one, else now.
func firstSeen(readAt, start, now time.Time) time.Time {
	if !readAt.IsZero() && !readAt.After(now) && readAt.After(start.Add(-Window)) {
		return readAt
	}
	return now
}

// ApplyError records a failed query at now. processQueryKey.expireTime
// means "not generated yet" early in a key's life and "expired" after a
// good answer or once the window is over.
func (k *Key) ApplyError(err error, now time.Time) {
	k.LastTry = now
	k.Polls++
	var e *dingtalk.Error
	if !errors.As(err, &e) {
		e = &dingtalk.Error{Code: "error", Message: err.Error(), Hint: err.Error()}
	}
	k.Err = &KeyError{Code: e.Code, HTTPStatus: e.HTTPStatus, Message: e.Message, Hint: e.Hint, RequestID: e.RequestID, At: now}
	if e.Code == dingtalk.CodeKeyExpireTime {
		if !k.LastOK.IsZero() || now.Sub(k.Start()) >= NotYetFor {
			k.Expired = true
			k.Err.Hint = "expired: DingTalk keeps read status for 24 hours after sending"
			return
		}
		k.Err.Hint = "waiting for DingTalk to generate the read status"
		return
	}
	k.Failures++
}

// ExpireIfPast marks the key expired once its known window is over; it
// reports whether that changed anything.
func (k *Key) ExpireIfPast(now time.Time) bool {
	if k.Expired || k.SentAt.IsZero() || now.Before(k.SentAt.Add(Window)) {
		return false
	}
	k.Expired = true
	return true
}
