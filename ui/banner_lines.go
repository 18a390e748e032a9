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
	watch.WarnCallsLock:       "calls.lock: nothing asked",
}

// bannerLines lays the banners out in at most room lines of width cells:
// each whole, wrapped, when they fit; else each in its short form (those
// with one first) or its text cut, as many to a line as fit, the last line
// kept saying how many more i shows. No banner vanishes unsaid.
func bannerLines(bs []banner, width, room int) []banner {
	lines, _ := bannerLayout(bs, width, room)
	return lines
}

// bannerLayout is bannerLines, and for each of bs whether the lines say
// it: whole, or in its short form (a text cut, or counted in "+N more",
// does not say it).
func bannerLayout(bs []banner, width, room int) ([]banner, []bool) {
	said := make([]bool, len(bs))
	var whole []banner
	for _, b := range bs {
		for _, s := range wrap("! "+b.text, width) {
			whole = append(whole, banner{text: s, style: b.style})
		}
	}
	if len(whole) <= room {
		for i := range said {
			said[i] = true
		}
		return whole, said
	}
	type item struct {
		s     string
		of    int  // its index in bs
		short bool // s is its short form
	}
	type line struct {
		items []item // the banners on it, each short or cut
		b     banner
	}
	// Those said in a few words first: a cut note would crowd them out.
	order := make([]int, len(bs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return boolInt(bs[a].short == "") - boolInt(bs[b].short == "") })
	text := func(items []item) string {
		parts := make([]string, len(items))
		for i, it := range items {
			parts[i] = it.s
		}
		return "! " + strings.Join(parts, " · ")
	}
	var lines []line
	for _, i := range order {
		b := bs[i]
		it := item{s: b.short, of: i, short: true}
		if it.s == "" {
			it = item{s: b.text, of: i}
		}
		if k := len(lines) - 1; k >= 0 && stringWidth(text(append(slices.Clip(lines[k].items), it))) <= width {
			lines[k].items = append(lines[k].items, it)
			continue
		}
		lines = append(lines, line{[]item{it}, b})
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
	// Said: a short form, or a text drawn whole (not cut by fit, nor by
	// the count squeezed onto the last line).
	for i, l := range lines {
		for _, it := range l.items {
			drawn := out[i].text
			if more != "" && i == len(lines)-1 {
				drawn = strings.TrimSuffix(drawn, more)
			}
			said[it.of] = strings.Contains(drawn, it.s)
		}
	}
	return out, said
}
