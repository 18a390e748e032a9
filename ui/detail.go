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
		end := m.now.Truncate(time.Minute) // moves once a minute, not every frame
		if len(a.Unread) == 0 {
			end = a.Read[len(a.Read)-1].FirstSeenRead
		}
		stats := []string{}
		for _, f := range []float64{0.5, 0.9} {
			if d, ok := a.TimeTo(f, start); ok {
				stats = append(stats, fmt.Sprintf("%d%% in %s", int(f*100), span(d)))
			} else {
				stats = append(stats, fmt.Sprintf("%d%% —", int(f*100)))
			}
		}
		text := strings.Join(stats, " · ")
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

// detailLen is how many lines the detail pane has in all, at width.
func (m Model) detailLen(head, width int) int {
	a := m.detail.aud
	if width >= splitWidth {
		return head + 1 + max(len(a.Read), len(a.Unread))
	}
	return head + 1 + len(a.Read) + 1 + 1 + len(a.Unread)
}

// detailLine draws line i of the Read/Unread sections (i counts from the
// end of the head), so only visible lines are ever rendered.
func (m Model) detailLine(i, width int) string {
	if width >= splitWidth {
		half := (width - 2) / 2
		return fit(m.readLine(i, half), half) + "  " + m.unreadLine(i, width-half-2)
	}
	r := len(m.detail.aud.Read)
	switch {
	case i <= r:
		return m.readLine(i, width)
	case i == r+1:
		return ""
	}
	return m.unreadLine(i-r-2, width)
}

// readLine is line i of the Read section: its title, then the newest read first.
func (m Model) readLine(i, width int) string {
	a := m.detail.aud
	switch {
	case i == 0:
		return m.st.Read.Render(fmt.Sprintf("Read (%d)", len(a.Read)))
	case i <= len(a.Read):
		p := a.Read[len(a.Read)-i]
		return m.personLine(m.st.Read.Render("✓"), p, clockTime(p.FirstSeenRead, m.now), width)
	}
	return ""
}

// unreadLine is line i of the Unread section: its title, then by name.
func (m Model) unreadLine(i, width int) string {
	a := m.detail.aud
	switch {
	case i == 0:
		return m.st.Unread.Render(fmt.Sprintf("Unread (%d)", len(a.Unread)))
	case i <= len(a.Unread):
		return m.personLine(m.st.Unread.Render("·"), a.Unread[i-1], "", width)
	}
	return ""
}

// personLine is "✓ name  userId  seen", columns aligned by display width
// and the same in both sections.
func (m Model) personLine(mark string, p watch.Person, seen string, width int) string {
	const seenW = 12
	rest := width - 2 - seenW
	nameW := min(max(rest/2, 6), 16)
	idW := rest - nameW - 1
	line := mark + " " + fit(p.Name, nameW) + " " + m.st.Dim.Render(fit(p.UserID, idW))
	if seen != "" {
		line += m.st.Dim.Render(fitRight(seen, seenW))
	}
	return line
}
