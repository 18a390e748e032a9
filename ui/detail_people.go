package ui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/dingwatch/dingwatch/watch"
)

// section is one list of people in the detail pane, and the lines the
// layout gave it (its title included).
type section struct {
	title string
	style lipgloss.Style
	items []personItem
	rows  int
}

// personItem is one person as a section shows them.
type personItem struct {
	mark, name, id, right string
	match                 bool // the filter found them
}

// sections are the row's people: Unread first (who to chase), then those
// a batch never reached, then Read, newest first.
func (d detailPane) sections() []section {
	st, a, f := d.c.st, d.r.aud, strings.ToLower(d.filter)
	found := func(name, id string) bool {
		return f != "" && (strings.Contains(strings.ToLower(name), f) || strings.Contains(strings.ToLower(id), f))
	}
	un := section{title: fmt.Sprintf("Unread (%d)", len(a.Unread)), style: st.Unread}
	for _, p := range a.Unread {
		un.items = append(un.items, personItem{mark: "·", name: personName(p.Name, idOf(p.Recipient)), id: clean(idOf(p.Recipient)), match: found(p.Name, idOf(p.Recipient))})
	}
	rd := section{title: fmt.Sprintf("Read (%d)", len(a.Read)), style: st.Read}
	unseen := a.UnknownReadTimes()          // they sort first, by name
	for i := len(a.Read) - 1; i >= 0; i-- { // newest first, then those read before watching, by name
		j := i
		if i < unseen {
			j = unseen - 1 - i
		}
		p := a.Read[j]
		seen := "earlier"
		if !p.FirstSeenRead.IsZero() {
			seen = clockTime(p.FirstSeenRead, d.c.now)
		}
		rd.items = append(rd.items, personItem{mark: "✓", name: personName(p.Name, idOf(p.Recipient)), id: clean(idOf(p.Recipient)), right: seen, match: found(p.Name, idOf(p.Recipient))})
	}
	out := []section{un}
	item := func(mark, right string, p watch.Person) personItem {
		return personItem{mark: mark, name: personName(p.Name, idOf(p.Recipient)), id: clean(idOf(p.Recipient)), right: right, match: found(p.Name, idOf(p.Recipient))}
	}
	lost := section{style: st.Error} // surely not reached
	for _, p := range a.Failed {
		lost.items = append(lost.items, item("✗", "batch failed", p))
	}
	for _, p := range a.NotDelivered {
		lost.items = append(lost.items, item("✗", clean(p.Reason), p))
	}
	if len(lost.items) > 0 {
		lost.title = fmt.Sprintf("Not delivered (%d)", len(lost.items))
		out = append(out, lost)
	}
	// Their batch may have been sent: they are not "not delivered".
	maybe := section{style: st.Warn, title: fmt.Sprintf("Outcome unknown (%d) · may have it", len(a.Unknown))}
	for _, p := range a.Unknown {
		maybe.items = append(maybe.items, item("?", "unknown", p))
	}
	if len(maybe.items) > 0 {
		out = append(out, maybe)
	}
	out = append(out, rd)
	for i := range out { // the people the filter found come first in their section
		slices.SortStableFunc(out[i].items, func(a, b personItem) int {
			switch {
			case a.match == b.match:
				return 0
			case a.match:
				return -1
			}
			return 1
		})
	}
	return out
}

// peopleNeed is how many of height lines the people take before the
// head's details (send time, timeline, rounds) get any: each section's
// title and its first names (Unread up to 5, the others up to 3), and at
// least half the pane when they need it, and Unread's title and first
// name at any size; only the head's essential lines (title and problems)
// come first.
func peopleNeed(secs []section, split bool, height, essential int) int {
	first := func(s section, n int) int { return 1 + min(max(len(s.items), 1), n) }
	want := 0
	for i, s := range secs {
		if !split || i < len(secs)-1 {
			want += first(s, 3+2*boolInt(i == 0))
		}
	}
	if split {
		want = max(want, first(secs[len(secs)-1], 3))
	}
	return min(want, max(height-essential, height/2, 1+min(max(len(secs[0].items), 1), 2)))
}

// boolInt is 1 for true.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// shareRows gives the sections their rows in avail lines and returns the
// largest useful scroll offset. Side by side, Read has the right column.
func shareRows(secs []section, avail int, split bool) int {
	if split {
		right := &secs[len(secs)-1]
		right.rows = min(avail, 1+max(len(right.items), 1))
		return max(stack(secs[:len(secs)-1], avail), len(right.items)-(right.rows-1), 0)
	}
	return stack(secs, avail)
}

// stack shares avail lines between sections shown one under the other:
// Unread (the first) gets at least half, the others a title and a first
// line each when they can, then share what they need a line each in turn; Unread takes
// what is left.
func stack(secs []section, avail int) int {
	want := make([]int, len(secs))
	others := 0
	for i := range secs {
		want[i] = 1 + max(len(secs[i].items), 1)
		if i > 0 {
			others += want[i]
		}
	}
	secs[0].rows = min(want[0], max(avail-others, (avail+1)/2, min(avail, 2)))
	avail -= secs[0].rows
	for i := 1; i < len(secs); i++ {
		secs[i].rows = min(want[i], 2, avail)
		avail -= secs[i].rows
	}
	for gave := true; gave && avail > 0; { // the others share what is left, a line each in turn
		gave = false
		for i := 1; i < len(secs) && avail > 0; i++ {
			if secs[i].rows < want[i] {
				secs[i].rows++
				avail--
				gave = true
			}
		}
	}
	secs[0].rows += min(want[0]-secs[0].rows, avail)
	most := 0
	for _, s := range secs {
		most = max(most, len(s.items)-max(s.rows-1, 0))
	}
	return most
}

// peopleView draws the sections in h lines.
func (d detailPane) peopleView(h int) []string {
	if h <= 0 {
		return nil
	}
	if !d.split() {
		var lines []string
		for _, s := range d.secs {
			lines = append(lines, d.sectionLines(s, d.width)...)
		}
		return lines
	}
	half := (d.width - 2) / 2
	var left []string
	for _, s := range d.secs[:len(d.secs)-1] {
		left = append(left, d.sectionLines(s, half)...)
	}
	right := d.sectionLines(d.secs[len(d.secs)-1], d.width-half-2)
	lines := make([]string, min(max(len(left), len(right)), h))
	for i := range lines {
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		lines[i] = fit(l, half) + "  " + r
	}
	return lines
}

// sectionLines draws a section in its rows from the pane's offset, with
// "↑ N more" and "↓ N more" where it goes on: N counts every person not
// shown on that side. With two lines or more under the title, a marker
// takes a line of its own and at least one person still shows; with
// fewer, the counts go in the title (overflowMarks).
func (d detailPane) sectionLines(s section, width int) []string {
	if s.rows <= 0 {
		return nil
	}
	st := d.c.st
	k := s.rows - 1
	if len(s.items) == 0 {
		lines := []string{s.style.Render(fit(s.title, width))}
		if k > 0 {
			lines = append(lines, st.Dim.Render(fit("  nobody", width)))
		}
		return lines
	}
	start := min(d.offset, max(len(s.items)-k, 0))
	if k < 3 && (start > 0 || start+k < len(s.items)) { // no room for marker lines
		end := min(start+k, len(s.items))
		cols := columnsFor(s.items[start:end], width)
		marks := overflowMarks(start, len(s.items)-end) // the title gives way, never the counts
		lines := []string{s.style.Render(withMarks(s.title, marks, width))}
		for i := start; i < end; i++ {
			lines = append(lines, d.personLine(s.items[i], cols))
		}
		return lines
	}
	first, last := start, min(start+k, len(s.items)) // the people shown: [first, last)
	if first > 0 {
		first++ // its line goes to "↑ N more"
	}
	if last < len(s.items) {
		last-- // its line goes to "↓ N more"
	}
	lines := []string{s.style.Render(fit(s.title, width))}
	if first > 0 {
		lines = append(lines, st.Dim.Render(fit("  "+moreAbove(first), width)))
	}
	cols := columnsFor(s.items[first:last], width)
	for i := first; i < last; i++ {
		lines = append(lines, d.personLine(s.items[i], cols))
	}
	if last < len(s.items) {
		lines = append(lines, st.Dim.Render(fit("  "+moreBelow(len(s.items)-last), width)))
	}
	return lines
}
