// Package watch is dingwatch's domain: watched keys and notices, merging
// read-status snapshots (READ never goes back to UNREAD), first-seen-read
// times, the quota-frugal poll schedule, and the persistent store. It knows
// no UI and no HTTP.
package watch

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// bom is the UTF-8 byte order mark some editors put at a file's start.
const bom = "\ufeff"

// MaxKeyLen is the longest processQueryKey accepted; DingTalk's are ~44.
const MaxKeyLen = 128

// MinKeyLen is the shortest word taken for a processQueryKey: DingTalk's
// are about 44 characters, so a shorter word is a typo, a mistyped command
// or a stray word of a pasted sentence, refused before it costs a
// metered call.
const MinKeyLen = 16

// ParseKeys is dingwatch's one parser of keys, for command-line arguments,
// standard input and the dashboard alike. The rule: keys are separated by
// white space (any Unicode space, NBSP and U+3000 too), commas, semicolons
// or new lines (and their full-width forms ，； and the ideographic comma
// 、), so one line may hold several keys; invisible format characters
// (Unicode Cf, such as a zero-width space) around a word are dropped; each word must look like a
// processQueryKey (CheckKey, and at least MinKeyLen characters). A key
// copied URL-encoded (…%3D) is decoded. Blank lines and lines that start
// with # (comments) are skipped. Duplicates within the text are dropped;
// the order is kept. When the text has more than one line, an error names
// the line of each bad word as it is in the text (1-based). A leading byte
// order mark (U+FEFF, as Notepad and Excel write) is skipped. On error the
// good keys are returned with it; ErrNoKey when there is no key at all.
func ParseKeys(text string) ([]string, error) {
	text = strings.TrimPrefix(text, bom)
	lines := strings.Split(text, "\n")
	var keys []string
	seen := map[string]bool{}
	var bad []string
	for n, ln := range lines {
		if strings.HasPrefix(strings.TrimFunc(ln, isBlankOrFormat), "#") {
			continue
		}
		for _, f := range listFields(ln) {
			f = strings.Trim(f, `"'`)
			if f == "" {
				continue
			}
			f = unescapeKey(f)
			err := CheckKey(f)
			if err == nil && len(f) < MinKeyLen {
				err = fmt.Errorf("%q cannot be a processQueryKey: it is %s, and DingTalk's are about 44", f, Plural(len(f), "character", "characters"))
			}
			if err != nil {
				if len(lines) > 1 {
					bad = append(bad, fmt.Sprintf("line %d: %v", n+1, err))
				} else {
					bad = append(bad, err.Error())
				}
				continue
			}
			if !seen[f] {
				seen[f] = true
				keys = append(keys, f)
			}
		}
	}
	if len(bad) > 0 {
		return keys, errors.New(strings.Join(bad, "; "))
	}
	if len(keys) == 0 {
		return nil, ErrNoKey
	}
	return keys, nil
}

// isBlankOrFormat reports white space or an invisible format character,
// which may stand before a comment's #.
func isBlankOrFormat(r rune) bool { return unicode.IsSpace(r) || isFormatChar(r) }

// unescapeKey undoes the URL encoding of a key copied from a readStatus
// URL (%2B, %2F, %3D); anything else is left as typed.
func unescapeKey(f string) string {
	if !strings.Contains(f, "%") {
		return f
	}
	if u, err := url.PathUnescape(f); err == nil && CheckKey(u) == nil {
		return u
	}
	return f
}

// ErrNoKey is ParseKeys' error for text that holds no key at all.
var ErrNoKey = errors.New("no key given: paste one or more processQueryKeys")

// listFields splits a pasted list on separators (isListSeparator) and
// drops the invisible format characters (Unicode Cf: zero-width space,
// joiners, bidi marks, a byte order mark) a chat app or web page leaves
// around a copied word; a word that is only such characters is dropped.
func listFields(text string) []string {
	fields := strings.FieldsFunc(text, isListSeparator)
	out := fields[:0]
	for _, f := range fields {
		if f = strings.TrimFunc(f, isFormatChar); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// isListSeparator reports whether r separates the words of a pasted list:
// any Unicode white space (so NBSP and the ideographic space U+3000 too),
// the comma and semicolon, their full-width forms (，；) and the
// ideographic comma 、, the usual separator of a Chinese list.
func isListSeparator(r rune) bool {
	switch r {
	case ',', ';', '，', '；', '、':
		return true
	}
	return unicode.IsSpace(r)
}

// isFormatChar reports whether r is an invisible format character
// (Unicode category Cf), which no key or userId holds.
func isFormatChar(r rune) bool { return unicode.Is(unicode.Cf, r) }

// CheckKey reports whether k looks like a processQueryKey: Base64 (standard
// or URL alphabet), at most MaxKeyLen characters.
func CheckKey(k string) error {
	if strings.TrimSpace(k) == "" {
		return errors.New("blank key")
	}
	if len(k) > MaxKeyLen {
		return fmt.Errorf("key %.12q… is %d characters: too long for a processQueryKey", k, len(k))
	}
	for _, r := range k {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '+' || r == '/' || r == '=' || r == '-' || r == '_'
		if !ok {
			return fmt.Errorf("key %q has %q, which no processQueryKey holds", k, r)
		}
	}
	return nil
}
