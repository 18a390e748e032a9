package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/dingwatch/dingwatch/watch"
)

// section is one list of people in the detail pane, and the lines the
// layout gave it (its title included). Its people are drawn only when
// shown: a notice of 20,000 people costs each view the lines on screen,
// not 20,000 of them.
type section struct {
	title string
	style lipgloss.Style
	n     int                    // the people in it
	at    func(i int) personItem // the i-th shown, 0 ≤ i < n
	rows  int
}

// slice is the people shown from i to j.
func (s section) slice(i, j int) []personItem {
	out := make([]personItem, 0, max(j-i, 0))
	for ; i < j; i++ {
		out = append(out, s.at(i))
	}
	return out
}

// personItem is one person as a section shows them.
type personItem struct {
	mark, name, id, right string
	match                 bool // the filter found them
	clock                 bool // right is a clockTime ("15:04", "11-26 15:04"), not words
}

// sections are the row's people: Unread first (who to chase), then those
// a batch never reached, then those whose batch may have reached them,
// then Read, newest first. The people stay in the row's audience, shared
// with every view; the filter only orders them. What draws them holds
// the audience and the clock, not the pane.
func (d detailPane) sections() []section {
	st, a, f, now := d.c.st, d.r.audience(), strings.ToLower(d.filter), d.c.now
	found := func(name, id string) bool {
		return f != "" && (strings.Contains(strings.ToLower(name), f) || strings.Contains(strings.ToLower(id), f))
	}
	item := func(mark, right string, p watch.Person) personItem {
		it := personItem{mark: mark, name: personName(p.Name, idOf(p.Recipient)), id: clean(idOf(p.Recipient)), right: right, match: found(p.Name, idOf(p.Recipient))}
		if strings.TrimSpace(p.Name) == "" {
			it.id = "" // no name known (a failed batch's people, say): the id shows once, as the name
		}
		return it
	}
	un := section{title: fmt.Sprintf("Unread (%d)", len(a.Unread)), style: st.Unread, n: len(a.Unread),
		at: func(i int) personItem { return item("·", "", a.Unread[i]) }}
	unseen := a.UnknownReadTimes() // they sort first, by name
	rd := section{title: fmt.Sprintf("Read (%d)", len(a.Read)), style: st.Read, n: len(a.Read),
		at: func(i int) personItem { // newest first, then those read before watching, by name
			j := len(a.Read) - 1 - i
			if j < unseen {
				j = unseen - 1 - j
			}
			p := a.Read[j]
			if p.FirstSeenRead.IsZero() {
				return item("✓", "earlier", p)
			}
			it := item("✓", clockTime(p.FirstSeenRead, now), p)
			it.clock = true
			return it
		}}
	out := []section{un}
	failed, refused := a.Failed, a.NotDelivered
	if n := len(failed) + len(refused); n > 0 { // surely not reached
		out = append(out, section{title: fmt.Sprintf("Not delivered (%d)", n), style: st.Error, n: n,
			at: func(i int) personItem {
				if i < len(failed) {
					return item("✗", "batch failed", failed[i])
				}
				return item("✗", clean(refused[i-len(failed)].Reason), refused[i-len(failed)])
			}})
	}
	if maybe := a.Unknown; len(maybe) > 0 { // their batch may have been sent: they are not "not delivered"
		out = append(out, section{title: fmt.Sprintf("Outcome unknown (%d) · may have it", len(maybe)), style: st.Warn, n: len(maybe),
			at: func(i int) personItem { return item("?", "unknown", maybe[i]) }})
	}
	out = append(out, rd)
	if f != "" {
		for i := range out {
			out[i] = matchesFirst(out[i])
		}
	}
	return out
}

// matchesFirst puts the people the filter found first in s, keeping the
// order of both parts.
func matchesFirst(s section) section {
	found, rest := make([]int32, 0, s.n), make([]int32, 0, s.n)
	for i := range s.n {
		if s.at(i).match {
			found = append(found, int32(i))
		} else {
			rest = append(rest, int32(i))
		}
	}
	if len(found) == 0 || len(rest) == 0 {
		return s
	}
	order, at := append(found, rest...), s.at
	s.at = func(i int) personItem { return at(int(order[i])) }
	return s
}

// peopleNeed is how many of height lines the people take before the
// head's details (send time, timeline, rounds) get any: each section's
// title and its first names (Unread up to 5, the others up to 3), and at
// least half the pane when they need it, and Unread's title and first
// name at any size; only the head's essential lines (title and problems)
// come first.
func peopleNeed(secs []section, split bool, height, essential int) int {
	first := func(s section, n int) int { return 1 + min(max(s.n, 1), n) }
	want := 0
	for i, s := range secs {
		if !split || i < len(secs)-1 {
			want += first(s, 3+2*boolInt(i == 0))
		}
	}
	if split {
		want = max(want, first(secs[len(secs)-1], 3))
	}
	return min(want, max(height-essential, height/2, 1+min(max(secs[0].n, 1), 2)))
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
		right.rows = min(avail, 1+max(right.n, 1))
		return max(stack(secs[:len(secs)-1], avail), right.n-(right.rows-1), 0)
	}
	return stack(secs, avail)
}

// stack shares avail lines between sections shown one under the other:
// Unread (the first) gets at least half, the others their title each
// (with its count, so none vanishes unsaid) when they can, then share what
// they need a line each in turn; Unread takes what is left.
func stack(secs []section, avail int) int {
	want := make([]int, len(secs))
	others := 0
	for i := range secs {
		want[i] = 1 + max(secs[i].n, 1)
		if i > 0 {
			others += want[i]
		}
	}
	secs[0].rows = min(want[0], max(avail-others, (avail+1)/2, min(avail, 2)))
	// Every other section's title before Unread's third line: a list that
	// vanishes says nothing (Read (48) gone at 60x18, tester G3).
	titles := min(len(secs)-1, max(avail-2, 0))
	secs[0].rows = min(secs[0].rows, max(avail-titles, min(avail, 2)))
	avail -= secs[0].rows
	for i := 1; i < len(secs); i++ {
		secs[i].rows = min(want[i], 1, avail) // its title, with how many it holds
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
		most = max(most, s.n-max(s.rows-1, 0))
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
	if s.n == 0 {
		lines := []string{s.style.Render(sectionHeading(s.title, "", width))}
		if k > 0 {
			lines = append(lines, st.Dim.Render(fit("  nobody", width)))
		}
		return lines
	}
	start := min(d.offset, max(s.n-k, 0))
	if k < 3 && (start > 0 || start+k < s.n) { // no room for marker lines
		end := min(start+k, s.n)
		marks := overflowMarks(start, s.n-end) // the title gives way, never the counts
		lines := []string{s.style.Render(sectionHeading(s.title, marks, width))}
		return append(lines, d.personLines(s.slice(start, end), width)...)
	}
	first, last := start, min(start+k, s.n) // the people shown: [first, last)
	if first > 0 {
		first++ // its line goes to "↑ N more"
	}
	if last < s.n {
		last-- // its line goes to "↓ N more"
	}
	lines := []string{s.style.Render(sectionHeading(s.title, "", width))}
	if first > 0 {
		lines = append(lines, st.Dim.Render(fit("  "+moreAbove(first), width)))
	}
	lines = append(lines, d.personLines(s.slice(first, last), width)...)
	if last < s.n {
		lines = append(lines, st.Dim.Render(fit("  "+moreBelow(s.n-last), width)))
	}
	return lines
}

// personLines draws the people shown together, in columns shared by them.
func (d detailPane) personLines(items []personItem, width int) []string {
	cols := columnsFor(items, width)
	lines := make([]string, len(items))
	for i, p := range items {
		lines[i] = d.personLine(p, cols)
	}
	return lines
}
