package watch

import (
	"slices"
	"strings"
	"testing"
)

func TestParseKeys(t *testing.T) {
	got, err := ParseKeys("Kna29Ra5+dJz/x0Q=, abc\n\nabc;def\r\n 'ghi' ，jkl")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Kna29Ra5+dJz/x0Q=", "abc", "def", "ghi", "jkl"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q", got)
	}
	for _, in := range []string{"", "  \n ,", "good bad!key", strings.Repeat("a", MaxKeyLen+1)} {
		if _, err := ParseKeys(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	// Copied from a readStatus URL: decoded; a stray % stays an error.
	if got, err := ParseKeys("Kna29Ra5%2BdJz%2Fx0Q%3D"); err != nil || !slices.Equal(got, []string{"Kna29Ra5+dJz/x0Q="}) {
		t.Fatalf("url-encoded: %q %v", got, err)
	}
	if _, err := ParseKeys("abc%zz"); err == nil {
		t.Fatal("a stray percent sign accepted")
	}
	keys, err := ParseKeys("good bad!key")
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
	got, err := ParseKeys("\ufeffKna29Ra5+dJz/x0Q=\r\nabc\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Kna29Ra5+dJz/x0Q=", "abc"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}
