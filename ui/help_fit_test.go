package ui

import (
	"strings"
	"testing"
)

// TestHelpFitsEverySize (F21): at every size from the minimum, the help
// fits, always says how to close it, and when it is cut it says what is
// hidden and scrolls: j through it shows every key's description, and a
// key that does not scroll closes it.
func TestHelpFitsEverySize(t *testing.T) {
	for w := MinWidth; w <= 200; w += 5 {
		for h := MinHeight; h <= 60; h += 3 {
			m := drive(loaded(&fakeEngine{state: fixtureState()}, w, h), keys("?")...)
			hv, ok := m.overlay.(*helpView)
			if !ok {
				t.Fatalf("%dx%d: ? opened no help", w, h)
			}
			var want []string
			for _, col := range hv.cols {
				for _, b := range col {
					if b.Enabled() {
						want = append(want, b.Help().Desc)
					}
				}
			}
			seen := ""
			for range 60 {
				if m.overlay == nil {
					break // it fitted: j closed it
				}
				v := m.View()
				checkFits(t, v, w, h)
				if !strings.Contains(v, "closes") {
					t.Fatalf("%dx%d: the help does not say how to close it:\n%s", w, h, v)
				}
				seen += v
				m = drive(m, keys("j")...)
			}
			for _, d := range want {
				if !strings.Contains(seen, d) {
					t.Fatalf("%dx%d: %q never shows, scrolling or not:\n%s", w, h, d, m.View())
				}
			}
			if m.overlay == nil {
				continue
			}
			if m = drive(m, keys("x")...); m.overlay != nil {
				t.Fatalf("%dx%d: x did not close the help", w, h)
			}
		}
	}
}
