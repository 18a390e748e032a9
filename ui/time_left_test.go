package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// TestNoticeTimeLeftIsItsLiveKeys': a notice's row shows the window left
// of the keys DingTalk still answers for, the first to end; a recalled key
// never speaks for it (G15: "+12m" once batch 1 was recalled).
func TestNoticeTimeLeftIsItsLiveKeys(t *testing.T) {
	key := func(sentAgo time.Duration, recalled bool) *watch.Key {
		k := &watch.Key{Key: "K", AddedAt: now.Add(-time.Hour), SendStatus: watch.SendSuccess}
		if sentAgo > 0 {
			k.SentAt = now.Add(-sentAgo)
		}
		if recalled {
			k.SendStatus, k.RecalledAt = watch.SendRecalled, now.Add(-time.Minute)
		}
		return k
	}
	n := &watch.Notice{ID: "n"}
	for _, c := range []struct {
		keys []*watch.Key
		want string
	}{
		{[]*watch.Key{key(40*time.Minute, true), key(13*time.Minute, false), key(7*time.Minute, false)}, "23h47m"},
		{[]*watch.Key{key(25*time.Hour, false), key(10*time.Minute, false)}, "23h50m"}, // a reminder still answered
		{[]*watch.Key{key(40*time.Minute, true), key(0, false)}, "+1h00m"},             // the live key's send time is unknown
		{[]*watch.Key{key(40*time.Minute, true), key(20*time.Minute, true)}, "—"},
		{[]*watch.Key{key(25*time.Hour, false), key(26*time.Hour, false)}, "ended"},
		{[]*watch.Key{key(25*time.Hour, false), key(20*time.Minute, true)}, "ended"},
	} {
		if got := timeLeft(row{notice: n, keys: c.keys}, now); got != c.want {
			t.Errorf("%d keys: %q, want %q", len(c.keys), got, c.want)
		}
	}
	// Through the dashboard: the first batch recalled.
	st := fixtureState()
	st.Keys[0].SendStatus, st.Keys[0].RecalledAt = watch.SendRecalled, now.Add(-time.Minute)
	st.Keys[1].SentAt = now.Add(-13 * time.Minute)
	if v := loaded(&fakeEngine{state: st}, 120, 30).View(); !strings.Contains(strings.Split(v, "\n")[3], "23h47m") {
		t.Fatalf("the notice row does not show its live key's time left:\n%s", v)
	}
}

// TestOneEllipsis: text already shortened with "…" (a short key) and cut
// again shows one "…", in the key list at every width (G15: "7Yq/vHma……").
func TestOneEllipsis(t *testing.T) {
	for w := 1; w <= 20; w++ {
		for _, s := range []string{"R1 #4 7Yq/vHma…+z4=", "#2 abc… def", "名前…名前名前名前"} {
			if got := fit(s, w); strings.Contains(got, "……") || strings.Contains(got, "… …") || stringWidth(got) != w {
				t.Fatalf("fit(%q, %d) = %q", s, w, got)
			}
		}
	}
	m := drive(loaded(&fakeEngine{state: fixtureState()}, 80, 24), keys("enter")...)
	for w := MinWidth; w <= 200; w++ {
		m = drive(m, sizeMsg(w, 30))
		if v := m.View(); strings.Contains(v, "……") {
			t.Fatalf("width %d: a double ellipsis:\n%s", w, v)
		}
	}
}
