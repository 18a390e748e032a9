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

// clockSkew is how far in the future (on the local clock) a read time
// DingTalk gives may be and still be taken: the two clocks differ a little.
const clockSkew = 5 * time.Minute

// ApplyAnswer merges a good readStatus answer seen at now and returns the
// recipients dingwatch saw go from unread to read in it. At the key's
// first good answer that is only those it already knew unread (the people
// of a batch dingwatch sent: they read after the send); the others' reads
// happened at unknown moments before (they get DingTalk's read time when
// it gave one, else no time). READ never goes
// back to UNREAD, people missing from a later answer are kept, and a
// recalled key stays recalled whatever a later answer says.
func (k *Key) ApplyAnswer(rs dingtalk.ReadStatus, now time.Time) []Recipient {
	first := k.LastOK.IsZero()
	status := rs.SendStatus
	if k.Recalled() {
		status = dingtalk.SendRecalled
	}
	k.SendStatus = status
	k.LastOK, k.LastTry = now, now
	if first {
		k.FirstOK = now // the readers with no time read before it
	}
	k.Polls++
	k.Failures, k.Err = 0, nil
	index := make(map[string]int, len(k.Recipients))
	for i, r := range k.Recipients {
		if r.UserID != "" {
			index[r.UserID] = i
		}
	}
	var fresh []Recipient
	newRead := false
	for _, in := range rs.Recipients {
		if in.UserID == "" {
			continue // cannot be told apart from anyone: nothing to merge
		}
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
		given := plausibleReadAt(in.ReadAt, k.Start(), now)
		switch {
		case in.Read && !r.Read:
			r.Read, newRead = true, true
			r.FirstSeenRead = given
			if !first || known { // known unread before this answer: seen going to read
				if r.FirstSeenRead.IsZero() {
					r.FirstSeenRead = now // seen unread before, read now
				}
				fresh = append(fresh, *r)
			}
		case in.Read && r.FirstSeenRead.IsZero() && !given.IsZero():
			r.FirstSeenRead = given // DingTalk tells a time it had not given
		}
	}
	if newRead || k.LastChange.IsZero() {
		k.LastChange = now
	}
	return fresh
}

// plausibleReadAt is DingTalk's read time when it gave a plausible one (not
// after now beyond clock skew, not before the key's window), else zero.
func plausibleReadAt(readAt, start, now time.Time) time.Time {
	if readAt.IsZero() || readAt.After(now.Add(clockSkew)) || !readAt.After(start.Add(-Window)) {
		return time.Time{}
	}
	return readAt
}

// ApplyPushedRead merges a read DingTalk pushed (robot_msg_read): the
// reader by userId, or by unionId when the event has no userId (a reader
// outside the organisation), read at at (DingTalk's operatTime; zero when
// the event gave none). A reader not yet known is added. It counts on a
// frozen key too (expired, recalled, past its window): the event is
// DingTalk's own word. It reports whether the reader was unread before;
// READ never goes back to UNREAD, and an earlier pushed time replaces a
// later one.
func (k *Key) ApplyPushedRead(userID, unionID string, at time.Time) (newlyRead bool) {
	if userID == "" && unionID == "" {
		return false
	}
	i := -1
	for j, r := range k.Recipients {
		if userID != "" && r.UserID == userID || userID == "" && r.UserID == "" && r.UnionID == unionID {
			i = j
			break
		}
	}
	if i < 0 {
		k.Recipients = append(k.Recipients, Recipient{UserID: userID, UnionID: unionID})
		i = len(k.Recipients) - 1
	}
	r := &k.Recipients[i]
	if r.UnionID == "" && unionID != "" {
		r.UnionID = unionID
	}
	if !r.Read {
		r.Read, newlyRead = true, true
		r.FirstSeenRead = at
	} else if !at.IsZero() && (r.FirstSeenRead.IsZero() || at.Before(r.FirstSeenRead)) {
		r.FirstSeenRead = at
	}
	if newlyRead && at.After(k.LastChange) {
		k.LastChange = at
	}
	return newlyRead
}

// ApplyRecall marks the key recalled at at (dingwatch's recall, or a
// pushed robot_msg_recall); it reports whether the key was not recalled
// before. A recalled key is final and stops counting down its window.
func (k *Key) ApplyRecall(at time.Time) bool {
	if !k.RecalledAt.IsZero() {
		return false
	}
	was := k.Recalled()
	k.SendStatus, k.RecalledAt, k.Err = dingtalk.SendRecalled, at, nil
	return !was
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
			// DingTalk's own answer: final, unlike the local clock's verdict.
			k.Expired, k.ExpiryConfirmed = true, true
			k.Err.Hint = "expired: DingTalk keeps read status for 24 hours after sending"
			return
		}
		k.Err.Hint = "waiting for DingTalk to generate the read status"
		return
	}
	k.Failures++
}

// SetSentAt records that the key was sent at at (now is the present) and
// derives Expired again. DingTalk's word that the data expired
// (ExpiryConfirmed) is dropped when the new time puts the key back inside
// its 24-hour window and DingTalk never gave data for it (LastOK zero):
// DingTalk answers processQueryKey.expireTime both for data not generated
// yet and for data expired, and without a send time dingwatch read it as
// "expired" by the time the key was added; with the time now known the
// key is asked again, and a further expireTime answer confirms it anew.
// Once DingTalk gave data and then said expireTime, the data is gone
// whatever the time says, and ExpiryConfirmed stays.
func (k *Key) SetSentAt(at, now time.Time) {
	k.SentAt = at
	if k.ExpiryConfirmed && k.LastOK.IsZero() && !k.ExpiredBy(now) {
		k.ExpiryConfirmed = false
		if k.Err != nil && k.Err.Code == dingtalk.CodeKeyExpireTime {
			k.Err = nil // its hint said "expired", which is no longer known
		}
	}
	k.Expired = false
	k.ExpireIfPast(now)
}

// ExpireIfPast derives Expired again at now: set when DingTalk confirmed
// it or the known window is over, cleared otherwise (a clock that had
// jumped ahead came back). It reports whether that changed anything.
func (k *Key) ExpireIfPast(now time.Time) bool {
	want := k.ExpiryConfirmed || k.ExpiredBy(now) ||
		k.Expired && k.SentAt.IsZero() // no window to derive it from: keep it
	if k.Expired == want {
		return false
	}
	k.Expired = want
	return true
}
