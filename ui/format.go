package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/dingwatch/dingwatch/internal/safetext"
	"github.com/dingwatch/dingwatch/watch"
)

// ago is a relative time in steps of a minute at least, so an idle screen
// changes at most once a minute (SSH links are slow): "<1m ago", "3m ago",
// "2h ago".
func ago(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "<1m ago"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

// span is a short duration: "45s", "12m", "3h05m", "2d".
func span(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// fit truncates s to width cells (CJK counts two) with an ellipsis and
// pads it to exactly width.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if ansi.StringWidth(s) > width {
		s = ansi.Truncate(s, width, "…")
		if kept := strings.TrimRight(strings.TrimSuffix(s, "…"), " "); strings.HasSuffix(kept, "…") {
			s = kept // cut where it was already shortened (a short key "7Yq/vHma…+z4="): one "…", not "……"
		}
	}
	return s + strings.Repeat(" ", max(0, width-ansi.StringWidth(s)))
}

// fitRight is fit, aligned right.
func fitRight(s string, width int) string {
	if ansi.StringWidth(s) > width {
		return fit(s, width)
	}
	return strings.Repeat(" ", width-ansi.StringWidth(s)) + s
}

// bar is a progress bar of width cells: '█' read, '░' unread, so it reads
// without colour too.
func bar(st Styles, read, total, width int) string {
	if width <= 0 {
		return ""
	}
	full := 0
	if total > 0 {
		full = read * width / total
	}
	return st.BarFull.Render(strings.Repeat("█", full)) + st.BarEmpty.Render(strings.Repeat("░", width-full))
}

// clockTime is when t happened as a wall-clock time, "15:04" today or
// "11-26 15:04" before: unlike a relative time it never changes on an idle
// screen. It is watch.ClockTime, the command line's too.
func clockTime(t, now time.Time) string { return watch.ClockTime(t, now) }

// clean makes one string from outside (a name, a label, an error from
// DingTalk, a path) safe for one line of the screen or the clipboard.
func clean(s string) string { return safetext.Line(s, 0) }

// wrap breaks s (one clean line) into lines of at most width cells, at
// spaces where it can and inside a word where it must.
func wrap(s string, width int) []string {
	if width <= 0 {
		return nil
	}
	return strings.Split(ansi.Wrap(s, width, " "), "\n")
}

// pluralize is "1 key", "3 keys", "2 batches".
func pluralize(n int, word string) string {
	switch {
	case n == 1:
		return "1 " + word
	case word == "person":
		return fmt.Sprintf("%d people", n)
	case strings.HasSuffix(word, " person"):
		return fmt.Sprintf("%d %speople", n, strings.TrimSuffix(word, "person"))
	case strings.HasSuffix(word, "ch") || strings.HasSuffix(word, "s"):
		return fmt.Sprintf("%d %ses", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// byteSize is "57 B", "1.2 KB", "3.4 MB".
func byteSize(n int) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f KB", float64(n)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// stringWidth is how many cells s takes (CJK counts two).
func stringWidth(s string) int {
	if n, ok := plainWidth(s); ok {
		return n
	}
	return ansi.StringWidth(s)
}

// plainWidth is the width of s when it is printable ASCII and "…" only
// (a shortened key: a cell each), the common case of 20,000 titles; ok
// is false for anything else, which ansi.StringWidth measures.
func plainWidth(s string) (n int, ok bool) {
	for i := 0; i < len(s); n++ {
		switch c := s[i]; {
		case c >= ' ' && c < 0x7f:
			i++
		case strings.HasPrefix(s[i:], "…"):
			i += len("…")
		default:
			return 0, false
		}
	}
	return n, true
}

// moreAbove and moreBelow are the one spelling of an over-flow marker,
// in every list: "↑ 3 more", "↓ 19 more", n counting every item hidden
// on that side.
func moreAbove(n int) string { return fmt.Sprintf("↑ %d more", n) }

// moreBelow: see moreAbove.
func moreBelow(n int) string { return fmt.Sprintf("↓ %d more", n) }

// overflowMarks are the markers for a list with no line to spare for them
// (they go after its title): " ↑ 2 more ↓ 9 more", "" when nothing is hidden.
func overflowMarks(above, below int) string {
	s := ""
	if above > 0 {
		s += " " + moreAbove(above)
	}
	if below > 0 {
		s += " " + moreBelow(below)
	}
	return s
}

// sectionHeading is a section's title ("Outcome unknown (20) · may have
// it") followed by over-flow marks in width cells. What gives way first is
// the note after the count, then the word before it ("Not deli… (20)"),
// never the section's own count or the marks.
func sectionHeading(title, marks string, width int) string {
	if stringWidth(title+marks) <= width {
		return fit(title+marks, width)
	}
	i := strings.Index(title, " (")
	j := strings.Index(title[max(i, 0):], ")")
	if i < 0 || j < 0 {
		return withMarks(title, marks, width)
	}
	word, count := title[:i], title[i:i+j+1]
	if room := width - stringWidth(count+marks); stringWidth(word) > room {
		if room < 2 { // not even a letter and "…": the count, then what marks fit
			return fit(strings.TrimSpace(count)+marks, width)
		}
		word = ansi.Truncate(word, room, "…")
	}
	return fit(word+count+marks, width)
}

// withMarks is title followed by over-flow marks in width cells: the
// title is shortened (…) so the counts always show.
func withMarks(title, marks string, width int) string {
	if room := width - stringWidth(marks); stringWidth(title) > room {
		title = ansi.Truncate(title, max(room, 1), "…")
	}
	return fit(title+marks, width)
}
