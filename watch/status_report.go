package watch

import (
	"fmt"
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
	// people of its failed or unknown batches and those DingTalk did not
	// deliver to; Audience.Total is how many that is.
	Audience Audience
	// Batches are the notice's batches, as saved.
	Batches []Batch
}

// Troubled reports whether any batch of the notice failed or has an
// unknown outcome, or DingTalk did not deliver it to someone of a sent
// batch (an invalid userId, say): people it was meant for have not got it.
func (n NoticeStatus) Troubled() bool {
	return len(n.Audience.Failed)+len(n.Audience.Unknown)+len(n.Audience.NotDelivered) > 0
}

// Problems are the notice's batch problems in one line each, for the
// end of `dingwatch status` (cleaned for a terminal): the people DingTalk
// did not deliver to, with its reasons (first, and said as "delivered to
// nobody" when that is everyone), the people of failed batches, who did
// not get it, and apart the people of batches whose outcome is unknown,
// who may have it. Never one count of both, never a count of nobody; nil
// when every batch was sent and delivered to all.
func (n NoticeStatus) Problems() []string {
	var out []string
	if nd := len(n.Audience.NotDelivered); nd > 0 {
		why := line(n.Audience.NotDeliveredWhy())
		if n.Audience.DeliveredToNobody() {
			out = append(out, fmt.Sprintf("notice %q was delivered to nobody: DingTalk did not deliver it to %s (%s)",
				line(n.Label), Plural(nd, "person", "people"), why))
		} else {
			out = append(out, fmt.Sprintf("notice %q: DingTalk did not deliver it to %s of %d (%s)",
				line(n.Label), Plural(nd, "person", "people"), n.Audience.Total(), why))
		}
	}
	if failed := len(n.Audience.Failed); failed > 0 {
		out = append(out, fmt.Sprintf("notice %q did not reach %s of failed batches (dingwatch send --resend %q sends to them)",
			line(n.Label), Plural(failed, "person", "people"), line(n.ID)))
	}
	if unknown := len(n.Audience.Unknown); unknown > 0 {
		out = append(out, fmt.Sprintf("notice %q: %s in batches whose outcome is unknown may have it (dingwatch send --resend %q --include-unknown --yes-duplicates sends it again, which may duplicate it)",
			line(n.Label), Plural(unknown, "person", "people"), line(n.ID)))
	}
	return out
}

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
	}
	return r
}

// Troubled reports whether any notice of the report has a failed or
// unknown batch, or people DingTalk did not deliver to.
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
