package ui

import (
	"fmt"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/table"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/dingwatch/dingwatch/watch"
)

// largeState is one notice of 1,000 keys and 20,000 recipients, a third read.
func largeState() *watch.State {
	st := &watch.State{Notices: []*watch.Notice{{ID: "big", Label: "全员通知 All-hands", CreatedAt: now.Add(-time.Hour)}}}
	for i := range 1000 {
		k := &watch.Key{Key: fmt.Sprintf("Key%04dabcdefghijklmnopqrstuvwxyz0123456789=", i), RobotCode: "dingrobot", Notice: "big",
			AddedAt: now.Add(-time.Hour), SentAt: now.Add(-time.Hour), SendStatus: "SUCCESS", LastOK: now.Add(-time.Minute)}
		for j := range 20 {
			r := watch.Recipient{UserID: fmt.Sprintf("u%05d", i*20+j), Name: fmt.Sprintf("员工%05d", i*20+j)}
			if j%3 == 0 {
				r.Read, r.FirstSeenRead = true, now.Add(-time.Duration(j)*time.Minute)
			}
			k.Recipients = append(k.Recipients, r)
		}
		st.Keys = append(st.Keys, k)
	}
	return st
}

// largeModel shows the large notice, opened, at 200x60.
func largeModel(b *testing.B) Model {
	e := &fakeEngine{state: largeState()}
	m := drive(loaded(e, 200, 60), keys("enter")...)
	if len(m.list.rows) != 1001 {
		b.Fatalf("%d rows", len(m.list.rows))
	}
	return m
}

func BenchmarkViewLargeNotice(b *testing.B) {
	m := largeModel(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

func BenchmarkCursorMoveLargeNotice(b *testing.B) {
	m := largeModel(b)
	down := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("j")}
	b.ReportAllocs()
	for b.Loop() {
		tm, _ := m.Update(down)
		m = tm.(Model)
		_ = m.View()
	}
}

// BenchmarkBubblesTableAnchor renders the same 1,001 rows with
// bubbles/table, the anchor for the two above, made comparable: the same
// width (200 cells), the same colour profile (the dashboard's renderer,
// Ascii here) and the same visible text in each row (the dashboard's own
// title, read/total, bar, state and time left of each list row).
func BenchmarkBubblesTableAnchor(b *testing.B) {
	m := largeModel(b)
	r := asciiRenderer()
	st := NewStyles(r)
	var rows []table.Row
	for _, row := range m.list.rows {
		rows = append(rows, table.Row{row.title(), fmt.Sprintf("%d/%d", row.read, row.total), bar(st, row.read, row.total, 8), row.word, timeLeft(row, now)})
	}
	styles := table.DefaultStyles()
	styles.Header = r.NewStyle().Bold(true).Padding(0, 1)
	styles.Cell = r.NewStyle().Padding(0, 1)
	styles.Selected = r.NewStyle().Bold(true)
	t := table.New(table.WithColumns([]table.Column{{Title: "Notice / key", Width: 150}, {Title: "Read", Width: 11}, {Title: "", Width: 8}, {Title: "State", Width: 9}, {Title: "Left", Width: 7}}),
		table.WithRows(rows), table.WithHeight(56), table.WithWidth(200), table.WithFocused(true), table.WithStyles(styles))
	b.Run("view", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = t.View()
		}
	})
	b.Run("cursor", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			t.MoveDown(1)
			_ = t.View()
		}
	})
}

// BenchmarkTickLargeNotice is an idle second: the clock ticks and the
// frame is drawn again, with a 20,000-person notice selected.
func BenchmarkTickLargeNotice(b *testing.B) {
	m := largeModel(b)
	b.ReportAllocs()
	for b.Loop() {
		tm, _ := m.Update(tickMsg{gen: m.tickGen})
		m = tm.(Model)
		_ = m.View()
	}
}
