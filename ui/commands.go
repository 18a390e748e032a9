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

	"github.com/dingwatch/dingwatch/internal/atomicfile"
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
	// flashMsg puts a short message in the footer.
	flashMsg struct {
		text string
		err  bool
	}
	// flashEndMsg ends flash number id, unless a newer one replaced it.
	flashEndMsg struct{ id int }
	// doneMsg reports the end of an action.
	doneMsg struct {
		text       string
		err        error
		selectRow  string // a row to put the cursor on once it shows up
		clearMarks bool
	}
)

// flashCmd shows text in the footer for a while.
func flashCmd(text string, isErr bool) tea.Cmd {
	return func() tea.Msg { return flashMsg{text: text, err: isErr} }
}

// firstFrame calls Options.FirstFrame.
func firstFrame(f func()) tea.Cmd {
	return func() tea.Msg {
		f()
		return nil
	}
}

func takeSnapshot(e Engine) tea.Cmd {
	return func() tea.Msg { return snapshotMsg{e.Snapshot()} }
}

func waitChange(ch <-chan struct{}) tea.Cmd {
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

// addKeys adds spec's keys; rejected reports keys the form already
// refused, so one message says both.
func addKeys(e Engine, spec watch.AddSpec, rejected error) tea.Cmd {
	return func() tea.Msg {
		n, err := e.Add(spec)
		first := ""
		if len(spec.Keys) > 0 {
			first = "k:" + spec.Keys[0]
		}
		return doneMsg{text: "added " + pluralize(n, "key"), err: errors.Join(err, rejected), selectRow: first}
	}
}

// removeKeys stops watching ids (keys, and a notice's ID), of which want
// are keys; fewer removed means another session or the CLI was first.
func removeKeys(e Engine, what string, ids []string, want int) tea.Cmd {
	return func() tea.Msg {
		n, err := e.Remove(ids...)
		switch {
		case err != nil:
			return doneMsg{err: err}
		case want > 0 && n == 0:
			return doneMsg{text: fmt.Sprintf("%s was already removed (another session or the command line): nothing to do", what)}
		case n < want:
			return doneMsg{text: fmt.Sprintf("removed %s (%d of %s: the others were already removed)", what, n, pluralize(want, "key"))}
		}
		return doneMsg{text: fmt.Sprintf("removed %s (%s)", what, pluralize(n, "key"))}
	}
}

// edit runs one engine operation and says what it did.
func edit(what string, op func() error) tea.Cmd {
	return func() tea.Msg {
		if err := op(); err != nil {
			return doneMsg{err: err}
		}
		return doneMsg{text: what}
	}
}

// refresh asks for fresh answers and says what the request may cost:
// "refreshed 11 keys (11 calls at most)", and when DingTalk's pause lets
// them be asked (now: when the key was pressed).
func refresh(e Engine, session string, now time.Time, keys ...string) tea.Cmd {
	return func() tea.Msg {
		res := e.Refresh(session, keys...)
		if res.Stuck != "" {
			text := "nothing asked: " + res.Stuck + " (see the banner)"
			if res.Queued > 0 {
				text += fmt.Sprintf("; %s queued", pluralize(res.Queued, "key"))
			}
			return doneMsg{text: text}
		}
		if !res.HeldUntil.IsZero() {
			return doneMsg{text: "DingTalk asked this host to pause: nothing is asked before " + secondsClock(res.HeldUntil, now)}
		}
		cost := pluralize(res.Queued, "call") + " at most"
		if res.Queued == res.Asked {
			return doneMsg{text: fmt.Sprintf("refreshed %s (%s)", pluralize(res.Asked, "key"), cost)}
		}
		var why []string
		if res.Coalesced > 0 {
			why = append(why, fmt.Sprintf("%d need no call now", res.Coalesced))
		}
		if res.Limited > 0 {
			why = append(why, fmt.Sprintf("%d left to the schedule (refresh limit)", res.Limited))
		}
		return doneMsg{text: fmt.Sprintf("refreshed %d of %s (%s): %s", res.Queued, pluralize(res.Asked, "key"), cost, strings.Join(why, ", "))}
	}
}

func groupKeys(e Engine, keys []string, label string) tea.Cmd {
	return func() tea.Msg {
		id, err := e.Group(keys, label)
		if err != nil {
			return doneMsg{err: err}
		}
		return doneMsg{text: fmt.Sprintf("notice %q made of %s", clean(label), pluralize(len(keys), "key")), selectRow: "n:" + id, clearMarks: true}
	}
}

// sendReport words a send's outcome: batches sent, not delivered, and
// what was not sent.
func sendReport(rep watch.SendReport, err error) tea.Msg {
	if err != nil {
		return doneMsg{err: err}
	}
	sent, failed, unknown := 0, 0, 0
	for _, b := range rep.Batches {
		switch b.Status {
		case watch.BatchSent:
			sent++
		case watch.BatchFailed:
			failed++
		default:
			unknown++
		}
	}
	text := fmt.Sprintf("%q: %d of %s sent", clean(rep.Label), sent, pluralize(len(rep.Batches), "batch"))
	nobody := "delivered to nobody"
	if rep.Round > 0 {
		// A reminder or a resend: the notice's earlier rounds may have
		// reached people, so what reached nobody is this round (R1 as the
		// list names its batches; tester Q4).
		text = fmt.Sprintf("%q R%d: %d of %s sent", clean(rep.Label), rep.Round, sent, pluralize(len(rep.Batches), "batch"))
		nobody = "this round reached nobody"
	}
	if len(rep.NotDelivered) > 0 {
		text += fmt.Sprintf(", %d not delivered", len(rep.NotDelivered))
	}
	if rep.DeliveredToNobody() {
		// Sent, yet nobody can read it: said as an error, with DingTalk's reasons.
		text += fmt.Sprintf(": %s (%s)", nobody, clean(rep.NotDeliveredWhy()))
		if failed+unknown == 0 {
			return doneMsg{err: errors.New(text), selectRow: "n:" + rep.Notice}
		}
	}
	if failed+unknown > 0 {
		return doneMsg{err: fmt.Errorf("%s; %d failed (b resends), %d unknown (B resends: may arrive twice)", text, failed, unknown), selectRow: "n:" + rep.Notice}
	}
	return doneMsg{text: text, selectRow: "n:" + rep.Notice}
}

func sendNotice(ctx context.Context, e Engine, spec watch.SendSpec) tea.Cmd {
	return func() tea.Msg { return sendReport(e.Send(ctx, spec)) }
}

func resendNotice(ctx context.Context, e Engine, id string, unknownToo bool) tea.Cmd {
	return func() tea.Msg { return sendReport(e.Resend(ctx, id, unknownToo)) }
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
				why = append(why, watch.ShortKey(o.Key)+": "+clean(o.Error))
			}
		}
		if ok < len(out) {
			return doneMsg{err: fmt.Errorf("recalled %d of %s of %s; %s", ok, pluralize(len(out), "key"), what, strings.Join(why, "; "))}
		}
		return doneMsg{text: fmt.Sprintf("recalled %s of %s", pluralize(ok, "key"), what)}
	}
}

// exportCSV writes keys as CSV under dir, atomically, and says where. A
// notice's people whose batches failed or have an unknown outcome get rows
// too (notice may be nil for a lone key).
func exportCSV(dir, label string, keys []*watch.Key, notice *watch.Notice, now time.Time) tea.Cmd {
	return func() tea.Msg {
		var b strings.Builder
		opts := watch.CSVOptions{}
		if notice != nil {
			opts.Notices = []*watch.Notice{notice}
		}
		if err := opts.Write(&b, keys); err != nil {
			return doneMsg{err: err}
		}
		name := fmt.Sprintf("dingwatch-%s-%s.csv", fileSafe(label), now.Format("20060102-150405"))
		path, err := filepath.Abs(filepath.Join(dir, name))
		if err == nil {
			err = atomicfile.WriteFile(path, []byte(b.String()), 0o600)
		}
		if err != nil {
			return doneMsg{err: fmt.Errorf("writing CSV: %w", err)}
		}
		return doneMsg{text: "wrote " + clean(path)}
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
