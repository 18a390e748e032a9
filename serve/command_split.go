package serve

import (
	"errors"
	"strings"
)

// maxCommandLen caps a command sent over SSH, in bytes: a status with a
// few keys fits many times over.
const maxCommandLen = 4096

// splitCommand splits a command line as a POSIX shell splits words, in
// one linear pass: whitespace separates, single quotes keep everything,
// double quotes keep everything but a backslash before " \ $ `, a
// backslash outside quotes keeps the next byte. No expansion happens.
// (The splitter of the SSH library takes time that grows with the square
// of the line, which let one client hold a CPU for minutes.)
func splitCommand(raw string) ([]string, error) {
	if len(raw) > maxCommandLen {
		return nil, errors.New("command too long")
	}
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
			continue
		case c == '\\':
			if i++; i < len(raw) {
				w.WriteByte(raw[i])
			}
		case c == '\'':
			end := strings.IndexByte(raw[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("unterminated quote")
			}
			w.WriteString(raw[i+1 : i+1+end])
			i += end + 1
		case c == '"':
			i++
			for ; i < len(raw) && raw[i] != '"'; i++ {
				if raw[i] == '\\' && i+1 < len(raw) && strings.IndexByte("\"\\$`", raw[i+1]) >= 0 {
					i++
				}
				w.WriteByte(raw[i])
			}
			if i >= len(raw) {
				return nil, errors.New("unterminated quote")
			}
		default:
			w.WriteByte(c)
		}
		inWord = true
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}
