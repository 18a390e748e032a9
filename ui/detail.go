package ui

import (
	"fmt"
	"strings"

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
		return m.personLine(m.st.Read.Render("✓"), p, ago(p.FirstSeenRead, m.now), width)
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
	const seenW = 9
	rest := width - 2 - seenW
	nameW := min(max(rest/2, 6), 16)
	idW := rest - nameW - 1
	line := mark + " " + fit(p.Name, nameW) + " " + m.st.Dim.Render(fit(p.UserID, idW))
	if seen != "" {
		line += m.st.Dim.Render(fitRight(strings.TrimSuffix(seen, " ago"), seenW))
	}
	return line
}
