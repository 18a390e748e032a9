// Package ui is dingwatch's Bubble Tea dashboard: a list of watched keys
// and notices, a detail pane splitting recipients into Read and Unread,
// and the forms that add, label and remove keys. It does no I/O in Update
// or View: everything reaches DingTalk through the watch.Engine, in
// commands.
package ui

import "github.com/charmbracelet/lipgloss"

// Styles are built per session from its own renderer, so SSH sessions
// with different terminals never share colour state.
type Styles struct {
	Header, HeaderDim       lipgloss.Style
	Title, Dim, Bold        lipgloss.Style
	Cursor, Selected        lipgloss.Style
	Read, Unread            lipgloss.Style
	BarFull, BarEmpty       lipgloss.Style
	Error, Warn, OK         lipgloss.Style
	Pane, PaneFocused       lipgloss.Style
	Footer, Flash, FlashErr lipgloss.Style
	Dialog, Input           lipgloss.Style
}

// NewStyles builds the styles for r.
func NewStyles(r *lipgloss.Renderer) Styles {
	accent := lipgloss.AdaptiveColor{Light: "#1f6feb", Dark: "#58a6ff"}
	green := lipgloss.AdaptiveColor{Light: "#1a7f37", Dark: "#3fb950"}
	amber := lipgloss.AdaptiveColor{Light: "#9a6700", Dark: "#d29922"}
	red := lipgloss.AdaptiveColor{Light: "#cf222e", Dark: "#f85149"}
	dim := lipgloss.AdaptiveColor{Light: "#6e7781", Dark: "#8b949e"}
	border := lipgloss.RoundedBorder()
	return Styles{
		Header:      r.NewStyle().Bold(true).Foreground(accent),
		HeaderDim:   r.NewStyle().Foreground(dim),
		Title:       r.NewStyle().Bold(true),
		Dim:         r.NewStyle().Foreground(dim),
		Bold:        r.NewStyle().Bold(true),
		Cursor:      r.NewStyle().Foreground(accent).Bold(true),
		Selected:    r.NewStyle().Bold(true),
		Read:        r.NewStyle().Foreground(green),
		Unread:      r.NewStyle().Foreground(amber),
		BarFull:     r.NewStyle().Foreground(green),
		BarEmpty:    r.NewStyle().Foreground(dim),
		Error:       r.NewStyle().Foreground(red),
		Warn:        r.NewStyle().Foreground(amber),
		OK:          r.NewStyle().Foreground(green),
		Pane:        r.NewStyle().Border(border).BorderForeground(dim).Padding(0, 1),
		PaneFocused: r.NewStyle().Border(border).BorderForeground(accent).Padding(0, 1),
		Footer:      r.NewStyle().Foreground(dim),
		Flash:       r.NewStyle().Foreground(green),
		FlashErr:    r.NewStyle().Foreground(red),
		Dialog:      r.NewStyle().Border(border).BorderForeground(accent).Padding(0, 1),
		Input:       r.NewStyle(),
	}
}
