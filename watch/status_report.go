package watch

import (
	"slices"
	"time"
)

// StatusReport is what a one-shot status query found: each key asked, in
// order, and a summary of each notice those keys belong to. The text,
// JSON and CSV forms of `dingwatch status` are written from it.
type StatusReport struct {
	CheckedAt time.Time
	Keys      []KeyStatus
	Notices   []NoticeStatus
	// Push is the health of the reporting process's Stream connection (the
	// SSH server's); zero when it has none.
	Push PushStatus
}

// NoticeStatus sums up one notice over the keys of it in a report.
type NoticeStatus struct {
	ID    string
	Label string
	// Keys are the notice's processQueryKeys in the report, in order.
	Keys []string
	// Audience is who the notice was meant for, merged over Keys, with the
	// people of its failed or unknown batches in Audience.Undelivered.
	Audience Audience
	// Batches are the notice's batches, as saved.
	Batches []Batch
	// NotDelivered are the people of sent batches DingTalk did not deliver
	// to (invalid, flow-controlled, filtered userIds), with its reason,
	// over Keys, each userId once: part of everyone the notice was meant
	// for, as in the CSV's NOT_DELIVERED rows. The same as
	// Audience.NotDelivered.
	NotDelivered []Undelivered
}

// Meant is how many people the notice was meant for, the people DingTalk
// did not deliver to included: Audience.Total.
func (n NoticeStatus) Meant() int { return n.Audience.Total() }

// Troubled reports whether any batch of the notice failed or has an
// unknown outcome.
func (n NoticeStatus) Troubled() bool { return len(n.Audience.Undelivered) > 0 }

// NewStatusReport sums up keys by notice, with saved giving each notice's
// label and batches.
func NewStatusReport(saved *State, keys []KeyStatus, checked time.Time) *StatusReport {
	r := &StatusReport{CheckedAt: checked, Keys: keys}
	index := map[string]int{}
	var members [][]*Key
	for _, ks := range keys {
		id := ks.Key.Notice
		if id == "" {
			continue
		}
		i, ok := index[id]
		if !ok {
			i = len(r.Notices)
			index[id] = i
			label := id
			if n := saved.Notice(id); n != nil {
				label = n.Label
			}
			r.Notices = append(r.Notices, NoticeStatus{ID: id, Label: label})
			members = append(members, nil)
		}
		r.Notices[i].Keys = append(r.Notices[i].Keys, ks.Key.Key)
		members[i] = append(members[i], ks.Key)
	}
	for i := range r.Notices {
		if n := saved.Notice(r.Notices[i].ID); n != nil {
			r.Notices[i].Batches = n.Batches
		}
		r.Notices[i].Audience = AudienceOf(members[i], r.Notices[i].Batches...)
		r.Notices[i].NotDelivered = r.Notices[i].Audience.NotDelivered
	}
	return r
}

// Troubled reports whether any notice of the report has a failed or
// unknown batch.
func (r *StatusReport) Troubled() bool {
	for _, n := range r.Notices {
		if n.Troubled() {
			return true
		}
	}
	return false
}

// AddNotices summarises the saved notices ids that the report does not
// summarise yet, such as a notice none of whose batches was sent (it has
// no key to ask about). Unknown ids are skipped.
func (r *StatusReport) AddNotices(saved *State, ids ...string) {
	for _, id := range ids {
		if slices.ContainsFunc(r.Notices, func(n NoticeStatus) bool { return n.ID == id }) {
			continue
		}
		n := saved.Notice(id)
		if n == nil || len(n.Batches) == 0 {
			continue // nothing to say without a key or a batch
		}
		r.Notices = append(r.Notices, NoticeStatus{ID: n.ID, Label: n.Label, Keys: []string{},
			Batches: n.Batches, Audience: AudienceOf(nil, n.Batches...)})
	}
}
