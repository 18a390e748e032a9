package ui

import (
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// keyTape records the key messages Bubble Tea's own reader makes of a
// byte stream, up to "Q".
type keyTape struct{ got []tea.KeyMsg }

func (r *keyTape) Init() tea.Cmd { return nil }
func (r *keyTape) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		if k.Type == tea.KeyRunes && strings.HasSuffix(string(k.Runes), "Q") {
			if k.Runes = k.Runes[:len(k.Runes)-1]; len(k.Runes) > 0 {
				r.got = append(r.got, k)
			}
			return r, tea.Quit
		}
		r.got = append(r.got, k)
	}
	return r, nil
}
func (r *keyTape) View() string { return "" }

// F3: tmux's XTVERSION answer holds a space ("ESC P >|tmux 3.4 ESC \"),
// which Bubble Tea reads as a space key inside the answer; no part of it
// may reach an input or a binding, whenever it arrives.
func TestDCSAnswerWithSpaceIsSwallowed(t *testing.T) {
	for _, stream := range []string{
		"/ab\x1bP>|tmux 3.4\x1b\\cQ",
		"/ab\x1bP>|tmux  3.4 beta\x1b\\cQ",
		"/ab\x1bP>|XTerm(390)\x1b\\cQ",
		"/ab\x1b]11;rgb:1e1e/1e1e/1e1e\x07cQ",
	} {
		tape := &keyTape{}
		p := tea.NewProgram(tape, tea.WithInput(strings.NewReader(stream)), tea.WithOutput(&strings.Builder{}), tea.WithoutRenderer(), tea.WithoutSignalHandler())
		if _, err := p.Run(); err != nil {
			t.Fatal(err)
		}
		var f answerFilter
		var got []string
		for _, k := range tape.got {
			for _, kk := range f.keys(k) {
				got = append(got, kk.String())
			}
		}
		if want := []string{"/", "a", "b", "c"}; !slices.Equal(got, want) {
			t.Fatalf("%q: after the filter %q, want %q (tea delivered %q)", stream, got, want, tape.got)
		}
	}
}

// The same answer typed into the open filter leaves it as it was.
func TestDCSAnswerNeverReachesTheFilter(t *testing.T) {
	m := drive(loaded(&fakeEngine{state: fixtureState()}, 80, 24), keys("/", "Fi")...)
	m = drive(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("P"), Alt: true}, runes(">|tmux"),
		tea.KeyMsg{Type: tea.KeySpace, Runes: []rune(" ")}, runes("3.4"), tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(`\`), Alt: true})
	if v := m.list.input.Value(); v != "Fi" {
		t.Fatalf("filter %q", v)
	}
}
