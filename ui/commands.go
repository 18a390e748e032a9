package ui

import (
	"errors"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/watch"
)

// Messages the dashboard receives.
type (
	// snapshotMsg carries a fresh copy of the engine's state.
	snapshotMsg struct{ snap *watch.Snapshot }
	// changedMsg says the engine's state changed.
	changedMsg struct{}
	// tickMsg redraws relative times; only the current generation counts.
	tickMsg struct{ gen int }
	// doneMsg reports the end of an action for the status line.
	doneMsg struct {
		text      string
		err       error
		selectRow string // a key to put the cursor on once it shows up
	}
)

func (m Model) takeSnapshot() tea.Cmd {
	e := m.opts.Engine
	return func() tea.Msg { return snapshotMsg{e.Snapshot()} }
}

func (m Model) waitChange() tea.Cmd {
	ch := m.opts.Changes
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		if _, ok := <-ch; !ok {
			return nil
		}
		return changedMsg{}
	}
}

func (m Model) tick() tea.Cmd {
	gen := m.tickGen
	return tea.Tick(m.opts.Tick, func(time.Time) tea.Msg { return tickMsg{gen} })
}

// addKeys adds spec's keys; rejected reports keys the form already
// refused, so one message says both.
func addKeys(e Engine, spec watch.AddSpec, rejected error) tea.Cmd {
	return func() tea.Msg {
		n, err := e.Add(spec)
		err = errors.Join(err, rejected)
		first := ""
		if len(spec.Keys) > 0 {
			first = "k:" + spec.Keys[0]
		}
		return doneMsg{text: fmt.Sprintf("added %d key%s", n, plural(n)), err: err, selectRow: first}
	}
}

func removeKeys(e Engine, what string, keys []string) tea.Cmd {
	return func() tea.Msg {
		for _, k := range keys {
			e.Remove(k)
		}
		return doneMsg{text: "removed " + what}
	}
}

func updateKey(e Engine, key, what string, fn func(*watch.Key)) tea.Cmd {
	return func() tea.Msg {
		if !e.Update(key, fn) {
			return doneMsg{err: fmt.Errorf("%s is no longer watched", dingtalk.Short(key))}
		}
		return doneMsg{text: what}
	}
}

func refresh(e Engine, what string, keys ...string) tea.Cmd {
	return func() tea.Msg {
		e.Refresh(keys...)
		return doneMsg{text: what}
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
