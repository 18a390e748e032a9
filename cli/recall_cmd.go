package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dingwatch/dingwatch/watch"
)

func (a *app) recallCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "recall KEY...",
		Short: "Recall messages (within 24 hours of sending)",
		Long: `Recall the messages behind processQueryKeys with batchRecall, at most 20 keys a
call. KEY "-" reads keys from standard input. Keys are separated by white
space, commas, semicolons or new lines; blank lines and # comments are
skipped; a word that cannot be a processQueryKey is named by its argument or
input line, and nothing is recalled (exit 2). The command is the
confirmation: it does not prompt.

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
	stopErr := ce.Stop() // the outcomes are printed whatever it says
	if err != nil {
		return a.stopped(err, stopErr)
	}
	return a.stopped(a.reportRecall(ce, out, asJSON), stopErr)
}

// reportRecall prints a recall's outcomes and returns the error they call
// for.
func (a *app) reportRecall(ce *commandEngine, out []watch.RecallOutcome, asJSON bool) error {
	var err error
	if asJSON {
		err = watch.WriteRecallJSON(a.io.out, out)
	} else {
		err = watch.WriteRecallText(a.io.out, out)
	}
	if err != nil {
		return err
	}
	failed := 0
	for _, o := range out {
		if !o.OK {
			failed++
		}
	}
	if err := ce.sender.settingsErr(); failed == len(out) && err != nil {
		return &exitError{exitUsage, fmt.Errorf("no key recalled: %w", err)}
	}
	if failed > 0 {
		return failedErr("%s not recalled (of %d)", watch.Plural(failed, "key", "keys"), len(out))
	}
	return nil
}
