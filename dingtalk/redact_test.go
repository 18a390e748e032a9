package dingtalk

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRedact(t *testing.T) {
	secrets := []string{"S3cr3t-app-secret-0123", "tok-abcdef", "ab", ""}
	cases := map[string]string{
		"plain message":                     "plain message",
		"you sent S3cr3t-app-secret-0123!":  "you sent [redacted]!",
		"start S3cr3t-ap only":              "start [redacted] only",
		"tail secret-0123":                  "tail [redacted]",
		"token tok-abcdef and ab":           "token [redacted] and ab",
		"short S3cr3t- is fine":             "short S3cr3t- is fine",
		"两个 tok-abcdef 字":                   "两个 [redacted] 字",
		"S3cr3t-app-secret-0123tok-abcdef.": "[redacted].",
	}
	for in, want := range cases {
		if got := redact(in, secrets); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
	// Multi-byte secrets are hidden on whole runes.
	got := redact("x密码是秘密的y", []string{"密码是秘密"})
	if !utf8.ValidString(got) || strings.Contains(got, "秘") {
		t.Errorf("got %q", got)
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("you sent S3cr3t-app-secret-0123", "S3cr3t-app-secret-0123")
	f.Add("密码是秘密的", "是秘密的")
	f.Add("aaaaaaaaaaaa", "aaaaaaaaa")
	f.Fuzz(func(t *testing.T, s, secret string) {
		got := redact(s, []string{secret})
		if len(secret) < minSecretLen {
			return
		}
		w := min(len(secret), redactWindow)
		for i := 0; i+w <= len(secret); i++ {
			if strings.Contains(got, secret[i:i+w]) && !strings.Contains(redacted, secret[i:i+w]) {
				// The marker itself may hold the piece ("[redacted]" vs a secret "redacted").
				t.Fatalf("redact(%q, %q) = %q still holds %q", s, secret, got, secret[i:i+w])
			}
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("redact broke UTF-8: %q", got)
		}
	})
}
