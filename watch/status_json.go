package watch

import (
	"errors"
	"io"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// The documented JSON shape of `dingwatch status --json`. Values are raw
// (encoding/json escapes them); times are RFC 3339 in UTC.
type (
	statusJSON struct {
		CheckedAt string        `json:"checkedAt"`
		Push      *PushStatus   `json:"push,omitempty"` // only when the reporter has a Stream connection
		Messages  []messageJSON `json:"messages"`
		Notices   []noticeJSON  `json:"notices"`
	}
	messageJSON struct {
		ProcessQueryKey string `json:"processQueryKey"`
		// Label is the key's own label (set in the dashboard), if any.
		Label      string `json:"label,omitempty"`
		Notice     string `json:"notice,omitempty"`
		SendStatus string `json:"sendStatus"`
		// Expired: past DingTalk's 24 hours, not asked; as last saved.
		Expired bool `json:"expired,omitempty"`
		// DeliveredToNobody: DingTalk delivered the batch to nobody (the
		// notice's undelivered people say why); not asked.
		DeliveredToNobody bool `json:"deliveredToNobody"`
		ReadCount         int  `json:"readCount"`
		// Total counts Read, Unread and Undelivered, as the dashboard's
		// row does (a key that reached nobody: 0 of its batch's people).
		Total  int          `json:"total"`
		Read   []personJSON `json:"read"`
		Unread []personJSON `json:"unread"`
		// Undelivered are the people of the key's batch DingTalk did not
		// deliver to, with its reason.
		Undelivered []personJSON `json:"undelivered"`
		Error       *errorJSON   `json:"error,omitempty"`
	}
	personJSON struct {
		UserID string `json:"userId"`
		// UnionID names a reader from outside the organisation, who has no
		// userId (a pushed read).
		UnionID string `json:"unionId,omitempty"`
		Name    string `json:"name"`
		// FirstSeenRead is set only when dingwatch saw the person go from
		// unread to read, or DingTalk gave a read time.
		FirstSeenRead string `json:"firstSeenRead,omitempty"`
		// Batch is "failed" for people whose batch was not sent, "unknown"
		// for people whose batch may have been sent (they may have it), and
		// "sent" for people DingTalk did not deliver to.
		Batch string `json:"batch,omitempty"`
		// Reason is why DingTalk did not deliver to someone of a sent batch.
		Reason string `json:"reason,omitempty"`
	}
	errorJSON struct {
		Code       string `json:"code"`
		HTTPStatus int    `json:"httpStatus"`
		Message    string `json:"message"`
		RequestID  string `json:"requestId"`
	}
	noticeJSON struct {
		ID        string   `json:"id"`
		Label     string   `json:"label"`
		Keys      []string `json:"keys"`
		ReadCount int      `json:"readCount"`
		Total     int      `json:"total"`
		// DeliveredToNobody: DingTalk delivered the whole notice (every
		// key of it, asked or not) to none of its people
		// (NoticeStatus.DeliveredToNobody); Undelivered says why. Keys
		// asked that reached nobody of a notice that reached people say it
		// in their messages, not here (tester Q4).
		DeliveredToNobody bool         `json:"deliveredToNobody"`
		Unread            []personJSON `json:"unread"`
		// Undelivered are the people it surely did not reach: of failed
		// batches, and those DingTalk did not deliver to.
		Undelivered []personJSON `json:"undelivered"`
		// OutcomeUnknown are the people of batches whose outcome is unknown:
		// they may have it.
		OutcomeUnknown []personJSON `json:"outcomeUnknown"`
	}
)

// WriteJSON writes the report as one indented JSON object.
func (r *StatusReport) WriteJSON(w io.Writer) error {
	out := statusJSON{CheckedAt: r.CheckedAt.UTC().Format(time.RFC3339), Messages: []messageJSON{}, Notices: []noticeJSON{}}
	if r.Push.State != "" {
		out.Push = &r.Push
	}
	for _, ks := range r.Keys {
		k := ks.Key
		m := messageJSON{ProcessQueryKey: k.Key, Label: k.Label, Notice: k.Notice, Read: []personJSON{}, Unread: []personJSON{}, Undelivered: []personJSON{}}
		if ks.Err != nil {
			m.Error = errorOf(ks.Err)
		} else {
			m.SendStatus, m.Expired, m.DeliveredToNobody = k.SendStatus, ks.Expired, ks.Undelivered
			for _, p := range k.Recipients {
				if p.Read {
					m.Read = append(m.Read, personJSON{UserID: p.UserID, UnionID: p.UnionID, Name: p.Name, FirstSeenRead: jsonTime(p.FirstSeenRead)})
				} else {
					m.Unread = append(m.Unread, personJSON{UserID: p.UserID, UnionID: p.UnionID, Name: p.Name})
				}
			}
			for _, p := range AudienceOf([]*Key{k}).NotDelivered {
				m.Undelivered = append(m.Undelivered, personJSON{UserID: p.UserID, Batch: p.Batch, Reason: p.Reason})
			}
			m.ReadCount, m.Total = len(m.Read), len(m.Read)+len(m.Unread)+len(m.Undelivered)
		}
		out.Messages = append(out.Messages, m)
	}
	for _, n := range r.Notices {
		nj := noticeJSON{ID: n.ID, Label: n.Label, Keys: n.Keys, ReadCount: len(n.Audience.Read),
			Total: n.Audience.Total(), DeliveredToNobody: n.DeliveredToNobody(), Unread: []personJSON{}, Undelivered: []personJSON{}, OutcomeUnknown: []personJSON{}}
		for _, p := range n.Audience.Unread {
			nj.Unread = append(nj.Unread, personJSON{UserID: p.UserID, Name: p.Name})
		}
		for _, p := range n.Audience.Missed() {
			nj.Undelivered = append(nj.Undelivered, personJSON{UserID: p.UserID, Name: p.Name, Batch: p.Batch, Reason: p.Reason})
		}
		for _, p := range n.Audience.Unknown {
			nj.OutcomeUnknown = append(nj.OutcomeUnknown, personJSON{UserID: p.UserID, Name: p.Name, Batch: p.Batch})
		}
		out.Notices = append(out.Notices, nj)
	}
	return writeIndented(w, out)
}

// jsonTime is t in RFC 3339 (UTC), or "" for the zero time.
func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func errorOf(err error) *errorJSON {
	var e *dingtalk.Error
	if u := (*LedgerUnknownError)(nil); errors.As(err, &u) && u.Cause != nil {
		// Not about the budget: the calls could not be counted on disk
		// (the ledger's lock, the inbox); the state directory needs a look.
		return &errorJSON{Code: "ledger", Message: err.Error()}
	}
	if NotAskedForBudget(err) {
		return &errorJSON{Code: "budget", Message: err.Error()}
	}
	if errors.As(err, &e) {
		return &errorJSON{Code: e.Code, HTTPStatus: e.HTTPStatus, Message: e.Hint + ": " + e.Message, RequestID: e.RequestID}
	}
	return &errorJSON{Code: "error", Message: err.Error()}
}
