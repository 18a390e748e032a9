package dingtalk

import (
	"strings"
	"unicode/utf8"
)

// redactWindow is the length of the shortest piece of a secret that is
// hidden: any 8 bytes of a secret in a row, or a shorter secret whole.
const redactWindow = 8

// minSecretLen is the shortest secret redacted at all: hiding every "a" of
// a one-letter secret would hide nothing and garble everything.
const minSecretLen = 4

// redacted replaces what was hidden.
const redacted = "[redacted]"

// scrub hides every trace of the secrets in e's text: DingTalk's message
// and request id, the scopes, the IP, the hint (which may quote them).
func scrub(e *Error, secrets []string) {
	e.Message = redact(e.Message, secrets)
	e.RequestID = redact(e.RequestID, secrets)
	e.IP = redact(e.IP, secrets)
	e.Hint = redact(e.Hint, secrets)
	for i, s := range e.RequiredScopes {
		e.RequiredScopes[i] = redact(s, secrets)
	}
}

// redact replaces in s every run of bytes that holds any redactWindow
// consecutive bytes of a secret (or a whole secret shorter than that),
// widened to whole runes, with "[redacted]".
func redact(s string, secrets []string) string {
	if s == "" {
		return s
	}
	var hide []bool
	for _, sec := range secrets {
		if len(sec) < minSecretLen {
			continue
		}
		w := min(len(sec), redactWindow)
		for j := 0; j+w <= len(sec); j++ {
			piece := sec[j : j+w]
			for from := 0; from < len(s); {
				i := strings.Index(s[from:], piece)
				if i < 0 {
					break
				}
				if hide == nil {
					hide = make([]bool, len(s))
				}
				for k := from + i; k < from+i+w; k++ {
					hide[k] = true
				}
				from += i + 1
			}
		}
	}
	if hide == nil {
		return s
	}
	// Widen to whole runes, so the result stays valid UTF-8.
	for i := range hide {
		if hide[i] {
			for k := i; k > 0 && !utf8.RuneStart(s[k]); k-- {
				hide[k-1] = true
			}
			for k := i + 1; k < len(s) && !utf8.RuneStart(s[k]); k++ {
				hide[k] = true
			}
		}
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if !hide[i] {
			b.WriteByte(s[i])
			i++
			continue
		}
		b.WriteString(redacted)
		for i < len(s) && hide[i] {
			i++
		}
	}
	return b.String()
}
