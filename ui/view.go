package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
)

// sideBySide is the width from which the list and detail panes sit side by side.
const sideBySide = 72

// View draws the dashboard. It only reads the model; a panic inside draws
// one line instead (the stack goes to the log).
func (m Model) View() (view string) {
	defer func() {
		if r := recover(); r != nil {
			m.crash(r)
			view = "dingwatch hit an internal error; details are in its log. q quits."
		}
	}()
	if m.crashed != nil && *m.crashed != "" {
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
	parts = append(parts, m.banners()...)
	parts = append(parts, m.bodyView(), m.footerView())
	return strings.Join(parts, "\n")
}

func (m Model) headerView() string {
	st := m.st
	if m.snap == nil {
		return st.Header.Render(m.opts.Title) + st.HeaderDim.Render(" · loading…")
	}
	var latest time.Time
	for _, k := range m.snap.State.Keys {
		if k.LastOK.After(latest) {
			latest = k.LastOK
		}
	}
	budget := "no limit"
	if m.snap.Policy.Budget > 0 {
		budget = fmt.Sprint(m.snap.Policy.Budget)
	}
	parts := []string{
		"robot " + m.snap.Robot,
		m.opts.Region,
		"refreshed " + ago(latest, m.now),
		fmt.Sprintf("%d/%s calls 24h", m.snap.Spent, budget),
	}
	if push := m.snap.Push.Text(m.now); push != "" {
		parts = append(parts, push)
	}
	if m.opts.ReadOnly {
		parts = append(parts, "view only")
	}
	text := st.Header.Render(m.opts.Title) + st.HeaderDim.Render(" · "+strings.Join(parts, " · "))
	return fit(text, m.width)
}

// banners are one-line notices that concern the whole dashboard.
func (m Model) banners() []string {
	if m.snap == nil {
		return nil
	}
	var out []string
	add := func(style lipgloss.Style, s string) {
		if s != "" && len(out) < 2 {
			out = append(out, style.Render(fit("! "+s, m.width)))
		}
	}
	add(m.st.Error, m.snap.Halted)
	add(m.st.Error, m.snap.SaveErr)
	if m.snap.Blocked {
		add(m.st.Warn, "the daily call budget is spent: polling waits until calls age out (--budget)")
	}
	for _, w := range m.snap.Warnings {
		if !m.list.dismissed[w.Text] {
			add(m.st.Warn, w.Text)
		}
	}
	return out
}

// bodyHeight is the height between the header (and banners) and the footer.
func (m Model) bodyHeight() int {
	return max(m.height-2-len(m.banners()), 1)
}

// paneSizes are the outer sizes of the list and detail panes.
func (m Model) paneSizes() (lw, lh, dw, dh int) {
	h := m.bodyHeight()
	if m.width >= sideBySide {
		lw = min(max(m.width/2, 36), 64)
		return lw, h, m.width - lw, h
	}
	lh = max(h*2/5, 5)
	return m.width, lh, m.width, h - lh
}

// listHeight is how many rows the list pane shows.
func (m Model) listHeight() int {
	_, lh, _, _ := m.paneSizes()
	return max(lh-3, 1) // border and title
}

// detailHeight is how many lines the detail pane shows.
func (m Model) detailHeight() int {
	_, _, _, dh := m.paneSizes()
	return max(dh-2, 1)
}

func (m Model) bodyView() string {
	h := m.bodyHeight()
	switch {
	case m.snap == nil:
		return lipgloss.Place(m.width, h, lipgloss.Center, lipgloss.Center, "Loading saved state…")
	case m.mode == modeHelp:
		return lipgloss.Place(m.width, h, lipgloss.Center, lipgloss.Center, m.helpView(h))
	case m.mode == modeAdd || m.mode == modeSend || m.mode == modeRemind:
		return lipgloss.Place(m.width, h, lipgloss.Center, lipgloss.Center, clip(m.form.view(m.st), m.width, h))
	case m.mode == modeConfirm && m.confirm.preview != "":
		return lipgloss.Place(m.width, h, lipgloss.Center, lipgloss.Center, m.previewView(h))
	}
	lw, lh, dw, dh := m.paneSizes()
	list := m.paneStyle(paneList).Width(lw - 2).Height(lh - 2).Render(m.listView(lw-4, lh-2))
	detail := m.paneStyle(paneDetail).Width(dw - 2).Height(dh - 2).Render(m.detailView(dw-4, dh-2))
	if m.width >= sideBySide {
		return lipgloss.JoinHorizontal(lipgloss.Top, list, detail)
	}
	return lipgloss.JoinVertical(lipgloss.Left, list, detail)
}

func (m Model) paneStyle(p pane) lipgloss.Style {
	if m.focus == p {
		return m.st.PaneFocused
	}
	return m.st.Pane
}

func (m Model) listView(width, height int) string {
	title := fmt.Sprintf("Watched (%d)", len(m.list.rows))
	if m.list.filter != "" {
		title += " · filter: " + m.list.filter
	}
	lines := []string{m.st.Dim.Render(fit(title, width))}
	if len(m.list.rows) == 0 {
		empty := "No keys yet.\nPress a to add processQueryKeys,\nor start dingwatch KEY..."
		if m.list.filter != "" {
			empty = "Nothing matches the filter.\nesc clears it."
		}
		return strings.Join(lines, "\n") + "\n" + m.st.Dim.Render(empty)
	}
	end := min(m.list.offset+height-1, len(m.list.rows))
	for i := m.list.offset; i < end; i++ {
		lines = append(lines, m.cachedRow(m.list.rows[i], i == m.list.cursor, width))
	}
	return strings.Join(lines, "\n")
}

func (m Model) detailView(width, height int) string {
	r, ok := m.selected()
	if !ok {
		return m.st.Dim.Render("Select a key to see who has read it.")
	}
	lines := m.detailHead(r, width)
	if len(lines) >= height {
		return strings.Join(lines[:height], "\n")
	}
	lines = append(lines, m.sectionsView(width, height-len(lines))...)
	return strings.Join(lines[:min(len(lines), height)], "\n")
}

// helpView is the full help, in a dialog when it fits in height h.
func (m Model) helpView(h int) string {
	table := m.help.FullHelpView(m.keys.FullHelp())
	if lipgloss.Width(table) > m.width-4 { // too narrow for columns: wrap the bindings
		var items []string
		for _, col := range m.keys.FullHelp() {
			for _, b := range col {
				if b.Enabled() {
					items = append(items, b.Help().Key+" "+b.Help().Desc)
				}
			}
		}
		return clip(lipgloss.NewStyle().Width(m.width).Render(strings.Join(items, " · ")), m.width, h)
	}
	if lipgloss.Height(table)+6 > h {
		return table
	}
	return m.st.Dialog.Render(m.st.Title.Render("Keys") + "\n\n" + table + "\n\n" + m.st.Dim.Render("any key closes"))
}

// previewView shows what a send will send, before the y/N in the footer.
func (m Model) previewView(h int) string {
	w := max(20, min(m.width-4, 76))
	body := lipgloss.NewStyle().Width(w - 4).Render(m.confirm.preview)
	box := m.st.Dialog.Width(w - 2).Render(m.st.Title.Render("Preview") + "\n\n" + body)
	return clip(box, m.width, h)
}

func (m Model) footerView() string {
	switch m.mode {
	case modeConfirm:
		return fit(m.st.Warn.Render(m.confirm.prompt)+" y/N", m.width)
	case modeFilter, modeLabel, modeSentAt, modeName:
		return fit(m.input.View(), m.width)
	}
	if m.flash != "" {
		style := m.st.Flash
		if m.flashErr {
			style = m.st.FlashErr
		}
		return style.Render(fit(m.flash, m.width))
	}
	return fit(m.help.ShortHelpView(m.keys.ShortHelp()), m.width)
}

// clip cuts s to h lines of at most w cells.
func clip(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = fit(l, w)
		}
	}
	return strings.Join(lines, "\n")
}
