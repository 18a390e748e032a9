package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/watch"
)

func (a *app) sendCmd() *cobra.Command {
	var to []string
	var toFile, text, markdown, label string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "send (--to ID,ID… | --to-file FILE) (--text TEXT | --markdown TITLE:FILE) [--label L]",
		Short: "Send a notice to many people, in batches of 20, and watch it",
		Long: `Send a bot message to every recipient, in batches of at most 20 (one batchSend
each). The batches form one notice, watched at once by dingwatch (the dashboard
shows it, now or when next opened).

The command is the confirmation: it does not prompt. A batch whose outcome is
unknown (the request timed out after it was sent) is reported as unknown and is
never resent automatically: check with the recipients before sending again.

Exit status: 0 every batch sent, 1 some batch failed or is unknown, 2 bad
arguments or settings (nothing is sent then).`,
		Example: `  dingwatch send --to user1,user2 --text "Weekly sync moved to 15:00" --label "Weekly sync"
  dingwatch send --to-file team.txt --markdown "Release notes:notes.md" --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ids, err := recipients(to, toFile)
			if err != nil {
				return err
			}
			msg, err := message(text, markdown)
			if err != nil {
				return err
			}
			return a.runSend(cmd.Context(), watch.SendSpec{UserIDs: ids, Message: msg, Label: label}, asJSON)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&to, "to", nil, "recipients' userIds, separated by commas (repeatable)")
	f.StringVar(&toFile, "to-file", "", "a file of userIds, one a line (or separated by commas)")
	f.StringVar(&text, "text", "", "send a text message")
	f.StringVar(&markdown, "markdown", "", "send a markdown message: TITLE:FILE")
	f.StringVar(&label, "label", "", "the notice's name in dingwatch")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

// recipients gathers and checks the userIds of --to and --to-file.
func recipients(to []string, toFile string) ([]string, error) {
	text := strings.Join(to, ",")
	if toFile != "" {
		b, err := os.ReadFile(toFile)
		if err != nil {
			return nil, usageErr("--to-file: %v", err)
		}
		text += "\n" + string(b)
	}
	ids := watch.ParseUserIDs(text)
	if len(ids) == 0 {
		return nil, usageErr("no recipients: give --to ID,ID… or --to-file FILE")
	}
	for _, id := range ids {
		if len(id) > 64 || strings.ContainsAny(id, "\"'<>") {
			return nil, usageErr("%q is not a userId", id)
		}
	}
	return ids, nil
}

// message builds the message of --text or --markdown TITLE:FILE.
func message(text, markdown string) (dingtalk.Message, error) {
	switch {
	case (text == "") == (markdown == ""):
		return dingtalk.Message{}, usageErr("give one of --text TEXT or --markdown TITLE:FILE")
	case text != "":
		if strings.TrimSpace(text) == "" {
			return dingtalk.Message{}, usageErr("--text is blank")
		}
		return dingtalk.Text(text), nil
	}
	title, file, ok := strings.Cut(markdown, ":")
	if !ok || strings.TrimSpace(title) == "" || file == "" {
		return dingtalk.Message{}, usageErr("--markdown takes TITLE:FILE, e.g. \"Release notes:notes.md\"")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return dingtalk.Message{}, usageErr("--markdown: %v", err)
	}
	return dingtalk.Markdown(title, string(b)), nil
}

// commandEngine is an engine for a one-shot command: it saves to the state
// when this process owns it, and otherwise hands what it made to the owner.
type commandEngine struct {
	*watch.Engine
	store *watch.Store
}

// commandEngine loads the settings and builds the engine of a one-shot
// command; the caller closes its store.
func (a *app) commandEngine(ctx context.Context) (*commandEngine, error) {
	s, c, err := a.connect(dingtalk.DefaultRetries)
	if err != nil {
		return nil, err
	}
	e, store, _, err := a.savedEngine(ctx, s, c, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	return &commandEngine{Engine: e, store: store}, nil
}

func (a *app) runSend(ctx context.Context, spec watch.SendSpec, asJSON bool) error {
	ce, err := a.commandEngine(ctx)
	if err != nil {
		return err
	}
	rep, err := ce.Send(ctx, spec) // hands the notice to a running dingwatch, if one owns the state
	ce.store.Close()
	if err != nil {
		return err
	}
	if asJSON {
		err = writeJSON(a.io.out, sendJSON(rep))
	} else {
		writeSendText(a.io.out, rep)
	}
	for _, w := range ce.Snapshot().Warnings {
		fmt.Fprintln(a.io.err, "dingwatch:", w.Text)
	}
	if err != nil {
		return err
	}
	if !rep.OK() {
		return &exitError{exitFailed, fmt.Errorf("not every batch was sent: see above; unknown batches are never resent automatically")}
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// sendJSON is the documented JSON shape of a send's result.
func sendJSON(rep watch.SendReport) any {
	type batch struct {
		Key     string   `json:"processQueryKey"`
		UserIDs []string `json:"userIds"`
		Status  string   `json:"status"`
		Error   string   `json:"error,omitempty"`
	}
	out := struct {
		Notice       string              `json:"notice"`
		Keys         []string            `json:"keys"`
		Batches      []batch             `json:"batches"`
		NotDelivered []watch.Undelivered `json:"notDelivered"`
	}{Notice: rep.Label, Keys: rep.Keys, NotDelivered: rep.NotDelivered}
	if out.Keys == nil {
		out.Keys = []string{}
	}
	for _, b := range rep.Batches {
		out.Batches = append(out.Batches, batch{b.Key, b.UserIDs, b.Status, b.Error})
	}
	return out
}

func writeSendText(w io.Writer, rep watch.SendReport) {
	sent := 0
	for _, b := range rep.Batches {
		if b.Status == watch.BatchSent {
			sent++
		}
	}
	fmt.Fprintf(w, "notice %q: %d of %d batches sent\n", rep.Label, sent, len(rep.Batches))
	for i, b := range rep.Batches {
		switch b.Status {
		case watch.BatchSent:
			fmt.Fprintf(w, "  batch %d (%d recipients): sent, key %s\n", i+1, len(b.UserIDs), b.Key)
		default:
			fmt.Fprintf(w, "  batch %d (%d recipients): %s: %s\n    %s\n", i+1, len(b.UserIDs), strings.ToUpper(b.Status), b.Error, strings.Join(b.UserIDs, ","))
		}
	}
	for _, u := range rep.NotDelivered {
		fmt.Fprintf(w, "  not delivered: %s (%s)\n", u.UserID, u.Reason)
	}
}

func (a *app) recallCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "recall KEY...",
		Short: "Recall messages (within 24 hours of sending)",
		Long: `Recall the messages behind processQueryKeys with batchRecall, at most 20 keys a
call. KEY "-" reads keys from standard input. The command is the confirmation:
it does not prompt.

Exit status: 0 every key recalled, 1 some key was not, 2 bad arguments or settings.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			keys, err := readKeyArgs(args, a.io.in)
			if err != nil {
				return err
			}
			if len(keys) == 0 {
				return usageErr("no key given: dingwatch recall KEY... (- reads keys from standard input)")
			}
			return a.runRecall(cmd.Context(), keys, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the outcome as JSON")
	return cmd
}

func (a *app) runRecall(ctx context.Context, keys []string, asJSON bool) error {
	ce, err := a.commandEngine(ctx)
	if err != nil {
		return err
	}
	out, err := ce.Recall(ctx, keys)
	ce.store.Close()
	if err != nil {
		return err
	}
	failed := 0
	for _, o := range out {
		if !o.OK {
			failed++
		}
	}
	if asJSON {
		if err := writeJSON(a.io.out, map[string]any{"recalls": out}); err != nil {
			return err
		}
	} else {
		for _, o := range out {
			if o.OK {
				fmt.Fprintf(a.io.out, "%s  recalled\n", o.Key)
			} else {
				fmt.Fprintf(a.io.out, "%s  NOT recalled: %s\n", o.Key, o.Error)
			}
		}
	}
	if failed > 0 {
		return &exitError{exitFailed, fmt.Errorf("%d of %d keys not recalled", failed, len(out))}
	}
	return nil
}
