package ui

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"

	"github.com/dingwatch/dingwatch/internal/safetext"
)

// cleanInput makes what a one-line input holds, and so shows while it is
// typed or pasted, what the saved value will be: safetext.Line's rules
// (bidi overrides and zero-width characters removed, controls as visible
// pictures, line breaks and tabs as spaces). The cursor stays after the
// same text. An input already clean is left alone (no copy).
func cleanInput(in *textinput.Model) {
	v := in.Value()
	if safetext.Inert(v) {
		return
	}
	r := []rune(v)
	pos := min(max(in.Position(), 0), len(r))
	before := []rune(safetext.Line(string(r[:pos]), len(r)+1))
	in.SetValue(safetext.Line(v, len(r)+1))
	in.SetCursor(len(before))
}

// idArea marks an area as holding ids (keys, userIds), which never hold a
// control or format character: it is cleaned as typed (cleanArea).
func idArea(f field) field {
	f.ids = true
	return f
}

// cleanArea cleans each line of an area of ids as cleanInput does a line;
// the cursor goes to the end when something was taken out.
func cleanArea(ta *textarea.Model) {
	v := ta.Value()
	if safetext.Inert(strings.ReplaceAll(v, "\n", " ")) {
		return
	}
	lines := strings.Split(v, "\n")
	for i, l := range lines {
		lines[i] = safetext.Line(l, len(l)+1)
	}
	ta.SetValue(strings.Join(lines, "\n"))
}

// inertView is an area's drawing with any format character (bidi
// override, zero-width) of what was typed taken out and stray controls
// made visible, keeping the drawing's own escape sequences and line
// breaks: a message's text is sent as typed, but shown inert.
func inertView(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\x1b':
			return r
		case r < 0x20:
			return 0x2400 + r
		case r == 0x7f:
			return '␡'
		case r >= 0x80 && r <= 0x9f:
			return utf8.RuneError
		case unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
}
