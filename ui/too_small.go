package ui

import (
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Below MinWidth×MinHeight the screen shows only "Terminal too small … q
// quits". Nothing else is drawn then, so nothing else may act: a key that
// opened a question or a form, or answered one, would do so unseen.
//
// The rule, one for every key and every overlay:
//   - while the screen is too small only q and ctrl+c act, and they quit
//     (even with a form, a question or the help open: "q quits" is what
//     the screen says); every other key is dropped, typed text and
//     pastes included;
//   - an overlay that was open when the window shrank is kept (a form
//     keeps its text), but a question is disarmed: it counts as not yet
//     shown, and once the window is large enough again it arms afresh,
//     so y answers it only armDelay after it is drawn again.

// tooSmall reports whether the window is below the minimum size (or not
// known yet): the screen then shows only the too-small line.
func (m Model) tooSmall() bool { return m.width < MinWidth || m.height < MinHeight }

// tooSmallKey handles a key while the screen is too small: q and ctrl+c
// quit, everything else is dropped.
func (m Model) tooSmallKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	if !msg.Paste && key.Matches(msg, m.c.keys.Quit) {
		return m, tea.Quit
	}
	return m, nil
}

// resized disarms an open question while it cannot be drawn, and arms it
// afresh once it can.
func (m Model) resized() (Model, tea.Cmd) {
	p, ok := m.overlay.(*confirm)
	if !ok {
		return m, nil
	}
	if m.tooSmall() {
		p.openedAt, p.now = time.Time{}, time.Time{} // y waits for it to be drawn again
		return m, nil
	}
	if !p.openedAt.IsZero() {
		return m, nil // shown all along
	}
	m.c.now = m.opts.Now()
	return m, m.arm()
}
