// Package safetext makes text that dingwatch did not write safe to show.
//
// Everything that comes from outside — DingTalk's answers and pushed events,
// keys, labels and names typed by a user or read back from the state file —
// passes through Line (or CSVCell) once, at the edge where it is written to a
// terminal, the clipboard, a CSV cell, a hook's environment or a log line.
// JSON output does not use it: encoding/json escapes control characters and
// keeps the raw value.
//
// What Line does, rune by rune:
//   - newline, carriage return, tab, and the Unicode line and paragraph
//     separators (U+2028, U+2029) become a space, so a value stays on its row;
//   - other C0 controls (U+0000–U+001F) and DEL become their visible Control
//     Pictures (ESC shows as ␛, DEL as ␡), so tampering can be seen;
//   - C1 controls (U+0080–U+009F) and invalid UTF-8 become U+FFFD (�);
//   - invisible format characters (Unicode category Cf: bidi embeddings,
//     overrides and isolates such as U+202E, zero-width spaces and joiners,
//     the byte-order mark, soft hyphens) and the blank Hangul fillers are
//     removed;
//   - the result is capped at max runes, the last one an ellipsis (…).
//
// After Line no byte below 0x20, no DEL, no C1 control and no Cf character is
// left, so no escape sequence, title change, clipboard write or bracketed
// paste end can be smuggled through.
package safetext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// DefaultMax is the cap in runes that Line applies when max ≤ 0: longer than
// any name, key, label or DingTalk message a screen needs, short enough that
// one value cannot flood a terminal, a log or memory.
const DefaultMax = 512

// Line returns s cleaned for one line of output, at most limit runes long
// (DefaultMax when limit ≤ 0). See the package comment for the rules.
func Line(s string, limit int) string {
	if limit <= 0 {
		limit = DefaultMax
	}
	if isPlain(s) && len(s) <= limit {
		return s
	}
	var b strings.Builder
	b.Grow(min(len(s), 4*limit))
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			r = utf8.RuneError
		}
		i += max(size, 1)
		r, keep := clean(r)
		if !keep {
			continue
		}
		if n == limit-1 && i < len(s) && hasVisibleRest(s[i:]) {
			b.WriteRune('…')
			return b.String()
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// hasVisibleRest reports whether anything that Line would keep follows.
func hasVisibleRest(s string) bool {
	for _, r := range s {
		if _, keep := clean(r); keep {
			return true
		}
	}
	return false
}

// clean maps one rune to what Line writes for it, or reports that it is
// dropped.
func clean(r rune) (rune, bool) {
	switch {
	case r == '\n' || r == '\r' || r == '\t' || r == '\u2028' || r == '\u2029':
		return ' ', true
	case r < 0x20:
		return 0x2400 + r, true // Control Pictures: ␀ … ␟
	case r == 0x7f:
		return '␡', true
	case r >= 0x80 && r <= 0x9f:
		return utf8.RuneError, true
	case isInvisible(r):
		return 0, false
	}
	return r, true
}

// isInvisible reports format characters (category Cf) and the blank fillers
// that render as nothing but can hide or reorder text.
func isInvisible(r rune) bool {
	switch r {
	case '\u115f', '\u1160', '\u3164', '\uffa0':
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// isPlain reports whether s is printable ASCII, the common case that needs no
// copy.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// Inert reports whether s holds nothing that Line would change: no control
// character, no C1, no Cf, no line separator, no invalid UTF-8. Tests use it
// to check an output.
func Inert(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if c, keep := clean(r); !keep || c != r {
			return false
		}
	}
	return true
}

// CSVCell returns s cleaned by Line and protected against formula injection:
// a cell that a spreadsheet would read as a formula (one starting with =, +,
// -, @, or their full-width forms) gets a leading apostrophe, as OWASP's CSV
// injection guidance recommends. Keys can start with + or -, so key cells are
// protected too; strip the apostrophe to get the key back.
func CSVCell(s string, limit int) string {
	s = Line(s, limit)
	if s == "" {
		return s
	}
	switch r, _ := utf8.DecodeRuneInString(s); r {
	case '=', '+', '-', '@', '＝', '＋', '－', '＠', ' ':
		return "'" + s
	}
	return s
}

// JSON returns encoded JSON (as encoding/json writes it) with every DEL, C1
// control and format character (Cf: bidi overrides, zero-width characters)
// written as a \uXXXX escape, so JSON printed to a terminal cannot act on
// it while every value decodes to exactly what it was. encoding/json already
// escapes C0 controls and U+2028/U+2029; those runes can only occur inside
// strings, so escaping them keeps the document valid.
func JSON(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r > 0x7f && isInvisible(r)) {
			if out == nil {
				out = append(make([]byte, 0, len(b)+32), b[:i]...)
			}
			if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
				out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
			} else {
				out = fmt.Appendf(out, `\u%04x`, r)
			}
		} else if out != nil {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	if out == nil {
		return b
	}
	return out
}
