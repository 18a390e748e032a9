package watch

import (
	"strings"
	"testing"
	"time"
)

func TestClockTimeSaysTheDayUnlessToday(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 11, 29, 21, 51, 0, 0, time.UTC)
	for _, c := range []struct {
		t, now time.Time
		want   string
	}{
		{now.Add(time.Minute), now, "21:52"},
		{now.Add(24*time.Hour + time.Minute), now, "tomorrow 21:52"}, // breaker7 #3
		{now.Add(-time.Hour), now, "20:51"},
		{now.Add(-24 * time.Hour), now, "11-28 21:51"},
		{now.Add(48 * time.Hour), now, "12-01 21:51"},
		// Across a month's and a year's end.
		{time.Date(2026, 12, 1, 0, 5, 0, 0, time.UTC), time.Date(2026, 11, 30, 23, 59, 0, 0, time.UTC), "tomorrow 00:05"},
		{time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 9, 0, 0, 0, time.UTC), "tomorrow 09:00"},
		// The day is now's, in now's location: 16:30 UTC is 00:30 the
		// next day in Shanghai, where it is 23:00.
		{time.Date(2026, 11, 29, 16, 30, 0, 0, time.UTC), time.Date(2026, 11, 29, 15, 0, 0, 0, time.UTC).In(shanghai), "tomorrow 00:30"},
		{time.Date(2026, 11, 29, 16, 30, 0, 0, time.UTC), time.Date(2026, 11, 29, 15, 0, 0, 0, time.UTC), "16:30"},
	} {
		if got := ClockTime(c.t, c.now); got != c.want {
			t.Errorf("ClockTime(%v, %v) = %q, want %q", c.t, c.now, got, c.want)
		}
	}
}

// The budget's answer says the day when a call is free only tomorrow.
func TestBudgetSpentSaysTomorrow(t *testing.T) {
	at := time.Date(2026, 11, 29, 21, 51, 0, 0, time.Local)
	e := &BudgetSpentError{Spent: 10, Budget: 10, FreedAt: at.Add(24*time.Hour + time.Minute), At: at}
	if got, want := e.Error(), "a call is free again at tomorrow 21:52)"; !strings.Contains(got, want) {
		t.Errorf("%q lacks %q", got, want)
	}
	e.FreedAt = at.Add(time.Minute)
	if got, want := e.Error(), "a call is free again at 21:52)"; !strings.Contains(got, want) {
		t.Errorf("%q lacks %q", got, want)
	}
}
