package ui

import (
	"fmt"
	"strings"
)

// View draws the list: a title (marked when focused), then the visible
// rows, with "↑ N more" and "↓ N more" where the list goes on.
func (l keyList) View() string {
	st := l.c.st
	title := fmt.Sprintf("Watched (%d)", l.watched())
	if l.filter != "" && !l.filtering {
		title += fmt.Sprintf(" · /%s (%d)", clean(l.filter), len(l.rows))
	}
	n := len(l.rows) + l.unloaded // a preview's list goes on past its rows
	start, end := scrollWindow(n, l.cursor, l.offset, l.rowsShown())
	end = min(end, len(l.rows))
	if l.rowsShown() < 3 && n > end-start { // no room for marker lines
		title = withMarks(title, overflowMarks(start, n-end), l.width-2) // a long filter gives way, not the counts
	}
	head := paneTitle(st, title, l.focused, l.width)
	if l.filtering {
		head = fit(l.input.View(), l.width)
	}
	lines := []string{head}
	if len(l.rows) == 0 {
		empty := "No keys yet. Press a to add processQueryKeys, or start dingwatch KEY..."
		switch {
		case l.filter != "" && l.unloaded > 0: // tester P7
			empty = fmt.Sprintf("Nothing matches yet: %d more are loading.", l.unloaded)
		case l.filter != "":
			empty = "Nothing matches the filter. esc clears it."
		}
		for _, s := range wrap(empty, l.width) {
			lines = append(lines, st.Dim.Render(s))
		}
		return clip(strings.Join(lines, "\n"), l.width, l.height)
	}
	if l.height == 1 { // room for one line: the row under the cursor, not the title
		return l.cachedRow(l.cursor)
	}
	markers := l.rowsShown() >= 3
	if markers && start > 0 {
		lines = append(lines, st.Dim.Render(fit("  "+moreAbove(start), l.width)))
	}
	for i := start; i < end; i++ {
		lines = append(lines, l.cachedRow(i))
	}
	if markers && end < n {
		more := moreBelow(n - end)
		if end == len(l.rows) && l.unloaded > 0 { // the next row is not loaded yet (tester P8)
			more += ", loading…"
		}
		lines = append(lines, st.Dim.Render(fit("  "+more, l.width)))
	}
	return strings.Join(lines, "\n")
}

// paneTitle is a pane's title, marked "▸ " when the pane has the focus so
// that it shows without colour.
func paneTitle(st Styles, title string, focused bool, width int) string {
	if focused {
		return st.Title.Render(fit("▸ "+title, width))
	}
	return st.Dim.Render(fit("  "+title, width))
}

// scrollWindow is the rows [start, end) shown of n in avail lines with
// the cursor in view, when a line each goes to "↑ N more" above (start >
// 0) and "↓ N more" below (end < n). offset is where the window was.
func scrollWindow(n, cursor, offset, avail int) (start, end int) {
	if n <= avail {
		return 0, n
	}
	room := func(start int) int { // rows shown from start
		r := avail
		if avail >= 3 {
			if start > 0 {
				r--
			}
			if start+r < n {
				r--
			}
		}
		return max(r, 1)
	}
	start = min(max(offset, 0), n-1)
	if cursor < start {
		start = cursor
	}
	for cursor >= start+room(start) {
		start++
	}
	for start > 0 && start-1+room(start-1) >= n { // no blank space at the end
		start--
	}
	return start, min(start+room(start), n)
}

// rowCache keeps rendered rows: an idle or scrolling list re-renders only
// the rows whose content changed. It is the one thing View writes to.
type rowCache struct{ rows map[rowSig]string }

func newRowCache() *rowCache { return &rowCache{rows: map[rowSig]string{}} }

// rowSig is everything a rendered row depends on: the row's serial
// changes whenever the row was summed again from new keys.
type rowSig struct {
	serial                 uint64
	selected, open, marked bool
	width, countW          int
	left                   string
}

// cachedRow renders row i or takes it from the cache.
func (l keyList) cachedRow(i int) string {
	r := l.rows[i]
	sig := rowSig{serial: l.serials[i], selected: i == l.cursor, width: l.width, countW: l.countW, left: timeLeft(r, l.c.now)}
	if r.notice != nil {
		sig.open = l.expanded[r.notice.ID]
	} else {
		sig.marked = l.marked[r.keys[0].Key]
	}
	if out, ok := l.cache.rows[sig]; ok {
		return out
	}
	if len(l.cache.rows) > 4*l.rowsShown()+64 { // a few screens: old versions of rows go
		clear(l.cache.rows)
	}
	out := l.renderRow(r, sig)
	l.cache.rows[sig] = out
	return out
}

// renderRow draws one row: cursor and mark glyphs, title, read/total,
// bar, state and time left as width allows, and "!" for a problem.
func (l keyList) renderRow(r row, sig rowSig) string {
	st := l.c.st
	cur := "  "
	switch {
	case sig.selected && sig.marked:
		cur = st.Cursor.Render("›*")
	case sig.selected:
		cur = st.Cursor.Render("› ")
	case sig.marked:
		cur = st.Cursor.Render(" *")
	}
	indent := ""
	switch {
	case r.notice != nil && sig.open:
		indent = "▾ "
	case r.notice != nil:
		indent = "▸ "
	case r.child > 0:
		indent = "  "
	}
	counts := fitRight(fmt.Sprintf("%d/%d", r.read, r.total), l.countW)
	mark := " "
	if r.problem {
		mark = st.Error.Render("!")
	}
	// Optional columns, most useful first, while the title keeps 12 cells.
	nameW := l.width - 2 - l.countW - 1 - 2 // cursor, " counts", " mark"
	show := func(w int) bool {
		if nameW-(w+1) < 12 {
			return false
		}
		nameW -= w + 1
		return true
	}
	showWord, showLeft, showBar := show(9), show(6), show(8)
	t := r.title()
	if full := r.titleOf(true); full != t && stringWidth(indent+full) <= nameW {
		t = full // an unlabelled key whole, when the pane has room
	}
	title := fit(indent+t, nameW)
	if sig.selected {
		title = st.Selected.Render(title)
	}
	var b strings.Builder
	b.WriteString(cur + title + " " + counts)
	if showBar {
		b.WriteString(" " + bar(st, r.read, r.total, 8))
	}
	if showWord {
		style := st.Dim
		if r.problem {
			style = st.Error
		}
		b.WriteString(" " + style.Render(fit(r.word, 9)))
	}
	if showLeft {
		b.WriteString(" " + st.Dim.Render(fitRight(sig.left, 6)))
	}
	b.WriteString(" " + mark)
	return b.String()
}
