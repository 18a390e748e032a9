package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// field is one input of a form: a multi-line area or a single line.
type field struct {
	name  string
	multi bool
	area  textarea.Model
	line  textinput.Model
}

func newArea(name, placeholder string) field {
	ta := textarea.New()
	ta.Placeholder = placeholder
	ta.ShowLineNumbers = false
	ta.CharLimit = 64 * 1024
	ta.KeyMap.InsertNewline.SetKeys("ctrl+j", "alt+enter")
	ta.Cursor.SetMode(cursor.CursorStatic) // a blinking cursor redraws twice a second, over SSH too
	ta.SetHeight(4)
	return field{name: name, multi: true, area: ta}
}

func newLine(name, placeholder string, limit int) field {
	in := textinput.New()
	in.Placeholder = placeholder
	in.Prompt = ""
	in.CharLimit = limit
	in.Cursor.SetMode(cursor.CursorStatic)
	return field{name: name, line: in}
}

func (f field) value() string {
	if f.multi {
		return f.area.Value()
	}
	return f.line.Value()
}

func (f *field) set(v string) {
	if f.multi {
		f.area.SetValue(v)
	} else {
		f.line.SetValue(v)
	}
}

// form is a titled stack of fields: tab moves, enter submits, esc cancels.
type form struct {
	title  string
	note   string // a line under the title (e.g. who a reminder goes to)
	fields []field
	focus  int
}

// open resets the form with values and focuses its first field.
func (f form) open(title, note string, values ...string) (form, tea.Cmd) {
	f.title, f.note = title, note
	for i := range f.fields {
		v := ""
		if i < len(values) {
			v = values[i]
		}
		f.fields[i].set(v)
	}
	return f, f.focusField(0)
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

// next moves the focus by step fields, wrapping.
func (f *form) next(step int) tea.Cmd {
	n := len(f.fields)
	return f.focusField(((f.focus+step)%n + n) % n)
}

// update passes msg to the focused field.
func (f form) update(msg tea.Msg) (form, tea.Cmd) {
	var cmd tea.Cmd
	fl := &f.fields[f.focus]
	if fl.multi {
		fl.area, cmd = fl.area.Update(msg)
	} else {
		fl.line, cmd = fl.line.Update(msg)
	}
	return f, cmd
}

// resize fits the areas to a terminal of width w whose body is h high.
func (f *form) resize(w, h int) {
	areas := 0
	for _, fl := range f.fields {
		if fl.multi {
			areas++
		}
	}
	fixed := 6 + len(f.fields) + areas // border, title, blank lines, help, field names
	if f.note != "" {
		fixed++
	}
	per := 4
	if areas > 0 {
		per = min(max((h-fixed)/areas, 1), 4)
	}
	for i := range f.fields {
		if f.fields[i].multi {
			f.fields[i].area.SetWidth(max(20, min(w-8, 76)))
			f.fields[i].area.SetHeight(per)
		} else {
			f.fields[i].line.Width = max(10, min(w-20, 60))
		}
	}
}

func (f form) view(st Styles) string {
	lines := []string{st.Title.Render(f.title)}
	if f.note != "" {
		lines = append(lines, st.Dim.Render(f.note))
	}
	lines = append(lines, "")
	for i, fl := range f.fields {
		name := "  " + fl.name
		if i == f.focus {
			name = st.Cursor.Render("› " + fl.name)
		}
		if fl.multi {
			lines = append(lines, name, fl.area.View())
		} else {
			lines = append(lines, name+"  "+fl.line.View())
		}
	}
	lines = append(lines, "", st.Dim.Render("enter submit · tab next field · ctrl+j new line · esc cancel"))
	return st.Dialog.Render(strings.Join(lines, "\n"))
}
