package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/dingwatch/dingwatch/internal/safetext/safetexttest"
)

// TestInputsShowCleanText (F4): every Hostile string, pasted or typed
// into a one-line input (the label prompt, the filter, the send form's
// recipients and label), shows cleaned while it is being edited, not only
// once saved; the input holds what it shows.
func TestInputsShowCleanText(t *testing.T) {
	opens := map[string][]string{"label (e)": {"e", "ctrl+u"}, "filter (/)": {"/"}, "send to (s)": {"s"}, "send text (s)": {"s", "tab"}, "send label (s)": {"s", "tab", "tab"}, "keys (a)": {"a"}}
	for name, h := range safetexttest.Hostile {
		for what, open := range opens {
			for _, paste := range []bool{true, false} {
				m := drive(loaded(&fakeEngine{state: fixtureState()}, 100, 30), keys(open...)...)
				var msgs []tea.Msg
				if paste {
					msgs = append(msgs, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(h), Paste: true})
				} else {
					if len([]rune(h)) > 80 {
						continue // typed rune by rune only when short: the long one is pasted
					}
					for _, r := range h {
						msgs = append(msgs, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
					}
				}
				m = drive(m, msgs...)
				v := m.View()
				safetexttest.AssertInert(t, fmt.Sprintf("%s in %s (paste %v)", name, what, paste), v, true)
				if strings.ContainsRune(v, '\u202e') {
					t.Fatalf("%s: U+202E on screen", what)
				}
			}
		}
	}
}
