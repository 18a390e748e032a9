package ui

import (
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// runes is a key message as Bubble Tea delivers runes read together.
func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

// oscAnswer is "ESC ] 11;rgb:1e1e/1e1e/1e1e BEL" as Bubble Tea v1 delivers
// it: alt+], the runes, ctrl+g (checked against tea's own reader in
// TestAnswerAsBubbleTeaReadsIt).
func oscAnswer(terminator tea.KeyMsg) []tea.Msg {
	return []tea.Msg{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("]"), Alt: true}, runes("11;rgb:1e1e/1e1e/1e1e"), terminator}
}

var (
	bel = tea.KeyMsg{Type: tea.KeyCtrlG}
	st  = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(`\`), Alt: true}
)

func TestSeveralRunesInOneReadAreSeveralKeys(t *testing.T) {
	m := loaded(&fakeEngine{state: fixtureState()}, 80, 24)
	m = drive(m, runes("jjj"))
	if m.list.cursor != 3 {
		t.Fatalf("jjj in one read moved to row %d, want 3", m.list.cursor)
	}
	m = drive(m, runes("kg"))
	if m.list.cursor != 0 {
		t.Fatalf("kg: row %d", m.list.cursor)
	}
	// A paste stays one message: it goes whole into the input.
	m = drive(m, keys("/")...)
	m = drive(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("grace"), Paste: true})
	if m.list.filter != "grace" {
		t.Fatalf("paste: filter %q", m.list.filter)
	}
}

func TestLateTerminalAnswersNeverBecomeInput(t *testing.T) {
	for _, term := range []tea.KeyMsg{bel, st} {
		m := loaded(&fakeEngine{state: fixtureState()}, 80, 24)
		// Into the list: no binding runs (1 would be nothing, but r, g, b are bindings).
		m = drive(m, oscAnswer(term)...)
		m = drive(m, []tea.Msg{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("P"), Alt: true}, runes(">|xterm(390)"), term}...)
		if m.overlay != nil || m.list.cursor != 0 || m.flash != "" {
			t.Fatalf("an answer acted: overlay %T, cursor %d, flash %q", m.overlay, m.list.cursor, m.flash)
		}
		// Into an open input, between typed keys.
		m = drive(m, keys("/", "gr")...)
		m = drive(m, oscAnswer(term)...)
		m = drive(m, keys("ace")...)
		if m.list.filter != "grace" {
			t.Fatalf("filter %q", m.list.filter)
		}
		m = drive(m, keys("enter", "e")...)
		m = drive(m, oscAnswer(term)...)
		if v := m.overlay.(*lineInput).input.Value(); strings.Contains(v, "rgb") {
			t.Fatalf("the answer reached the label input: %q", v)
		}
	}
}

func TestAnswerWithoutTerminatorEndsAtTheNextKey(t *testing.T) {
	var f answerFilter
	got := f.keys(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("]"), Alt: true})
	got = append(got, f.keys(runes("11;rgb:0000/0000/0000"))...)
	got = append(got, f.keys(tea.KeyMsg{Type: tea.KeyDown})...)
	if len(got) != 1 || got[0].Type != tea.KeyDown {
		t.Fatalf("got %v", got)
	}
	got = f.keys(runes("j"))
	if len(got) != 1 {
		t.Fatal("the filter kept swallowing after the answer ended")
	}
	// The body of a colour answer that lost its introducer is still not input.
	if got := f.keys(runes("11;rgb:1e1e/1e1e/1e1e")); len(got) != 0 {
		t.Fatalf("got %v", got)
	}
	// Ordinary runes split one per key.
	got = f.keys(runes("jk"))
	if !slices.EqualFunc(got, []tea.KeyMsg{runes("j"), runes("k")}, func(a, b tea.KeyMsg) bool { return a.String() == b.String() }) {
		t.Fatalf("got %v", got)
	}
}

func TestUnknownCSIAnswersReachNoInput(t *testing.T) {
	m := drive(loaded(&fakeEngine{state: fixtureState()}, 80, 24), keys("/")...)
	type unknownCSI []byte // stands for tea's unexported unknownCSISequenceMsg
	m = drive(m, unknownCSI("\x1b[?62;c"), tea.FocusMsg{})
	if m.list.input.Value() != "" {
		t.Fatalf("input %q", m.list.input.Value())
	}
}

// recorder keeps the key messages a real program delivers, until q.
type recorder struct{ got []string }

func (r *recorder) Init() tea.Cmd { return nil }
func (r *recorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		if k.String() == "q" {
			return r, tea.Quit
		}
		r.got = append(r.got, k.String())
	}
	return r, nil
}
func (r *recorder) View() string { return "" }

// TestAnswerAsBubbleTeaReadsIt checks the shapes above against Bubble
// Tea's own input reader: what a terminal writes is what the filter sees.
func TestAnswerAsBubbleTeaReadsIt(t *testing.T) {
	in := strings.NewReader("\x1b]11;rgb:1e1e/1e1e/1e1e\x07jjj\x1bP>|xterm(390)\x1b\\q")
	rec := &recorder{}
	p := tea.NewProgram(rec, tea.WithInput(in), tea.WithOutput(&strings.Builder{}), tea.WithoutRenderer(), tea.WithoutSignalHandler())
	if _, err := p.Run(); err != nil {
		t.Fatal(err)
	}
	want := []string{"alt+]", "11;rgb:1e1e/1e1e/1e1e", "ctrl+g", "jjj", "alt+P", ">|xterm(390)", `alt+\`}
	if !slices.Equal(rec.got, want) {
		t.Fatalf("Bubble Tea delivered %q, want %q", rec.got, want)
	}
	var f answerFilter
	var keys []string
	for _, k := range []tea.KeyMsg{{Type: tea.KeyRunes, Runes: []rune("]"), Alt: true}, runes("11;rgb:1e1e/1e1e/1e1e"), bel, runes("jjj"),
		{Type: tea.KeyRunes, Runes: []rune("P"), Alt: true}, runes(">|xterm(390)"), st} {
		for _, got := range f.keys(k) {
			keys = append(keys, got.String())
		}
	}
	if !slices.Equal(keys, []string{"j", "j", "j"}) {
		t.Fatalf("after the filter: %q", keys)
	}
}
