package ui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// BenchmarkFilterLargeNotice types a userId into the filter, a key at a
// time, over a notice of 20,000 people (matched against its merged
// audience: not delivered and unknown people too).
func BenchmarkFilterLargeNotice(b *testing.B) {
	m := drive(loaded(&fakeEngine{state: largeState()}, 200, 60), keys("/")...)
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range "u19999" {
			m = drive(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		}
		if len(m.list.rows) != 1 {
			b.Fatalf("%d rows", len(m.list.rows))
		}
		m = drive(m, keys("esc", "/")...)
	}
}
