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
	// Whole is who the whole notice was meant for, merged over every key
	// of it: the report's answers for the keys asked, the saved state for
	// the others. It is Audience when the report has all its keys. What is
	// said of the notice itself ("delivered to nobody") is said of Whole:
	// a batch of it that reached nobody does not make the notice one
	// (tester Q4).
	Whole Audience
	// Partial is set when Keys are some of the notice's saved keys, not
	// all: Audience (read of total) is then of the keys asked.
	Partial bool
	// wholeKeys is how many keys the notice has, saved or asked.
	wholeKeys int
}

// DeliveredToNobody reports whether DingTalk delivered the whole notice
// to none of its people (Whole.DeliveredToNobody).
func (n NoticeStatus) DeliveredToNobody() bool { return n.Whole.DeliveredToNobody() }

// KeysReachedNobody reports whether the keys asked reached nobody while
// the notice, through its other keys, reached people (or may have): what
// is said then is said of those keys, never of the notice.
func (n NoticeStatus) KeysReachedNobody() bool {
	return n.Partial && n.Audience.DeliveredToNobody() && !n.Whole.DeliveredToNobody()
}

// keysAsked names the notice's keys in the report, for what is said of
// them alone: "the key asked (1 of its 2)".
func (n NoticeStatus) keysAsked() string {
	what := "the keys asked"
	if len(n.Keys) == 1 {
		what = "the key asked"
	}
	return fmt.Sprintf("%s (%d of its %d)", what, len(n.Keys), n.wholeKeys)
}

// othersReached says what the notice's other keys did, when the keys
// asked reached nobody: they reached people, or may have (a batch whose
// outcome is unknown).
func (n NoticeStatus) othersReached() string {
	if len(n.Whole.Read)+len(n.Whole.Unread) > 0 {
		return "the notice's other keys reached people"
	}
	return "the notice's other batches may have reached people (their outcome is unknown)"
}

// Troubled reports whether any batch of the notice failed or has an
// unknown outcome, or DingTalk did not deliver it to someone of a sent
// batch (an invalid userId, say): people it was meant for have not got it.
func (n NoticeStatus) Troubled() bool {
	return len(n.Audience.Failed)+len(n.Audience.Unknown)+len(n.Audience.NotDelivered) > 0
}

// Problems are the notice's batch problems in one line each, for the
// end of `dingwatch status` (cleaned for a terminal): the people DingTalk
// did not deliver to, with its reasons (first; "delivered to nobody" when
// that is everyone of the whole notice, and said of the keys asked when
// only they reached nobody), the people of failed batches, who did not
// get it, and apart the people of batches whose outcome is unknown, who
// may have it. Never one count of both, never a count of nobody; nil
// when every batch was sent and delivered to all.
func (n NoticeStatus) Problems() []string {
	var out []string
	switch {
	case n.DeliveredToNobody():
		w := n.Whole
		out = append(out, fmt.Sprintf("notice %q was delivered to nobody: DingTalk did not deliver it to %s (%s)",
			line(n.Label), Plural(len(w.NotDelivered), "person", "people"), line(w.NotDeliveredWhy())))
	case n.KeysReachedNobody():
		// Said of the keys asked: the notice reached people through others.
		a := n.Audience
		out = append(out, fmt.Sprintf("notice %q: DingTalk delivered %s to nobody: %s not delivered (%s); %s",
			line(n.Label), n.keysAsked(), Plural(len(a.NotDelivered), "person", "people"), line(a.NotDeliveredWhy()), n.othersReached()))
	case len(n.Audience.NotDelivered) > 0:
		a, it := n.Audience, "it"
		if n.Partial {
			it = n.keysAsked() // the counts are of those keys
		}
		out = append(out, fmt.Sprintf("notice %q: DingTalk did not deliver %s to %s of %d (%s)",
			line(n.Label), it, Plural(len(a.NotDelivered), "person", "people"), a.Total(), line(a.NotDeliveredWhy())))
	}
	// Failed and unknown people are of the notice's batches, all of them
	// (undeliveredOf): said of the notice already.
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
	// Every saved key of the notices in the report, in one pass: a
	// notice's Whole counts the keys not asked too.
	others := make([][]*Key, len(r.Notices))
	asked := make(map[string]bool, len(keys))
	for _, ks := range keys {
		asked[ks.Key.Key] = true
	}
	for _, k := range saved.Keys {
		if i, ok := index[k.Notice]; ok && k.Notice != "" && !asked[k.Key] {
			others[i] = append(others[i], k)
		}
	}
	for i := range r.Notices {
		n := &r.Notices[i]
		if sn := saved.Notice(n.ID); sn != nil {
			n.Batches = sn.Batches
		}
		n.Audience = AudienceOf(members[i], n.Batches...)
		n.Whole, n.wholeKeys = n.Audience, len(members[i])+len(others[i])
		if len(others[i]) > 0 {
			n.Partial = true
			n.Whole = AudienceOf(append(slices.Clip(members[i]), others[i]...), n.Batches...)
		}
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
		a := AudienceOf(nil, n.Batches...)
		r.Notices = append(r.Notices, NoticeStatus{ID: n.ID, Label: n.Label, Keys: []string{},
			Batches: n.Batches, Audience: a, Whole: a})
	}
}
