package ui

import (
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
)

// component is what every pane and overlay is: it draws itself in the
// size it was given and names the keys it answers to.
type component interface {
	help.KeyMap
	// SetSize gives the component its inner size in cells; it lays out
	// what it shows there, once, rather than in View.
	SetSize(width, height int)
	// View draws the component in exactly its size or less.
	View() string
}

// overlay is a component that takes the keys while it is open: a form,
// an input, a confirmation, help or the inspect view. Update returns the
// overlay to show next: itself, another (a form asks for confirmation),
// or nil when it is done.
type overlay interface {
	component
	Update(msg tea.Msg) (overlay, tea.Cmd)
	// Footer is true for an overlay drawn in the footer line(s) (a
	// one-line input or a prompt), false for one drawn over the body.
	Footer() bool
}

// common is what every component of one session shares: its styles, its
// keys and the clock of the last redraw. It is small and passed by value.
type common struct {
	st       Styles
	keys     keyMap
	now      time.Time
	readOnly bool
}
