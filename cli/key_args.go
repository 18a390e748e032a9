package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dingwatch/dingwatch/watch"
)

// minKeyLen is the shortest argument taken for a processQueryKey on the
// command line: DingTalk's are about 44 characters, so a shorter word is a
// mistyped command or a mistake, refused before anything is saved or asked.
const minKeyLen = 16

// maxStdinKeys bounds what "-" reads from standard input.
const maxStdinKeys = 64 << 20

// readKeyArgs gathers keys from args ("-" reads standard input: blank lines
// and # comments skipped, errors naming the line as it is in the input),
// checks every one with watch.ParseKeys and drops duplicates, before
// anything is queried.
func readKeyArgs(args []string, stdin io.Reader) ([]string, error) {
	var keys []string
	for i, arg := range args {
		if strings.TrimSpace(arg) == "" {
			return nil, usageErr("argument %d: blank key", i+1)
		}
		if arg != "-" {
			ks, err := watch.ParseKeys(arg)
			if err == nil {
				err = checkKeyLengths(ks)
			}
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
		ks, err := stdinKeys(string(b))
		if err != nil {
			return nil, usageErr("standard input: %v", err)
		}
		keys = append(keys, ks...)
	}
	return dedupe(keys), nil
}

// stdinKeys parses keys read from standard input line by line, so that
// every refusal names its line as it is in the input (1-based). Blank
// lines and # comments give no key and no error.
func stdinKeys(text string) ([]string, error) {
	var keys, bad []string
	for n, ln := range strings.Split(text, "\n") {
		ks, err := watch.ParseKeys(ln) // skips a BOM at the start of line 1
		if errors.Is(err, watch.ErrNoKey) {
			continue
		}
		if err == nil {
			err = checkKeyLengths(ks)
		}
		if err != nil {
			bad = append(bad, fmt.Sprintf("line %d: %v", n+1, err))
			continue
		}
		keys = append(keys, ks...)
	}
	if len(bad) > 0 {
		return nil, errors.New(strings.Join(bad, "; "))
	}
	return keys, nil
}

// checkKeyLengths refuses a key shorter than minKeyLen: DingTalk's are
// about 44 characters, and asking about a shorter word spends a metered
// call on an answer known in advance.
func checkKeyLengths(keys []string) error {
	for _, k := range keys {
		if len(k) < minKeyLen {
			return fmt.Errorf("%q cannot be a processQueryKey: it is %s, and DingTalk's are about 44", k, plural(len(k), "character"))
		}
	}
	return nil
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
// or "" when it may be one.
func notAKey(root *cobra.Command, arg string) string {
	word := strings.Trim(arg, "-")
	lettersOnly := word != ""
	for _, r := range word {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
			lettersOnly = false
		}
	}
	if !lettersOnly && len(arg) >= minKeyLen {
		return ""
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
	return fmt.Sprintf("%s cannot be a processQueryKey: it is %d characters, and DingTalk's are about 44", shown, len(arg))
}
