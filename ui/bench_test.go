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
// bubbles/table, the anchor for the two above.
func BenchmarkBubblesTableAnchor(b *testing.B) {
	st := largeState()
	var rows []table.Row
	rows = append(rows, table.Row{"全员通知 All-hands", "6680/20000", "sent", "23h00m"})
	for _, k := range st.Keys {
		read, total := k.Counts()
		rows = append(rows, table.Row{k.Key[:12], fmt.Sprintf("%d/%d", read, total), "sent", "23h00m"})
	}
	t := table.New(table.WithColumns([]table.Column{{Title: "Key", Width: 40}, {Title: "Read", Width: 10}, {Title: "State", Width: 9}, {Title: "Left", Width: 7}}),
		table.WithRows(rows), table.WithHeight(56), table.WithWidth(80), table.WithFocused(true))
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
