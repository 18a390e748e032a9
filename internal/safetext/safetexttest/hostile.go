// Package safetexttest holds the table of hostile strings that every output
// path of dingwatch is tested with, and the check that an output is inert.
package safetexttest

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Hostile are strings an attacker controls (a recipient's name, a userId, an
// error message, a sendStatus, a label read back from a tampered state file),
// each labelled with what it tries.
var Hostile = map[string]string{
	"osc52 clipboard":     "Mallory\x1b]52;c;ZWNobyBwd25lZAo=\x07",
	"osc52 st":            "Mallory\x1b]52;c;ZWNobw==\x1b\\",
	"clear screen":        "u\x1b[2Jser",
	"window title":        "\x1b]0;owned\x07title",
	"newline":             "Alice\nBob  read",
	"carriage return":     "Alice\rEve",
	"bidi override":       "\u202Etxt.exe",
	"bidi isolate":        "a\u2066b\u2069c",
	"bracketed paste end": "李雷\x1b[201~\nrm -rf ~\n",
	"c1 csi":              "x\u009b2Jy",
	"c1 osc":              "x\u009d0;t\u009cy",
	"del and nul":         "a\x7fb\x00c",
	"zero width":          "ad\u200bmin\u200d\ufeff",
	"line separator":      "one\u2028two\u2029three",
	"invalid utf8":        "bad\xff\xfeutf8",
	"tab":                 "a\tb",
	"hangul filler":       "\u3164\u115f",
	"soft hyphen":         "pay\u00adpal",
	"formula":             "=HYPERLINK(\"http://x\",\"y\")",
	"formula plus":        "+1+cmd|' /C calc'!A0",
	"dcs":                 "\x1bP+q544e\x1b\\",
	"long":                longString(),
}

func longString() string {
	b := make([]byte, 1<<16)
	for i := range b {
		b[i] = 'A' + byte(i%26)
	}
	return string(b)
}

// AssertInert fails t when out holds a control character (other than the
// newlines and tabs that the output itself uses for layout, when layout is
// true), a C1 control, a format (Cf) character, a line separator or invalid
// UTF-8. what names the output path in the failure.
func AssertInert(t testing.TB, what, out string, layout bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%s: output is not valid UTF-8: %q", what, clip(out))
		return
	}
	for i, r := range out {
		bad := false
		switch {
		case layout && (r == '\n' || r == '\t'):
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			bad = true
		case r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r):
			bad = true
		}
		if bad {
			t.Errorf("%s: control or format character %U at byte %d: %q", what, r, i, clip(out[max(0, i-20):]))
			return
		}
	}
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// payloads are the sequences an attacker needs intact to act on a terminal;
// dingwatch's own styling (SGR colours, cursor movement) never contains them.
var payloads = []string{
	"\x1b]52", "\x1b]0;", "\x1b[2J", "\x1b[201~", "\x1bP", "\u202e", "\u2066",
	"\u009b", "\u009d", "\u200b", "rm -rf ~\n", longString()[:4096],
}

// AssertNoPayload fails t when a raw terminal stream (which holds dingwatch's
// own escape sequences, so AssertInert cannot be used) carries one of the
// hostile payloads intact.
func AssertNoPayload(t testing.TB, what, stream string) {
	t.Helper()
	for _, p := range payloads {
		if i := strings.Index(stream, p); i >= 0 {
			t.Errorf("%s: hostile payload %q reached the output: %q", what, clip(p), clip(stream[max(0, i-20):]))
		}
	}
}
