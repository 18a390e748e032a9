package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// helpView is the full list of keys, in titled groups packed side by side
// as the width allows; any key closes it.
type helpView struct {
	c             common
	width, height int
	titles        []string
	cols          [][]key.Binding
}

func newHelpView(c common, titles []string, cols [][]key.Binding) *helpView {
	return &helpView{c: c, titles: titles, cols: cols}
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

// group draws one titled column: "key  what" per line.
func (h *helpView) group(i int) string {
	st := h.c.st
	title := "Keys"
	if i < len(h.titles) {
		title = h.titles[i]
	}
	keyW := 0
	for _, b := range h.cols[i] {
		keyW = max(keyW, stringWidth(b.Help().Key))
	}
	lines := []string{st.Title.Render(title)}
	for _, b := range h.cols[i] {
		if b.Enabled() {
			lines = append(lines, st.Bold.Render(fit(b.Help().Key, keyW))+"  "+st.Dim.Render(b.Help().Desc))
		}
	}
	return strings.Join(lines, "\n")
}

// View packs the groups into rows of columns that fit the width.
func (h *helpView) View() string {
	var rows, row []string
	w := 0
	for i := range h.cols {
		g := h.group(i)
		gw := lipgloss.Width(g) + 3
		if len(row) > 0 && w+gw > h.width-4 {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, w = nil, 0
		}
		row, w = append(row, lipgloss.NewStyle().PaddingRight(3).Render(g)), w+gw
	}
	rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	body := strings.Join(rows, "\n\n") + "\n\n" + h.c.st.Dim.Render("any key closes")
	if lipgloss.Height(body)+2 > h.height || lipgloss.Width(body)+4 > h.width {
		return clip(body, h.width, h.height)
	}
	return h.c.st.Dialog.Render(body)
}

// ShortHelp names its key.
func (h *helpView) ShortHelp() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("any key", "closes help"))}
}

// FullHelp is the same key.
func (h *helpView) FullHelp() [][]key.Binding { return [][]key.Binding{h.ShortHelp()} }
