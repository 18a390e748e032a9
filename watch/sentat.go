package watch

import (
	"errors"
	"strings"
	"time"
)

// ParseSentAt reads a send time typed by a user, in now's location:
// "15:04" (today, or yesterday if that is in the future), "2006-01-02
// 15:04", RFC 3339, or a duration ago ("20m ago", "1h30m"). It must not be
// in the future nor more than 24 hours back.
func ParseSentAt(text string, now time.Time) (time.Time, error) {
	s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text), "ago"))
	if s == "" {
		return time.Time{}, errors.New("no time given")
	}
	loc := now.Location()
	var t time.Time
	if d, err := time.ParseDuration(strings.ReplaceAll(s, " ", "")); err == nil {
		t = now.Add(-d)
	} else if c, err := time.ParseInLocation("15:04", s, loc); err == nil {
		t = time.Date(now.Year(), now.Month(), now.Day(), c.Hour(), c.Minute(), 0, 0, loc)
		if t.After(now) {
			t = t.AddDate(0, 0, -1)
		}
	} else if c, err := time.ParseInLocation("2006-01-02 15:04", s, loc); err == nil {
		t = c
	} else if c, err := time.Parse(time.RFC3339, s); err == nil {
		t = c
	} else {
		return time.Time{}, errors.New("write the time as 15:04, 2006-01-02 15:04, or 20m ago")
	}
	switch {
	case t.After(now):
		return time.Time{}, errors.New("that is in the future")
	case now.Sub(t) > Window:
		return time.Time{}, errors.New("that is over 24 hours ago: DingTalk no longer answers for it")
	}
	return t, nil
}
