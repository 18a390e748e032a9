package ui

import (
	"errors"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/dingwatch/dingwatch/watch"
)

// addForm asks for keys to watch, a label and the robot that sent them.
func (m Model) addForm() overlay {
	e := m.opts.Engine
	submit := func(v []string) (overlay, tea.Cmd, error) {
		keys, err := watch.ParseKeys(v[0])
		if err != nil { // one rule everywhere: a bad word keeps the form open and adds nothing
			return nil, nil, fmt.Errorf("nothing added: %w", err)
		}
		spec := watch.AddSpec{Keys: keys, Label: strings.TrimSpace(v[1]), RobotCode: strings.TrimSpace(v[2])}
		return nil, addKeys(e, spec, nil), nil
	}
	robot := ""
	if m.snap != nil {
		robot = clean(m.snap.Robot)
	}
	return newForm(m.c, "Add keys", "", submit,
		idArea(newArea(m.c.st, "Keys", "paste one or more processQueryKeys (spaces, commas or new lines)", "")),
		newLine(m.c.st, "Label", "optional", "", 80),
		newLine(m.c.st, "Robot", "robot code", robot, 128))
}

// sendForm asks for recipients, text and a label, then for confirmation
// with a preview; ids that cannot be userIds are named in the question.
func (m Model) sendForm() overlay {
	var f *form
	submit := func(v []string) (overlay, tea.Cmd, error) {
		ids := watch.ParseUserIDs(v[0])
		text := strings.TrimSpace(v[1])
		label := strings.TrimSpace(v[2])
		switch {
		case len(ids) == 0:
			return nil, nil, errors.New("no recipients: give their userIds")
		case text == "":
			return nil, nil, errors.New("the message is empty")
		}
		if label == "" {
			label = "notice " + m.c.now.Format("01-02 15:04")
			if m.snap != nil {
				label = m.snap.State.UniqueLabel(label)
			}
		} else if err := m.labelTaken(label, ""); err != nil {
			return nil, nil, err
		}
		spec := watch.SendSpec{UserIDs: ids, Message: watch.TextMessage(text), Label: label}
		p := m.ask(fmt.Sprintf("Send %q to %s in %s?", clean(label), pluralize(len(ids), "recipient"), pluralize(batches(len(ids)), "batch")),
			"sends", sendNotice(m.opts.Ctx, m.opts.Engine, spec))
		p.preview, p.back, p.warn = previewOf(text, ids), f, suspectIDs(ids)
		return p, nil, nil
	}
	f = newForm(m.c, "Send a notice", fmt.Sprintf("sent in batches of %d; you confirm with y before anything is sent", watch.MaxBatch), submit,
		idArea(newArea(m.c.st, "To", "userIds, separated by commas, spaces or new lines", "")),
		newArea(m.c.st, "Text", "the message", ""),
		newLine(m.c.st, "Label", "the notice's name in dingwatch", "", 80))
	return f
}

// suspectIDs names the ids that cannot be userIds, and what they look like.
func suspectIDs(ids []string) string {
	var bad []string
	for _, id := range ids {
		if err := watch.CheckUserID(id); err != nil {
			bad = append(bad, clean(err.Error()))
		}
	}
	if len(bad) == 0 {
		return ""
	}
	return fmt.Sprintf("%s cannot be a userId and will not be delivered: %s", pluralize(len(bad), "id"), strings.Join(bad, "; "))
}

// remindForm asks for the text of a reminder to a notice's unread.
// refusal says why there is nothing to remind.
func (m Model) remindForm(r row) (o overlay, refusal string) {
	if r.notice == nil {
		return nil, "reminders go to a notice's unread: make this key a notice with n first"
	}
	if len(r.audience().Unread) == 0 {
		return nil, "everyone has read " + r.title()
	}
	var ids []string
	for _, p := range r.audience().Unread {
		ids = append(ids, p.UserID)
	}
	var f *form
	submit := func(v []string) (overlay, tea.Cmd, error) {
		text := strings.TrimSpace(v[0])
		if text == "" {
			return nil, nil, errors.New("the reminder is empty")
		}
		spec := watch.SendSpec{Notice: r.notice.ID, UserIDs: ids, Message: watch.TextMessage(text)}
		p := m.ask(fmt.Sprintf("Remind %s of %q in %s?", pluralize(len(ids), "unread recipient"), r.title(), pluralize(batches(len(ids)), "batch")),
			"sends the reminder", sendNotice(m.opts.Ctx, m.opts.Engine, spec))
		p.preview, p.back = previewOf(text, ids), f
		return p, nil, nil
	}
	text := ""
	if len(r.notice.Rounds) > 0 {
		text = cleanLines(r.notice.Rounds[0].Text)
	}
	f = newForm(m.c, "Remind "+r.title(), fmt.Sprintf("to the %s who have not read it", pluralize(len(ids), "unread recipient")), submit,
		newArea(m.c.st, "Text", "the reminder", text))
	return f, ""
}

// nameInput asks for the name of a notice made of the marked keys (or the row's).
func (m Model) nameInput(r row) overlay {
	keys := m.markedOr(r)
	e := m.opts.Engine
	return newLineInput(m.c, fmt.Sprintf("Name the notice of %s:", pluralize(len(keys), "key")), "", "a name", func(v string) (tea.Cmd, error) {
		if v == "" {
			return nil, errors.New("a notice needs a name")
		}
		if err := m.labelTaken(v, ""); err != nil {
			return nil, err
		}
		return groupKeys(e, keys, v), nil
	})
}

// labelInput renames a notice or labels a key.
func (m Model) labelInput(r row) overlay {
	e := m.opts.Engine
	if r.notice != nil {
		id := r.notice.ID
		return newLineInput(m.c, "Name of the notice:", clean(r.notice.Label), "a name", func(v string) (tea.Cmd, error) {
			if v == "" {
				return nil, errors.New("a notice needs a name")
			}
			if err := m.labelTaken(v, id); err != nil {
				return nil, err
			}
			return edit("notice renamed", func() error { return e.Rename(id, v) }), nil
		})
	}
	k := r.key().Key
	return newLineInput(m.c, "Label for "+shortKey(k)+":", clean(r.key().Label), "empty clears it", func(v string) (tea.Cmd, error) {
		return edit("label saved", func() error { return e.SetLabel(k, v) }), nil
	})
}

// sentAtInput gives a pasted key its send time; a time it cannot read
// keeps the input open with the reason.
func (m Model) sentAtInput(keys []*watch.Key) overlay {
	e, now := m.opts.Engine, m.c.now
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.Key
	}
	prompt, saved := "Sent at:", "send time saved"
	if len(ids) > 1 {
		prompt = fmt.Sprintf("Sent at (%s):", pluralize(len(ids), "key"))
		saved = "send time saved for " + pluralize(len(ids), "key")
	}
	return newLineInput(m.c, prompt, "", "15:04, 2006-01-02 15:04, or 20m ago", func(v string) (tea.Cmd, error) {
		t, err := watch.ParseSentAt(v, now)
		if err != nil {
			return nil, err
		}
		return edit(saved, func() error {
			for _, id := range ids {
				if err := e.SetSentAt(id, t); err != nil {
					return err
				}
			}
			return nil
		}), nil
	})
}

// noticeSentAt opens the send-time input for a notice's keys whose send
// time is unknown, or says why there is none to set.
func (m Model) noticeSentAt(r row) (Model, tea.Cmd) {
	var unknown []*watch.Key
	for _, k := range r.keys {
		if k.SentAt.IsZero() {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return m.setFlash("send times known: enter opens the notice, t on a key changes one", false)
	}
	return m.open(m.sentAtInput(unknown))
}

// labelTaken refuses a notice label another notice (not the one with id
// except) has already, compared as the CLI does: case and surrounding
// spaces ignored. Labels are unique so that status --notice and send
// --join find one notice.
func (m Model) labelTaken(label, except string) error {
	if m.snap == nil {
		return nil
	}
	for _, n := range m.snap.State.NoticesLabelled(label) {
		if n.ID != except {
			return fmt.Errorf("a notice is labelled %q already: choose another name", clean(n.Label))
		}
	}
	return nil
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
		keys = r.keyIDs()
	}
	return keys
}

func batches(n int) int { return (n + watch.MaxBatch - 1) / watch.MaxBatch }

// previewOf shows the message and who gets it, shortened.
func previewOf(text string, ids []string) string {
	shown := ids[:min(len(ids), 12)]
	cleaned := make([]string, len(shown))
	for i, id := range shown {
		cleaned[i] = clean(id)
	}
	to := strings.Join(cleaned, ", ")
	if len(ids) > 12 {
		to += fmt.Sprintf(", … (%d more)", len(ids)-12)
	}
	return "To: " + to + "\n\n" + cleanLines(text)
}

// cleanLines cleans each line of a text that keeps its line breaks.
func cleanLines(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = clean(l)
	}
	return strings.Join(lines, "\n")
}
