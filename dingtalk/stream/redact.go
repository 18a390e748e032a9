package stream

import "strings"

// maxErrLen caps an error kept in Status.Err, in bytes.
const maxErrLen = 300

// redact removes every occurrence of the secrets from msg and caps it.
func redact(msg string, secrets ...string) string {
	for _, s := range secrets {
		if len(s) >= 4 { // a shorter "secret" would mangle ordinary words
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	if len(msg) > maxErrLen {
		msg = strings.ToValidUTF8(msg[:maxErrLen], "") + "…"
	}
	return msg
}
