package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// field is one input of a form: a multi-line area or a single line.
type field struct {
	name  string
	multi bool
	ids   bool // an area of ids (keys, userIds): what it holds is cleaned as typed
	area  textarea.Model
	line  textinput.Model
}

func newArea(st Styles, name, placeholder, value string) field {
	ta := textarea.New()
	ta.Placeholder = placeholder
	ta.ShowLineNumbers = false
	ta.CharLimit = 64 * 1024
	ta.KeyMap.InsertNewline.SetKeys("ctrl+j", "alt+enter")
	ta.Cursor.SetMode(cursor.CursorStatic) // a blinking cursor redraws twice a second, over SSH too
	ta.SetHeight(4)
	st.area(&ta)
	ta.SetValue(value)
	return field{name: name, multi: true, area: ta}
}

func newLine(st Styles, name, placeholder, value string, limit int) field {
	in := textinput.New()
	in.Placeholder = placeholder
	in.Prompt = ""
	in.CharLimit = limit
	in.Cursor.SetMode(cursor.CursorStatic)
	st.line(&in)
	in.SetValue(value)
	cleanInput(&in)
	return field{name: name, line: in}
}

func (f field) value() string {
	if f.multi {
		return f.area.Value()
	}
	return f.line.Value()
}

// submitFunc checks a form's values: an error keeps the form open with its
// text; otherwise next is the overlay to show (nil: done) and cmd runs.
type submitFunc func(values []string) (next overlay, cmd tea.Cmd, err error)

// form is a titled stack of fields: tab moves, enter submits, esc cancels.
type form struct {
	c             common
	width, height int
	title, note   string
	fields        []field
	focus         int
	err           string
	submit        submitFunc
	compact       bool // no note and no blank line: the terminal is short
}

func newForm(c common, title, note string, submit submitFunc, fields ...field) *form {
	f := &form{c: c, title: title, note: note, fields: fields, submit: submit}
	f.focusField(0)
	return f
}

// focusField focuses field i and blurs the others.
func (f *form) focusField(i int) tea.Cmd {
	f.focus = i
	var cmd tea.Cmd
	for j := range f.fields {
		fl := &f.fields[j]
		switch {
		case j != i && fl.multi:
			fl.area.Blur()
		case j != i:
			fl.line.Blur()
		case fl.multi:
			cmd = fl.area.Focus()
		default:
			cmd = fl.line.Focus()
		}
	}
	return cmd
}

// Footer: a form is drawn over the body.
func (f *form) Footer() bool { return false }

// Update handles a form's keys: tab moves, enter submits, esc cancels;
// everything else (q included) is typed.
func (f *form) Update(msg tea.Msg) (overlay, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return f, nil
	}
	n := len(f.fields)
	switch km.String() {
	case "esc":
		return nil, flashCmd("cancelled", false)
	case "tab":
		return f, f.focusField((f.focus + 1) % n)
	case "shift+tab":
		return f, f.focusField((f.focus + n - 1) % n)
	case "enter":
		values := make([]string, n)
		for i, fl := range f.fields {
			values[i] = fl.value()
		}
		next, cmd, err := f.submit(values)
		if err != nil {
			f.err = err.Error()
			f.SetSize(f.width, f.height)
			return f, nil
		}
		f.err = ""
		return next, cmd
	}
	var cmd tea.Cmd
	fl := &f.fields[f.focus]
	if fl.multi {
		fl.area, cmd = fl.area.Update(km)
		if fl.ids {
			cleanArea(&fl.area)
		}
	} else {
		fl.line, cmd = fl.line.Update(km)
		cleanInput(&fl.line)
	}
	return f, cmd
}

// SetSize fits the form in width×height: the areas share what is left
// after the fixed lines; when even one line each does not fit, the note
// and the blank line go (the footer shows the form's keys).
func (f *form) SetSize(width, height int) {
	f.width, f.height = width, height
	areas := 0
	for _, fl := range f.fields {
		if fl.multi {
			areas++
		}
	}
	inner := max(20, min(width-4, 76))
	f.compact = false
	note := len(f.noteLines(inner))
	fixed := 3 + len(f.fields) + note + 1 + len(f.errLines(inner)) // border, title, note, blank, names
	if fixed+areas > height {
		f.compact = true
		fixed -= note + 1
	}
	per := 1
	if areas > 0 {
		per = min(max((height-fixed)/areas, 1), 4)
	}
	for i := range f.fields {
		if f.fields[i].multi {
			f.fields[i].area.SetWidth(inner)
			f.fields[i].area.SetHeight(per)
		} else {
			f.fields[i].line.Width = max(10, inner-stringWidth(f.fields[i].name)-6) // "› name  ", and the cursor after the text
		}
	}
}

func (f *form) noteLines(w int) []string {
	if f.note == "" || f.compact {
		return nil
	}
	return wrap(f.note, w)
}

func (f *form) errLines(w int) []string {
	if f.err == "" {
		return nil
	}
	return wrap("! "+clean(f.err), w)
}

// View draws the form in a box, its error (if any) under the fields.
func (f *form) View() string {
	st := f.c.st
	inner := max(20, min(f.width-4, 76))
	lines := []string{st.Title.Render(f.title)}
	for _, l := range f.noteLines(inner) {
		lines = append(lines, st.Dim.Render(l))
	}
	if !f.compact {
		lines = append(lines, "")
	}
	for i, fl := range f.fields {
		name := "  " + fl.name
		if i == f.focus {
			name = st.Cursor.Render("› " + fl.name)
		}
		if fl.multi {
			lines = append(lines, name, inertView(fl.area.View()))
		} else {
			lines = append(lines, name+"  "+fl.line.View())
		}
	}
	for _, l := range f.errLines(inner) {
		lines = append(lines, st.Error.Render(l))
	}
	return clip(st.Dialog.Render(strings.Join(lines, "\n")), f.width, f.height)
}

// ShortHelp is the footer's keys while a form is open.
func (f *form) ShortHelp() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "submit")),
		key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		key.NewBinding(key.WithKeys("ctrl+j"), key.WithHelp("ctrl+j", "new line")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// FullHelp is the same keys.
func (f *form) FullHelp() [][]key.Binding { return [][]key.Binding{f.ShortHelp()} }
