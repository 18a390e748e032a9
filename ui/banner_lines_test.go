package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dingwatch/dingwatch/watch"
)

// TestFollowerSaysSoAtEverySize: a dashboard following another one says
// so at every size from the minimum up — whole when there is room, in a
// short form when not — also beside other banners, and every banner it
// cannot show is counted.
func TestFollowerSaysSoAtEverySize(t *testing.T) {
	follow := watch.Warning{Kind: watch.WarnFollowing, Path: "/home/someone/.local/state/dingwatch",
		Text: "another dingwatch owns /home/someone/.local/state/dingwatch: this one follows it and hands it your changes"}
	note := watch.Warning{Text: "the saved state was unreadable: moved aside to /home/someone/.local/state/dingwatch/state.json.corrupt-20261127-100000"}
	for _, ws := range [][]watch.Warning{{follow}, {note, follow}, {note, follow, note, {Kind: watch.WarnHandOver, Text: "a change could not be handed over"}}} {
		m := loaded(&fakeEngine{state: fixtureState(), warnings: ws}, 80, 24)
		for w := MinWidth; w <= 160; w += 3 {
			for h := MinHeight; h <= 30; h += 2 {
				m = drive(m, sizeMsg(w, h))
				v := m.View()
				checkFits(t, v, w, h)
				flat := strings.Join(strings.Fields(v), " ")
				if !strings.Contains(flat, "following another dingwatch") && !strings.Contains(flat, "this one follows it") {
					t.Fatalf("%d banners at %dx%d: the follower does not say so:\n%s", len(ws), w, h, v)
				}
				if got, shown := len(m.lay.banners), strings.Count(v, "! "); got == 0 || shown == 0 {
					t.Fatalf("%d banners at %dx%d: none shown:\n%s", len(ws), w, h, v)
				}
			}
		}
	}
}

// TestBannerLinesCountWhatTheyHide: however few the lines, every banner
// is on one of them or counted in "+N more (i)".
func TestBannerLinesCountWhatTheyHide(t *testing.T) {
	long := "a long note" + strings.Repeat(" that needs a whole line or more", 4)
	bs := []banner{{text: long}, {text: "followed", short: "following another dingwatch"}, {text: long}, {text: "x", short: "not saved"}, {text: long}}
	for width := MinWidth; width <= 200; width += 10 {
		for room := 1; room <= 8; room++ {
			lines := bannerLines(bs, width, room)
			if len(lines) == 0 || len(lines) > room {
				t.Fatalf("%d lines for room %d", len(lines), room)
			}
			all := ""
			for _, l := range lines {
				if stringWidth(l.text) > width {
					t.Fatalf("width %d: %q is wider", width, l.text)
				}
				all += l.text + "\n"
			}
			shown := strings.Count(all, "a long note") + strings.Count(all, "following another dingwatch") + strings.Count(all, "not saved") + strings.Count(all, "followed") + strings.Count(all, "! x")
			hidden := 0
			if i := strings.Index(all, "+"); i >= 0 {
				fmt.Sscanf(all[i:], "+%d more (i)", &hidden)
			}
			if shown+hidden != len(bs) || !strings.Contains(all, "follow") {
				t.Fatalf("width %d, room %d: %d shown + %d counted of %d:\n%s", width, room, shown, hidden, len(bs), all)
			}
		}
	}
}
