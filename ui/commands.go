package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/google/renameio/v2"
	"github.com/muesli/termenv"

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
		text       string
		err        error
		selectRow  string // a row to put the cursor on once it shows up
		clearMarks bool
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
		return doneMsg{text: "added " + pluralize(n, "key"), err: err, selectRow: first}
	}
}

func removeKeys(e Engine, what string, keys []string) tea.Cmd {
	return func() tea.Msg {
		if _, err := e.Remove(keys...); err != nil {
			return doneMsg{err: err}
		}
		return doneMsg{text: "removed " + what}
	}
}

// editKey runs one edit of a key (SetLabel, SetSentAt) and says what it did.
func editKey(what string, edit func() error) tea.Cmd {
	return func() tea.Msg {
		if err := edit(); err != nil {
			return doneMsg{err: err}
		}
		return doneMsg{text: what}
	}
}

func refresh(e Engine, session, what string, keys ...string) tea.Cmd {
	return func() tea.Msg {
		r := e.Refresh(session, keys...)
		text := fmt.Sprintf("%s: %s at most", what, pluralize(r.Queued, "call"))
		if r.Limited > 0 {
			text += fmt.Sprintf(", %d left to the schedule (refresh limit)", r.Limited)
		}
		return doneMsg{text: text}
	}
}

func groupKeys(e Engine, keys []string, label string) tea.Cmd {
	return func() tea.Msg {
		id, err := e.Group(keys, label)
		if err != nil {
			return doneMsg{err: err}
		}
		return doneMsg{text: fmt.Sprintf("notice %q made of %s", label, pluralize(len(keys), "key")), selectRow: "n:" + id, clearMarks: true}
	}
}

// sendNotice sends (or reminds) and reports batches and the undelivered.
func sendNotice(ctx context.Context, e Engine, spec watch.SendSpec) tea.Cmd {
	return func() tea.Msg {
		rep, err := e.Send(ctx, spec)
		if err != nil {
			return doneMsg{err: err}
		}
		sent := 0
		for _, b := range rep.Batches {
			if b.Status == watch.BatchSent {
				sent++
			}
		}
		text := fmt.Sprintf("%q: %d of %s sent", rep.Label, sent, pluralize(len(rep.Batches), "batch"))
		if len(rep.NotDelivered) > 0 {
			text += fmt.Sprintf(", %d not delivered", len(rep.NotDelivered))
		}
		if !rep.OK() {
			return doneMsg{err: errors.New(text + ": see the notice; unknown batches are never resent"), selectRow: "n:" + rep.Notice}
		}
		return doneMsg{text: text, selectRow: "n:" + rep.Notice}
	}
}

func recallKeys(ctx context.Context, e Engine, what string, keys []string) tea.Cmd {
	return func() tea.Msg {
		out, err := e.Recall(ctx, keys)
		if err != nil {
			return doneMsg{err: err}
		}
		ok := 0
		var why []string
		for _, o := range out {
			if o.OK {
				ok++
			} else {
				why = append(why, dingtalk.Short(o.Key)+": "+o.Error)
			}
		}
		if ok < len(out) {
			return doneMsg{err: fmt.Errorf("recalled %d of %d keys of %s; %s", ok, len(out), what, strings.Join(why, "; "))}
		}
		return doneMsg{text: fmt.Sprintf("recalled %s of %s", pluralize(ok, "key"), what)}
	}
}

// copyText puts text on the clipboard of the terminal (local or over SSH)
// with OSC 52.
func copyText(out *termenv.Output, text, what string) tea.Cmd {
	return func() tea.Msg {
		out.Copy(text)
		return doneMsg{text: "copied " + what + " (OSC 52: your terminal must allow it)"}
	}
}

// exportCSV writes keys as CSV under dir, atomically, and says where.
func exportCSV(dir, label string, keys []*watch.Key, now time.Time) tea.Cmd {
	return func() tea.Msg {
		var b strings.Builder
		if err := watch.WriteCSV(&b, keys); err != nil {
			return doneMsg{err: err}
		}
		name := fmt.Sprintf("dingwatch-%s-%s.csv", fileSafe(label), now.Format("20060102-150405"))
		path, err := filepath.Abs(filepath.Join(dir, name))
		if err == nil {
			err = renameio.WriteFile(path, []byte(b.String()), 0o600)
		}
		if err != nil {
			return doneMsg{err: fmt.Errorf("writing CSV: %w", err)}
		}
		return doneMsg{text: "wrote " + path}
	}
}

// fileSafe keeps letters (any script) and digits of s for a file name.
func fileSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		return "notice"
	}
	return out
}

// ring sounds the terminal bell.
func ring(out *termenv.Output) tea.Cmd {
	return func() tea.Msg {
		out.WriteString("\a")
		return nil
	}
}

func renameNotice(e Engine, id, label string) tea.Cmd {
	return func() tea.Msg {
		if err := e.Rename(id, label); err != nil {
			return doneMsg{err: err}
		}
		return doneMsg{text: "notice renamed"}
	}
}
