package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// splitWidth is the inner width from which Unread and Read stand side by side.
const splitWidth = 86

// detailPane shows the selected row: a head (what it is, its problems,
// when it was sent, how fast it is read) over its people: Unread, Read
// and Not delivered. When lines are short the head gives up its least
// useful lines first, so that Unread names always show.
type detailPane struct {
	c             common
	width, height int // inside the border
	focused       bool
	r             row
	ok            bool
	filter        string
	offset        int

	// The layout, computed when the size, the row or the clock changes.
	head    headPlan  // the head lines kept
	secs    []section // the people, with the rows each is given
	serial  uint64    // the row's serial (keyList): changes when its keys do
	secsFor secsKey   // what secs were built from
	cut     bool      // a message in the head was cut short: i shows it whole
	max     int       // the largest useful offset
}

func newDetailPane(c common) detailPane { return detailPane{c: c} }

// SetSize lays the pane out in width×height cells inside its border.
func (d *detailPane) SetSize(width, height int) {
	d.width, d.height = width, height
	d.layout()
}

// setRow shows r (ok false: nothing selected), keeping the scroll when it
// is the same row.
func (d *detailPane) setRow(r row, serial uint64, ok bool, filter string) {
	if !ok || !d.ok || r.id() != d.r.id() || r.child != d.r.child || filter != d.filter {
		d.offset = 0 // a new filter puts whom it found first: show them
	}
	d.r, d.serial, d.ok, d.filter = r, serial, ok, filter
	d.layout()
}

// secsKey is what the people sections depend on: the row (by serial), the
// filter, and the day (read times show a date when not today).
type secsKey struct {
	serial uint64
	filter string
	day    int
}

// setCommon takes a new clock (and styles) and lays out again.
func (d *detailPane) setCommon(c common) {
	d.c = c
	d.layout()
}

// layout decides which head lines to keep and how many rows each section
// of people gets.
func (d *detailPane) layout() {
	d.head, d.cut, d.max = headPlan{}, false, 0
	if !d.ok || d.width <= 0 || d.height <= 0 {
		d.secs = nil
		return
	}
	// The people are listed again only when they changed: a tick redraws
	// times, it does not rebuild 20,000 lines.
	if k := (secsKey{d.serial, d.filter, d.c.now.YearDay()}); k != d.secsFor || d.secs == nil {
		d.secs, d.secsFor = d.sections(), k
	}
	essential := 0
	for _, it := range d.headItems() {
		if it.prio <= 1 {
			essential++
		}
	}
	need := peopleNeed(d.secs, d.split(), d.height, essential)
	d.head, d.cut = d.planHead(max(d.height-need, 0))
	d.max = shareRows(d.secs, d.height-d.head.lines, d.split())
	d.offset = min(max(d.offset, 0), d.max)
}

// split reports whether Unread and Read stand side by side.
func (d detailPane) split() bool { return d.width >= splitWidth }

// Update scrolls the people (when the pane has the focus).
func (d detailPane) Update(msg tea.KeyMsg) (detailPane, tea.Cmd) {
	k := d.c.keys
	page := max(d.height-d.head.lines-2, 1)
	switch {
	case key.Matches(msg, k.Up):
		d.offset--
	case key.Matches(msg, k.Down):
		d.offset++
	case key.Matches(msg, k.PageUp):
		d.offset -= page
	case key.Matches(msg, k.PageDown):
		d.offset += page
	case key.Matches(msg, k.Top):
		d.offset = 0
	case key.Matches(msg, k.Bottom):
		d.offset = d.max
	}
	d.offset = min(max(d.offset, 0), d.max)
	return d, nil
}

// View draws the head and the people in the pane's size.
func (d detailPane) View() string {
	if !d.ok {
		return clip(d.c.st.Dim.Render("Select a key to see who has read it."), d.width, d.height)
	}
	lines := d.headLines()
	lines = append(lines, d.peopleView(d.height-len(lines))...)
	return clip(strings.Join(lines, "\n"), d.width, d.height)
}

// ShortHelp is the footer's keys while the pane has the focus.
func (d detailPane) ShortHelp() []key.Binding {
	k := d.c.keys
	scroll := key.NewBinding(key.WithKeys("j", "k"), key.WithHelp("j/k", "scroll people"))
	out := []key.Binding{scroll, k.Tab, k.Inspect}
	if !d.c.readOnly {
		out = append(out, k.Remind)
	}
	return append(out, k.Copy, k.Help, k.Quit)
}

// FullHelp is not used: the help overlay shows every key.
func (d detailPane) FullHelp() [][]key.Binding { return nil }

// messages are the long texts about the row, whole, for the inspect view.
func (d detailPane) messages() []string {
	if !d.ok {
		return nil
	}
	var out []string
	for _, l := range d.headItems() {
		if l.long {
			out = append(out, l.text)
		}
	}
	a := d.r.audience()
	for _, p := range a.Failed {
		out = append(out, fmt.Sprintf("not sent: %s (batch failed)", personName(p.Name, idOf(p.Recipient))))
	}
	for _, p := range a.NotDelivered {
		out = append(out, fmt.Sprintf("not delivered: %s (%s)", clean(p.UserID), clean(p.Reason)))
	}
	for _, p := range a.Unknown {
		out = append(out, fmt.Sprintf("may have it: %s (batch outcome unknown)", personName(p.Name, idOf(p.Recipient))))
	}
	return out
}
