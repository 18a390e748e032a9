package cli

import "strings"

// semicolons shows an error that joins several (errors.Join: one a line)
// on one line, "; " between them: safetext.Line would turn errors.Join's
// newlines into spaces and run the errors together (tester R7). It
// unwraps to the error it shows.
type semicolons struct{ err error }

func (s semicolons) Error() string {
	j, ok := s.err.(interface{ Unwrap() []error })
	if !ok {
		return s.err.Error()
	}
	var parts []string
	for _, e := range j.Unwrap() {
		if e != nil {
			parts = append(parts, semicolons{e}.Error())
		}
	}
	return strings.Join(parts, "; ")
}

func (s semicolons) Unwrap() error { return s.err }
