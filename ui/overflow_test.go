package ui

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

// markRe finds an over-flow marker in its one spelling.
var markRe = regexp.MustCompile(`([↑↓]) (\d+) more`)

// TestSectionMarkersCountEveryHiddenPerson: in every number of rows and
// at every scroll offset, the people shown plus the counts of "↑ N more"
// and "↓ N more" are everyone in the section, and a section given two
// lines or more shows at least one person (F23: "↓ 19 more" under a list
// showing none of its 20).
func TestSectionMarkersCountEveryHiddenPerson(t *testing.T) {
	d := loaded(&fakeEngine{state: fixtureState()}, 80, 24).detail
	for n := 0; n <= 25; n++ {
		s := section{title: fmt.Sprintf("Outcome unknown (%d)", n), style: lipgloss.NewStyle(), n: n,
			at: func(i int) personItem {
				return personItem{mark: "?", name: fmt.Sprintf("q%d", i), id: fmt.Sprintf("q%d", i)}
			}}
		for rows := 1; rows <= 12; rows++ {
			for off := 0; off <= n+1; off++ {
				s.rows, d.offset = rows, off
				lines := d.sectionLines(s, 40)
				if len(lines) > rows {
					t.Fatalf("n=%d rows=%d off=%d: %d lines", n, rows, off, len(lines))
				}
				shown, hidden := 0, 0
				for i, l := range lines {
					for _, m := range markRe.FindAllStringSubmatch(l, -1) {
						c, _ := strconv.Atoi(m[2])
						hidden += c
					}
					if i > 0 && strings.HasPrefix(l, "? ") {
						shown++
					}
				}
				if shown+hidden != n {
					t.Fatalf("n=%d rows=%d off=%d: %d shown + %d in markers:\n%s", n, rows, off, shown, hidden, strings.Join(lines, "\n"))
				}
				if n > 0 && rows >= 2 && shown == 0 {
					t.Fatalf("n=%d rows=%d off=%d: a list with room shows nobody:\n%s", n, rows, off, strings.Join(lines, "\n"))
				}
			}
		}
	}
}

// TestOneMarkerSpelling: every over-flow marker on screen, in the list
// and in the detail pane, in a title or on a line of its own, is spelled
// "↑ N more" / "↓ N more" (F9 found "↓9" beside "↓ 8 more").
func TestOneMarkerSpelling(t *testing.T) {
	any := regexp.MustCompile(`[↑↓] ?\d+(?: \S+)?`)
	for _, st := range []func() *fakeEngine{
		func() *fakeEngine { return &fakeEngine{state: fixtureState()} },
		func() *fakeEngine { return &fakeEngine{state: manyKeys(60)} },
		func() *fakeEngine { return &fakeEngine{state: largeState()} },
	} {
		for _, size := range [][2]int{{MinWidth, MinHeight}, {60, 18}, {79, 16}, {80, 24}, {120, 30}} {
			m := loaded(st(), size[0], size[1])
			for range 6 {
				v := m.View()
				for _, mk := range any.FindAllString(v, -1) {
					if !markRe.MatchString(mk) {
						t.Fatalf("%v: marker %q not spelled \"↓ N more\":\n%s", size, mk, v)
					}
				}
				m = drive(m, keys("j")...)
			}
		}
	}
}
