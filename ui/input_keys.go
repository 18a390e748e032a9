package ui

import (
	"regexp"

	tea "github.com/charmbracelet/bubbletea"
)

// answerFilter takes a terminal's answers (to a colour query, a device
// attributes query, …) out of the key stream, whenever they arrive, so
// that they never reach an input or a binding. Bubble Tea v1 does not
// know OSC, DCS, APC or PM strings: "ESC ] 11;rgb:1e1e/1e1e/1e1e BEL"
// arrives as alt+], the runes "11;rgb:1e1e/1e1e/1e1e", and ctrl+g (BEL) or
// alt+\ (ESC \, the string terminator). Unknown CSI answers arrive as a
// message of their own that is not a key, and are dropped by the root.
type answerFilter struct {
	in   bool // inside an answer: swallow up to its terminator
	seen int  // messages swallowed in this answer
}

// maxAnswer bounds an answer, so that a lost terminator cannot eat keys
// for long.
const maxAnswer = 16

// answerBody is the body of a colour answer that lost its introducer.
var answerBody = regexp.MustCompile(`^\d+;(\d+;)?rgba?:[0-9a-fA-F/]+$`)

// keys returns the key presses msg holds: none when it is part of an
// answer, one per rune when several runes arrived in one read (a fast
// typist, key repeat, an SSH packet), else msg itself. A paste stays
// whole.
func (f *answerFilter) keys(msg tea.KeyMsg) []tea.KeyMsg {
	if f.in {
		switch {
		case msg.Type == tea.KeyCtrlG, msg.Alt && msg.Type == tea.KeyRunes && string(msg.Runes) == `\`:
			f.in = false // the terminator
			return nil
		case (msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace) && !msg.Paste && !msg.Alt && f.seen < maxAnswer:
			// A space inside an answer (tmux's "ESC P >|tmux 3.4 ESC \")
			// arrives as a space key between runes: it is still the answer.
			f.seen++
			return nil
		}
		f.in = false // a key of its own: the answer ended without its terminator
	}
	if msg.Type == tea.KeyRunes && msg.Alt && len(msg.Runes) == 1 {
		switch msg.Runes[0] {
		case ']', 'P', '_', '^': // OSC, DCS, APC, PM
			f.in, f.seen = true, 0
			return nil
		}
	}
	if msg.Type != tea.KeyRunes || msg.Paste || len(msg.Runes) <= 1 {
		return []tea.KeyMsg{msg}
	}
	if answerBody.MatchString(string(msg.Runes)) {
		return nil
	}
	out := make([]tea.KeyMsg, len(msg.Runes))
	for i, r := range msg.Runes {
		out[i] = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}
	}
	return out
}
