package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// helpView is the full list of keys, in titled groups packed side by side
// as the width allows; any key closes it. When it does not fit, it scrolls
// (j/k, pgup/pgdn) under a last line that says what is hidden and how to
// close it.
type helpView struct {
	c             common
	width, height int
	titles        []string
	cols          [][]key.Binding
	offset        int // first line shown when it scrolls
}

func newHelpView(c common, titles []string, cols [][]key.Binding) *helpView {
	return &helpView{c: c, titles: titles, cols: cols}
}

// Footer: drawn over the body.
func (h *helpView) Footer() bool { return false }

// Update scrolls the help when it does not fit; any other key closes it.
func (h *helpView) Update(msg tea.Msg) (overlay, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return h, nil
	}
	k, avail := h.c.keys, h.height-1
	if h.fits() {
		return nil, nil
	}
	switch {
	case key.Matches(km, k.Down):
		h.offset++
	case key.Matches(km, k.Up):
		h.offset--
	case key.Matches(km, k.PageDown):
		h.offset += max(avail-1, 1)
	case key.Matches(km, k.PageUp):
		h.offset -= max(avail-1, 1)
	default:
		return nil, nil
	}
	h.offset = min(max(h.offset, 0), max(len(h.bodyLines())-avail, 0))
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

// bodyLines are the groups packed into rows of columns that fit the
// width, one string a line.
func (h *helpView) bodyLines() []string {
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
	return strings.Split(strings.Join(rows, "\n\n"), "\n")
}

// closing is the last line of the help in its box.
const helpClosing = "any key closes"

// fits reports whether the whole help fits in its box.
func (h *helpView) fits() bool {
	body := strings.Join(h.bodyLines(), "\n")
	return lipgloss.Height(body)+2+2 <= h.height && lipgloss.Width(body)+4 <= h.width
}

// View draws the help in a box when it fits, else the lines from the
// offset over a line with the over-flow marks, the scroll keys and how to
// close it.
func (h *helpView) View() string {
	lines := h.bodyLines()
	if h.fits() {
		return h.c.st.Dialog.Render(strings.Join(lines, "\n") + "\n\n" + h.c.st.Dim.Render(helpClosing))
	}
	avail := max(h.height-1, 0)
	off := min(h.offset, max(len(lines)-avail, 0))
	end := min(off+avail, len(lines))
	out := make([]string, 0, avail+1)
	for _, l := range lines[off:end] {
		out = append(out, fit(l, h.width))
	}
	status := "j/k scroll · any other key closes"
	if marks := overflowMarks(off, len(lines)-end); marks != "" {
		status = marks[1:] + " · " + status
	}
	out = append(out, h.c.st.Warn.Render(fit(status, h.width)))
	return clip(strings.Join(out, "\n"), h.width, h.height)
}

// ShortHelp names its key.
func (h *helpView) ShortHelp() []key.Binding {
	if !h.fits() {
		return []key.Binding{key.NewBinding(key.WithKeys("j", "k"), key.WithHelp("j/k", "scroll help")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("any other key", "closes help"))}
	}
	return []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("any key", "closes help"))}
}

// FullHelp is the same key.
func (h *helpView) FullHelp() [][]key.Binding { return [][]key.Binding{h.ShortHelp()} }
