package safetext_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dingwatch/dingwatch/internal/safetext"
	"github.com/dingwatch/dingwatch/internal/safetext/safetexttest"
)

func TestLineMakesEveryHostileStringInert(t *testing.T) {
	for name, s := range safetexttest.Hostile {
		out := safetext.Line(s, 0)
		safetexttest.AssertInert(t, name, out, false)
		safetexttest.AssertNoPayload(t, name, out)
		if !safetext.Inert(out) {
			t.Errorf("%s: Inert(%q) = false", name, out)
		}
		if n := utf8.RuneCountInString(out); n > safetext.DefaultMax {
			t.Errorf("%s: %d runes, over the cap", name, n)
		}
		if again := safetext.Line(out, 0); again != out {
			t.Errorf("%s: not idempotent: %q then %q", name, out, again)
		}
	}
}

func TestLineKeepsOrdinaryText(t *testing.T) {
	for _, s := range []string{"", "Alice", "王小明", "Kna29Ra5pdJznx1ghavbumkQKwDzgfxZLapw55G7x0Q=", "José Ñúñez", "👩‍💻"} {
		want := strings.ReplaceAll(s, "\u200d", "") // a joiner is a format character
		if got := safetext.Line(s, 0); got != want {
			t.Errorf("Line(%q) = %q", s, got)
		}
	}
}

func TestLineShowsControlsVisibly(t *testing.T) {
	cases := map[string]string{
		"a\x1b[2Jb":    "a␛[2Jb",
		"a\nb\rc\td":   "a b c d",
		"x\x7f":        "x␡",
		"\u202Eabc":    "abc",
		"x\u009by":     "x\uFFFDy",
		"bad\xffutf8":  "bad\uFFFDutf8",
		"one\u2028two": "one two",
	}
	for in, want := range cases {
		if got := safetext.Line(in, 0); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLineCapsLength(t *testing.T) {
	if got := safetext.Line("abcdef", 4); got != "abc…" {
		t.Errorf("got %q", got)
	}
	if got := safetext.Line("abcd", 4); got != "abcd" {
		t.Errorf("exact fit cut: %q", got)
	}
	if got := safetext.Line("abcd\u200b", 4); got != "abcd" {
		t.Errorf("a dropped rune after the cap cut the text: %q", got)
	}
	if got := safetext.Line("王小明李雷", 3); got != "王小…" {
		t.Errorf("got %q", got)
	}
}

func TestCSVCellDefusesFormulas(t *testing.T) {
	cases := map[string]string{
		"=1+1":  "'=1+1",
		"+cmd":  "'+cmd",
		"-2":    "'-2",
		"@SUM":  "'@SUM",
		"＝1":    "'＝1",
		"\t=1":  "' =1",
		"Alice": "Alice",
		"":      "",
	}
	for in, want := range cases {
		if got := safetext.CSVCell(in, 0); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range safetexttest.Hostile {
		f.Add(s[:min(len(s), 200)], 10)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		out := safetext.Line(s, max)
		if !safetext.Inert(out) {
			t.Fatalf("Line(%q) = %q is not inert", s, out)
		}
		if max > 0 && utf8.RuneCountInString(out) > max {
			t.Fatalf("Line(%q, %d) = %q is over the cap", s, max, out)
		}
	})
}

func TestJSONEscapesWhatEncodingJSONLeavesRaw(t *testing.T) {
	for name, s := range safetexttest.Hostile {
		raw, err := json.Marshal(map[string]string{"name": s})
		if err != nil {
			t.Fatal(err)
		}
		out := safetext.JSON(raw)
		safetexttest.AssertInert(t, name, string(out), false)
		var back map[string]string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%s: not JSON any more: %v", name, err)
		}
		var want map[string]string
		json.Unmarshal(raw, &want)
		if back["name"] != want["name"] {
			t.Errorf("%s: value changed: %q, want %q", name, back["name"], want["name"])
		}
	}
	if got := string(safetext.JSON([]byte(`{"a":"x\u202ey\u007f\u0085󠀁"}`))); got != `{"a":"x\u202ey\u007f\u0085\udb40\udc01"}` {
		t.Errorf("got %s", got)
	}
}
