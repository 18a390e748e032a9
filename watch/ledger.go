package watch

import (
	"slices"
	"time"
)

// Ledger records how many metered DingTalk calls were made in each minute
// of the last 24 hours: what the daily budget is measured against. It
// holds at most 1,441 counts however many calls are made.
type Ledger struct {
	Minutes []MinuteCount `json:"minutes,omitempty"` // ascending
}

// MinuteCount is the calls made in one minute (Unix time / 60).
type MinuteCount struct {
	Minute int64 `json:"m"`
	N      int   `json:"n"`
}

func minuteOf(t time.Time) int64 { return t.Unix() / 60 }

// Add records a call at t and forgets minutes older than a day.
func (l *Ledger) Add(t time.Time) {
	m := minuteOf(t)
	if n := len(l.Minutes); n > 0 && l.Minutes[n-1].Minute >= m {
		l.Minutes[n-1].N++ // same minute (or a clock step back): never under-count
	} else {
		l.Minutes = append(l.Minutes, MinuteCount{Minute: m, N: 1})
	}
	cut := m - 24*60
	i := 0
	for i < len(l.Minutes) && l.Minutes[i].Minute <= cut {
		i++
	}
	if i > 0 {
		l.Minutes = slices.Delete(l.Minutes, 0, i)
	}
}

// Undo takes back one call recorded by Add at t that was never made;
// it does nothing when no call is recorded in t's minute.
func (l *Ledger) Undo(t time.Time) {
	m := minuteOf(t)
	for i := len(l.Minutes) - 1; i >= 0; i-- {
		if l.Minutes[i].Minute == m {
			if l.Minutes[i].N--; l.Minutes[i].N <= 0 {
				l.Minutes = slices.Delete(l.Minutes, i, i+1)
			}
			return
		}
	}
}

// giveBack takes back calls counted before (Undo of each): calls granted
// and not made, or counted twice.
func (l *Ledger) giveBack(calls []time.Time) {
	for _, t := range calls {
		l.Undo(t)
	}
}

// Spent is how many calls were made in the 24 hours up to now (to the minute).
func (l *Ledger) Spent(now time.Time) int {
	cut := minuteOf(now) - 24*60
	n := 0
	for _, c := range l.Minutes {
		if c.Minute > cut {
			n += c.N
		}
	}
	return n
}

// FreedAt is when enough calls will have aged out of the 24-hour window
// for the spent count to fall below budget; zero if it already is.
func (l *Ledger) FreedAt(now time.Time, budget int) time.Time {
	over := l.Spent(now) - budget
	if over < 0 {
		return time.Time{}
	}
	cut := minuteOf(now) - 24*60
	for _, c := range l.Minutes {
		if c.Minute <= cut {
			continue
		}
		over -= c.N
		if over < 0 {
			return time.Unix((c.Minute+24*60+1)*60, 0)
		}
	}
	return time.Time{}
}

// Clone is a deep copy.
func (l Ledger) Clone() Ledger { return Ledger{Minutes: slices.Clone(l.Minutes)} }

// merge records calls made at the given times, each in its own minute
// (Add counts a call older than the last minute in that last minute),
// keeping the minutes ascending; minutes older than a day before the
// latest are forgotten.
func (l *Ledger) merge(calls []time.Time) {
	if len(calls) == 0 {
		return
	}
	for _, t := range calls {
		m := minuteOf(t)
		i, found := slices.BinarySearchFunc(l.Minutes, m, func(c MinuteCount, m int64) int {
			switch {
			case c.Minute < m:
				return -1
			case c.Minute > m:
				return 1
			}
			return 0
		})
		if found {
			l.Minutes[i].N++
		} else {
			l.Minutes = slices.Insert(l.Minutes, i, MinuteCount{Minute: m, N: 1})
		}
	}
	cut := l.Minutes[len(l.Minutes)-1].Minute - 24*60
	i := 0
	for i < len(l.Minutes) && l.Minutes[i].Minute <= cut {
		i++
	}
	l.Minutes = slices.Delete(l.Minutes, 0, i)
}
