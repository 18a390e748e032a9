package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/dingwatch/dingwatch/watch"
)

// maxStdinKeys bounds what "-" reads from standard input.
const maxStdinKeys = 64 << 20

// readKeyArgs gathers keys from args ("-" reads standard input) with
// watch.ParseKeys, the one parser (see its rule: white space, commas,
// semicolons and new lines separate keys; blank lines and # comments are
// skipped; a bad word is named by its argument, or by its line in the
// input), and drops duplicates, before anything is queried.
func readKeyArgs(args []string, stdin io.Reader) ([]string, error) {
	var keys []string
	for i, arg := range args {
		if strings.TrimSpace(arg) == "" {
			return nil, usageErr("argument %d: blank key", i+1)
		}
		if arg != "-" {
			ks, err := watch.ParseKeys(arg)
			if err != nil {
				return nil, usageErr("argument %d: %v", i+1, err)
			}
			keys = append(keys, ks...)
			continue
		}
		b, err := io.ReadAll(io.LimitReader(stdin, maxStdinKeys))
		if err != nil {
			return nil, usageErr("reading keys from standard input: %v", err)
		}
		text := string(b)
		if !strings.HasSuffix(text, "\n") {
			text += "\n" // two lines at least: ParseKeys names the line even of a one-line input
		}
		ks, err := watch.ParseKeys(text)
		if errors.Is(err, watch.ErrNoKey) {
			continue // only blank lines and comments
		}
		if err != nil {
			return nil, usageErr("standard input: %v", err)
		}
		keys = append(keys, ks...)
	}
	return dedupe(keys), nil
}

// dedupe drops repeated keys, keeping the first.
func dedupe(keys []string) []string {
	seen := map[string]bool{}
	out := keys[:0:0]
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// dashboardKeys checks the dashboard's arguments: each must be a
// processQueryKey; a word that is a mistyped command (or too short to be a
// key) is refused with the command it may mean.
func dashboardKeys(cmd *cobra.Command, args []string) ([]string, error) {
	var keys []string
	for i, arg := range args {
		if strings.TrimSpace(arg) == "" {
			return nil, usageErr("argument %d: blank key", i+1)
		}
		if msg := notAKey(cmd.Root(), arg); msg != "" {
			return nil, usageErr("%s", msg)
		}
		ks, err := watch.ParseKeys(arg)
		if err != nil {
			return nil, usageErr("argument %d: %v", i+1, err)
		}
		keys = append(keys, ks...)
	}
	return dedupe(keys), nil
}

// notAKey says why arg cannot be a processQueryKey given to the dashboard,
// or "" when it may be one. Only a word shorter than watch.MinKeyLen
// characters is refused here (as a mistyped command when it has letters
// only, with the command it may mean): a longer word is left to
// watch.ParseKeys, so the dashboard takes every key status and recall take.
func notAKey(root *cobra.Command, arg string) string {
	n := utf8.RuneCountInString(arg)
	if n >= watch.MinKeyLen {
		return ""
	}
	word := strings.Trim(arg, "-")
	lettersOnly := word != ""
	for _, r := range word {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
			lettersOnly = false
		}
	}
	shown := fmt.Sprintf("%q", arg)
	if sugg := root.SuggestionsFor(arg); len(sugg) > 0 {
		return fmt.Sprintf("unknown command %s; did you mean %q?", shown, sugg[0])
	}
	if lettersOnly {
		var names []string
		for _, c := range root.Commands() {
			if c.IsAvailableCommand() {
				names = append(names, c.Name())
			}
		}
		return fmt.Sprintf("unknown command %s (commands: %s; a processQueryKey is about 44 characters)", shown, strings.Join(names, ", "))
	}
	return fmt.Sprintf("%s cannot be a processQueryKey: it is %s, and DingTalk's are about 44", shown, watch.Plural(n, "character", "characters"))
}
