package watch

import (
	"slices"
	"time"
)

// Person is a recipient across one or more keys of a notice, or someone
// the notice was meant for whom no key reached.
type Person struct {
	Recipient
	// Key is the key where they were first seen read, or their first key
	// (for Audience.NotDelivered: the key whose batch DingTalk did not
	// deliver to them); "" for someone whose batch failed or has an
	// unknown outcome.
	Key string
	// Batch is "" for someone a sent key reached; BatchFailed (in
	// Audience.Failed) or BatchUnknown (Audience.Unknown): the state of the
	// latest batch that was to reach them; BatchSent in
	// Audience.NotDelivered.
	Batch string
	// Reason is why DingTalk did not deliver to them (Audience.NotDelivered
	// only), as DingTalk said it.
	Reason string
}

// earliest is the earlier of two moments, a zero one not counting.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

// Audience is who a notice (or a group of keys) was meant for: who has
// read it, who has not, who it did not reach (their batch failed, or
// DingTalk did not deliver to them), and who may or may not have it (their
// batch's outcome is unknown). A person reached by several keys (a
// reminder round) counts once, read if they read any of them. Each person
// the notice was meant for is in exactly one list; Total counts them all,
// and every view and report counts by it.
type Audience struct {
	// Read are the readers: those whose read time is unknown first (they
	// read before dingwatch first asked), by name, then by read time.
	Read []Person
	// Unread are reached and not yet read, by name (SortPeople).
	Unread []Person
	// Failed are in a batch that failed (it was not sent) and reached by no
	// later batch; by name.
	Failed []Person
	// Unknown are in a batch whose outcome is unknown and reached by no
	// later batch: they may have the notice (it may have been sent; its
	// reads cannot be watched). Never call them "not sent"; by name.
	Unknown []Person
	// NotDelivered are in a sent batch but DingTalk did not deliver to them
	// (an invalid or flow-controlled userId: Person.Reason says why), and
	// reached by no key; by name.
	NotDelivered []Person

	// unknownBy is when every reader whose time is unknown had read at the
	// latest (see readBounds); zero when there is none, or when for one of
	// them not even that is known (keys saved by an older dingwatch).
	unknownBy time.Time
}

// readBounds tracks, while an audience is merged, for each person (by
// index) whose read time is unknown, the latest moment they can have
// read: the first answer of a key that showed them read already
// (Key.FirstOK), or a read time seen on another key of theirs, whichever
// is earlier. It allocates only once such a reader appears.
type readBounds struct {
	n  int     // people there can be
	by []int64 // by person index, Unix nanoseconds; 0: no bound known (yet)
}

// note records that person i had read by at (a zero at tells nothing).
func (b *readBounds) note(i int, at time.Time) {
	if at.IsZero() {
		return
	}
	if b.by == nil {
		b.by = make([]int64, b.n)
	}
	if t := at.UnixNano(); b.by[i] == 0 || t < b.by[i] {
		b.by[i] = t
	}
}

// all is when every reader of all whose time is unknown had read at the
// latest; zero when there is none or one has no bound.
func (b *readBounds) all(people []Person) time.Time {
	var last int64
	for i, p := range people {
		if !p.Read || !p.FirstSeenRead.IsZero() {
			continue
		}
		if b.by == nil || b.by[i] == 0 {
			return time.Time{}
		}
		last = max(last, b.by[i])
	}
	if last == 0 {
		return time.Time{}
	}
	return time.Unix(0, last).UTC()
}

// AudienceOf merges the recipients of keys with the people of batches
// (a notice's Batches) that reached none of them. Without batches it is
// the audience of the keys alone.
func AudienceOf(keys []*Key, batches ...Batch) Audience {
	return audienceOf(nil, keys, batches)
}

// Audience is AudienceOf in the collation c, which it may reuse (making a
// collation costs more than merging a key of a few people).
func (c *Collation) Audience(keys []*Key, batches ...Batch) Audience {
	return audienceOf(c, keys, batches)
}

// audienceOf is AudienceOf in the collation c; nil: the default one, made
// only when there is something to sort.
func audienceOf(c *Collation, keys []*Key, batches []Batch) Audience {
	n := 0
	for _, k := range keys {
		n += len(k.Recipients)
	}
	var byID map[string]int // a key's people are unique: one key needs no merge
	if len(keys) != 1 || len(batches) > 0 || len(keys[0].NotDelivered) > 0 {
		byID = make(map[string]int, n)
	}
	all := make([]Person, 0, n)
	bounds := readBounds{n: n}
	for _, k := range keys {
		for _, r := range k.Recipients {
			unknown := r.Read && r.FirstSeenRead.IsZero() // read before k's first answer
			if byID == nil {
				if unknown {
					bounds.note(len(all), k.FirstOK)
				}
				all = append(all, Person{Recipient: r, Key: k.Key})
				continue
			}
			id := r.ID()
			i, ok := byID[id]
			if !ok {
				if unknown {
					bounds.note(len(all), k.FirstOK)
				}
				byID[id] = len(all)
				all = append(all, Person{Recipient: r, Key: k.Key})
				continue
			}
			p := &all[i]
			if p.Name == "" && r.Name != "" {
				p.Name = r.Name
			}
			if !r.Read {
				continue
			}
			// Read on any key is read, by the earliest moment any says.
			switch {
			case !p.Read:
				p.Read, p.FirstSeenRead, p.Key = true, r.FirstSeenRead, k.Key
				if unknown {
					bounds.note(i, k.FirstOK)
				}
			case p.FirstSeenRead.IsZero():
				// read at an unknown moment: another key's time says nothing
				// earlier, but it bounds that moment
				by := r.FirstSeenRead
				if unknown {
					by = k.FirstOK
				}
				bounds.note(i, by)
			case unknown:
				bounds.note(i, earliest(p.FirstSeenRead, k.FirstOK)) // read by the time seen on p's other key at the latest
				p.FirstSeenRead, p.Key = time.Time{}, k.Key
			case r.FirstSeenRead.Before(p.FirstSeenRead):
				p.FirstSeenRead, p.Key = r.FirstSeenRead, k.Key
			}
		}
	}
	read := 0
	for _, p := range all {
		if p.Read {
			read++
		}
	}
	a := Audience{Read: make([]Person, 0, read), Unread: make([]Person, 0, len(all)-read), unknownBy: bounds.all(all)}
	for _, p := range all {
		if p.Read {
			a.Read = append(a.Read, p)
		} else {
			a.Unread = append(a.Unread, p)
		}
	}
	unsent := undeliveredOf(batches, byID)
	for _, u := range unsent {
		if u.Batch == BatchUnknown {
			a.Unknown = append(a.Unknown, u.Person)
		} else {
			a.Failed = append(a.Failed, u.Person)
		}
	}
	a.NotDelivered = notDeliveredOf(keys, byID, unsent)
	if c == nil && max(len(a.Read), len(a.Unread), len(a.Failed), len(a.Unknown), len(a.NotDelivered)) > 1 {
		c = DefaultCollation()
	}
	if c != nil {
		c.Sort(a.Read)
		c.Sort(a.Unread)
		c.Sort(a.Failed)
		c.Sort(a.Unknown)
		c.Sort(a.NotDelivered)
	}
	sortByReadTime(a.Read)
	return a
}

// notDeliveredOf are the people keys' sent batches did not deliver to,
// each userId once (the first key's reason), leaving out those any key
// reached (by ID: a later reminder delivered to them) and those of unsent
// batches (counted there).
func notDeliveredOf(keys []*Key, reached map[string]int, unsent []unsentPerson) []Person {
	var out []Person
	seen := map[string]bool{}
	for _, u := range unsent {
		seen[u.UserID] = true
	}
	for _, k := range keys {
		for _, u := range k.NotDelivered {
			if _, ok := reached[u.UserID]; ok || seen[u.UserID] || u.UserID == "" {
				continue
			}
			seen[u.UserID] = true
			out = append(out, Person{Recipient: Recipient{UserID: u.UserID}, Key: k.Key, Batch: BatchSent, Reason: u.Reason})
		}
	}
	return out
}

// sortByReadTime orders readers without a known time first, then by read
// time, keeping the order they had otherwise (by name).
func sortByReadTime(read []Person) {
	idx := make([]int, len(read))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int {
		x, y := read[i].FirstSeenRead, read[j].FirstSeenRead
		switch xz, yz := x.IsZero(), y.IsZero(); {
		case xz && yz:
			return 0
		case xz:
			return -1
		case yz:
			return 1
		}
		return x.Compare(y)
	})
	permute(read, idx)
}

// unsentPerson is someone of a failed or unknown batch with that batch.
type unsentPerson struct {
	Person
	batch Batch
}

// undeliveredOf lists the people of failed and unknown batches that no
// sent batch and no key (reached, by ID) covers, each with the latest such
// batch, in the order the batches first name them.
func undeliveredOf(batches []Batch, reached map[string]int) []unsentPerson {
	sent := map[string]bool{}
	for _, b := range batches {
		if b.Status == BatchSent {
			for _, id := range b.UserIDs {
				sent[id] = true
			}
		}
	}
	at := map[string]int{}
	var out []unsentPerson
	for _, b := range batches {
		if b.Status != BatchFailed && b.Status != BatchUnknown {
			continue
		}
		for _, id := range b.UserIDs {
			if _, ok := reached[id]; ok || sent[id] || id == "" {
				continue
			}
			i, ok := at[id]
			if !ok {
				i = len(out)
				at[id] = i
				out = append(out, unsentPerson{Person: Person{Recipient: Recipient{UserID: id}}})
			}
			out[i].Batch, out[i].batch = b.Status, b // the latest batch tells
		}
	}
	return out
}

// Batches are the group's notice's batches; nil for a lone key.
func (g Group) Batches() []Batch {
	if g.Notice == nil {
		return nil
	}
	return g.Notice.Batches
}

// Audience is the audience of the group: its keys and, for a notice, the
// people of its batches that were not sent.
func (g Group) Audience() Audience { return AudienceOf(g.Keys, g.Batches()...) }

// Start is when the group was sent: the earliest known send time of its
// keys (a notice made from keys watched before takes theirs, not the
// moment it was made); ok is false when no key's send time is known.
func (g Group) Start() (start time.Time, ok bool) {
	for _, k := range g.Keys {
		if !k.SentAt.IsZero() && (start.IsZero() || k.SentAt.Before(start)) {
			start = k.SentAt
		}
	}
	return start, !start.IsZero()
}

// Total is how many people the notice was meant for: read, unread,
// failed, unknown and not delivered. It is the one count of a notice's
// people: the dashboard, the SSH text status and `status` (text, JSON,
// CSV) all show it.
func (a Audience) Total() int {
	return len(a.Read) + len(a.Unread) + len(a.Failed) + len(a.Unknown) + len(a.NotDelivered)
}

// Missed are the people the notice surely did not reach: Failed, then
// NotDelivered (those who may have it, Unknown, are not among them).
func (a Audience) Missed() []Person {
	return append(slices.Clip(a.Failed), a.NotDelivered...)
}

// UnknownReadTimes is how many readers have no known read time: they read
// before dingwatch first asked and DingTalk gave no time. Timeline and
// TimeTo leave them out.
func (a Audience) UnknownReadTimes() int {
	n := 0
	for _, p := range a.Read {
		if p.FirstSeenRead.IsZero() {
			n++
		}
	}
	return n
}

// Timeline is how many readers with a known read time had read at evenly
// spaced moments from start to end (points samples, points ≥ 2). Readers
// whose time is unknown are not counted (see UnknownReadTimes).
func (a Audience) Timeline(start, end time.Time, points int) []int {
	if points < 2 || !end.After(start) {
		return nil
	}
	known := a.Read[a.UnknownReadTimes():] // unknown times sort first
	out := make([]int, points)
	step := end.Sub(start) / time.Duration(points-1)
	j := 0
	for i := range out {
		at := start.Add(step * time.Duration(i))
		if i == points-1 {
			at = end // not a rounded step short of it: the last read counts
		}
		for j < len(known) && !known[j].FirstSeenRead.After(at) {
			j++
		}
		out[i] = j
	}
	return out
}

// Reached reports whether the given fraction (0.5, 0.9) of everyone the
// notice was meant for has read it, whether or not the moment is known.
func (a Audience) Reached(fraction float64) bool {
	need := a.need(fraction)
	return need > 0 && need <= len(a.Read)
}

func (a Audience) need(fraction float64) int {
	return int(fraction*float64(a.Total()) + 0.999999)
}

// TimeTo is how long after start the given fraction (0.5, 0.9) of
// everyone the notice was meant for had read it. ok is false when that is
// not reached yet, or when it is reached but its moment is unknown.
//
// Readers whose time is unknown (see UnknownReadTimes) read at some moment
// before a bound dingwatch knows: the first answer that showed them read,
// or a read time seen on another key of theirs. The moment is known when it is that of a reader
// whose time is known and every reader of unknown time had read by then:
// then exactly the fraction had read at that moment, and fewer before.
// It is unknown when the fraction is reached among the readers of unknown
// time, or when one of them may have read after it (see Reached).
func (a Audience) TimeTo(fraction float64, start time.Time) (time.Duration, bool) {
	need := a.need(fraction)
	unknown := a.UnknownReadTimes() // they sort first
	if need <= 0 || need > len(a.Read) || need <= unknown {
		return 0, false
	}
	at := a.Read[need-1].FirstSeenRead
	if unknown > 0 && (a.unknownBy.IsZero() || a.unknownBy.After(at)) {
		return 0, false // one of them may have read after at
	}
	return max(0, at.Sub(start)), true
}
