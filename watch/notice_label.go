package watch

import (
	"fmt"
	"strings"
)

// NoticesLabelled lists the notices whose label is label, ignoring case
// and surrounding spaces, in the state's order.
func (s *State) NoticesLabelled(label string) []*Notice {
	var out []*Notice
	for _, n := range s.Notices {
		if strings.EqualFold(strings.TrimSpace(n.Label), strings.TrimSpace(label)) {
			out = append(out, n)
		}
	}
	return out
}

// UniqueLabel is label when no notice has it, else label with the first
// free " (2)", " (3)", … appended: notices made in the same minute get
// labels that differ.
func (s *State) UniqueLabel(label string) string {
	if len(s.NoticesLabelled(label)) == 0 {
		return label
	}
	for i := 2; ; i++ {
		if l := fmt.Sprintf("%s (%d)", label, i); len(s.NoticesLabelled(l)) == 0 {
			return l
		}
	}
}
