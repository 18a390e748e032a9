package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
)

// View draws the dashboard from the layout. It only reads the model; a
// panic inside draws one line instead (the stack goes to the log).
func (m Model) View() (view string) {
	defer func() {
		if r := recover(); r != nil {
			m.crash(r)
			view = "dingwatch hit an internal error; details are in its log. q quits."
		}
	}()
	if *m.crashed != "" {
		return "dingwatch hit an internal error; details are in its log."
	}
	return m.view()
}

func (m Model) view() string {
	if m.width == 0 {
		return ""
	}
	if m.width < MinWidth || m.height < MinHeight {
		msg := fmt.Sprintf("Terminal too small: %d×%d. Dingwatch needs at least %d×%d. q quits.", m.width, m.height, MinWidth, MinHeight)
		return clip(lipgloss.NewStyle().Width(m.width).Align(lipgloss.Center).Render(msg), m.width, m.height)
	}
	parts := []string{m.headerView()}
	for _, b := range m.lay.banners {
		parts = append(parts, b.style.Render(fit(b.text, m.width)))
	}
	parts = append(parts, m.bodyView(), m.footerView())
	return strings.Join(parts, "\n")
}

// headerView is the title, "view only" for a viewer (never cut off), and
// as much of robot, region, last refresh and budget as fits.
func (m Model) headerView() string {
	st := m.c.st
	left := st.Header.Render(m.opts.Title)
	if m.opts.ReadOnly {
		left += " " + st.Warn.Render("[view only]")
	}
	if m.snap == nil {
		return fit(left+st.HeaderDim.Render(" · loading…"), m.width)
	}
	var latest time.Time
	if p := m.snap.Preview; p != nil {
		latest = p.LastOK // of the keys not loaded yet too
	}
	for _, k := range m.snap.State.Keys {
		if k.LastOK.After(latest) {
			latest = k.LastOK
		}
	}
	budget := m.snap.Policy.BudgetText()
	// Items in the order shown; when they do not fit, whole items go, the
	// least needed first (region, robot, refresh, push), never half a
	// number: the budget stays to the last.
	items := []string{"robot " + clean(m.snap.Robot), clean(m.opts.Region)}
	drop := []int{1, 0}
	if push := m.snap.Push.Text(m.c.now); push != "" {
		items = append(items, push)
	}
	items = append(items, "refreshed "+ago(latest, m.c.now), fmt.Sprintf("%d/%s calls 24h", m.snap.Spent, budget))
	drop = append(drop, len(items)-2)
	if len(items) == 5 {
		drop = append(drop, 2)
	}
	rest := m.width - lipgloss.Width(left)
	keep := make([]bool, len(items))
	for i := range keep {
		keep[i] = true
	}
	joined := func() string {
		var shown []string
		for i, it := range items {
			if keep[i] {
				shown = append(shown, it)
			}
		}
		return " · " + strings.Join(shown, " · ")
	}
	for _, i := range drop {
		if lipgloss.Width(joined()) <= rest {
			break
		}
		keep[i] = false
	}
	return left + st.HeaderDim.Render(fit(joined(), rest))
}

func (m Model) bodyView() string {
	h, l := m.lay.bodyH, m.lay
	switch {
	case m.overlay != nil && !m.overlay.Footer(): // help, a form: usable while loading too
		return lipgloss.Place(m.width, h, lipgloss.Center, lipgloss.Center, clip(m.overlay.View(), m.width, h))
	case m.snap == nil:
		return lipgloss.Place(m.width, h, lipgloss.Center, lipgloss.Center, "Loading saved state…")
	}
	list := box(m.borderStyle(focusList), m.list.View(), l.lw, l.lh)
	detail := box(m.borderStyle(focusDetail), m.detail.View(), l.dw, l.dh)
	if l.side { // two boxes of the same height, side by side
		a, b := strings.Split(list, "\n"), strings.Split(detail, "\n")
		for i := range a {
			a[i] += b[i]
		}
		return strings.Join(a, "\n")
	}
	return list + "\n" + detail
}

// borderStyle is the colour of pane f's border: the accent when focused
// (the title's ▸ says it without colour).
func (m Model) borderStyle(f focus) lipgloss.Style {
	if m.focus == f {
		return m.c.st.BorderFocused
	}
	return m.c.st.Border
}

// footerView is the open prompt, else a flash message, else the keys of
// what has the focus.
func (m Model) footerView() string {
	if m.overlay != nil && m.overlay.Footer() {
		return clip(m.overlay.View(), m.width, m.lay.footerH)
	}
	if m.flash != "" {
		style := m.c.st.Flash
		if m.flashErr {
			style = m.c.st.FlashErr
		}
		lines := wrap(clean(m.flash), m.width)
		if len(lines) > m.lay.footerH {
			lines = lines[:m.lay.footerH]
			lines[len(lines)-1] = fit(lines[len(lines)-1]+"… (i)", m.width)
		}
		for i, s := range lines {
			lines[i] = style.Render(fit(s, m.width))
		}
		return strings.Join(lines, "\n")
	}
	return fit(m.help.ShortHelpView(m.shortHelp()), m.width)
}

// shortHelp is the keys of what has the focus.
func (m Model) shortHelp() []key.Binding {
	switch {
	case m.overlay != nil:
		return m.overlay.ShortHelp()
	case m.focus == focusDetail:
		return m.detail.ShortHelp()
	}
	return m.list.ShortHelp()
}

// clip cuts s to h lines of at most w cells.
func clip(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:max(h, 0)]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = fit(l, w)
		}
	}
	return strings.Join(lines, "\n")
}
