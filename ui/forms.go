package ui

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/watch"
)

// openInput opens the one-line input for mode with a starting value.
func (m Model) openInput(md mode, value, placeholder string) (tea.Model, tea.Cmd) {
	m.mode = md
	m.input.SetValue(value)
	m.input.Placeholder = placeholder
	m.input.CursorEnd()
	return m, m.input.Focus()
}

// inputKey handles keys while a one-line input is open.
func (m Model) inputKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch msg.Type {
	case tea.KeyEsc:
		if m.mode == modeFilter {
			m.list.filter = ""
			m.rebuildRows()
		}
		m.mode = modeNormal
		m.input.Blur()
		return m, nil
	case tea.KeyEnter:
		return m.submitInput()
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	if m.mode == modeFilter { // filter as you type
		m.list.filter = m.input.Value()
		m.rebuildRows()
	}
	return m, cmd
}

func (m Model) submitInput() (tea.Model, tea.Cmd) {
	value := strings.TrimSpace(m.input.Value())
	md := m.mode
	m.mode = modeNormal
	m.input.Blur()
	r, ok := m.selected()
	switch {
	case md == modeFilter || !ok:
		return m, nil
	case md == modeName:
		return m, groupKeys(m.opts.Engine, m.markedOr(r), value)
	case md == modeLabel && r.notice != nil:
		return m, renameNotice(m.opts.Engine, r.notice.ID, value)
	case r.key() == nil:
		return m, nil
	}
	k := r.key().Key
	switch md {
	case modeLabel:
		return m, editKey("label saved", func() error { return m.opts.Engine.SetLabel(k, value) })
	case modeSentAt:
		t, err := watch.ParseSentAt(value, m.now)
		if err != nil {
			m.flash, m.flashErr = "send time: "+err.Error(), true
			return m, nil
		}
		return m, editKey("send time saved", func() error { return m.opts.Engine.SetSentAt(k, t) })
	}
	return m, nil
}

// markedOr is the marked keys, or the row's keys when none are marked.
func (m Model) markedOr(r row) []string {
	var keys []string
	for _, k := range m.snap.State.Keys {
		if m.list.marked[k.Key] {
			keys = append(keys, k.Key)
		}
	}
	if len(keys) == 0 {
		keys = keysOf(r)
	}
	return keys
}

// openForm opens a form of the given mode.
func (m Model) openForm(md mode, f form, title, note string, values ...string) (tea.Model, tea.Cmd) {
	m.mode = md
	f.resize(m.width, m.bodyHeight())
	var cmd tea.Cmd
	m.form, cmd = f.open(title, note, values...)
	m.form.resize(m.width, m.bodyHeight())
	return m, cmd
}

func (m Model) openAdd() (tea.Model, tea.Cmd) {
	robot := ""
	if m.snap != nil {
		robot = m.snap.Robot
	}
	f := form{fields: []field{
		newArea("Keys", "paste one or more processQueryKeys (spaces, commas or new lines)"),
		newLine("Label", "optional", 80),
		newLine("Robot", "robot code", 128),
	}}
	return m.openForm(modeAdd, f, "Add keys", "", "", "", robot)
}

func (m Model) openSend() (tea.Model, tea.Cmd) {
	f := form{fields: []field{
		newArea("To", "userIds, separated by commas, spaces or new lines"),
		newArea("Text", "the message"),
		newLine("Label", "the notice's name in dingwatch", 80),
	}}
	return m.openForm(modeSend, f, "Send a notice", "sent in batches of 20; you confirm before anything is sent")
}

func (m Model) openRemind(r row) (tea.Model, tea.Cmd) {
	if r.notice == nil {
		m.flash, m.flashErr = "reminders go to a notice's unread: make this key a notice with n first", true
		return m, nil
	}
	unread := len(m.detail.aud.Unread)
	if unread == 0 {
		m.flash = "everyone has read " + r.title()
		return m, nil
	}
	text := ""
	if len(r.notice.Rounds) > 0 {
		text = r.notice.Rounds[0].Text
	}
	f := form{fields: []field{newArea("Text", "the reminder")}}
	return m.openForm(modeRemind, f, "Remind "+r.title(), fmt.Sprintf("to the %s who have not read it", pluralize(unread, "unread recipient")), text)
}

// formKey handles keys in a form: tab moves, enter submits, esc cancels.
func (m Model) formKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch msg.String() {
	case "esc":
		m.mode = modeNormal
		return m, nil
	case "tab":
		return m, m.form.next(1)
	case "shift+tab":
		return m, m.form.next(-1)
	case "enter":
		return m.submitForm()
	}
	var cmd tea.Cmd
	m.form, cmd = m.form.update(msg)
	return m, cmd
}

func (m Model) submitForm() (tea.Model, tea.Cmd) {
	switch m.mode {
	case modeAdd:
		return m.submitAdd()
	case modeSend:
		return m.previewSend()
	case modeRemind:
		return m.previewRemind()
	}
	return m, nil
}

func (m Model) submitAdd() (tea.Model, tea.Cmd) {
	keys, err := watch.ParseKeys(m.form.fields[0].value())
	if err != nil && len(keys) == 0 {
		m.flash, m.flashErr = err.Error(), true
		return m, nil
	}
	m.mode = modeNormal
	spec := watch.AddSpec{Keys: keys, Label: strings.TrimSpace(m.form.fields[1].value()), RobotCode: m.form.fields[2].value()}
	// Malformed keys: the good ones are added, the message says why the others were not.
	return m, addKeys(m.opts.Engine, spec, err)
}

// previewSend checks the send form and asks for confirmation with a preview.
func (m Model) previewSend() (tea.Model, tea.Cmd) {
	ids := watch.ParseUserIDs(m.form.fields[0].value())
	text := strings.TrimSpace(m.form.fields[1].value())
	label := strings.TrimSpace(m.form.fields[2].value())
	switch {
	case len(ids) == 0:
		m.flash, m.flashErr = "no recipients: give their userIds", true
		return m, nil
	case text == "":
		m.flash, m.flashErr = "the message is empty", true
		return m, nil
	}
	if label == "" {
		label = "notice " + m.now.Format("01-02 15:04")
	}
	spec := watch.SendSpec{UserIDs: ids, Message: dingtalk.Text(text), Label: label}
	prompt := fmt.Sprintf("Send %q to %s in %s?", label, pluralize(len(ids), "recipient"), pluralize(batches(len(ids)), "batch"))
	return m.ask(prompt, previewOf(text, ids), sendNotice(m.opts.Ctx, m.opts.Engine, spec), modeSend), nil
}

// previewRemind asks for confirmation of a reminder to the unread.
func (m Model) previewRemind() (tea.Model, tea.Cmd) {
	r, ok := m.selected()
	text := strings.TrimSpace(m.form.fields[0].value())
	if !ok || r.notice == nil || text == "" {
		m.flash, m.flashErr = "the reminder is empty", true
		return m, nil
	}
	var ids []string
	for _, p := range m.detail.aud.Unread {
		ids = append(ids, p.UserID)
	}
	spec := watch.SendSpec{Notice: r.notice.ID, UserIDs: ids, Message: dingtalk.Text(text)}
	prompt := fmt.Sprintf("Remind %s of %q in %s?", pluralize(len(ids), "unread recipient"), r.title(), pluralize(batches(len(ids)), "batch"))
	return m.ask(prompt, previewOf(text, ids), sendNotice(m.opts.Ctx, m.opts.Engine, spec), modeRemind), nil
}

func batches(n int) int { return (n + dingtalk.MaxBatch - 1) / dingtalk.MaxBatch }

// previewOf shows the message and who gets it, shortened.
func previewOf(text string, ids []string) string {
	to := strings.Join(ids, ", ")
	if len(ids) > 12 {
		to = strings.Join(ids[:12], ", ") + fmt.Sprintf(", … (%d more)", len(ids)-12)
	}
	return "To: " + to + "\n\n" + text
}

// ask opens a confirmation; "no" returns to back.
func (m Model) ask(prompt, preview string, yes tea.Cmd, back mode) Model {
	m.confirm = confirmation{prompt: prompt, preview: preview, yes: yes, back: back}
	m.mode = modeConfirm
	return m
}
