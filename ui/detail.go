package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/watch"
)

// selected is the row under the cursor; ok is false when the list is empty.
func (m Model) selected() (row, bool) {
	if m.list.cursor < 0 || m.list.cursor >= len(m.list.rows) {
		return row{}, false
	}
	return m.list.rows[m.list.cursor], true
}

// detailHead is the lines above the Read/Unread sections.
func (m Model) detailHead(r row, width int) []string {
	st := m.st
	lines := []string{st.Title.Render(fit(r.title(), width))}
	if r.notice != nil {
		lines = append(lines, st.Dim.Render(fit(fmt.Sprintf("notice · %s · sent %s", pluralize(len(r.keys), "key"), ago(r.notice.CreatedAt, m.now)), width)))
	} else {
		k := r.keys[0]
		lines = append(lines, st.Dim.Render(fit(k.Key, width)))
		status := k.SendStatus
		if status == "" {
			status = "no answer yet"
		}
		lines = append(lines, fit(status+" · robot "+k.RobotCode, width))
		lines = append(lines, fit(m.sendFacts(k), width))
		lines = append(lines, st.Dim.Render(fit(fmt.Sprintf("refreshed %s · %d polls", ago(k.LastOK, m.now), k.Polls), width)))
	}
	lines = append(lines, m.timeline(r, width)...)
	for _, k := range r.keys {
		if k.Err == nil && k.Expired && k.LastOK.IsZero() && r.notice == nil {
			lines = append(lines, st.Warn.Render(fit("expired: no read status was seen", width)))
		}
		if k.Err == nil {
			continue
		}
		prefix := "! "
		if r.notice != nil {
			prefix = "! " + dingtalk.Short(k.Key) + ": "
		}
		text := prefix + k.Err.Hint
		if k.Stale() {
			text += fmt.Sprintf(" (showing data from %s)", ago(k.LastOK, m.now))
		}
		style := st.Error
		if k.Waiting() || k.Expired {
			style = st.Warn
		}
		lines = append(lines, style.Render(fit(text, width)))
	}
	return append(lines, "")
}

// sparks are the levels of a sparkline, lowest first.
var sparks = []rune("▁▂▃▄▅▆▇█")

// timeline is the reads over time as a sparkline with the time to 50% and
// 90% read, the rounds of a notice, and batches that went wrong.
func (m Model) timeline(r row, width int) []string {
	st := m.st
	a := m.detail.aud
	start := r.keys[0].Start()
	if r.notice != nil {
		start = r.notice.CreatedAt
	}
	var lines []string
	if len(a.Read) > 0 && a.Total() > 0 {
		// The end moves once a minute, not every frame, and never before the last read.
		last := a.Read[len(a.Read)-1].FirstSeenRead
		end := m.now.Truncate(time.Minute)
		if len(a.Unread) == 0 || end.Before(last) {
			end = last
		}
		text := timeToRead(a, start)
		if r.notice == nil && r.keys[0].SentAt.IsZero() {
			text = "times need the send time (t)" // counted from adding they would mean nothing
		}
		n := min(24, width-lipgloss.Width(text)-8)
		if n >= 4 {
			var b strings.Builder
			for _, c := range a.Timeline(start, end, n) {
				b.WriteRune(sparks[c*(len(sparks)-1)/a.Total()])
			}
			text = "reads " + st.Read.Render(b.String()) + "  " + text
		}
		lines = append(lines, fit(text, width))
	}
	if r.notice != nil && len(r.notice.Rounds) > 1 {
		var rounds []string
		for _, rd := range r.notice.Rounds {
			name := "sent"
			if rd.N > 0 {
				name = fmt.Sprintf("R%d", rd.N)
			}
			rounds = append(rounds, name+" "+rd.At.In(m.now.Location()).Format("15:04"))
		}
		lines = append(lines, st.Dim.Render(fit("rounds: "+strings.Join(rounds, " · "), width)))
	}
	if r.notice != nil {
		for _, b := range r.notice.Batches {
			if b.Status != watch.BatchSent {
				what := "outcome unknown, not resent (check before sending again)"
				if b.Status == watch.BatchFailed {
					what = "FAILED: " + b.Error
				}
				lines = append(lines, st.Error.Render(fit(fmt.Sprintf("! %d people: %s", len(b.UserIDs), what), width)))
			}
		}
	}
	var lost []string
	for _, k := range r.keys {
		for _, u := range k.NotDelivered {
			lost = append(lost, u.UserID+" ("+u.Reason+")")
		}
	}
	if len(lost) > 0 {
		lines = append(lines, st.Warn.Render(fit(fmt.Sprintf("not delivered: %d: %s", len(lost), strings.Join(lost, ", ")), width)))
	}
	return lines
}

// timeToRead is "50% in 3m · 90% —": how long after start half and nine
// tenths of the audience had been seen read.
func timeToRead(a watch.Audience, start time.Time) string {
	var stats []string
	for _, f := range []float64{0.5, 0.9} {
		if d, ok := a.TimeTo(f, start); ok {
			stats = append(stats, fmt.Sprintf("%d%% in %s", int(f*100), span(d)))
		} else {
			stats = append(stats, fmt.Sprintf("%d%% —", int(f*100)))
		}
	}
	return strings.Join(stats, " · ")
}

// sendFacts is "sent 11-27 10:02 · 21h04m left", or what is known of a
// pasted key.
func (m Model) sendFacts(k *watch.Key) string {
	left, ok := k.TimeLeft(m.now)
	switch {
	case !ok:
		return fmt.Sprintf("added %s · send time unknown (t sets it)", ago(k.AddedAt, m.now))
	case left == 0:
		return fmt.Sprintf("sent %s · window over", k.SentAt.In(m.now.Location()).Format("01-02 15:04"))
	}
	return fmt.Sprintf("sent %s · %s left", k.SentAt.In(m.now.Location()).Format("01-02 15:04"), span(left))
}

// splitWidth is the detail width from which Read and Unread stand side by side.
const splitWidth = 90

// sections is how the Read and Unread lists share the detail pane under
// its head: both stay in view, each with its share of the lines, and j/k
// scroll them together.
type sections struct {
	split                bool
	readRows, unreadRows int // items shown of each
	maxOffset            int
}

// layoutSections shares avail lines of width between the two lists.
func (m Model) layoutSections(width, avail int) sections {
	a := m.detail.aud
	sec := sections{split: width >= splitWidth}
	items := avail - 3 // two titles and a blank line between
	if sec.split {
		items = avail - 1 // one title row
	}
	items = max(items, 0)
	r, u := len(a.Read), len(a.Unread)
	switch {
	case sec.split:
		sec.readRows, sec.unreadRows = min(r, items), min(u, items)
	case r+u <= items:
		sec.readRows, sec.unreadRows = r, u
	case r <= items/2:
		sec.readRows, sec.unreadRows = r, items-r
	case u <= items-items/2:
		sec.readRows, sec.unreadRows = items-u, u
	default:
		sec.readRows, sec.unreadRows = items/2, items-items/2
	}
	sec.maxOffset = max(r-sec.readRows, u-sec.unreadRows, 0)
	return sec
}

// detailMaxOffset is how far j/k can scroll the detail pane.
func (m Model) detailMaxOffset() int {
	r, ok := m.selected()
	if !ok {
		return 0
	}
	_, _, dw, dh := m.paneSizes()
	head := m.detailHead(r, dw-4)
	return m.layoutSections(dw-4, dh-2-len(head)).maxOffset
}

// sectionLines draws rows items of a list from offset, the last line
// saying how many more there are when the list goes on.
func (m Model) sectionLines(n, rows, offset, width int, item func(i, width int) string) []string {
	start := min(offset, max(n-rows, 0))
	lines := make([]string, 0, rows)
	for i := start; i < start+rows; i++ {
		lines = append(lines, item(i, width))
	}
	if more := n - (start + rows); more > 0 && rows > 0 {
		lines[rows-1] = m.st.Dim.Render(fit(fmt.Sprintf("… %d more (tab, then j/k)", more+1), width))
	}
	return lines
}

// readItem is the i-th read person, the newest read first.
func (m Model) readItem(i, width int) string {
	a := m.detail.aud
	p := a.Read[len(a.Read)-1-i]
	return m.personLine(m.st.Read.Render("✓"), p, clockTime(p.FirstSeenRead, m.now), width)
}

// unreadItem is the i-th unread person, by name.
func (m Model) unreadItem(i, width int) string {
	return m.personLine(m.st.Unread.Render("·"), m.detail.aud.Unread[i], "", width)
}

// sectionsView draws the two lists in avail lines.
func (m Model) sectionsView(width, avail int) []string {
	a := m.detail.aud
	sec := m.layoutSections(width, avail)
	off := min(m.detail.offset, sec.maxOffset)
	readTitle := m.st.Read.Render(fmt.Sprintf("Read (%d)", len(a.Read)))
	unreadTitle := m.st.Unread.Render(fmt.Sprintf("Unread (%d)", len(a.Unread)))
	if !sec.split {
		lines := append([]string{readTitle}, m.sectionLines(len(a.Read), sec.readRows, off, width, m.readItem)...)
		lines = append(lines, "", unreadTitle)
		return append(lines, m.sectionLines(len(a.Unread), sec.unreadRows, off, width, m.unreadItem)...)
	}
	half := (width - 2) / 2
	left := append([]string{readTitle}, m.sectionLines(len(a.Read), sec.readRows, off, half, m.readItem)...)
	right := append([]string{unreadTitle}, m.sectionLines(len(a.Unread), sec.unreadRows, off, width-half-2, m.unreadItem)...)
	lines := make([]string, max(len(left), len(right)))
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

// personLine is "✓ name  userId  seen", columns aligned by display width
// and the same in both sections; a narrow pane shows only the time of day.
func (m Model) personLine(mark string, p watch.Person, seen string, width int) string {
	seenW := 12
	if width < 50 {
		seenW = 6
		seen = seen[max(0, len(seen)-5):] // "11-26 13:19" → "13:19"
	}
	rest := width - 2 - seenW
	nameW := min(max(rest/2, 6), 16)
	idW := rest - nameW - 1
	line := mark + " " + fit(p.Name, nameW) + " " + m.st.Dim.Render(fit(p.UserID, idW))
	if seen != "" {
		line += m.st.Dim.Render(fitRight(seen, seenW))
	}
	return line
}
