package ui

import (
	"fmt"
	"sort"
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

// personItem is one person as a section shows them.
type personItem struct {
	mark, name, id, right string
	match                 bool // the filter found them
}

// sections are the row's people: Unread first (who to chase), then those
// a batch never reached, then Read, newest first. The people stay in the
// row's audience, shared with every view; the filter only orders them.
// What draws them holds the audience and the clock, never the pane (which
// holds the sections before these: a chain of every audience ever shown).
func (d detailPane) sections() []section {
	st, a, f, now := d.c.st, d.r.aud, strings.ToLower(d.filter), d.c.now
	found := func(name, id string) bool {
		return f != "" && (strings.Contains(strings.ToLower(name), f) || strings.Contains(strings.ToLower(id), f))
	}
	item := func(mark string, p watch.Person, right string) personItem {
		id := idOf(p.Recipient)
		return personItem{mark: mark, name: personName(p.Name, id), id: clean(id), right: right, match: found(p.Name, id)}
	}
	un := section{title: fmt.Sprintf("Unread (%d)", len(a.Unread)), style: st.Unread, n: len(a.Unread),
		at: func(i int) personItem { return item("·", a.Unread[i], "") }}
	unseen := a.UnknownReadTimes() // they sort first, by name
	rd := section{title: fmt.Sprintf("Read (%d)", len(a.Read)), style: st.Read, n: len(a.Read),
		at: func(i int) personItem { // newest first, then those read before watching, by name
			j := len(a.Read) - 1 - i
			if j < unseen {
				j = unseen - 1 - j
			}
			p := a.Read[j]
			seen := "earlier"
			if !p.FirstSeenRead.IsZero() {
				seen = clockTime(p.FirstSeenRead, now)
			}
			return item("✓", p, seen)
		}}
	out := []section{un}
	if lost := d.lostSection(item); lost.n > 0 {
		out = append(out, lost)
	}
	out = append(out, rd)
	if f != "" {
		for i := range out {
			out[i] = matchesFirst(out[i])
		}
	}
	return out
}

// lostSection is the people of failed or unknown batches, then those
// DingTalk did not deliver to.
func (d detailPane) lostSection(item func(string, watch.Person, string) personItem) section {
	lost, keys := d.r.lost, d.r.keys
	starts := make([]int, len(keys)+1) // where each key's undelivered people begin
	n := len(lost)
	for i, k := range keys {
		starts[i] = n
		n += len(k.NotDelivered)
	}
	starts[len(keys)] = n
	at := func(i int) personItem {
		if i < len(lost) {
			return item("✗", lost[i], batchOf(lost[i]))
		}
		k := sort.Search(len(keys), func(k int) bool { return starts[k+1] > i })
		u := keys[k].NotDelivered[i-starts[k]]
		return personItem{mark: "✗", name: clean(u.UserID), right: clean(u.Reason)}
	}
	return section{title: fmt.Sprintf("Not delivered (%d)", n), style: d.c.st.Error, n: n, at: at}
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

// peopleNeed is the fewest of height lines the people keep: Unread's
// title and first names at least, half the pane when they need it.
func peopleNeed(secs []section, split bool, height int) int {
	want := 0
	for i, s := range secs {
		if !split || i < len(secs)-1 {
			want += 1 + max(s.n, 1)
		}
	}
	if split {
		want = max(want, 1+max(secs[len(secs)-1].n, 1))
	}
	return min(want, max(1+min(max(secs[0].n, 1), 2), height/2))
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
// Unread (the first) gets at least half, the others a title and a first
// line each when they can, then share what they need a line each in turn; Unread takes
// what is left.
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
// "↑ N more" and "↓ N more" where it goes on.
func (d detailPane) sectionLines(s section, width int) []string {
	if s.rows <= 0 {
		return nil
	}
	st := d.c.st
	lines := []string{s.style.Render(fit(s.title, width))}
	k := s.rows - 1
	if s.n == 0 && k > 0 {
		return append(lines, st.Dim.Render(fit("  nobody", width)))
	}
	start := min(d.offset, max(s.n-k, 0))
	for i := start; i < min(start+k, s.n); i++ {
		lines = append(lines, d.personLine(s.at(i), width))
	}
	more := s.n - (start + k)
	switch {
	case k < 2 && (more > 0 || start > 0): // no room for marker lines: counts in the title
		t := s.title
		if start > 0 {
			t += fmt.Sprintf(" ↑%d", start)
		}
		if more > 0 {
			t += fmt.Sprintf(" ↓%d", more)
		}
		lines[0] = s.style.Render(fit(t, width))
	default:
		if start > 0 && k >= 3 {
			lines[1] = st.Dim.Render(fit(fmt.Sprintf("  ↑ %d more", start+1), width))
		}
		if more > 0 {
			lines[len(lines)-1] = st.Dim.Render(fit(fmt.Sprintf("  ↓ %d more", more+1), width))
		}
	}
	return lines
}

// personLine is "✓ name  userId  seen", columns aligned by display width;
// a narrow pane shows only the time of day.
func (d detailPane) personLine(p personItem, width int) string {
	st := d.c.st
	rightW := min(max(12, stringWidth(p.right)), 18)
	right := p.right
	if width < 50 {
		rightW = min(max(stringWidth(right), 6), 14, width/3)
		if strings.Contains(right, ":") {
			right, rightW = right[max(0, len(right)-5):], 6 // "11-26 13:19" → "13:19"
		}
	}
	rest := width - 2 - rightW
	nameW := min(max(rest/2, 6), 16)
	idW := rest - nameW - 1
	mark := p.mark
	if p.match {
		mark = "»"
	}
	line := mark + " " + fit(p.name, nameW) + " " + st.Dim.Render(fit(p.id, idW))
	if right != "" {
		line += st.Dim.Render(fitRight(right, rightW))
	}
	return line
}
