package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/watch"
)

// Update handles global messages, then hands keys to the current mode. A
// panic inside ends the program cleanly: the terminal is restored, the
// stack goes to the log, and the user gets one line (Crashed).
func (m Model) Update(msg tea.Msg) (result tea.Model, cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			m.crash(r)
			result, cmd = m, tea.Quit
		}
	}()
	return m.update(msg)
}

func (m Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.form.resize(msg.Width, m.bodyHeight())
		m.clampScroll()
		return m, nil
	case snapshotMsg:
		if m.snap != nil && msg.snap.Version < m.snap.Version {
			return m, nil // an older snapshot overtaken by a newer one
		}
		m.snap = msg.snap
		m.now = m.opts.Now()
		m.rebuildRows()
		return m, m.noticeEvents()
	case changedMsg:
		return m, tea.Batch(m.takeSnapshot(), m.waitChange())
	case tickMsg:
		if msg.gen != m.tickGen {
			return m, nil // a stale tick chain
		}
		m.now = m.opts.Now()
		return m, m.tick()
	case doneMsg:
		if msg.clearMarks {
			clear(m.list.marked)
		}
		if msg.selectRow != "" {
			m.list.pending = msg.selectRow
			m.rebuildRows()
		}
		m.flash, m.flashErr = msg.text, msg.err != nil
		if msg.err != nil {
			m.flash = msg.err.Error()
		}
		return m, nil
	case tea.KeyMsg:
		if msg.String() == "ctrl+c" {
			return m, tea.Quit
		}
		return m.handleKey(msg)
	}
	return m.updateInputs(msg)
}

// handleKey dispatches a key press by mode.
func (m Model) handleKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch m.mode {
	case modeHelp:
		m.mode = modeNormal
		return m, nil
	case modeConfirm:
		return m.confirmKey(msg)
	case modeAdd, modeSend, modeRemind:
		return m.formKey(msg)
	case modeFilter, modeLabel, modeSentAt, modeName:
		return m.inputKey(msg)
	}
	return m.normalKey(msg)
}

func (m Model) normalKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	m.flash = ""
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Help):
		m.mode = modeHelp
	case key.Matches(msg, k.Dismiss) && m.snap != nil:
		for _, w := range m.snap.Warnings {
			m.list.dismissed[w.Text] = true
		}
	case key.Matches(msg, k.Tab):
		m.focus = 1 - m.focus
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.PageUp):
		m.move(-m.bodyHeight())
	case key.Matches(msg, k.PageDown):
		m.move(m.bodyHeight())
	case key.Matches(msg, k.Top):
		m.move(-1 << 30)
	case key.Matches(msg, k.Bottom):
		m.move(1 << 30)
	case key.Matches(msg, k.Expand):
		if r, ok := m.selected(); ok && r.notice != nil {
			m.list.expanded[r.notice.ID] = !m.list.expanded[r.notice.ID]
			m.rebuildRows()
		}
	case key.Matches(msg, k.Filter):
		return m.openInput(modeFilter, m.list.filter, "filter by label, key or name")
	case key.Matches(msg, k.Refresh):
		if r, ok := m.selected(); ok {
			return m, refresh(m.opts.Engine, m.opts.Session, "refreshing "+r.title(), keysOf(r)...)
		}
	case key.Matches(msg, k.RefreshAll):
		return m, refresh(m.opts.Engine, m.opts.Session, "refreshing all keys")
	case key.Matches(msg, k.Add):
		return m.openAdd()
	case key.Matches(msg, k.Send):
		return m.openSend()
	}
	return m.keyActions(msg)
}

// keyActions are the bindings that act on the selected key.
func (m Model) keyActions(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	r, ok := m.selected()
	if !ok {
		return m, nil
	}
	k := r.key()
	e, ctx := m.opts.Engine, m.opts.Ctx
	switch {
	case key.Matches(msg, m.keys.Mark) && k != nil:
		m.list.marked[k.Key] = !m.list.marked[k.Key]
		m.move(1)
	case key.Matches(msg, m.keys.Name):
		return m.openInput(modeName, "", fmt.Sprintf("name the notice of %s", pluralize(len(m.markedOr(r)), "key")))
	case key.Matches(msg, m.keys.Remind):
		return m.openRemind(r)
	case key.Matches(msg, m.keys.Recall):
		prompt := fmt.Sprintf("Recall %s of %s? Recipients will no longer see it.", pluralize(len(r.keys), "key"), r.title())
		return m.ask(prompt, "", recallKeys(ctx, e, r.title(), keysOf(r)), modeNormal), nil
	case key.Matches(msg, m.keys.Copy):
		return m, m.copyUnread(r)
	case key.Matches(msg, m.keys.Write):
		return m, exportCSV(m.opts.ExportDir, r.title(), r.keys, m.now)
	case key.Matches(msg, m.keys.Label) && r.notice != nil:
		return m.openInput(modeLabel, r.notice.Label, "name of the notice")
	case key.Matches(msg, m.keys.Label) && k != nil:
		return m.openInput(modeLabel, k.Label, "label for "+dingtalk.Short(k.Key))
	case key.Matches(msg, m.keys.SentAt) && k != nil:
		return m.openInput(modeSentAt, "", "sent at: 15:04, 2006-01-02 15:04, or 20m ago")
	case key.Matches(msg, m.keys.Remove):
		return m.askRemove(r)
	}
	return m, nil
}

func keysOf(r row) []string {
	out := make([]string, len(r.keys))
	for i, k := range r.keys {
		out[i] = k.Key
	}
	return out
}

func (m Model) askRemove(r row) (tea.Model, tea.Cmd) {
	what := "key " + r.title()
	if r.notice != nil {
		what = "notice " + r.title() + " and its " + pluralize(len(r.keys), "key")
	}
	return m.ask("Stop watching "+what+"?", "", removeKeys(m.opts.Engine, what, keysOf(r)), modeNormal), nil
}

// confirmKey: y (or enter) does it; anything else goes back, to the form
// when the question came from one.
func (m Model) confirmKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch strings.ToLower(msg.String()) {
	case "y", "enter":
		m.mode = modeNormal
		return m, m.confirm.yes
	}
	m.mode = m.confirm.back
	m.flash = "cancelled"
	return m, nil
}

// copyUnread copies the row's unread names and userIds.
func (m Model) copyUnread(r row) tea.Cmd {
	var b strings.Builder
	for _, p := range m.detail.aud.Unread {
		fmt.Fprintf(&b, "%s\t%s\n", p.Name, p.UserID)
	}
	if b.Len() == 0 {
		return func() tea.Msg { return doneMsg{text: "nobody unread in " + r.title()} }
	}
	return copyText(m.opts.Renderer.Output(), b.String(), pluralize(len(m.detail.aud.Unread), "unread recipient"))
}

// noticeEvents turns new read events into a message, and a bell.
func (m *Model) noticeEvents() tea.Cmd {
	if m.snap == nil || m.snap.EventSeq == m.seenSeq {
		return nil
	}
	first := m.seenSeq == 0
	fresh := m.snap.EventSeq - m.seenSeq
	m.seenSeq = m.snap.EventSeq
	if first {
		return nil // what happened before this view opened
	}
	evs := m.snap.Events
	evs = evs[max(0, len(evs)-int(min(fresh, uint64(len(evs))))):]
	for _, ev := range evs {
		if ev.Everyone {
			what := ev.Notice
			if what == "" {
				what = dingtalk.Short(ev.Key)
			}
			m.flash, m.flashErr = what+": everyone has read it", false
		}
	}
	if m.opts.Bell && len(evs) > 0 {
		return ring(m.opts.Renderer.Output())
	}
	return nil
}

// move moves the cursor (list) or scrolls (detail) by n.
func (m *Model) move(n int) {
	if m.focus == paneDetail {
		m.detail.offset += n
	} else {
		m.list.cursor += n
		m.selectionChanged()
	}
	m.clampScroll()
}

// clampScroll keeps the cursor and offsets inside their ranges.
func (m *Model) clampScroll() {
	l := &m.list
	l.cursor = min(max(l.cursor, 0), max(len(l.rows)-1, 0))
	h := max(m.listHeight(), 1)
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+h {
		l.offset = l.cursor - h + 1
	}
	l.offset = min(max(l.offset, 0), max(len(l.rows)-h, 0))
	d := &m.detail
	d.offset = min(max(d.offset, 0), m.detailMaxOffset())
}

// rebuildRows recomputes the list after a snapshot, filter or toggle,
// keeping the cursor on the same row when it still exists.
func (m *Model) rebuildRows() {
	if m.snap == nil {
		return
	}
	cur := ""
	if r, ok := m.selected(); ok {
		cur = r.id()
	}
	m.list.rows = buildRows(m.snap, m.list.expanded, m.list.filter, m.now)
	m.list.countW = 7 // "999/999"
	for _, r := range m.list.rows {
		m.list.countW = max(m.list.countW, len(fmt.Sprintf("%d/%d", r.read, r.total)))
	}
	for i, r := range m.list.rows {
		if r.id() == cur {
			m.list.cursor = i
		}
	}
	for i, r := range m.list.rows {
		if r.id() == m.list.pending {
			m.list.cursor, m.list.pending = i, ""
		}
	}
	m.selectionChanged()
	m.clampScroll()
}

// selectionChanged recomputes the detail pane's audience.
func (m *Model) selectionChanged() {
	m.list.cursor = min(max(m.list.cursor, 0), max(len(m.list.rows)-1, 0))
	r, ok := m.selected()
	if !ok {
		m.detail = detailState{}
		return
	}
	if r.id() != m.detail.rowID {
		m.detail.offset = 0
	}
	m.detail.rowID = r.id()
	if r.aud != nil {
		m.detail.aud = *r.aud
	} else {
		m.detail.aud = watch.AudienceOf(r.keys)
	}
}

// updateInputs passes other messages (cursor blink, paste) to the open input.
func (m Model) updateInputs(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch m.mode {
	case modeAdd, modeSend, modeRemind:
		m.form, cmd = m.form.update(msg)
	case modeFilter, modeLabel, modeSentAt, modeName:
		m.input, cmd = m.input.Update(msg)
	}
	return m, cmd
}

func pluralize(n int, word string) string {
	switch {
	case n == 1:
		return "1 " + word
	case strings.HasSuffix(word, "ch") || strings.HasSuffix(word, "s"):
		return fmt.Sprintf("%d %ses", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
