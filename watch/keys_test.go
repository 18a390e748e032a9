package watch

import (
	"slices"
	"strings"
	"testing"
)

func TestParseKeys(t *testing.T) {
	const a, d, g, j = "abcKey0000000000a", "defKey0000000000d", "ghiKey0000000000g", "jklKey0000000000j"
	got, err := ParseKeys("Kna29Ra5+dJz/x0Q=, " + a + "\n\n" + a + ";" + d + "\r\n '" + g + "' ，" + j)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Kna29Ra5+dJz/x0Q=", a, d, g, j}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q", got)
	}
	for _, in := range []string{"", "  \n ,", "good bad!key", strings.Repeat("a", MaxKeyLen+1), "abc", strings.Repeat("a", MinKeyLen-1)} {
		if _, err := ParseKeys(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	// Copied from a readStatus URL: decoded; a stray % stays an error.
	if got, err := ParseKeys("Kna29Ra5%2BdJz%2Fx0Q%3D"); err != nil || !slices.Equal(got, []string{"Kna29Ra5+dJz/x0Q="}) {
		t.Fatalf("url-encoded: %q %v", got, err)
	}
	if _, err := ParseKeys("abcKey0000000000%zz"); err == nil {
		t.Fatal("a stray percent sign accepted")
	}
	keys, err := ParseKeys("goodKey000000000g bad!key")
	if len(keys) != 1 || !strings.Contains(err.Error(), `"bad!key"`) {
		t.Fatalf("%q %v", keys, err)
	}
}

func FuzzParseKeys(f *testing.F) {
	f.Add("Kna29Ra5pdJznx1ghavbumkQKwDzgfxZLapw55G7x0Q=")
	f.Add("a,b c\nd")
	f.Add("\xff\xfe,=")
	f.Fuzz(func(t *testing.T, text string) {
		keys, _ := ParseKeys(text)
		seen := map[string]bool{}
		for _, k := range keys {
			if CheckKey(k) != nil || seen[k] || strings.ContainsAny(k, " ,\n") {
				t.Fatalf("bad key %q from %q", k, text)
			}
			seen[k] = true
		}
	})
}

func FuzzParseUserIDs(f *testing.F) {
	f.Add("user1,user2 user3\nuser1")
	f.Add("，;\t")
	f.Fuzz(func(t *testing.T, text string) {
		ids := ParseUserIDs(text)
		seen := map[string]bool{}
		for _, id := range ids {
			if id == "" || seen[id] || strings.ContainsAny(id, ", \n\t;") {
				t.Fatalf("bad id %q from %q", id, text)
			}
			seen[id] = true
		}
	})
}

func FuzzParseSentAt(f *testing.F) {
	f.Add("15:04")
	f.Add("2026-11-27 08:00")
	f.Add("20m ago")
	f.Add("-5h")
	f.Add("2026-11-27T08:00:00+08:00")
	f.Fuzz(func(t *testing.T, text string) {
		at, err := ParseSentAt(text, t0)
		if err == nil && (at.After(t0) || t0.Sub(at) > Window) {
			t.Fatalf("%q accepted as %v", text, at)
		}
	})
}

// TestParseKeysSkipsLeadingBOM: a key list saved by Notepad or Excel
// ("CSV UTF-8") starts with U+FEFF; it is not part of the first key (F24).
func TestParseKeysSkipsLeadingBOM(t *testing.T) {
	got, err := ParseKeys("\ufeffKna29Ra5+dJz/x0Q=\r\nabcKey0000000000a\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Kna29Ra5+dJz/x0Q=", "abcKey0000000000a"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestParseKeysOneRuleForLines: white space separates keys on a line as
// commas and new lines do, so two full-length keys on one line are two
// keys; a short word among them is refused by its line, with the good
// keys kept for a form that adds what it can.
func TestParseKeysOneRuleForLines(t *testing.T) {
	const k1, k2 = "Kna29Ra5pdJznx1ghavbumkQKwDzgfxZLapw55G7x0Q=", "Y+6vPv9wQ1bLx0rTnYkq8Zs2aP4mHc7dEfGhIjKlXTw="
	got, err := ParseKeys(k1 + " " + k2 + "\n")
	if err != nil || !slices.Equal(got, []string{k1, k2}) {
		t.Fatalf("two keys on a line: %q %v", got, err)
	}
	got, err = ParseKeys("# list\n" + k1 + "\tshort " + k2 + "\n")
	if err == nil || !strings.HasPrefix(err.Error(), `line 2: "short" cannot be a processQueryKey`) || !slices.Equal(got, []string{k1, k2}) {
		t.Fatalf("a short word on line 2: %q %v", got, err)
	}
}

// TestParseKeysUnicodeSeparators: what web pages and chat apps paste
// between and around keys (G20): NBSP and any Unicode white space, the
// full-width semicolon, the ideographic comma 、, and zero-width or other
// format characters around a key, all read as the ASCII separators are.
func TestParseKeysUnicodeSeparators(t *testing.T) {
	const k1, k2 = "Kna29Ra5pdJznx1ghavbumkQKwDzgfxZLapw55G7x0Q=", "Y+6vPv9wQ1bLx0rTnYkq8Zs2aP4mHc7dEfGhIjKlXTw="
	for name, in := range map[string]string{
		"nbsp":                k1 + "\u00a0" + k2,
		"ideographic space":   k1 + "\u3000" + k2,
		"full-width comma":    k1 + "，" + k2,
		"full-width semi":     k1 + "；" + k2,
		"ideographic comma":   k1 + "、" + k2,
		"next line":           k1 + "\u0085" + k2,
		"zero-width trailing": k1 + "\u200b\n" + k2 + "\u200b",
		"zero-width leading":  "\u200b" + k1 + " \u2060" + k2 + "\u200e",
		"bom mid-text":        k1 + "\n\ufeff" + k2,
		"zwsp alone":          k1 + " \u200b " + k2,
		"comment after zwsp":  "\u200b# list\n" + k1 + "," + k2,
	} {
		got, err := ParseKeys(in)
		if err != nil || !slices.Equal(got, []string{k1, k2}) {
			t.Errorf("%s: %q %v", name, got, err)
		}
	}
	// A format character inside a key is no separator: the word is named.
	if _, err := ParseKeys(k1[:20] + "\u200b" + k1[20:]); err == nil || !strings.Contains(err.Error(), `'\u200b'`) {
		t.Errorf("zero-width space inside a key: %v", err)
	}
}
