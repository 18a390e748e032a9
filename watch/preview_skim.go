package watch

import (
	"bytes"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// skimmer reads a key's notice and last answer without decoding the rest.
type skimmer struct {
	notice, lastOK []byte // as found: quoted JSON strings, or nil
	exact          [2]bool
	buf            []byte
}

// skim is the notice ("" for a lone key) and last good answer of the key
// object raw (valid JSON, as jsontext.Decoder.ReadValue gives it). It
// reads the object's own members only (a member of that name nested
// deeper, or a value spelt like the name, is not it) and their names as
// the full load does: the exact spelling, else the first in another case.
// A value of another type counts as none, as the full load sets it aside.
func (s *skimmer) skim(raw jsontext.Value) (notice []byte, lastOK time.Time, err error) {
	s.notice, s.lastOK, s.exact = nil, nil, [2]bool{}
	if raw.Kind() != '{' {
		return nil, time.Time{}, errNotClean // the full load sets it aside
	}
	objectMembers(raw, func(name, value []byte) {
		if bytes.IndexByte(name, '\\') >= 0 {
			if s.buf, err = jsontext.AppendUnquote(s.buf[:0], name); err != nil {
				return
			}
			name = s.buf
		} else {
			name = name[1 : len(name)-1]
		}
		s.take(name, value, "notice", 0, &s.notice)
		s.take(name, value, "lastOK", 1, &s.lastOK)
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	if notice, err = s.unquote(s.notice); err != nil {
		return nil, time.Time{}, err
	}
	notice = bytes.Clone(notice)
	if at, err := s.unquote(s.lastOK); err != nil || len(at) > 0 && lastOK.UnmarshalText(at) != nil {
		return nil, time.Time{}, errNotClean
	}
	return notice, lastOK, nil
}

// take keeps value as the member want when name is want (exactly, or in
// another case when no exact one was met).
func (s *skimmer) take(name, value []byte, want string, i int, into *[]byte) {
	switch {
	case s.exact[i]:
	case string(name) == want:
		*into, s.exact[i] = value, true
	case *into == nil && bytes.EqualFold(name, []byte(want)):
		*into = value
	}
}

// unquote is the text of a JSON string value; nil for none, or a value of
// another type.
func (s *skimmer) unquote(value []byte) ([]byte, error) {
	if len(value) == 0 || value[0] != '"' {
		return nil, nil
	}
	if bytes.IndexByte(value, '\\') < 0 {
		return value[1 : len(value)-1], nil
	}
	out, err := jsontext.AppendUnquote(nil, value)
	return out, err
}

// objectMembers calls f with the quoted name and the raw value of each member
// of the JSON object raw, which must be valid (values are not checked,
// only stepped over).
func objectMembers(raw []byte, f func(name, value []byte)) {
	i := skipSpace(raw, bytes.IndexByte(raw, '{')+1)
	for i < len(raw) && raw[i] == '"' {
		end := stringEnd(raw, i)
		name := raw[i:end]
		i = skipSpace(raw, end)
		i = skipSpace(raw, i+1) // the colon
		vend := valueEnd(raw, i)
		f(name, raw[i:vend])
		i = skipSpace(raw, vend)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
}

// skipSpace is the first index from i that is not JSON white space.
func skipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

// stringEnd is the index after the JSON string that starts at i.
func stringEnd(raw []byte, i int) int {
	for j := i + 1; j < len(raw); j++ {
		switch raw[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(raw)
}

// valueEnd is the index after the JSON value that starts at i.
func valueEnd(raw []byte, i int) int {
	if i >= len(raw) {
		return i
	}
	switch raw[i] {
	case '"':
		return stringEnd(raw, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(raw); j++ {
			switch raw[j] {
			case '"':
				j = stringEnd(raw, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(raw)
	}
	j := i
	for j < len(raw) && raw[j] != ',' && raw[j] != '}' && raw[j] != ']' && raw[j] != ' ' && raw[j] != '\n' && raw[j] != '\t' && raw[j] != '\r' {
		j++
	}
	return j
}
