// Package ui is dingwatch's Bubble Tea dashboard: a list of watched keys
// and notices, a detail pane splitting recipients into Read and Unread,
// and the forms that add, label and remove keys. It does no I/O in Update
// or View: everything reaches DingTalk through the watch.Engine, in
// commands.
package ui

import (
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"
)

// Styles are built per session from its own renderer, so SSH sessions
// with different terminals never share colour state.
type Styles struct {
	Header, HeaderDim       lipgloss.Style
	Title, Dim, Bold        lipgloss.Style
	Cursor, Selected        lipgloss.Style
	Read, Unread            lipgloss.Style
	BarFull, BarEmpty       lipgloss.Style
	Error, Warn, OK         lipgloss.Style
	Border, BorderFocused   lipgloss.Style
	Footer, Flash, FlashErr lipgloss.Style
	Dialog, Input           lipgloss.Style
	Plain                   lipgloss.Style // no attributes, from the session's renderer
}

// NewStyles builds the styles for r. The colours are mid-tones that read
// on dark and light backgrounds alike: adaptive colours would ask the
// terminal for its background, and a terminal that never answers (some SSH
// clients) would hold the first frame until the question times out.
func NewStyles(r *lipgloss.Renderer) Styles {
	accent := lipgloss.Color("#3b82f6")
	green := lipgloss.Color("#22a04b")
	amber := lipgloss.Color("#c08a00")
	red := lipgloss.Color("#e5484d")
	dim := lipgloss.Color("#808080")
	border := lipgloss.RoundedBorder()
	return Styles{
		Header:        r.NewStyle().Bold(true).Foreground(accent),
		HeaderDim:     r.NewStyle().Foreground(dim),
		Title:         r.NewStyle().Bold(true),
		Dim:           r.NewStyle().Foreground(dim),
		Bold:          r.NewStyle().Bold(true),
		Cursor:        r.NewStyle().Foreground(accent).Bold(true),
		Selected:      r.NewStyle().Bold(true),
		Read:          r.NewStyle().Foreground(green),
		Unread:        r.NewStyle().Foreground(amber),
		BarFull:       r.NewStyle().Foreground(green),
		BarEmpty:      r.NewStyle().Foreground(dim),
		Error:         r.NewStyle().Foreground(red),
		Warn:          r.NewStyle().Foreground(amber),
		OK:            r.NewStyle().Foreground(green),
		Border:        r.NewStyle().Foreground(dim),
		BorderFocused: r.NewStyle().Foreground(accent),
		Footer:        r.NewStyle().Foreground(dim),
		Flash:         r.NewStyle().Foreground(green),
		FlashErr:      r.NewStyle().Foreground(red),
		Dialog:        r.NewStyle().Border(border).BorderForeground(accent).Padding(0, 1),
		Input:         r.NewStyle(),
		Plain:         r.NewStyle(),
	}
}

// area styles a text area with the session's renderer, not the default
// one (which would describe the server's terminal over SSH).
func (st Styles) area(ta *textarea.Model) {
	s := textarea.Style{Base: st.Plain, CursorLine: st.Plain, CursorLineNumber: st.Dim, EndOfBuffer: st.Dim,
		LineNumber: st.Dim, Placeholder: st.Dim, Prompt: st.Cursor, Text: st.Plain}
	ta.FocusedStyle, ta.BlurredStyle = s, s
	ta.Cursor.Style, ta.Cursor.TextStyle = st.Plain.Reverse(true), st.Plain
}

// line styles a one-line input with the session's renderer.
func (st Styles) line(in *textinput.Model) {
	in.PromptStyle, in.TextStyle, in.PlaceholderStyle, in.CompletionStyle = st.Plain, st.Plain, st.Dim, st.Dim
	in.Cursor.Style, in.Cursor.TextStyle = st.Plain.Reverse(true), st.Plain
}
