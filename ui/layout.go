package ui

import (
	"slices"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/dingwatch/dingwatch/watch"
)

// sideBySide is the width from which the list and detail panes sit side by side.
const sideBySide = 72

// layout is where everything goes, worked out when the size or what is
// shown changes — never while drawing.
type layout struct {
	banners        []banner // banner lines, wrapped (drawn by View)
	said           []string // the texts of the banners those lines say, whole or in short (noteDrawn)
	bodyH, footerH int
	side           bool
	lw, lh, dw, dh int // outer sizes of the list and detail panes
}

// banner is one message about the whole dashboard.
type banner struct {
	text  string // clean
	style lipgloss.Style
	short string // a few words saying the same on a short screen (bannerShort), or "": text cut
}

// banners are the messages about the whole dashboard still shown.
func (m Model) banners() []banner {
	if m.snap == nil {
		return nil
	}
	var out []banner
	add := func(style lipgloss.Style, s, short string) {
		if s != "" && !m.dismissed[clean(s)] {
			out = append(out, banner{text: clean(s), style: style, short: short})
		}
	}
	add(m.c.st.Error, m.snap.Halted, "polling stopped")
	add(m.c.st.Error, m.snap.SaveErr, "not saved")
	if m.snap.Blocked {
		add(m.c.st.Warn, "the daily call budget is spent: polling waits until calls age out (--budget)", "daily budget spent")
	}
	if m.heldByDingTalk() {
		add(m.c.st.Warn, "DingTalk asked this host to pause: nothing is asked until "+secondsClock(m.snap.HeldUntil, m.c.now)+
			"; the list shows the last answers", "paused by DingTalk")
	}
	for i, w := range warningTexts(m.snap) {
		add(m.c.st.Warn, w, bannerShort[m.snap.Warnings[i].Kind])
	}
	return out
}

// throttleStep is the longest pause a throttle's own banner stands for
// alone: a longer one (a ban that came during a throttle) is said with
// its end.
const throttleStep = time.Minute

// heldByDingTalk reports whether DingTalk asked for a pause of every key
// (a ban) that is not over: the keys not asked before it came would
// otherwise look up to date. A throttle's banner says a short pause
// itself.
func (m Model) heldByDingTalk() bool {
	left := m.snap.HeldUntil.Sub(m.c.now)
	throttling := slices.ContainsFunc(m.snap.Warnings, func(w watch.Warning) bool { return w.Kind == watch.WarnThrottled })
	return left > 0 && (!throttling || left > throttleStep)
}

// secondsClock is clockTime to the second: a pause that ends at 10:06:45
// has not ended at 10:06:30.
func secondsClock(t, now time.Time) string {
	return clockTime(t, now) + t.In(now.Location()).Format(":05")
}

// footerHeighter is a footer overlay whose height depends on its width.
type footerHeighter interface{ Height(width int) int }

// relayout sizes the header, banners, panes, overlay and footer.
func (m *Model) relayout() {
	if m.width <= 0 || m.height <= 0 {
		return
	}
	l := layout{footerH: 1, side: m.width >= sideBySide}
	switch {
	case m.overlay != nil && m.overlay.Footer():
		m.overlay.SetSize(m.width, 1)
		if fh, ok := m.overlay.(footerHeighter); ok {
			l.footerH = min(max(fh.Height(m.width), 1), max(m.height/3, 1))
		}
	case m.flash != "" && m.flashErr:
		l.footerH = min(len(wrap(clean(m.flash), m.width)), 2)
	}
	minBody := 10 // two panes stacked: each a border, a title and two lines
	if l.side {
		minBody = 6
	}
	room := min(max(m.height-1-l.footerH-minBody, 1), 8)
	bs := m.banners()
	lines, said := bannerLayout(bs, m.width, room)
	l.banners = lines
	for i, b := range bs {
		if said[i] {
			l.said = append(l.said, b.text)
		}
	}
	l.bodyH = max(m.height-1-len(l.banners)-l.footerH, 1)
	h := l.bodyH
	if l.side {
		base := min(max(m.width/2, 36), 64)
		// A row: cursor 2, title, " counts", " bar" 9, " state" 10, " left" 7, " !" 2; border and padding 4.
		need := m.list.titleW + m.list.countW + 2 + 1 + 9 + 10 + 7 + 2 + 4
		l.lw = base
		if m.width >= 120 {
			l.lw = min(max(need, base), m.width-60)
		}
		l.lh, l.dw, l.dh = h, m.width-l.lw, h
	} else {
		l.lh = max(h*2/5, 5)
		if h-l.lh < 4 { // the detail keeps Unread's title and a name; the list at least its cursor row
			l.lh = max(h-4, 3)
		}
		l.lw, l.dw, l.dh = m.width, m.width, h-l.lh
	}
	m.lay = l
	m.list.SetSize(l.lw-4, l.lh-2)
	m.detail.SetSize(l.dw-4, l.dh-2)
	m.selectionChanged()
	if m.overlay != nil && !m.overlay.Footer() {
		m.overlay.SetSize(m.width, l.bodyH)
	}
}
