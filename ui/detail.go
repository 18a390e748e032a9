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

// detailLen is how many lines the detail pane has in all.
func (m Model) detailLen(head int) int {
	return head + 1 + len(m.detail.aud.Read) + 1 + 1 + len(m.detail.aud.Unread)
}

// detailLine draws line i of the Read/Unread sections (i counts from the
// end of the head), so only visible lines are ever rendered.
func (m Model) detailLine(i, width int) string {
	st := m.st
	a := m.detail.aud
	switch {
	case i == 0:
		return st.Read.Render(fmt.Sprintf("Read (%d)", len(a.Read)))
	case i <= len(a.Read):
		p := a.Read[len(a.Read)-i] // the newest read first
		return m.personLine(st.Read.Render("✓"), p, ago(p.FirstSeenRead, m.now), width)
	case i == len(a.Read)+1:
		return ""
	case i == len(a.Read)+2:
		return st.Unread.Render(fmt.Sprintf("Unread (%d)", len(a.Unread)))
	}
	p := a.Unread[i-len(a.Read)-3]
	return m.personLine(st.Unread.Render("·"), p, "", width)
}

// personLine is "✓ name  userId  seen", columns aligned by display width.
func (m Model) personLine(mark string, p watch.Person, seen string, width int) string {
	seenW := 0
	if seen != "" {
		seenW = 9
	}
	rest := width - 2 - seenW
	nameW := min(max(rest/2, 6), 16)
	idW := rest - nameW - 1
	line := mark + " " + fit(p.Name, nameW) + " " + m.st.Dim.Render(fit(p.UserID, idW))
	if seenW > 0 {
		line += m.st.Dim.Render(fitRight(strings.TrimSuffix(seen, " ago"), seenW))
	}
	return line
}
