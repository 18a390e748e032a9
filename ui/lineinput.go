package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// lineInput asks for one line in the footer: a label, a send time, a
// notice's name. A value the check refuses keeps it open with its text
// and the reason under it.
type lineInput struct {
	c      common
	width  int
	label  string
	input  textinput.Model
	err    string
	submit func(value string) (tea.Cmd, error)
}

func newLineInput(c common, label, value, placeholder string, submit func(string) (tea.Cmd, error)) *lineInput {
	in := textinput.New()
	in.Cursor.SetMode(cursor.CursorStatic)
	in.Prompt = "> "
	in.CharLimit = 200
	in.Placeholder = placeholder
	c.st.line(&in)
	in.SetValue(value)
	cleanInput(&in)
	in.CursorEnd()
	in.Focus()
	return &lineInput{c: c, label: label, input: in, submit: submit}
}

// Footer: drawn in the footer.
func (l *lineInput) Footer() bool { return true }

// Update: enter checks and submits, esc cancels, everything else is typed.
func (l *lineInput) Update(msg tea.Msg) (overlay, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return l, nil
	}
	switch km.Type {
	case tea.KeyEsc:
		return nil, flashCmd("cancelled", false)
	case tea.KeyEnter:
		cmd, err := l.submit(strings.TrimSpace(l.input.Value()))
		if err != nil {
			l.err = err.Error()
			return l, nil
		}
		return nil, cmd
	}
	var cmd tea.Cmd
	l.input, cmd = l.input.Update(km)
	cleanInput(&l.input)
	return l, cmd
}

// SetSize gives the input its width.
func (l *lineInput) SetSize(width, _ int) {
	l.width = width
	l.input.Width = max(width-len([]rune(l.label))-6, 4)
}

// lines are the label, the input and the error, wrapped to width.
func (l *lineInput) lines() []string {
	st := l.c.st
	out := []string{fit(st.Bold.Render(l.label)+" "+l.input.View(), l.width)}
	if l.err != "" {
		for _, s := range wrap("! "+clean(l.err)+" (esc cancels)", l.width) {
			out = append(out, st.Error.Render(s))
		}
	}
	return out
}

// Height is how many lines the input takes (counted, not drawn).
func (l *lineInput) Height(width int) int {
	if l.err == "" {
		return 1
	}
	return 1 + len(wrap("! "+clean(l.err)+" (esc cancels)", width))
}

// View draws the input and its error.
func (l *lineInput) View() string { return strings.Join(l.lines(), "\n") }

// ShortHelp names its keys.
func (l *lineInput) ShortHelp() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// FullHelp is the same keys.
func (l *lineInput) FullHelp() [][]key.Binding { return [][]key.Binding{l.ShortHelp()} }
