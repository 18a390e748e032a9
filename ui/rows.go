package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// row is one line of the key list: a notice (a group of keys) or a key.
// Its counts, state and people are worked out once per snapshot, and not
// again while its notice and keys are the same pointers (the engine never
// changes a *Key or *Notice it has handed out).
type row struct {
	notice  *watch.Notice
	keys    []*watch.Key // the notice's keys, or the one key
	child   int          // for a key shown under its open notice: its batch number (1…)
	read    int
	total   int
	word    string          // the state needing attention first, in a word
	problem bool            // marked with ! on the list
	aud     *watch.Audience // nil until merged: a lone key's when it is selected (withPeople)
	match   string          // the recipient the filter found, when not the title
	titleW  int             // the width of titleOf(true), in cells
}

// rowRef names a row across snapshots without building a string: its
// notice's ID, or its key, and its place under its notice.
type rowRef struct {
	notice, key string
	child       int
}

// ref is the row's rowRef.
func (r row) ref() rowRef {
	if r.notice != nil {
		return rowRef{notice: r.notice.ID, child: r.child}
	}
	return rowRef{key: r.keys[0].Key, child: r.child}
}

// summed fills in a lone key's counts and state; its people are merged
// only when it is selected (withPeople): 20,000 saved keys cost the first
// frame a count each, not a merge each.
func (r row) summed(now time.Time) row {
	if r.notice != nil || len(r.keys) != 1 || len(r.keys[0].NotDelivered) > 0 {
		return r.summedWith(watch.AudienceOf(r.keys), now) // DingTalk's not-delivered count too: merged at once
	}
	r.read, r.total = r.keys[0].Counts() // a key's people are unique: its audience counts the same
	r.word, r.problem = rowState(r, now)
	return r
}

// audience is who the row's keys were meant for; empty until merged
// (withPeople).
func (r row) audience() watch.Audience {
	if r.aud == nil {
		return watch.Audience{}
	}
	return *r.aud
}

// withPeople is r with its people merged in c.
func (r row) withPeople(c *watch.Collation) row {
	if r.aud == nil {
		a := audienceOf(c, r.notice, r.keys)
		r.aud = &a
	}
	return r
}

// summedWith is summed with the row's people already merged (a notice's
// come from the snapshot, merged once for every view).
func (r row) summedWith(aud watch.Audience, now time.Time) row {
	r.aud = &aud
	r.read, r.total = len(aud.Read), aud.Total()
	r.word, r.problem = rowState(r, now)
	return r
}

// same reports whether r was summed from exactly these notice and keys.
func (r row) same(n *watch.Notice, keys []*watch.Key, child int) bool {
	return r.notice == n && r.child == child && slices.Equal(r.keys, keys)
}

// id names the row across snapshots.
func (r row) id() string {
	if r.notice != nil {
		return "n:" + r.notice.ID
	}
	return "k:" + r.keys[0].Key
}

// key is the row's key, or nil for a notice.
func (r row) key() *watch.Key {
	if r.notice != nil {
		return nil
	}
	return r.keys[0]
}

// keyIDs are the row's keys as strings.
func (r row) keyIDs() []string {
	out := make([]string, len(r.keys))
	for i, k := range r.keys {
		out[i] = k.Key
	}
	return out
}

// title is the row's label, or the shortened key, cleaned for one line.
func (r row) title() string { return r.titleOf(false) }

// titleOf is title, with the whole key when full (for a pane wide enough).
func (r row) titleOf(full bool) string {
	if r.notice != nil {
		return clean(r.notice.Label)
	}
	k := r.keys[0]
	var name string
	switch {
	case k.Label != "":
		name = k.Label
	case full:
		name = k.Key
	default:
		name = watch.ShortKey(k.Key)
	}
	name = clean(name)
	if r.child > 0 {
		round := ""
		if k.Round > 0 {
			round = fmt.Sprintf("R%d ", k.Round)
		}
		return fmt.Sprintf("%s#%d %s", round, r.child, name)
	}
	return name
}

// recalled reports whether every key of the row was recalled.
func (r row) recalled() bool {
	for _, k := range r.keys {
		if !k.Recalled() {
			return false
		}
	}
	return len(r.keys) > 0
}

// nobody is the state of a row DingTalk delivered to none of its people
// (watch.Audience.DeliveredToNobody; for a key, watch.Key.DeliveredToNobody):
// every userId of its batches invalid, flow-controlled or filtered. The
// detail pane and `dingwatch status` say "delivered to nobody" and why.
const nobody = "nobody"

// states in the order they need attention; a notice shows the first its
// keys and batches have.
var states = []string{"failed", "unknown", nobody, "error", "stale", "waiting", "loading", "sent", "recalled", "expired", "all read"}

// problems are the states marked with ! on the list. A row whose people
// DingTalk did not all get is marked too, whatever its state (rowState).
var problems = map[string]bool{"failed": true, "unknown": true, nobody: true, "error": true, "stale": true}

// keyState is a key's state in a word.
func keyState(k *watch.Key, now time.Time) string {
	switch {
	case k.Unknown:
		return "unknown"
	case k.DeliveredToNobody():
		// Before recalled and expired: nobody ever had it, and that stays
		// the news once its window is over.
		return nobody
	case k.Recalled():
		return "recalled"
	case k.Expired || k.ExpiredBy(now):
		return "expired"
	case k.Waiting():
		return "waiting"
	case k.Stale():
		return "stale"
	case k.Err != nil:
		return "error"
	case k.LastOK.IsZero() && len(k.Recipients) == 0 && !k.DeliveredToNobody():
		// Nothing known yet. A key sent by dingwatch knows its recipients
		// (and push may have told some reads) before DingTalk's first
		// answer, which with push healthy comes 2 h after sending; one
		// delivered to nobody is never asked (its people: not delivered).
		return "loading"
	case k.Final():
		return "all read"
	case k.SendStatus == "" || k.SendStatus == watch.SendSuccess:
		return "sent"
	}
	return strings.ToLower(clean(k.SendStatus))
}

// rowState is the row's state needing attention first, and whether it is
// a problem: a problem state, or people DingTalk did not deliver to (3 of
// 2,000 invalid userIds: the counts and the state stay, the row is marked
// "!", and the detail pane lists them with DingTalk's reason).
func rowState(r row, now time.Time) (string, bool) {
	best, rank := "", len(states)+1
	consider := func(w string) {
		i := slices.Index(states, w)
		if i < 0 {
			i = slices.Index(states, "sent") // a status DingTalk named: as sent
		}
		if i < rank {
			best, rank = w, i
		}
	}
	a := r.audience()
	for _, k := range r.keys {
		w := keyState(k, now)
		if w == nobody && r.notice != nil {
			continue // a notice is "nobody" by its people (below), not by one batch
		}
		consider(w)
	}
	// A batch counts by who it still leaves out: a failed batch whose
	// people a later batch reached is no longer "failed".
	if len(a.Failed) > 0 {
		consider("failed")
	}
	if len(a.Unknown) > 0 {
		consider("unknown")
	}
	if a.DeliveredToNobody() {
		consider(nobody)
	}
	if best == "" {
		best = "sent" // a notice of keys DingTalk delivered to some, not all: sent
	}
	return best, problems[best] || len(a.NotDelivered) > 0
}

// matches reports whether r matches filter (lower case), and the first
// person it matched by, when it did not match by its title or keys. The
// people are every one the detail pane lists, in its order: a notice's
// merged audience (r.aud: Unread, Not delivered — failed batches and
// DingTalk's not-delivered list —, Outcome unknown, Read), or a lone key's
// recipients and not-delivered list; each by name and id.
func matches(r row, filter string) (bool, string) {
	if filter == "" || strings.Contains(strings.ToLower(r.title()), filter) {
		return true, ""
	}
	for _, k := range r.keys {
		if strings.Contains(strings.ToLower(k.Key+" "+k.Label), filter) {
			return true, ""
		}
	}
	found := func(name, id string) bool {
		return strings.Contains(strings.ToLower(name), filter) || strings.Contains(strings.ToLower(id), filter)
	}
	if r.aud != nil {
		a := r.aud
		for _, list := range [][]watch.Person{a.Unread, a.Failed, a.NotDelivered, a.Unknown, a.Read} {
			for _, p := range list {
				if found(p.Name, idOf(p.Recipient)) {
					return true, personName(p.Name, idOf(p.Recipient))
				}
			}
		}
		return false, ""
	}
	for _, k := range r.keys {
		for _, p := range k.Recipients {
			if found(p.Name, idOf(p)) {
				return true, personName(p.Name, idOf(p))
			}
		}
	}
	for _, k := range r.keys {
		for _, u := range k.NotDelivered {
			if found("", u.UserID) {
				return true, clean(u.UserID)
			}
		}
	}
	return false, ""
}

// timeLeft is the window left of the row's keys that DingTalk still
// answers for — the first to end ("21h04m") —, "—" once every key is
// recalled, "ended" once every window has, or the time since added
// ("+3m") of the first key not recalled whose send time is unknown. A
// recalled key has no window: it never speaks for the row.
func timeLeft(r row, now time.Time) string {
	if len(r.keys) == 0 || r.recalled() {
		return "—"
	}
	soonest, live := time.Duration(0), false
	var unknown *watch.Key
	for _, k := range r.keys {
		if k.Recalled() {
			continue
		}
		left, ok := k.TimeLeft(now)
		switch {
		case !ok && unknown == nil:
			unknown = k
		case ok && left > 0 && (!live || left < soonest):
			soonest, live = left, true
		}
	}
	switch {
	case live:
		return span(soonest)
	case unknown != nil:
		return "+" + span(max(0, now.Sub(unknown.AddedAt)))
	}
	return "ended"
}

// personName is the name to show for a person: their name, or their id
// (userId, else unionId) while DingTalk has not given a name; cleaned
// for one line.
func personName(name, id string) string {
	if strings.TrimSpace(name) == "" {
		return clean(id)
	}
	return clean(name)
}
