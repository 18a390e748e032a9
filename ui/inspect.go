package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// inspect shows long messages whole — errors, banners, who was not
// reached, a moved-aside path — wrapped, scrolled with j/k.
type inspect struct {
	c             common
	width, height int
	title         string
	texts         []string // clean, one line each before wrapping
	lines         []string // wrapped at the width
	offset        int
}

func newInspect(c common, title string, texts []string) *inspect {
	return &inspect{c: c, title: title, texts: texts}
}

// Footer: drawn over the body.
func (v *inspect) Footer() bool { return false }

// SetSize wraps the texts at the width.
func (v *inspect) SetSize(width, height int) {
	v.width, v.height = width, height
	v.lines = nil
	for _, t := range v.texts {
		v.lines = append(v.lines, wrap(t, width-2)...)
	}
	if len(v.texts) == 0 {
		v.lines = []string{"Nothing to inspect here: no errors or messages."}
	}
	v.offset = min(v.offset, v.maxOffset())
}

func (v *inspect) rows() int { return max(v.height-2, 1) }

func (v *inspect) maxOffset() int { return max(len(v.lines)-v.rows(), 0) }

// Update scrolls; esc, q, i and enter close.
func (v *inspect) Update(msg tea.Msg) (overlay, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return v, nil
	}
	k := v.c.keys
	switch {
	case km.String() == "esc" || km.String() == "q" || km.String() == "i" || km.String() == "enter":
		return nil, nil
	case key.Matches(km, k.Up):
		v.offset--
	case key.Matches(km, k.Down):
		v.offset++
	case key.Matches(km, k.PageUp):
		v.offset -= v.rows()
	case key.Matches(km, k.PageDown):
		v.offset += v.rows()
	case key.Matches(km, k.Top):
		v.offset = 0
	case key.Matches(km, k.Bottom):
		v.offset = v.maxOffset()
	}
	v.offset = min(max(v.offset, 0), v.maxOffset())
	return v, nil
}

// View draws the title and the visible lines.
func (v *inspect) View() string {
	st := v.c.st
	end := min(v.offset+v.rows(), len(v.lines))
	pos := ""
	if len(v.lines) > v.rows() {
		pos = fmt.Sprintf(" · lines %d–%d of %d", v.offset+1, end, len(v.lines))
	}
	out := []string{st.Title.Render(fit("▸ "+v.title+pos, v.width)), ""}
	for _, l := range v.lines[v.offset:end] {
		out = append(out, "  "+l)
	}
	return clip(strings.Join(out, "\n"), v.width, v.height)
}

// ShortHelp names its keys.
func (v *inspect) ShortHelp() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("j", "k"), key.WithHelp("j/k", "scroll")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
	}
}

// FullHelp is the same keys.
func (v *inspect) FullHelp() [][]key.Binding { return [][]key.Binding{v.ShortHelp()} }
