package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dingwatch/dingwatch/config"
	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/watch"
)

// sendFlags are the flags of dingwatch send.
type sendFlags struct {
	to                           []string
	toFile, text, mdFile, title  string
	label                        string
	join, json, force            bool
	resend                       string
	includeUnknown, duplicatesOK bool
}

func (a *app) sendCmd() *cobra.Command {
	var f sendFlags
	cmd := &cobra.Command{
		Use:   "send (--to ID,ID… | --to-file FILE) (--text TEXT | --markdown-file FILE --title TITLE) [--label L [--join]] | --resend NOTICE",
		Short: "Send a notice to many people, in batches of 20, and watch it",
		Long: `Send a bot message to every recipient, in batches of at most 20 (one batchSend
each). The batches form one notice, watched at once by dingwatch (the dashboard
shows it, now or when next opened).

Notice labels are unique: --label with a label already in use is refused,
unless --join is given, which sends the message as a new round of that notice.
With --join, --label may also be the notice's id (status --notice and the
refusal of an ambiguous label list the ids), to join one of two notices an
older dingwatch let share a label.
Without --label the notice is named after the time, made unique.

The command is the confirmation: it does not prompt. A batch whose outcome is
unknown (the request timed out after it was sent) is reported as unknown and is
never resent automatically. Recipients that do not look like userIds (a
unionId, a conversation id, …) are named on standard error and refused unless
--force is given.

--resend NOTICE (a label or id) sends a notice again, as a new round, only to
the people of its batches that failed. --include-unknown adds the people of
batches whose outcome is unknown: the notice may have reached them, so they may
get it twice; since the command does not prompt, it must be confirmed with
--yes-duplicates.

Exit status: 0 every batch sent, 1 some batch failed or is unknown, or
DingTalk delivered it to nobody (every userId invalid, flow-controlled or
filtered; some people not delivered is exit 0, so that a retry never sends it
twice to those it reached: they are listed, and status reports them), 2 bad
arguments or settings (nothing is sent then).`,
		Example: `  dingwatch send --to user1,user2 --text "Weekly sync moved to 15:00" --label "Weekly sync"
  dingwatch send --to-file team.txt --markdown-file notes.md --title "Release v2: notes" --json
  dingwatch send --to-file late.txt --text "Reminder: weekly sync" --label "Weekly sync" --join
  dingwatch send --resend "Weekly sync"
  dingwatch send --resend "Weekly sync" --include-unknown --yes-duplicates`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runSend(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&f.to, "to", nil, "recipients' userIds, separated by commas (repeatable)")
	fl.StringVar(&f.toFile, "to-file", "", "a file of userIds, one a line (or separated by commas)")
	fl.StringVar(&f.text, "text", "", "send a text message")
	fl.StringVar(&f.mdFile, "markdown-file", "", "send the markdown in this file (with --title)")
	fl.StringVar(&f.title, "title", "", "the markdown message's title, shown in the chat list")
	fl.StringVar(&f.label, "label", "", "the notice's name in dingwatch (unique)")
	fl.BoolVar(&f.join, "join", false, "with --label of a watched notice (its label, or its id): send as a new round of that notice")
	fl.BoolVar(&f.force, "force", false, "send even to recipients that do not look like userIds")
	fl.BoolVar(&f.json, "json", false, "print the result as JSON")
	fl.StringVar(&f.resend, "resend", "", "resend the notice with this label or id to the people of its failed batches")
	fl.BoolVar(&f.includeUnknown, "include-unknown", false, "with --resend: also the people of batches whose outcome is unknown (needs --yes-duplicates)")
	fl.BoolVar(&f.duplicatesOK, "yes-duplicates", false, "confirm --include-unknown: they may get the notice twice")
	return cmd
}

// recipients gathers the userIds of --to and --to-file.
func recipients(to []string, toFile string) ([]string, error) {
	text := strings.Join(to, ",")
	if toFile != "" {
		b, err := os.ReadFile(toFile)
		if err != nil {
			return nil, usageErr("--to-file: %v", err)
		}
		// Notepad and Excel start a UTF-8 file with a byte order mark.
		text += "\n" + strings.TrimPrefix(string(b), "\ufeff")
	}
	ids := watch.ParseUserIDs(text)
	if len(ids) == 0 {
		return nil, usageErr("no recipients: give --to ID,ID… or --to-file FILE")
	}
	return ids, nil
}

// checkRecipients names, on w, every id that cannot be a userId, and
// refuses them unless force.
func (a *app) checkRecipients(ids []string, force bool) error {
	var bad []string
	for _, id := range ids {
		if err := dingtalk.CheckUserID(id); err != nil {
			bad = append(bad, line(err.Error()))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	for _, b := range bad {
		fmt.Fprintln(a.io.err, "dingwatch: warning:", b)
	}
	if force {
		fmt.Fprintf(a.io.err, "dingwatch: sending to them anyway (--force)\n")
		return nil
	}
	return usageErr("%s not look like userIds (see above); nothing was sent. Fix the list, or give --force to send anyway",
		watch.Plural(len(bad), "recipient does", "recipients do"))
}

// message builds the message of --text or --markdown-file with --title.
func message(f sendFlags) (dingtalk.Message, error) {
	switch {
	case (f.text == "") == (f.mdFile == ""):
		return dingtalk.Message{}, usageErr("give one of --text TEXT or --markdown-file FILE --title TITLE")
	case f.text != "":
		if f.title != "" {
			return dingtalk.Message{}, usageErr("--title goes with --markdown-file")
		}
		if strings.TrimSpace(f.text) == "" {
			return dingtalk.Message{}, usageErr("--text is blank")
		}
		return dingtalk.Text(f.text), nil
	}
	if strings.TrimSpace(f.title) == "" {
		return dingtalk.Message{}, usageErr("--markdown-file needs --title TITLE (the line shown in the chat list)")
	}
	b, err := os.ReadFile(f.mdFile)
	if err != nil {
		return dingtalk.Message{}, usageErr("--markdown-file: %v", err)
	}
	if strings.TrimSpace(string(b)) == "" {
		return dingtalk.Message{}, usageErr("--markdown-file %s is empty", f.mdFile)
	}
	return dingtalk.Markdown(f.title, string(b)), nil
}

// commandEngine is an engine for a one-shot command: it saves to the state
// when this process owns it, and otherwise hands what it made to the owner.
type commandEngine struct {
	*watch.Engine
	store  *watch.Store
	sender *settingsSpy
}

// commandEngine loads the settings and builds the engine of a one-shot
// command; the caller ends it with close.
func (a *app) commandEngine(ctx context.Context) (*commandEngine, error) {
	s, c, err := a.connect(dingtalk.DefaultRetries)
	if err != nil {
		return nil, err
	}
	spy := &settingsSpy{Sender: c}
	e, store, warnings, err := a.engineOn(ctx, s, c, spy, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	a.tellLoad(warnings, nil)
	// Before any check and any call: the owner is the owner. A change
	// handed to an owner that died before taking it (a notice a send
	// handed over) is taken and saved here, as a starting dashboard
	// does, so that the label check counts it; a follower shows what
	// waits for its owner.
	e.TakeHandedOver()
	return &commandEngine{Engine: e, store: store, sender: spy}, nil
}

// tellLoad says, on stderr and in dingwatch.log, what loading the saved
// state set aside or found (the same lines as a dashboard that ended
// before drawing them: tellUnseen), so that a one-shot command or serve
// that moved part of the state aside never does it silently. That
// another dingwatch owns the state is not said: it is the usual case of
// a command run beside a dashboard. log nil: dingwatch.log is opened for
// them (only when there is something to say).
func (a *app) tellLoad(warnings []watch.Warning, log *slog.Logger) {
	var said []watch.Warning
	for _, w := range warnings {
		if w.Kind != watch.WarnFollowing {
			said = append(said, w)
		}
	}
	if len(said) == 0 {
		return
	}
	a.tellUnseen(said)
	if log == nil {
		l, closeLog, err := a.openLog(config.DirsFrom(a.getenv).State, slog.LevelWarn)
		if err != nil {
			return // said on stderr; the log is a copy
		}
		defer closeLog()
		log = l
	}
	for _, w := range said {
		log.Warn(w.Text)
	}
}

// closeEngine ends a one-shot command's engine as every exit does
// (watch.Engine.Stop: what it changed is saved, or handed to the owner,
// before it lets go of the state) and returns the error the command
// (which ended with err) ends with: see stopped. A save that failed, or a
// change handed over that waits in the inbox with no dingwatch to take
// it, is said and exits non-zero.
func (a *app) closeEngine(ce *commandEngine, err error) error {
	return a.stopped(err, ce.Stop())
}

func (a *app) runSend(ctx context.Context, f sendFlags) (err error) {
	if f.resend != "" {
		return a.runResend(ctx, f)
	}
	if f.includeUnknown || f.duplicatesOK {
		return usageErr("--include-unknown and --yes-duplicates go with --resend NOTICE")
	}
	if f.join && f.label == "" {
		return usageErr("--join needs --label LABEL: the notice to add a round to")
	}
	ids, err := recipients(f.to, f.toFile)
	if err != nil {
		return err
	}
	msg, err := message(f)
	if err != nil {
		return err
	}
	if err := a.checkRecipients(ids, f.force); err != nil {
		return err
	}
	ce, err := a.commandEngine(ctx)
	if err != nil {
		return err
	}
	defer func() { err = a.closeEngine(ce, err) }()
	// What was handed over and not saved yet counts too (commandEngine
	// took it, or shows it when following), so that a label just sent is
	// refused again.
	spec := watch.SendSpec{UserIDs: ids, Message: msg, Label: strings.TrimSpace(f.label)}
	st := ce.Snapshot().State
	if n := st.Notice(spec.Label); f.join && n != nil {
		spec.Notice, spec.Label = n.ID, n.Label // --join by the notice's ID
	} else if spec.Label != "" {
		found := st.NoticesLabelled(spec.Label)
		switch {
		case len(found) > 1:
			var c []string
			for _, n := range found {
				c = append(c, fmt.Sprintf("%s (id %s, created %s)", line(n.Label), line(n.ID), n.CreatedAt.Local().Format("2006-01-02 15:04")))
			}
			if f.join {
				return usageErr("%d notices are labelled %q: join one by its id with --label ID --join: %s", len(found), line(spec.Label), strings.Join(c, "; "))
			}
			return usageErr("%d notices are labelled %q already: choose another label, or join one by its id with --label ID --join: %s", len(found), line(spec.Label), strings.Join(c, "; "))
		case len(found) == 1 && !f.join:
			return usageErr("a notice is labelled %q already: choose another label, or give --join to send this as its next round", line(spec.Label))
		case len(found) == 1:
			spec.Notice = found[0].ID
		case f.join:
			return usageErr("--join: no notice is labelled %q", line(spec.Label))
		}
	}
	rep, err := ce.Send(ctx, spec) // hands the notice to a running dingwatch, if one owns the state
	if err != nil {
		return err
	}
	a.awaitOwner(ctx, ce, rep)
	return a.reportSend(ce, rep, f.json, false)
}

// Bounds of a follower's wait for the owner to save what a send handed
// over: after ownerQuiet a line says it is waiting, after ownerPatience
// more it gives up with a warning.
const (
	ownerQuiet    = 3 * time.Second
	ownerPatience = 20 * time.Second
)

// awaitOwner returns once the dingwatch that owns the state (a dashboard
// or serve; this process follows it) has saved the notice rep sent, so
// that a command run next (status --notice, send with the same label)
// finds it. If the owner does not within the bounds, a warning says so:
// the notice is sent and handed over all the same, and nothing is resent.
func (a *app) awaitOwner(ctx context.Context, ce *commandEngine, rep watch.SendReport) {
	if !ce.store.ReadOnly() || len(rep.Batches) == 0 {
		return
	}
	for _, w := range ce.Snapshot().Warnings {
		if w.Kind == watch.WarnHandOver {
			return // not handed over: reportSend prints why
		}
	}
	err := ce.AwaitSaved(ctx, rep.Notice, rep.Round, len(rep.Batches), ownerQuiet)
	if errors.Is(err, watch.ErrOwnerSilent) {
		fmt.Fprintf(a.io.err, "dingwatch: waiting (up to %s) for the dingwatch that owns the state to save notice %q…\n", ownerPatience, line(rep.Label))
		err = ce.AwaitSaved(ctx, rep.Notice, rep.Round, len(rep.Batches), ownerPatience)
	}
	if errors.Is(err, watch.ErrOwnerSilent) {
		fmt.Fprintf(a.io.err, "dingwatch: warning: notice %q is sent and handed to the dingwatch that owns %s, which has not saved it in %s "+
			"(busy, stopped, or an older version): status --notice finds it once that dingwatch takes it; do not send it again\n",
			line(rep.Label), line(filepath.Dir(ce.store.Path())), ownerQuiet+ownerPatience)
	}
}

// reportSend prints a send's report (resend: of send --resend) and
// returns the error its outcome calls for.
func (a *app) reportSend(ce *commandEngine, rep watch.SendReport, asJSON, resend bool) error {
	var err error
	if asJSON {
		err = rep.WriteJSON(a.io.out)
	} else {
		err = rep.WriteText(a.io.out)
	}
	for _, w := range ce.Snapshot().Warnings {
		fmt.Fprintln(a.io.err, "dingwatch:", line(w.Text))
	}
	if err != nil {
		return err
	}
	nobody := ""
	if rep.DeliveredToNobody() {
		// Sent, yet nobody can read it: a failure for a script. (Some
		// people not delivered is not: a retry would send it twice to
		// those it reached; `status` reports them.)
		what := fmt.Sprintf("notice %q", line(rep.Label))
		switch { // a later round: the notice's earlier rounds may have reached people (tester Q4)
		case resend:
			what = fmt.Sprintf("the resend of notice %q", line(rep.Label))
		case rep.Round > 0:
			what = fmt.Sprintf("reminder %d of notice %q", rep.Round, line(rep.Label))
		}
		nobody = fmt.Sprintf("DingTalk delivered %s to nobody: %s not delivered (%s)",
			what, watch.Plural(len(rep.NotDelivered), "person", "people"), line(rep.NotDeliveredWhy()))
	}
	if rep.OK() {
		if nobody != "" {
			return failedErr("%s", nobody)
		}
		return nil
	}
	failed, unknown := 0, 0
	settingsErr := ce.sender.settingsErr()
	for _, b := range rep.Batches {
		switch b.Status {
		case watch.BatchFailed:
			failed++
		case watch.BatchUnknown:
			unknown++
		}
	}
	// A failed batch was not sent; an unknown one may have been: never
	// counted together as "not sent", never a count of none.
	var parts []string
	if failed > 0 {
		parts = append(parts, fmt.Sprintf("%s failed, not sent (dingwatch send --resend %q sends to their people)",
			watch.Plural(failed, "batch", "batches"), line(rep.Notice)))
	}
	if unknown > 0 {
		parts = append(parts, fmt.Sprintf("%s with an unknown outcome: their people may have it (never resent automatically)",
			watch.Plural(unknown, "batch", "batches")))
	}
	if nobody != "" {
		parts = append(parts, nobody)
	}
	msg := strings.Join(parts, "; ") + " (see above)"
	if failed > 0 && failed == len(rep.Batches) && settingsErr != nil {
		return &exitError{exitUsage, fmt.Errorf("%s: %w", msg, settingsErr)}
	}
	return failedErr("%s", msg)
}

// runResend sends a notice again to the people of its failed (and, when
// asked and confirmed, unknown) batches.
func (a *app) runResend(ctx context.Context, f sendFlags) (err error) {
	if len(f.to) > 0 || f.toFile != "" || f.text != "" || f.mdFile != "" || f.title != "" || f.label != "" || f.join {
		return usageErr("--resend sends the notice's own message to its own people: give no recipients, message or label")
	}
	if f.duplicatesOK && !f.includeUnknown {
		return usageErr("--yes-duplicates confirms --include-unknown; without it only failed batches are resent, which cannot duplicate")
	}
	if f.includeUnknown && !f.duplicatesOK {
		return usageErr("--include-unknown resends batches whose outcome is unknown: DingTalk may have delivered them, so those people may get the notice twice. Add --yes-duplicates to confirm")
	}
	ce, err := a.commandEngine(ctx)
	if err != nil {
		return err
	}
	defer func() { err = a.closeEngine(ce, err) }()
	// A notice just sent, not saved by the owner yet, can be resent too:
	// commandEngine took or shows what was handed over.
	n, err := findNotice(ce.Snapshot().State, f.resend)
	if err != nil {
		return err
	}
	if f.includeUnknown {
		fmt.Fprintf(a.io.err, "dingwatch: resending to the people of unknown batches of %q: they may get it twice (--yes-duplicates)\n", line(n.Label))
	}
	rep, err := ce.Resend(ctx, n.ID, f.includeUnknown)
	if err != nil {
		return usageErr("--resend: %s", line(err.Error()))
	}
	a.awaitOwner(ctx, ce, rep)
	return a.reportSend(ce, rep, f.json, true)
}
