package watch

import (
	"slices"
	"time"
)

// Ledger records when metered DingTalk calls were made, for the last 24
// hours: what the daily budget is measured against.
type Ledger struct {
	Times []time.Time `json:"times,omitempty"` // ascending
}

// Add records a call at t and forgets calls older than a day.
func (l *Ledger) Add(t time.Time) {
	l.Times = append(l.Times, t)
	l.prune(t)
}

// Spent is how many calls were made in the 24 hours up to now.
func (l *Ledger) Spent(now time.Time) int {
	cut := now.Add(-24 * time.Hour)
	i, _ := slices.BinarySearchFunc(l.Times, cut, func(a, b time.Time) int { return a.Compare(b) })
	// Times after a clock step back still count: never under-count.
	return len(l.Times) - i
}

func (l *Ledger) prune(now time.Time) {
	cut := now.Add(-24 * time.Hour)
	i := 0
	for i < len(l.Times) && l.Times[i].Before(cut) {
		i++
	}
	if i > 0 {
		l.Times = slices.Delete(l.Times, 0, i)
	}
}

// Clone is a deep copy.
func (l Ledger) Clone() Ledger { return Ledger{Times: slices.Clone(l.Times)} }
