package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/dingwatch/dingwatch/watch"
)

// keyList is the list of notices and lone keys: its cursor and scroll,
// the filter, which notices are open and which keys are marked.
type keyList struct {
	c             common
	width, height int // inside the border
	focused       bool

	snap     *watch.Snapshot
	rows     []row
	serials  []uint64 // per row: changes when the row is summed again
	serial   uint64
	cursor   int
	offset   int
	expanded map[string]bool // notice ID → open
	marked   map[string]bool // keys marked with space, for n
	pending  string          // a row to select as soon as it appears
	countW   int             // width of the read/total column
	titleW   int             // widest title, for the wide layout

	filter    string // applied, lower case
	filtering bool   // the filter input has the keys
	input     textinput.Model
	cache     *rowCache
	coll      *watch.Collation // sorts a lone key's people (Update's goroutine only)
	groups    int              // notices and lone keys, as of the last rebuild
	unloaded  int              // groups after the rows, not loaded yet: the snapshot is a preview
	want      int              // in a preview, the row a move past the loaded ones asked for (0: none)
}

func newKeyList(c common) keyList {
	in := textinput.New()
	in.Cursor.SetMode(cursor.CursorStatic) // a blinking cursor redraws twice a second, over SSH too
	in.Prompt = "/"
	in.Placeholder = "label, key or name"
	in.CharLimit = 200
	c.st.line(&in)
	return keyList{c: c, input: in, expanded: map[string]bool{}, marked: map[string]bool{}, cache: newRowCache(), coll: watch.DefaultCollation()}
}

// SetSize lays the list out in width×height cells inside its border.
func (l *keyList) SetSize(width, height int) {
	l.width, l.height = width, height
	l.input.Width = max(width-4, 1)
	l.clamp()
}

// rowsShown is how many lines under the title show rows and markers.
func (l keyList) rowsShown() int { return max(l.height-1, 1) }

// setSnapshot rebuilds the rows from s, reusing the rows whose notice and
// keys did not change, and keeps the cursor on the same row.
func (l *keyList) setSnapshot(s *watch.Snapshot) {
	l.snap = s
	l.rebuild()
}

func (l *keyList) rebuild() {
	if l.snap == nil {
		return
	}
	var cur rowRef
	if r, ok := l.selected(); ok {
		cur = r.ref()
	}
	old := make(map[rowRef]int, len(l.rows))
	for i, r := range l.rows {
		old[r.ref()] = i
	}
	groups := l.snap.Groups()
	rows, serials := make([]row, 0, len(groups)), make([]uint64, 0, len(groups))
	add := func(n *watch.Notice, keys []*watch.Key, child int, match string) {
		if i, ok := old[row{notice: n, keys: keys, child: child}.ref()]; ok && l.rows[i].same(n, keys, child) {
			r := l.rows[i]
			r.match = match
			rows, serials = append(rows, r), append(serials, l.serials[i])
			return
		}
		l.serial++
		r := row{notice: n, keys: keys, child: child, match: match}
		if n != nil {
			r = r.summedWith(l.snap.Audience(n.ID), l.c.now) // one merge per notice version, shared by every view
		} else {
			r = r.summed(l.c.now)
		}
		r.titleW = stringWidth(r.titleOf(true)) // a wide pane shows an unlabelled key whole
		rows = append(rows, r)
		serials = append(serials, l.serial)
	}
	for _, g := range groups {
		probe := row{notice: g.Notice, keys: g.Keys}
		if g.Notice != nil && l.filter != "" { // its failed and unknown batches' people too
			if i, ok := old[probe.ref()]; ok && l.rows[i].aud != nil && l.rows[i].same(g.Notice, g.Keys, 0) {
				probe.aud = l.rows[i].aud // the row's, merged already
			} else {
				a := l.snap.Audience(g.Notice.ID) // merged once per notice version, shared with its row
				probe.aud = &a
			}
		}
		ok, match := matches(probe, l.filter)
		if !ok {
			continue
		}
		add(g.Notice, g.Keys, 0, match)
		if g.Notice != nil && l.expanded[g.Notice.ID] {
			for i, k := range g.Keys {
				add(nil, []*watch.Key{k}, i+1, "")
			}
		}
	}
	l.rows, l.serials, l.groups, l.unloaded = rows, serials, len(groups), 0
	if p := l.snap.Preview; p != nil {
		l.unloaded = p.Unloaded
	}
	if l.want > 0 && l.unloaded == 0 { // the rows a move in the preview asked for are here
		cur, l.cursor, l.want = rowRef{}, min(l.want, len(rows)-1), 0
	}
	l.countW, l.titleW = 7, 0 // "999/999"
	for _, r := range rows {
		l.countW = max(l.countW, digits(r.read)+1+digits(r.total))
		l.titleW = max(l.titleW, r.titleW+2)
	}
	cur.child = 0 // a key under its notice: the cursor stays on the notice
	for i, r := range rows {
		if r.ref() == cur {
			l.cursor = i
		}
	}
	if l.pending != "" {
		for i, r := range rows {
			if r.id() == l.pending {
				l.cursor, l.pending = i, ""
			}
		}
	}
	l.clamp()
}

// watched counts what is watched: notices and lone keys, not rows.
func (l keyList) watched() int { return l.groups + l.unloaded }

// digits is how many digits n (≥ 0) is written with.
func digits(n int) int {
	d := 1
	for ; n >= 10; n /= 10 {
		d++
	}
	return d
}

// selected is the row under the cursor; ok is false when the list is empty.
func (l keyList) selected() (row, bool) {
	if l.cursor < 0 || l.cursor >= len(l.rows) {
		return row{}, false
	}
	return l.rows[l.cursor].withPeople(l.coll), true
}

// move moves the cursor by n rows. In a preview, a move past the rows
// loaded is kept and made once they are (tester P2: G stopped on the last
// row of the preview).
func (l *keyList) move(n int) {
	if l.unloaded > 0 && (l.want > 0 || l.cursor+n >= len(l.rows)) {
		if l.want == 0 {
			l.want = l.cursor
		}
		l.want = min(l.want+n, len(l.rows)+l.unloaded-1)
		l.cursor = min(l.want, len(l.rows)-1)
		if l.want < len(l.rows) {
			l.want = 0
		}
		l.clamp()
		return
	}
	l.cursor += n
	l.clamp()
}

// clamp keeps the cursor on a row and the row in view.
func (l *keyList) clamp() {
	l.cursor = min(max(l.cursor, 0), max(len(l.rows)-1, 0))
	l.offset, _ = scrollWindow(len(l.rows)+l.unloaded, l.cursor, l.offset, l.rowsShown())
}

// setFilter applies a filter and rebuilds the rows.
func (l *keyList) setFilter(f string) {
	l.filter = strings.ToLower(strings.TrimSpace(f))
	l.rebuild()
}

// Update handles the keys of the list: moving, opening a notice, and the
// filter while it is typed.
func (l keyList) Update(msg tea.KeyMsg) (keyList, tea.Cmd) {
	k := l.c.keys
	if l.filtering {
		switch msg.Type {
		case tea.KeyEsc:
			l.filtering = false
			l.input.Blur()
			l.setFilter("")
			return l, nil
		case tea.KeyEnter:
			l.filtering = false
			l.input.Blur()
			return l, nil
		}
		var cmd tea.Cmd
		l.input, cmd = l.input.Update(msg)
		cleanInput(&l.input)
		l.setFilter(l.input.Value())
		return l, cmd
	}
	switch {
	case key.Matches(msg, k.Up):
		l.move(-1)
	case key.Matches(msg, k.Down):
		l.move(1)
	case key.Matches(msg, k.PageUp):
		l.move(-l.rowsShown())
	case key.Matches(msg, k.PageDown):
		l.move(l.rowsShown())
	case key.Matches(msg, k.Top):
		l.want = 0 // nothing past the rows loaded is wanted any more
		l.move(-len(l.rows))
	case key.Matches(msg, k.Bottom):
		l.move(len(l.rows) + l.unloaded)
	case key.Matches(msg, k.Expand):
		if r, ok := l.selected(); ok && r.notice != nil {
			l.expanded[r.notice.ID] = !l.expanded[r.notice.ID]
			l.rebuild()
		}
	case key.Matches(msg, k.Filter):
		l.filtering = true
		l.input.SetValue(l.filter)
		l.input.CursorEnd()
		return l, l.input.Focus()
	}
	return l, nil
}

// ShortHelp is the footer's keys while the list has the focus.
func (l keyList) ShortHelp() []key.Binding {
	k := l.c.keys
	if l.filtering {
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		}
	}
	out := []key.Binding{k.Down, k.Expand, k.Tab, k.Filter}
	if l.filter != "" {
		out = append(out, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")))
	}
	if !l.c.readOnly {
		out = append(out, k.Add, k.Send)
	}
	return append(out, k.Refresh, k.Help, k.Quit)
}

// FullHelp is not used: the help overlay shows every key.
func (l keyList) FullHelp() [][]key.Binding { return nil }
