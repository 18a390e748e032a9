package ui

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// confirm asks before anything that sends, recalls or forgets: only y
// does it; enter, esc and n cancel (back to the form it came from, with
// its text). The question is always shown whole: it wraps.
type confirm struct {
	c             common
	width, height int
	prompt        string  // the question, clean
	warn          string  // a warning shown above the keys, or ""
	preview       string  // what will be sent, or "" for a footer prompt
	yesWhat       string  // what y does: "sends", "recalls"
	yes           tea.Cmd // run on y
	back          overlay // shown again on cancel; nil: back to the dashboard
	// openedAt is the clock (the model's injected one) when the prompt
	// opened, at the key or message read then; it is zero until the root
	// shows the prompt. now is the clock of the latest key or arming
	// message. y counts only once now is armDelay after openedAt.
	openedAt, now time.Time
}

// armDelay is how long a confirmation ignores y after it opens: keys typed
// ahead (a fast burst, a paste without bracketed paste, one SSH packet
// holding "m", enter and "y") arrive well within it, a person who read the
// question does not.
const armDelay = 300 * time.Millisecond

// armMsg redraws prompt p once its arming delay has passed.
type armMsg struct{ p *confirm }

// opened records when the root showed the prompt.
func (p *confirm) opened(now time.Time) { p.openedAt, p.now = now, now }

// armed tells whether y confirms now.
func (p *confirm) armed() bool { return !p.openedAt.IsZero() && p.now.Sub(p.openedAt) >= armDelay }

// keysText names the two choices; until armed, y is shown as not yet
// taking effect.
func (p *confirm) keysText() string {
	if !p.armed() {
		return "(y " + p.yesWhat + " in a moment) · enter/esc cancel"
	}
	return "y " + p.yesWhat + " · enter/esc cancel"
}

// Footer: a question without a preview sits in the footer, over the
// dashboard it is about.
func (p *confirm) Footer() bool { return p.preview == "" }

// Update: y confirms once the prompt is armed; enter, esc, n and q
// cancel; other keys (and y typed ahead) are ignored, so that a stray key
// does not decide.
func (p *confirm) Update(msg tea.Msg) (overlay, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return p, nil
	}
	switch km.String() {
	case "y", "Y":
		if !p.armed() {
			return p, nil // typed before the question could be read
		}
		return nil, p.yes
	case "enter", "esc", "n", "N", "q":
		if p.back != nil {
			// Back to the form it came from, text kept: say so, since the
			// next keys go into that form.
			return p.back, flashCmd("not sent: back to the form (esc closes it)", false)
		}
		return nil, flashCmd("cancelled: nothing was done", false)
	}
	return p, nil
}

// SetSize gives the prompt its width (and, with a preview, the body).
func (p *confirm) SetSize(width, height int) { p.width, p.height = width, height }

// lines are the prompt's lines at its width: the question, the warning
// and the keys.
func (p *confirm) lines(width int) []string {
	st := p.c.st
	var out []string
	for _, l := range wrap(p.prompt, width) {
		out = append(out, st.Warn.Render(l))
	}
	if p.warn != "" {
		for _, l := range wrap("! "+p.warn, width) {
			out = append(out, st.Error.Render(l))
		}
	}
	keyStyle := st.Bold
	if !p.armed() {
		keyStyle = st.Dim
	}
	for _, l := range wrap(p.keysText(), width) {
		out = append(out, keyStyle.Render(l))
	}
	return out
}

// Height is how many lines the footer prompt takes at width (counted,
// not drawn: the layout asks it in Update).
func (p *confirm) Height(width int) int {
	n := len(wrap(p.prompt, width)) + len(wrap(p.keysText(), width))
	if p.warn != "" {
		n += len(wrap("! "+p.warn, width))
	}
	return n
}

// View draws the prompt (in the footer) or the preview and the prompt in
// a box over the body.
func (p *confirm) View() string {
	if p.Footer() {
		return strings.Join(p.lines(p.width), "\n")
	}
	st := p.c.st
	inner := max(20, min(p.width-4, 76))
	keys := p.lines(inner)
	room := max(p.height-4-len(keys)-2, 1) // border, title, blank lines
	var body []string
	for _, l := range strings.Split(p.preview, "\n") {
		body = append(body, wrap(l, inner)...)
	}
	if len(body) > room {
		body = append(body[:max(room-1, 0)], st.Dim.Render("… (the whole text is sent)"))
	}
	lines := append([]string{st.Title.Render("Preview"), ""}, body...)
	lines = append(append(lines, ""), keys...)
	return clip(st.Dialog.Render(strings.Join(lines, "\n")), p.width, p.height)
}

// ShortHelp names the two choices.
func (p *confirm) ShortHelp() []key.Binding {
	yes := key.NewBinding(key.WithKeys("y"), key.WithHelp("y", p.yesWhat))
	if !p.armed() {
		yes = key.NewBinding(key.WithKeys("y"), key.WithHelp("(y", p.yesWhat+" in a moment)"))
	}
	return []key.Binding{
		yes,
		key.NewBinding(key.WithKeys("enter", "esc"), key.WithHelp("enter/esc", "cancel")),
	}
}

// FullHelp is the same keys.
func (p *confirm) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
