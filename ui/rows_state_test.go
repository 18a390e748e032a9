package ui

import (
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// With push healthy a key's first answer comes 2 h after sending: a key
// dingwatch sent, whose recipients it knows, is "sent" (or "all read" when
// push told every read) meanwhile, not "loading".
func TestKeyStateBeforeTheFirstAnswer(t *testing.T) {
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	sent := now.Add(-time.Hour)
	cases := []struct {
		name string
		key  watch.Key
		want string
	}{
		{"pasted, nothing known", watch.Key{Key: "k1", AddedAt: sent}, "loading"},
		{"sent, none read", watch.Key{Key: "k2", SentAt: sent, Recipients: []watch.Recipient{{UserID: "a"}, {UserID: "b"}}}, "sent"},
		{"sent, one read by push", watch.Key{Key: "k3", SentAt: sent, Recipients: []watch.Recipient{{UserID: "a", Read: true}, {UserID: "b"}}}, "sent"},
		{"sent, all read by push", watch.Key{Key: "k4", SentAt: sent, Recipients: []watch.Recipient{{UserID: "a", Read: true}}}, "all read"},
	}
	for _, c := range cases {
		if got := keyState(&c.key, now); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
