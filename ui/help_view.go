package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// helpView is the full list of keys; any key closes it.
type helpView struct {
	c             common
	width, height int
	help          help.Model
	cols          [][]key.Binding
}

func newHelpView(c common, h help.Model, cols [][]key.Binding) *helpView {
	return &helpView{c: c, help: h, cols: cols}
}

// Footer: drawn over the body.
func (h *helpView) Footer() bool { return false }

// Update closes the help on any key.
func (h *helpView) Update(msg tea.Msg) (overlay, tea.Cmd) {
	if _, ok := msg.(tea.KeyMsg); ok {
		return nil, nil
	}
	return h, nil
}

// SetSize gives the help the body's size.
func (h *helpView) SetSize(width, height int) { h.width, h.height = width, height }

// View is the keys in columns in a box when they fit, else wrapped.
func (h *helpView) View() string {
	st := h.c.st
	table := h.help.FullHelpView(h.cols)
	if lipgloss.Width(table) > h.width-4 { // too narrow for columns: wrap the bindings
		var items []string
		for _, col := range h.cols {
			for _, b := range col {
				if b.Enabled() {
					items = append(items, b.Help().Key+" "+b.Help().Desc)
				}
			}
		}
		text := strings.Join(wrap(strings.Join(items, " · "), h.width), "\n")
		return clip(text+"\n"+st.Dim.Render("any key closes"), h.width, h.height)
	}
	if lipgloss.Height(table)+6 > h.height {
		return clip(table+"\n"+st.Dim.Render("any key closes"), h.width, h.height)
	}
	return st.Dialog.Render(st.Title.Render("Keys") + "\n\n" + table + "\n\n" + st.Dim.Render("any key closes"))
}

// ShortHelp names its key.
func (h *helpView) ShortHelp() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("any key", "closes help"))}
}

// FullHelp is the same key.
func (h *helpView) FullHelp() [][]key.Binding { return [][]key.Binding{h.ShortHelp()} }
