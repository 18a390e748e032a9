package watch

import "time"

// ClockTime is t as a wall-clock time in now's location, for a person to
// read: "15:04" on now's day, "tomorrow 15:04" on the next, else
// "11-26 15:04" (month-day). A time printed without its day reads as
// today's: "a call is free again at 21:52" said at 21:51 must not mean
// tomorrow (breaker7 #3). The dashboard and the command line both use it.
func ClockTime(t, now time.Time) string {
	t = t.In(now.Location())
	y, m, d := now.Date()
	switch {
	case sameDay(t, now):
		return t.Format("15:04")
	case sameDay(t, time.Date(y, m, d+1, 12, 0, 0, 0, now.Location())):
		return "tomorrow " + t.Format("15:04")
	}
	return t.Format("01-02 15:04")
}

// sameDay reports whether a and b fall on the same calendar day in a's
// location.
func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.In(a.Location()).Date()
	return ay == by && am == bm && ad == bd
}
