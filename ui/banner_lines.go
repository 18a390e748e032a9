package ui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dingwatch/dingwatch/watch"
)

// bannerShort says each kind of warning in a few words, for a screen
// with no room for its text; i shows the text whole. A note has none: its
// text is cut.
var bannerShort = map[watch.WarningKind]string{
	watch.WarnFollowing:       "following another dingwatch",
	watch.WarnStateSetAside:   "saved state moved aside",
	watch.WarnStateUnreadable: "saved state unreadable",
	watch.WarnParcelSetAside:  "a handed-over change set aside",
	watch.WarnHandOver:        "a change did not reach the owner",
	watch.WarnThrottled:       "DingTalk is throttling",
}

// bannerLines lays the banners out in at most room lines of width cells:
// each whole, wrapped, when they fit; else each in its short form (those
// with one first) or its text cut, as many to a line as fit, the last line
// kept saying how many more i shows. No banner vanishes unsaid.
func bannerLines(bs []banner, width, room int) []banner {
	var whole []banner
	for _, b := range bs {
		for _, s := range wrap("! "+b.text, width) {
			whole = append(whole, banner{text: s, style: b.style})
		}
	}
	if len(whole) <= room {
		return whole
	}
	type line struct {
		items []string // the banners on it, each short or cut
		b     banner
	}
	// Those said in a few words first: a cut note would crowd them out.
	bs = slices.Clone(bs)
	slices.SortStableFunc(bs, func(a, b banner) int { return boolInt(a.short == "") - boolInt(b.short == "") })
	text := func(items []string) string { return "! " + strings.Join(items, " · ") }
	var lines []line
	for _, b := range bs {
		s := b.short
		if s == "" {
			s = b.text
		}
		if k := len(lines) - 1; k >= 0 && stringWidth(text(append(lines[k].items, s))) <= width {
			lines[k].items = append(lines[k].items, s)
			continue
		}
		lines = append(lines, line{[]string{s}, b})
	}
	lines = lines[:min(len(lines), room)]
	hidden := len(bs)
	for _, l := range lines {
		hidden -= len(l.items)
	}
	last := &lines[len(lines)-1]
	more := ""
	for {
		if hidden > 0 {
			more = fmt.Sprintf(" · +%d more (i)", hidden)
		}
		if len(last.items) == 1 || stringWidth(text(last.items)+more) <= width {
			break
		}
		last.items = last.items[:len(last.items)-1] // whole banners give way to the count
		hidden++
	}
	out := make([]banner, len(lines))
	for i, l := range lines {
		out[i] = banner{text: strings.TrimRight(fit(text(l.items), width), " "), style: l.b.style} // a long note is cut
	}
	if more != "" {
		out[len(out)-1].text = strings.TrimRight(fit(out[len(out)-1].text, width-stringWidth(more)), " ") + more
	}
	return out
}
