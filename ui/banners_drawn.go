package ui

import (
	"slices"

	"github.com/dingwatch/dingwatch/watch"
)

// What the dashboard drew of the state's warnings, for the command that
// ran it: a warning (what the load set aside, say) that no frame said is
// said on stderr once the dashboard ends (tester Q5: while the terminal
// was too small to draw banners, nothing said it anywhere). Worked out in
// Update, from the layout the next View draws: View does no bookkeeping.

// noteDrawn records the warnings whose banner the next frame draws, whole
// or in its short form. Nothing is drawn while the screen is too small or
// has no size, and a banner cut short or counted in "+N more" is not
// drawn. The layout's lines are laid out again here to learn which banner
// each says; when they differ from the layout's (what is shown changed
// without a relayout), nothing is recorded: a warning said twice, on the
// screen and on stderr, beats one never said.
func (m *Model) noteDrawn() {
	if m.snap == nil || len(m.snap.Warnings) == 0 || len(m.lay.banners) == 0 || m.width <= 0 || m.tooSmall() || *m.crashed != "" {
		return
	}
	bs := m.banners()
	lines, said := bannerLayout(bs, m.width, len(m.lay.banners))
	if !slices.EqualFunc(lines, m.lay.banners, func(a, b banner) bool { return a.text == b.text }) {
		return
	}
	for i, b := range bs {
		if said[i] {
			m.drawn[b.text] = true
		}
	}
}

// WarningDrawn reports whether a frame of the dashboard drew w's banner,
// whole or in its short form ("saved state moved aside"; i shows the rest).
// Read it on the model Bubble Tea returns once the program ends; the zero
// Model drew nothing.
func (m Model) WarningDrawn(w watch.Warning) bool {
	return m.drawn[clean(warningTexts(&watch.Snapshot{Warnings: []watch.Warning{w}})[0])]
}
