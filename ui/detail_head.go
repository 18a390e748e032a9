package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/dingwatch/dingwatch/watch"
)

// headItem is one line (or wrapped message) of the detail head.
type headItem struct {
	text  string // clean, one line before wrapping
	style lipgloss.Style
	prio  int  // 0 is kept first
	long  bool // a message that wraps when there is room (else i shows it)
}

// headPlan is the head as laid out: the items kept, each with its lines.
type headPlan struct {
	items  []headItem
	height []int // lines of each item (a long message wraps into several)
	lines  int   // their sum
}

// planHead keeps the head items that fit in avail lines, most important
// first, in their order; long messages wrap with the lines left over.
// cut is true when a message was shortened or left out.
func (d detailPane) planHead(avail int) (plan headPlan, cut bool) {
	items := d.headItems()
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return items[a].prio - items[b].prio })
	height := make([]int, len(items))
	used := 0
	for _, i := range order {
		if used < avail {
			height[i], used = 1, used+1
		}
	}
	for _, i := range order { // wrap long messages in the lines left
		if height[i] == 0 || !items[i].long {
			continue
		}
		n := len(wrap(items[i].text, d.width))
		grow := min(n-1, avail-used)
		height[i], used = height[i]+grow, used+grow
		cut = cut || height[i] < n
	}
	for i, it := range items {
		if height[i] == 0 {
			cut = cut || it.long
			continue
		}
		plan.items, plan.height = append(plan.items, it), append(plan.height, height[i])
	}
	return headPlan{items: plan.items, height: plan.height, lines: used}, cut
}

// headLines draws the planned head.
func (d detailPane) headLines() []string {
	var lines []string
	for i, it := range d.head.items {
		if d.head.height[i] == 1 {
			lines = append(lines, it.style.Render(fit(it.text, d.width)))
			continue
		}
		w := wrap(it.text, d.width)
		if len(w) > d.head.height[i] {
			w = w[:d.head.height[i]]
			w[len(w)-1] = fit(w[len(w)-1]+"…", d.width)
		}
		for _, l := range w {
			lines = append(lines, it.style.Render(fit(l, d.width)))
		}
	}
	return lines
}

// headItems are every line the head would show with room enough.
func (d detailPane) headItems() []headItem {
	st, r, now := d.c.st, d.r, d.c.now
	title := r.title()
	if r.recalled() {
		title += " · recalled"
	}
	if d.focused {
		title = "▸ " + title // the focus shows without colour
	}
	items := []headItem{{text: title, style: st.Title, prio: 0}}
	add := func(style lipgloss.Style, prio int, long bool, format string, a ...any) {
		items = append(items, headItem{text: fmt.Sprintf(format, a...), style: style, prio: prio, long: long})
	}
	if r.match != "" && d.filter != "" {
		add(st.Warn, 1, false, "» filter %q found %s here (marked »)", clean(d.filter), r.match)
	}
	if r.notice != nil {
		sent := "send time unknown"
		if at, ok := (watch.Group{Notice: r.notice, Keys: r.keys}).Start(); ok {
			sent = "sent " + ago(at, now)
		}
		add(st.Dim, 4, false, "notice · %s · %s", pluralize(len(r.keys), "key"), sent)
	} else {
		k := r.keys[0]
		add(st.Dim, 6, false, "%s", clean(k.Key))
		status := clean(k.SendStatus)
		if status == "" {
			status = "no answer yet"
		}
		add(lipgloss.NewStyle(), 5, false, "%s · robot %s", status, clean(k.RobotCode))
		add(lipgloss.NewStyle(), 3, false, "%s", sendFacts(k, now, !d.c.readOnly))
		add(st.Dim, 8, false, "refreshed %s · %s", ago(k.LastOK, now), pluralize(k.Polls, "poll"))
	}
	if r.recalled() {
		add(st.Warn, 1, true, "recalled: recipients no longer see it; nothing counts down")
	}
	if t := timeline(st, r, now, d.width, !d.c.readOnly); t != "" {
		add(lipgloss.NewStyle(), 4, false, "%s", t)
	}
	if r.notice != nil && len(r.notice.Rounds) > 1 {
		var rounds []string
		for _, rd := range r.notice.Rounds {
			name := "sent"
			if rd.N > 0 {
				name = fmt.Sprintf("R%d", rd.N)
			}
			rounds = append(rounds, name+" "+rd.At.In(now.Location()).Format("15:04"))
		}
		add(st.Dim, 7, false, "rounds: %s", strings.Join(rounds, " · "))
	}
	items = append(items, d.problemItems()...)
	return items
}

// problemItems are the row's failures, each a message that wraps.
func (d detailPane) problemItems() []headItem {
	st, r, now := d.c.st, d.r, d.c.now
	var items []headItem
	for _, k := range r.keys {
		if k.Err == nil && k.Expired && k.LastOK.IsZero() && r.notice == nil && !k.DeliveredToNobody() {
			items = append(items, headItem{text: "expired: no read status was seen", style: st.Warn, prio: 2})
		}
		if k.Err == nil {
			continue
		}
		text := "! " + clean(k.Err.Hint)
		if r.notice != nil {
			text = "! " + watch.ShortKey(k.Key) + ": " + clean(k.Err.Hint)
		}
		if k.Stale() {
			text += fmt.Sprintf(" (showing data from %s)", ago(k.LastOK, now))
		}
		style := st.Error
		if k.Waiting() || k.Expired {
			style = st.Warn
		}
		items = append(items, headItem{text: text, style: style, prio: 1, long: true})
	}
	if item, ok := d.notDeliveredItem(); ok {
		items = append(items, item)
	}
	failed, unknown := len(r.audience().Failed), len(r.audience().Unknown)
	if failed > 0 {
		why := ""
		for _, b := range r.notice.Batches {
			if b.Status == watch.BatchFailed && b.Error != "" {
				why = ": " + clean(b.Error)
				break
			}
		}
		items = append(items, headItem{text: fmt.Sprintf("! %s not sent: batch failed%s%s", pluralize(failed, "person"), why, d.hint(" (b resends)")), style: st.Error, prio: 1, long: true})
	}
	if unknown > 0 {
		items = append(items, headItem{text: fmt.Sprintf("? %s may have it: batch outcome unknown%s", pluralize(unknown, "person"), d.hint(" (B resends; they may get it twice)")), style: st.Warn, prio: 1, long: true})
	}
	return items
}

// notDeliveredItem says, when DingTalk did not deliver the row to
// someone, to how many and why, in DingTalk's words ("invalid userId",
// "flow-controlled by DingTalk", "filtered by DingTalk"): "! delivered to
// nobody: 2000 people not delivered (invalid userId)" when it reached none
// of them, "! 3 people not delivered (invalid userId)" otherwise; with
// several reasons, each with its count. The list marks such a row "!" (rowState).
func (d detailPane) notDeliveredItem() (headItem, bool) {
	a := d.r.audience()
	n := len(a.NotDelivered)
	if n == 0 {
		return headItem{}, false
	}
	why := a.NotDeliveredWhy()
	if !strings.Contains(why, ", ") {
		why = strings.TrimPrefix(why, strconv.Itoa(n)+" ") // one reason: its count is n
	}
	text := fmt.Sprintf("! %s not delivered (%s)", pluralize(n, "person"), clean(why))
	if a.DeliveredToNobody() {
		text = fmt.Sprintf("! delivered to nobody: %s not delivered (%s)", pluralize(n, "person"), clean(why))
	}
	return headItem{text: text, style: d.c.st.Error, prio: 1, long: true}, true
}

// hint is a hint naming a key that changes something, or "" for a viewer,
// who cannot use it.
func (d detailPane) hint(h string) string {
	if d.c.readOnly {
		return ""
	}
	return h
}

// sendFacts is "sent 11-27 10:02 · 21h04m left", or what is known of a
// pasted or recalled key; canSet adds the key that sets a send time.
func sendFacts(k *watch.Key, now time.Time, canSet bool) string {
	left, ok := k.TimeLeft(now)
	at := k.SentAt.In(now.Location()).Format("01-02 15:04")
	switch {
	case !ok:
		if !canSet {
			return fmt.Sprintf("added %s · send time unknown", ago(k.AddedAt, now))
		}
		return fmt.Sprintf("added %s · send time unknown (t sets it)", ago(k.AddedAt, now))
	case k.SendStatus == watch.SendRecalled:
		return "sent " + at + " · recalled"
	case left == 0:
		return "sent " + at + " · window over"
	}
	return fmt.Sprintf("sent %s · %s left", at, span(left))
}

// sparks are the levels of a sparkline, lowest first.
var sparks = []rune("▁▂▃▄▅▆▇█")

// timeline is "reads ▁▃▅█  50% in 3m · 90% not yet" from observed read
// times only; "" when nobody has read. canSet: the user may set a send
// time (t), so the hint names the key.
func timeline(st Styles, r row, now time.Time, width int, canSet bool) string {
	a := r.audience()
	if len(a.Read) == 0 || r.total == 0 {
		return ""
	}
	start, ok := watch.Group{Notice: r.notice, Keys: r.keys}.Start()
	if !ok {
		if !canSet {
			return "read times need the send time"
		}
		return "read times need the send time (t)" // counted from adding they would mean nothing
	}
	text := timeToRead(a, start)
	if n := a.UnknownReadTimes(); n > 0 {
		text += fmt.Sprintf(" · %d read before watching", n)
	}
	known := a.Read[a.UnknownReadTimes():]
	if len(known) == 0 {
		return text
	}
	last := known[len(known)-1].FirstSeenRead
	end := now.Truncate(time.Minute) // moves once a minute, not every frame
	if len(a.Unread) == 0 || end.Before(last) {
		end = last
	}
	if n := min(24, width-lipgloss.Width(text)-8); n >= 4 {
		var b strings.Builder
		for _, c := range a.Timeline(start, end, n) {
			b.WriteRune(sparks[c*(len(sparks)-1)/r.total])
		}
		text = "reads " + st.Read.Render(b.String()) + "  " + text
	}
	return text
}

// timeToRead is "50% in 3m · 90% not yet": how long after start half and
// nine tenths of everyone had read; "unknown" when reached at a moment
// dingwatch did not see.
func timeToRead(a watch.Audience, start time.Time) string {
	var stats []string
	for _, f := range []float64{0.5, 0.9} {
		d, ok := a.TimeTo(f, start)
		switch {
		case ok:
			stats = append(stats, fmt.Sprintf("%d%% in %s", int(f*100), span(d)))
		case a.Reached(f):
			stats = append(stats, fmt.Sprintf("%d%% unknown", int(f*100)))
		default:
			stats = append(stats, fmt.Sprintf("%d%% not yet", int(f*100)))
		}
	}
	return strings.Join(stats, " · ")
}
