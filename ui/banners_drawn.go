package ui

import (
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// What the dashboard drew of the state's warnings, for the command that
// ran it: a warning (what the load set aside, say) that no frame said is
// said on stderr once the dashboard ends (tester Q5: while the terminal
// was too small to draw banners, nothing said it anywhere). Worked out in
// Update, from the layout the next View draws: View does no bookkeeping.

// noteDrawn records the warnings whose banner the next frame draws, whole
// or in its short form: those the layout says (relayout), which View
// draws. Nothing is drawn while the screen is too small or has no size,
// and a banner cut short or counted in "+N more" is not said.
func (m *Model) noteDrawn() {
	if m.width <= 0 || m.tooSmall() || *m.crashed != "" {
		return
	}
	for _, text := range m.lay.said {
		if _, ok := m.drawn[text]; !ok {
			m.drawn[text] = m.c.now
		}
	}
}

// seenFor is how long a banner must have stood on the screen to count as
// seen: a quit typed ahead ends the dashboard milliseconds after its first
// frame (tester R10).
const seenFor = time.Second

// WarningDrawn reports whether frames of the dashboard drew w's banner,
// whole or in its short form ("saved state moved aside"; i shows the
// rest), for at least seenFor before the last thing the dashboard saw (a
// key, a tick of its clock). Read it on the model Bubble Tea returns once
// the program ends; the zero Model drew nothing.
func (m Model) WarningDrawn(w watch.Warning) bool {
	at, ok := m.drawn[clean(warningTexts(&watch.Snapshot{Warnings: []watch.Warning{w}})[0])]
	return ok && m.c.now.Sub(at) >= seenFor
}
