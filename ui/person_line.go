package ui

// personCols are the widths of a person line's columns: "✓ name id right".
type personCols struct {
	width, name, id, right int
	clock                  bool // a narrow pane: a read time shows as its time of day
}

// columnsFor shares width between the columns of people shown together:
// names as wide as the widest shown (so a wide pane does not cut them
// beside empty columns), the id the rest; when both do not fit, the name
// keeps half and at least 16 cells, the id at least a third. The right
// column (a read time, a reason) takes what the ids leave free.
func columnsFor(items []personItem, width int) personCols {
	c := personCols{width: width}
	wantName, wantID, wantRight := 0, 0, 0
	for _, p := range items {
		wantName = max(wantName, stringWidth(p.name))
		wantID = max(wantID, stringWidth(p.id))
		wantRight = max(wantRight, stringWidth(p.right))
	}
	c.right = min(max(12, wantRight), 18)
	if width < 50 {
		c.right = min(max(wantRight, 6), 14, width/3)
		c.clock = true
	}
	rest := width - 2 - c.right
	c.name = min(max(rest/2, 6), 16) // names line up across sections
	if wantRight == 0 {
		c.right, rest = 0, width-2 // nothing to show there: name and id take it
	} else {
		rest-- // the space before the right column
	}
	if wantName > c.name {
		c.name = min(wantName, max(rest-1-min(wantID, rest/3), c.name))
	}
	c.id = max(rest-c.name-1, 0)
	if give := min(c.id-wantID, wantRight-c.right); give > 0 {
		c.id, c.right = c.id-give, c.right+give // a long reason takes the room the ids leave
	}
	if give := min(c.name-wantName, wantRight-c.right); give > 0 && wantID == 0 {
		c.name, c.right = c.name-give, c.right+give // and the names', with no id column to line up
	}
	return c
}

// personLine is "✓ name  userId  seen", columns aligned by display width;
// a narrow pane shows only the time of day.
func (d detailPane) personLine(p personItem, c personCols) string {
	st := d.c.st
	right, rightW := p.right, c.right
	if c.clock && p.clock {
		right, rightW = right[max(0, len(right)-5):], 6 // "11-26 13:19" → "13:19"
	}
	idW := c.id + c.right - rightW
	mark := p.mark
	if p.match {
		mark = "»"
	}
	line := mark + " " + fit(p.name, c.name) + " " + st.Dim.Render(fit(p.id, idW))
	if right != "" { // a space apart, even when the id fills its column
		line += " " + st.Dim.Render(fitRight(right, rightW))
	}
	return line
}
