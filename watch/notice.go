package watch

import (
	"cmp"
	"slices"
	"time"
)

// Person is a recipient across one or more keys of a notice.
type Person struct {
	Recipient
	Key string // the key where they were first seen read, or their first key
}

// Audience is who a group of keys went to, split into read and unread.
// A person reached by several keys (a reminder round) counts once, read
// if they read any of them, at the earliest time seen.
type Audience struct {
	Read   []Person // by first-seen-read time
	Unread []Person // by name
}

// AudienceOf merges the recipients of keys.
func AudienceOf(keys []*Key) Audience {
	byID := map[string]int{}
	var all []Person
	for _, k := range keys {
		for _, r := range k.Recipients {
			i, ok := byID[r.UserID]
			if !ok {
				byID[r.UserID] = len(all)
				all = append(all, Person{Recipient: r, Key: k.Key})
				continue
			}
			p := &all[i]
			if r.Read && (!p.Read || r.FirstSeenRead.Before(p.FirstSeenRead)) {
				p.Read, p.FirstSeenRead, p.Key = true, r.FirstSeenRead, k.Key
			}
		}
	}
	var a Audience
	for _, p := range all {
		if p.Read {
			a.Read = append(a.Read, p)
		} else {
			a.Unread = append(a.Unread, p)
		}
	}
	slices.SortStableFunc(a.Read, func(x, y Person) int { return x.FirstSeenRead.Compare(y.FirstSeenRead) })
	slices.SortStableFunc(a.Unread, func(x, y Person) int { return cmp.Compare(x.Name, y.Name) })
	return a
}

// Total is how many people the audience holds.
func (a Audience) Total() int { return len(a.Read) + len(a.Unread) }

// Timeline is how many had read at evenly spaced moments from start to
// end (points samples, points ≥ 2), from first-seen-read times.
func (a Audience) Timeline(start, end time.Time, points int) []int {
	if points < 2 || !end.After(start) {
		return nil
	}
	out := make([]int, points)
	step := end.Sub(start) / time.Duration(points-1)
	j := 0
	for i := range out {
		at := start.Add(step * time.Duration(i))
		if i == points-1 {
			at = end // not a rounded step short of it: the last read counts
		}
		for j < len(a.Read) && !a.Read[j].FirstSeenRead.After(at) {
			j++
		}
		out[i] = j
	}
	return out
}

// TimeTo is how long after start the given fraction (0.5, 0.9) of the
// audience had been seen read; ok is false if not reached yet.
func (a Audience) TimeTo(fraction float64, start time.Time) (time.Duration, bool) {
	need := int(fraction*float64(a.Total()) + 0.999999)
	if need <= 0 || need > len(a.Read) {
		return 0, false
	}
	return max(0, a.Read[need-1].FirstSeenRead.Sub(start)), true
}
