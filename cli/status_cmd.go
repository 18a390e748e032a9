package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dingwatch/dingwatch/config"
	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/watch"
)

// statusFlags are the flags of dingwatch status.
type statusFlags struct {
	json, csv, bom bool
	notice         string
}

func (a *app) statusCmd() *cobra.Command {
	var f statusFlags
	cmd := &cobra.Command{
		Use:   "status [--json|--csv [--bom]] [--notice LABEL] [KEY...]",
		Short: "Query read status once and print it",
		Long: `Query each processQueryKey once and print its send status and who has read it,
then a summary of each notice: read of total, who has not read it, the
people DingTalk did not deliver to (with its reason), and the people of
batches that failed or whose outcome is unknown.

With no KEY and no --notice, every key dingwatch watches is queried.
KEY "-" reads keys from standard input. Keys are separated by white space,
commas, semicolons or new lines (a line may hold several); blank lines and
lines starting with # are skipped; a word that cannot be a processQueryKey
(Base64, 16 to 128 characters) is named by its argument or input line, and
nothing is asked (exit 2). Duplicate keys are queried once. --notice LABEL adds every key of a notice dingwatch watches.
A watched key past DingTalk's 24 hours is not asked (DingTalk keeps no read
status then): it is shown as last seen, marked EXPIRED.

Each key asked is one metered readStatus call. The calls count in the daily
call ledger of the saved state, with the dashboard's polls, and are held to
--budget: when the budget has fewer calls left than keys to ask, status asks
as many as it has room for, in the order given, and prints the rest as "not
asked: the daily budget is spent" (exit 1). With a dashboard or serve owning
the state, the calls are handed to it, and its header counts them. The
calls are counted on disk before they are made, so status runs at once (and
a polling dashboard) share the budget and never spend it twice. When the
saved state cannot be read, no key is asked under a budget (--budget 0 asks).

--csv prints one header line, processQueryKey,userId,name,readStatus,firstSeenRead,
and one row per recipient however many keys; firstSeenRead is empty unless
dingwatch saw the person go from unread to read (or DingTalk gave a read
time). --bom starts the CSV with a UTF-8 byte-order mark, so spreadsheet
programs on Chinese Windows show the names. Cells are made safe to open:
no control characters, and no formula.

Exit status: 0 every key answered and every batch of the notices shown was
sent and delivered to all; 1 a key failed or was not asked (the budget), a
notice shown has a failed or unknown batch or people DingTalk did not
deliver to (an invalid userId; "delivered to nobody" when that is all the
people of the whole notice, "deliveredToNobody": true in the JSON; keys
asked that reached nobody of a notice that reached people are said so of
those keys), or the
saved state has an entry (or is a file) that could not be used (a warning
names it); 2 bad arguments or settings (nothing is queried then).`,
		Example: "  dingwatch status\n  dingwatch status Kna29Ra5pdJznx1ghavbumkQKwDzgfxZLapw55G7x0Q=\n  dingwatch status --json - < keys.txt\n  dingwatch status --csv --bom --notice \"Weekly sync\" > weekly.csv",
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.json && f.csv {
				return usageErr("--json and --csv: choose one")
			}
			if f.bom && !f.csv {
				return usageErr("--bom goes with --csv")
			}
			return a.runStatus(cmd.Context(), args, f)
		},
	}
	cmd.Flags().BoolVar(&f.json, "json", false, "print one JSON object")
	cmd.Flags().BoolVar(&f.csv, "csv", false, "print CSV, one row per recipient")
	cmd.Flags().BoolVar(&f.bom, "bom", false, "start the CSV with a UTF-8 byte-order mark (for spreadsheets on Chinese Windows)")
	cmd.Flags().StringVar(&f.notice, "notice", "", "query every key of the watched notice with this label")
	return cmd
}

// findNotice finds the one saved notice with that ID, or else that label.
func findNotice(st *watch.State, label string) (*watch.Notice, error) {
	if n := st.Notice(label); n != nil {
		return n, nil
	}
	found := st.NoticesLabelled(label)
	var labels []string
	for _, n := range st.Notices {
		labels = append(labels, fmt.Sprintf("%q", line(n.Label)))
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) > 1:
		var c []string
		for _, n := range found {
			c = append(c, fmt.Sprintf("%s (id %s, created %s)", line(n.Label), line(n.ID), n.CreatedAt.Local().Format("2006-01-02 15:04")))
		}
		return nil, usageErr("%d notices are labelled %q; give one by its id: %s", len(found), line(label), strings.Join(c, "; "))
	case len(labels) == 0:
		return nil, usageErr("no notice %q: dingwatch watches no notice yet", line(label))
	}
	return nil, usageErr("no notice %q; watched notices: %s", line(label), strings.Join(labels, ", "))
}

func (a *app) runStatus(ctx context.Context, args []string, f statusFlags) error {
	keys, err := readKeyArgs(args, a.io.in)
	if err != nil {
		return err
	}
	s, err := a.settings()
	if err != nil {
		return err
	}
	dir := config.DirsFrom(a.getenv).State
	saved, warnings, err := watch.LoadStateWarn(dir)
	if newer := (*watch.NewerStateError)(nil); errors.As(err, &newer) {
		return &exitError{exitUsage, err} // a newer dingwatch's state: say so, never guess
	}
	// unread is a state file that is there but could not be read: none of
	// it is used, nothing is moved, and no dingwatch sets it aside.
	unread := (*watch.StateReadError)(nil)
	if errors.As(err, &unread) {
		warnings = append(warnings, watch.Warning{Kind: watch.WarnStateUnreadable, Path: unread.Path, Text: err.Error()})
		saved = &watch.State{}
	} else if err != nil {
		// Saved names and read times are a bonus, not a need; but say so.
		warnings = append(warnings, watch.Warning{Text: "the saved state could not be read: " + err.Error()})
		saved = &watch.State{}
	}
	for _, w := range warnings {
		fmt.Fprintln(a.io.err, "dingwatch: warning:", line(w.Text))
	}
	// The calls are counted against the saved state (the book reads the
	// inbox's itself); what is shown and asked about is the state with the
	// changes handed over and not taken yet (a notice a send handed to an
	// owner that died, tester R1), so --notice finds it.
	ledger := saved
	saved = watch.WithHandedOver(dir, saved, time.Now())
	// The notices to summarise even if none of their batches was sent (no
	// key to ask): the one named, or every saved one when nothing is named.
	var notices []string
	if f.notice != "" {
		n, err := findNotice(saved, f.notice)
		if err != nil {
			return err
		}
		notices = append(notices, n.ID)
		for _, k := range saved.NoticeKeys(n.ID) {
			keys = append(keys, k.Key)
		}
		keys = dedupe(keys)
	}
	if len(args) == 0 && f.notice == "" {
		for _, k := range saved.Keys {
			keys = append(keys, k.Key)
		}
		for _, n := range saved.Notices {
			notices = append(notices, n.ID)
		}
		if len(keys) == 0 && len(notices) == 0 && len(warnings) > 0 {
			return usageErr("no watched key could be read from the saved state (see the warning above): dingwatch status KEY... asks about keys given")
		}
		if len(keys) == 0 && len(notices) == 0 {
			return usageErr("dingwatch watches no key yet: dingwatch status KEY... (- reads keys from standard input), or add keys in the dashboard")
		}
	}
	if len(keys) == 0 && len(notices) == 0 {
		return usageErr("no key given: dingwatch status KEY... (- reads keys from standard input; --notice LABEL a watched notice)")
	}
	c, err := a.client(s, dingtalk.DefaultRetries)
	if err != nil {
		return err
	}
	signals := ctx // Ctrl+C (or SIGTERM) ends it: exit 130
	// Every try is bounded, and so are the pauses between them.
	ctx, cancel := context.WithTimeout(ctx, s.Timeout*time.Duration(dingtalk.DefaultRetries+1)+20*time.Second)
	defer cancel()
	// Every call is counted in the state's one ledger and held to the
	// daily budget, as the dashboard's polls are.
	book := watch.NewCallBook(dir, ledger, s.Budget)
	book.OnLockWait(a.sayLockWait)
	rep := watch.QueryOnce(ctx, c, s.RobotCode, saved, keys, book, time.Now)
	if err := book.Record(time.Now()); errors.As(err, new(*watch.LeftInInboxError)) {
		fmt.Fprintf(a.io.err, "dingwatch: warning: %s\n", line(err.Error())) // another's change, found waiting
	} else if err != nil {
		fmt.Fprintf(a.io.err, "dingwatch: warning: the %s this status made could not be counted in the saved state: %s\n",
			watch.Plural(book.Made(), "metered call", "metered calls"), line(err.Error()))
	}
	rep.AddNotices(saved, notices...)
	if err := rep.SettingsError(); err != nil {
		return &exitError{exitUsage, fmt.Errorf("%w (settings from %s)", err, s.Source)}
	}
	switch {
	case f.json:
		err = rep.WriteJSON(a.io.out)
	case f.csv:
		err = rep.WriteCSV(a.io.out, f.bom)
		for _, ks := range rep.Keys {
			if ks.Err != nil {
				fmt.Fprintf(a.io.err, "dingwatch: %s: %s\n", line(ks.Key.Key), line(ks.Err.Error()))
			}
		}
	default:
		err = rep.WriteText(a.io.out)
	}
	if err != nil {
		return err
	}
	var problems []string
	for _, w := range warnings {
		// The report lacks what the state could not give: a failure the
		// user must know, exit 1. status moves nothing (it does not own the
		// state): the entry stays where it is until the dashboard or serve
		// sets it aside.
		where := "the saved state"
		if w.Path != "" {
			where = line(w.Path)
		}
		if unread != nil {
			problems = append(problems, fmt.Sprintf("the saved state %s could not be read (see the warning above): none of it was used and it was left as it is; %s", where, unread.Fix()))
			break
		}
		problems = append(problems, fmt.Sprintf("the saved state is not whole (see the warning above): what could not be used is still in %s, untouched; dingwatch (the dashboard) sets it aside in a file beside it and keeps the rest", where))
		break
	}
	if n := rep.NotAsked(); n > 0 {
		why := fmt.Sprintf("the daily budget of %d metered calls is spent (%s asked within it)", s.Budget, watch.Plural(book.Made(), "key was", "keys were"))
		for _, ks := range rep.Keys {
			if unknown := (*watch.LedgerUnknownError)(nil); errors.As(ks.Err, &unknown) {
				why = unknown.Reason + ": " + unknown.Fix
				break
			}
		}
		problems = append(problems, fmt.Sprintf("%s of %d not asked: %s", watch.Plural(n, "key", "keys"), len(rep.Keys), why))
	}
	if n := rep.Failed() - rep.NotAsked(); n > 0 {
		problems = append(problems, fmt.Sprintf("%s failed (of %d asked)", watch.Plural(n, "key", "keys"), len(rep.Keys)))
	}
	for _, n := range rep.Notices {
		problems = append(problems, n.Problems()...)
	}
	if errors.Is(signals.Err(), context.Canceled) {
		msg := "interrupted"
		if len(problems) > 0 {
			msg += ": " + strings.Join(problems, "; ")
		}
		return &exitError{exitAborted, errors.New(msg)}
	}
	if len(problems) > 0 {
		return failedErr("%s", strings.Join(problems, "; "))
	}
	return nil
}

// sayLockWait tells the user why a command stands still: another
// dingwatch holds the call ledger's lock (a CallBook's OnLockWait).
func (a *app) sayLockWait() {
	fmt.Fprintln(a.io.err, "dingwatch: waiting for another dingwatch's calls (calls.lock)…")
}
