package ui

import (
	"fmt"
	"io"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/dingwatch/dingwatch/watch"
)

// binding handles a key when no overlay is open: the global keys, then
// those of the row under the cursor, then the focused pane's.
func (m Model) binding(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.c.keys
	if m.opts.ReadOnly && key.Matches(msg, k.changes()...) {
		return m.setFlash(fmt.Sprintf("view only: %q changes things, and this session may only watch (ask the operator for a user key)", msg.String()), true)
	}
	if m.opts.NoExport && key.Matches(msg, k.Write) {
		return m.setFlash("w is off here: over SSH the CSV file would land on the server (use dingwatch status --csv)", true)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Help):
		titles, cols := k.fullHelp(m.opts.ReadOnly, m.opts.NoExport)
		return m.open(newHelpView(m.c, titles, cols))
	case key.Matches(msg, k.Tab):
		m.setFocus(1 - m.focus)
		return m, nil
	case key.Matches(msg, k.Dismiss):
		return m.escape()
	case key.Matches(msg, k.Inspect), m.focus == focusDetail && key.Matches(msg, k.Expand):
		title := "Messages"
		if r, ok := m.list.selected(); ok {
			title += " · " + r.title()
		}
		return m.open(newInspect(m.c, title, m.messages()))
	case key.Matches(msg, k.RefreshAll):
		return m, refresh(m.opts.Engine, m.opts.Session, m.c.now)
	case key.Matches(msg, k.Add):
		return m.open(m.addForm())
	case key.Matches(msg, k.Send):
		return m.open(m.sendForm())
	}
	if r, ok := m.list.selected(); ok && len(r.keys) == 0 && key.Matches(msg, k.Refresh, k.Recall, k.Name, k.Write, k.SentAt) {
		return m.setFlash(r.title()+" has no key: none of its batches was sent (b or B resends them)", true)
	}
	if m.list.want > 0 && !key.Matches(msg, k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown, k.Filter, k.Tab) {
		// The row under the cursor is not the one moved to (tester Q3: G d removed the preview's last row).
		return m.setFlash("the row you moved to is still loading: nothing done", true)
	}
	if r, ok := m.list.selected(); ok {
		if next, cmd, handled := m.rowAction(msg, r); handled {
			return next, cmd
		}
	}
	var cmd tea.Cmd
	if m.focus == focusDetail {
		m.detail, cmd = m.detail.Update(msg)
		return m, cmd
	}
	m.list, cmd = m.list.Update(msg)
	m.selectionChanged()
	return m, cmd
}

// rowAction handles the keys that act on the selected row.
func (m Model) rowAction(msg tea.KeyMsg, r row) (Model, tea.Cmd, bool) {
	k, e := m.c.keys, m.opts.Engine
	var cmd tea.Cmd
	switch {
	case key.Matches(msg, k.Refresh):
		cmd = refresh(e, m.opts.Session, m.c.now, r.keyIDs()...)
	case key.Matches(msg, k.Mark) && r.key() != nil:
		id := r.key().Key
		m.list.marked[id] = !m.list.marked[id]
		m.list.move(1)
		m.selectionChanged()
	case key.Matches(msg, k.Copy):
		if len(r.audience().Unread) == 0 {
			m, cmd = m.setFlash("nobody unread in "+r.title(), false)
			break
		}
		what := pluralize(len(r.audience().Unread), "unread name")
		cmd = copyCmd(m.output(), m.opts.Getenv, unreadText(r.audience().Unread), what)
	case key.Matches(msg, k.Write):
		cmd = exportCSV(m.opts.ExportDir, r.title(), r.keys, r.notice, m.c.now)
	case key.Matches(msg, k.Recall) && r.recalled():
		m, cmd = m.setFlash(r.title()+" is already recalled", false)
	case key.Matches(msg, k.Recall):
		m, cmd = m.recall(r)
	case key.Matches(msg, k.Remove):
		what, ids := "key "+r.title(), r.keyIDs()
		if r.notice != nil {
			what = "notice " + r.title() + " and its " + pluralize(len(r.keys), "key")
			if len(r.keys) == 0 {
				what = "notice " + r.title() + " (none of its batches was sent)"
			}
			ids = append(ids, r.notice.ID) // the ID removes the notice itself, even one without keys
		}
		m, cmd = m.open(m.ask("Stop watching "+what+"? Its read status is forgotten here (DingTalk keeps it).", "removes", removeKeys(e, what, ids, len(r.keys))))
	case key.Matches(msg, k.Resend), key.Matches(msg, k.ResendAll):
		m, cmd = m.resend(r, key.Matches(msg, k.ResendAll))
	case key.Matches(msg, k.Remind):
		o, refusal := m.remindForm(r)
		if refusal != "" {
			m, cmd = m.setFlash(refusal, true)
			break
		}
		m, cmd = m.open(o)
	case key.Matches(msg, k.Name):
		m, cmd = m.open(m.nameInput(r))
	case key.Matches(msg, k.Label):
		m, cmd = m.open(m.labelInput(r))
	case key.Matches(msg, k.SentAt) && r.key() != nil:
		m, cmd = m.open(m.sentAtInput([]*watch.Key{r.key()}))
	case key.Matches(msg, k.SentAt):
		m, cmd = m.noticeSentAt(r)
	default:
		return m, nil, false
	}
	return m, cmd, true
}

// open shows an overlay (nil: a refusal already flashed).
func (m Model) open(o overlay) (Model, tea.Cmd) {
	if o == nil {
		return m, nil
	}
	m.overlay = o
	m.relayout()
	return m, m.arm()
}

// escape clears an applied filter first, else hides the banners seen.
func (m Model) escape() (Model, tea.Cmd) {
	if m.list.filter != "" {
		m.list.input.SetValue("")
		m.list.setFilter("")
		m.selectionChanged()
		return m.setFlash("filter cleared", false)
	}
	if m.snap != nil {
		for _, w := range m.banners() {
			m.dismissed[w.text] = true
		}
	}
	m.relayout()
	return m, nil
}

// recall asks before recalling the row's keys that DingTalk can still
// recall. Keys known to be past DingTalk's 24 hours are left out and
// counted in the prompt; when every key is, it says so without asking and
// spends no call.
func (m Model) recall(r row) (Model, tea.Cmd) {
	var live []string
	past := 0
	for _, k := range r.keys {
		switch {
		case k.SendStatus == watch.SendRecalled:
		case k.Expired || k.ExpiredBy(m.c.now):
			past++
		default:
			live = append(live, k.Key)
		}
	}
	if len(live) == 0 {
		return m.setFlash(fmt.Sprintf("%s was sent over 24 hours ago: DingTalk no longer recalls it (nothing was asked)", r.title()), true)
	}
	what := pluralize(len(live), "key")
	if past > 0 {
		what = fmt.Sprintf("%d of %s (%d past DingTalk's 24 hours)", len(live), pluralize(len(live)+past, "key"), past)
	}
	return m.open(m.ask(fmt.Sprintf("Recall %s of %s? Recipients will no longer see it.", what, r.title()),
		"recalls", recallKeys(m.opts.Ctx, m.opts.Engine, r.title(), live)))
}

// ask builds a confirmation that runs yes on y.
func (m Model) ask(prompt, yesWhat string, yes tea.Cmd) *confirm {
	return &confirm{c: m.c, prompt: prompt, yesWhat: yesWhat, yes: yes}
}

// resend asks before sending a notice again to the people its failed
// (and, with unknownToo, unknown) batches did not reach.
func (m Model) resend(r row, unknownToo bool) (Model, tea.Cmd) {
	if r.notice == nil {
		return m.setFlash("only a notice sent from dingwatch has batches to resend", true)
	}
	failed, unknown := len(r.audience().Failed), len(r.audience().Unknown)
	if !unknownToo {
		if failed == 0 {
			return m.setFlash(fmt.Sprintf("no failed batch in %s (B resends batches whose outcome is unknown: %d people)", r.title(), unknown), false)
		}
		return m.open(m.ask(fmt.Sprintf("Resend %s to the %s of its failed batches?", r.title(), pluralize(failed, "person")),
			"resends", resendNotice(m.opts.Ctx, m.opts.Engine, r.notice.ID, false)))
	}
	if failed+unknown == 0 {
		return m.setFlash("every batch of "+r.title()+" was sent", false)
	}
	prompt := fmt.Sprintf("Resend %s to the %s of its batches whose outcome is unknown?", r.title(), pluralize(unknown, "person"))
	if failed > 0 {
		prompt = fmt.Sprintf("Resend %s to %s: %d of failed batches and %d of batches whose outcome is unknown?", r.title(), pluralize(failed+unknown, "person"), failed, unknown)
	}
	p := m.ask(prompt,
		"resends to all of them", resendNotice(m.opts.Ctx, m.opts.Engine, r.notice.ID, true))
	if unknown > 0 {
		p.warn = fmt.Sprintf("an unknown batch may have been delivered: those %d people may get the notice twice", unknown)
	}
	return m.open(p)
}

// messages are the long texts the inspect view shows whole: the banners,
// the last error, and the selected row's.
func (m Model) messages() []string {
	var out []string
	for _, b := range m.banners() {
		out = append(out, b.text)
	}
	if m.flashErr && m.flash != "" {
		out = append(out, clean(m.flash))
	}
	return append(out, m.detail.messages()...)
}

// output is where the clipboard sequence is written: the terminal.
func (m Model) output() io.Writer { return m.opts.Renderer.Output() }

// ring sounds the terminal bell.
func ring(out io.Writer) tea.Cmd {
	return func() tea.Msg {
		io.WriteString(out, "\a")
		return nil
	}
}

func shortKey(k string) string { return clean(watch.ShortKey(k)) }
