package ui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"

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

// inputKey handles keys while the filter, label or send-time input is open.
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
	if md == modeFilter || !ok || r.key() == nil {
		return m, nil
	}
	k := r.key().Key
	switch md {
	case modeLabel:
		return m, updateKey(m.opts.Engine, k, "label saved", func(wk *watch.Key) { wk.Label = value })
	case modeSentAt:
		t, err := watch.ParseSentAt(value, m.now)
		if err != nil {
			m.flash, m.flashErr = "send time: "+err.Error(), true
			return m, nil
		}
		return m, updateKey(m.opts.Engine, k, "send time saved", func(wk *watch.Key) { wk.SentAt = t; wk.Expired = false })
	}
	return m, nil
}

// openAdd opens the add-keys form with the configured robot filled in.
func (m Model) openAdd() (tea.Model, tea.Cmd) {
	m.mode = modeAdd
	m.add.keys.Reset()
	m.add.label.SetValue("")
	robot := ""
	if m.snap != nil {
		robot = m.snap.Robot
	}
	m.add.robot.SetValue(robot)
	m.add.field = 0
	m.add.label.Blur()
	m.add.robot.Blur()
	return m, m.add.keys.Focus()
}

// addKey handles keys in the add form: tab moves between fields, enter
// adds, esc cancels.
func (m Model) addKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch msg.String() {
	case "esc":
		m.mode = modeNormal
		m.add.keys.Blur()
		return m, nil
	case "tab", "shift+tab":
		step := 1
		if msg.String() == "shift+tab" {
			step = 2
		}
		return m, m.add.focusField((m.add.field + step) % 3)
	case "enter":
		return m.submitAdd()
	}
	var cmd tea.Cmd
	m.add, cmd = m.add.update(msg)
	return m, cmd
}

func (m Model) submitAdd() (tea.Model, tea.Cmd) {
	keys, err := watch.ParseKeys(m.add.keys.Value())
	if err != nil && len(keys) == 0 {
		m.flash, m.flashErr = err.Error(), true
		return m, nil
	}
	m.mode = modeNormal
	m.add.keys.Blur()
	spec := watch.AddSpec{Keys: keys, Label: strings.TrimSpace(m.add.label.Value()), RobotCode: m.add.robot.Value()}
	// Malformed keys: the good ones are added, the message says why the others were not.
	return m, addKeys(m.opts.Engine, spec, err)
}

// focusField focuses field i (0 keys, 1 label, 2 robot).
func (f *addForm) focusField(i int) tea.Cmd {
	f.field = i
	f.keys.Blur()
	f.label.Blur()
	f.robot.Blur()
	switch i {
	case 1:
		return f.label.Focus()
	case 2:
		return f.robot.Focus()
	}
	return f.keys.Focus()
}

// update passes msg to the focused field.
func (f addForm) update(msg tea.Msg) (addForm, tea.Cmd) {
	var cmd tea.Cmd
	switch f.field {
	case 1:
		f.label, cmd = f.label.Update(msg)
	case 2:
		f.robot, cmd = f.robot.Update(msg)
	default:
		f.keys, cmd = f.keys.Update(msg)
	}
	return f, cmd
}
