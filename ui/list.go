package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/watch"
)

// row is one line of the key list: a notice (a group of keys) or a key.
// Its counts and state are worked out once per snapshot, not per frame.
type row struct {
	notice  *watch.Notice
	keys    []*watch.Key // the notice's keys, or the one key
	child   int          // for a key shown under its open notice: its batch number (1…)
	read    int
	total   int
	word    string          // the state, in a word
	problem bool            // the state is a failure
	aud     *watch.Audience // the merged people of a row of several keys
}

// summed fills in the row's counts and state at now. A notice's people
// come merged from the snapshot, once for every view.
func (r row) summed(snap *watch.Snapshot, now time.Time) row {
	switch {
	case r.notice != nil:
		a := snap.Audience(r.notice.ID) // kept: the detail pane shows it when the row is selected
		r.aud, r.read, r.total = &a, len(a.Read), a.Total()
	case len(r.keys) == 1:
		r.read, r.total = r.keys[0].Counts()
	default:
		a := watch.AudienceOf(r.keys)
		r.aud, r.read, r.total = &a, len(a.Read), a.Total()
	}
	r.word, r.problem = rowState(r, now)
	return r
}

// id names the row across snapshots.
func (r row) id() string {
	if r.notice != nil {
		return "n:" + r.notice.ID
	}
	return "k:" + r.keys[0].Key
}

// key is the row's key, or nil for a notice.
func (r row) key() *watch.Key {
	if r.notice != nil {
		return nil
	}
	return r.keys[0]
}

// title is the row's label, or the shortened key.
func (r row) title() string {
	if r.notice != nil {
		return r.notice.Label
	}
	k := r.keys[0]
	name := dingtalk.Short(k.Key)
	if k.Label != "" {
		name = k.Label
	}
	if r.child > 0 {
		round := ""
		if k.Round > 0 {
			round = fmt.Sprintf("R%d ", k.Round)
		}
		return fmt.Sprintf("%s#%d %s", round, r.child, name)
	}
	return name
}

// buildRows lists notices (open ones followed by their keys) and lone
// keys in the state's order, keeping those that match filter.
func buildRows(snap *watch.Snapshot, expanded map[string]bool, filter string, now time.Time) []row {
	filter = strings.ToLower(strings.TrimSpace(filter))
	var rows []row
	for _, g := range snap.State.Groups() {
		r := row{notice: g.Notice, keys: g.Keys}
		if !matches(r, filter) {
			continue
		}
		rows = append(rows, r.summed(snap, now))
		if g.Notice != nil && expanded[g.Notice.ID] {
			for i, k := range g.Keys {
				rows = append(rows, row{keys: []*watch.Key{k}, child: i + 1}.summed(snap, now))
			}
		}
	}
	return rows
}

func matches(r row, filter string) bool {
	if filter == "" || strings.Contains(strings.ToLower(r.title()), filter) {
		return true
	}
	for _, k := range r.keys {
		if strings.Contains(strings.ToLower(k.Key+" "+k.Label), filter) {
			return true
		}
		for _, p := range k.Recipients {
			if strings.Contains(strings.ToLower(p.Name), filter) || strings.Contains(strings.ToLower(p.UserID), filter) {
				return true
			}
		}
	}
	return false
}

// rowState is a short word for the row's state, and whether it is a problem.
func rowState(r row, now time.Time) (word string, problem bool) {
	if r.notice != nil {
		return noticeState(r.keys, now)
	}
	k := r.keys[0]
	switch {
	case k.Unknown:
		return "unknown", true
	case k.Expired || k.ExpiredBy(now):
		return "expired", false
	case k.SendStatus == dingtalk.SendRecalled:
		return "recalled", false
	case k.Waiting():
		return "waiting", false
	case k.Stale():
		return "stale", true
	case k.Err != nil:
		return "error", true
	case k.LastOK.IsZero():
		return "loading", false
	case k.Final():
		return "all read", false
	case k.SendStatus == dingtalk.SendSuccess:
		return "sent", false
	}
	return strings.ToLower(k.SendStatus), false
}

// noticeState sums up the states of a notice's keys: the problems first,
// then what all keys share, else how many keys there are.
func noticeState(keys []*watch.Key, now time.Time) (string, bool) {
	words := map[string]int{}
	problems := 0
	for _, k := range keys {
		w, p := rowState(row{keys: []*watch.Key{k}}, now)
		words[w]++
		if p {
			problems++
		}
	}
	switch {
	case problems > 0:
		return pluralize(problems, "error"), true
	case len(words) == 1:
		for w := range words {
			return w, false
		}
	case words["waiting"] > 0:
		return "waiting", false
	}
	return pluralize(len(keys), "key"), false
}

// timeLeft is the window left of the row's first key ("21h04m"), or the
// time since it was added when its send time is unknown ("+3m").
func timeLeft(r row, now time.Time) string {
	k := r.keys[0]
	if left, ok := k.TimeLeft(now); ok {
		if left == 0 {
			return "ended"
		}
		return span(left)
	}
	return "+" + span(max(0, now.Sub(k.AddedAt)))
}

// rowCache keeps rendered rows: an idle or scrolling list re-renders only
// the rows whose content changed. It is the one thing View writes to.
type rowCache struct{ rows map[rowSig]cachedRow }

// cachedRow is a rendered row with the keys and notice it showed: the
// engine's keys and notices are copy-on-write, so the same pointers mean
// the same content.
type cachedRow struct {
	notice *watch.Notice
	keys   []*watch.Key
	out    string
}

// rowSig is everything else a rendered row depends on.
type rowSig struct {
	id             string
	selected, open bool
	marked         bool
	width, child   int
	countW         int
	left           string
}

// cachedRow renders r or takes it from the cache.
func (m Model) cachedRow(r row, selected bool, width int) string {
	sig := rowSig{id: r.id(), selected: selected, width: width, child: r.child, left: timeLeft(r, m.now), countW: m.list.countW}
	if r.notice != nil {
		sig.open = m.list.expanded[r.notice.ID]
	} else {
		sig.marked = m.list.marked[r.keys[0].Key]
	}
	if c, ok := m.cache.rows[sig]; ok && c.notice == r.notice && slices.Equal(c.keys, r.keys) {
		return c.out
	}
	if len(m.cache.rows) > 1024 {
		clear(m.cache.rows)
	}
	out := m.renderRow(r, selected, width)
	m.cache.rows[sig] = cachedRow{notice: r.notice, keys: r.keys, out: out}
	return out
}

// renderRow draws row r in width cells; selected rows carry a glyph.
func (m Model) renderRow(r row, selected bool, width int) string {
	st := m.st
	cursor := "  "
	if selected {
		cursor = st.Cursor.Render("› ")
	}
	if r.notice == nil && m.list.marked[r.keys[0].Key] {
		cursor = cursor[:len(cursor)-1] + st.Cursor.Render("*") // marked for n
		if selected {
			cursor = st.Cursor.Render("›*")
		}
	}
	indent := ""
	if r.notice != nil {
		if m.list.expanded[r.notice.ID] {
			indent = "▾ "
		} else {
			indent = "▸ "
		}
	} else if r.child > 0 {
		indent = "  "
	}
	read, total, word, problem := r.read, r.total, r.word, r.problem
	counts := fitRight(fmt.Sprintf("%d/%d", read, total), m.list.countW)
	mark := " "
	if problem {
		mark = st.Error.Render("!")
	}
	// Optional columns, most useful first, while the name keeps 14 cells.
	nameW := width - 2 - m.list.countW - 1 - 2 // cursor, " counts", " mark"
	show := func(w int) bool {
		if nameW-(w+1) < 14 {
			return false
		}
		nameW -= w + 1
		return true
	}
	showWord, showLeft, showBar := show(9), show(6), show(8)
	title := fit(indent+r.title(), nameW)
	if selected {
		title = st.Selected.Render(title)
	}
	var b strings.Builder
	b.WriteString(cursor + title + " " + counts)
	if showBar {
		b.WriteString(" " + bar(st, read, total, 8))
	}
	if showWord {
		style := st.Dim
		if problem {
			style = st.Error
		}
		b.WriteString(" " + style.Render(fit(word, 9)))
	}
	if showLeft {
		b.WriteString(" " + st.Dim.Render(fitRight(timeLeft(r, m.now), 6)))
	}
	b.WriteString(" " + mark)
	return b.String()
}
