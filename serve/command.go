package serve

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/ssh"
	"github.com/spf13/pflag"

	"github.com/dingwatch/dingwatch/internal/safetext"
	"github.com/dingwatch/dingwatch/watch"
)

// commandUsage is what a refused command is told.
const commandUsage = "over SSH dingwatch answers only: status [--json|--csv [--bom]] [--notice LABEL] [KEY...] (connect without a command for the dashboard)"

// statusRequest is a parsed status command.
type statusRequest struct {
	format string // "text", "json" or "csv"
	bom    bool   // csv: start with a UTF-8 byte-order mark
	notice string
	keys   []string
}

// command answers a session with a command: status (for users and
// viewers alike) from the served engine's snapshot, without asking
// DingTalk, in the text, JSON or CSV of `dingwatch status`; anything else
// is refused on stderr with a non-zero status. The exit status follows
// `dingwatch status` (README: Exit status): 1 when a reported key failed
// or a reported notice has a failed or unknown batch, said on stderr; 2
// for a refused command or bad arguments.
func (s *Server) command(sess ssh.Session, l *liveSession) int {
	req, err := parseCommand(sess.RawCommand())
	if err != nil {
		fmt.Fprintf(sess.Stderr(), "dingwatch: %v\n", err)
		s.opts.Log.Warn("ssh: command refused", "session", l.id, "command", logValue(sess.RawCommand()))
		return exitRefused
	}
	snap := s.opts.Engine.Snapshot()
	keys, notices, err := selectKeys(snap.State, req)
	if err != nil {
		fmt.Fprintf(sess.Stderr(), "dingwatch: %v\n", err)
		return exitRefused
	}
	rep := statusReport(snap, keys, notices, s.opts.Now())
	if err := writeStatus(sess, req, snap, rep); err != nil {
		fmt.Fprintf(sess.Stderr(), "dingwatch: %v\n", err)
		return exitEnded
	}
	if req.format == "csv" {
		// As `dingwatch status --csv`: a key in error has no row to say so.
		for _, ks := range rep.Keys {
			if ks.Err != nil {
				fmt.Fprintf(sess.Stderr(), "dingwatch: %s: %s\n", safetext.Line(ks.Key.Key, watch.MaxKeyLen), safetext.Line(ks.Err.Error(), textHintMax))
			}
		}
	}
	if problems := statusProblems(rep); len(problems) > 0 {
		fmt.Fprintf(sess.Stderr(), "dingwatch: %s\n", strings.Join(problems, "; "))
		return exitFailed
	}
	return exitOK
}

// statusProblems are the reasons a status report exits 1, in the words of
// `dingwatch status`: keys that failed (never answered, and the last call
// failed), and each reported notice's failed or unknown batches.
func statusProblems(rep *watch.StatusReport) []string {
	var problems []string
	if n := rep.Failed(); n > 0 {
		problems = append(problems, fmt.Sprintf("%s failed (of %d asked)", watch.Plural(n, "key", "keys"), len(rep.Keys)))
	}
	for _, n := range rep.Notices {
		problems = append(problems, n.Problems()...)
	}
	return problems
}

// parseCommand reads "status [--json|--csv] [--notice LABEL] [KEY...]",
// with or without a leading "dingwatch", from the command as sent.
func parseCommand(raw string) (statusRequest, error) {
	args, err := splitCommand(raw)
	if err != nil {
		return statusRequest{}, fmt.Errorf("%s: %s", err, commandUsage)
	}
	if len(args) > 0 && args[0] == "dingwatch" {
		args = args[1:]
	}
	if len(args) == 0 || args[0] != "status" {
		return statusRequest{}, fmt.Errorf("%q is not available: %s", safetext.Line(raw, 60), commandUsage)
	}
	fs := pflag.NewFlagSet("status", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "")
	asCSV := fs.Bool("csv", false, "")
	bom := fs.Bool("bom", false, "")
	notice := fs.String("notice", "", "")
	if err := fs.Parse(args[1:]); err != nil {
		return statusRequest{}, fmt.Errorf("status: %s; %s", safetext.Line(err.Error(), 80), commandUsage)
	}
	keys, err := parseKeys(fs.Args())
	if err != nil {
		return statusRequest{}, err
	}
	req := statusRequest{format: "text", bom: *bom, notice: *notice, keys: keys}
	switch {
	case *asJSON && *asCSV:
		return statusRequest{}, errors.New("status: --json and --csv: choose one")
	case *bom && !*asCSV:
		return statusRequest{}, errors.New("status: --bom goes with --csv")
	case *asJSON:
		req.format = "json"
	case *asCSV:
		req.format = "csv"
	}
	return req, nil
}

// parseKeys reads the keys of a status command with watch.ParseKeys, the
// one parser `dingwatch status` uses (white space, commas, semicolons
// separate keys; a bad word is named by its argument). "-" (keys from
// standard input) is refused: over SSH keys are given as arguments.
func parseKeys(args []string) ([]string, error) {
	var keys []string
	seen := map[string]bool{}
	for i, arg := range args {
		if arg == "-" {
			return nil, errors.New("status: - (keys from standard input) is not read over SSH: give the keys as arguments")
		}
		if strings.TrimSpace(arg) == "" {
			return nil, fmt.Errorf("status: argument %d: blank key", i+1)
		}
		ks, err := watch.ParseKeys(arg)
		if err != nil {
			return nil, fmt.Errorf("status: argument %d: %s", i+1, safetext.Line(err.Error(), textHintMax))
		}
		for _, k := range ks {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return keys, nil
}

// selectKeys picks the watched keys a status request names: all of them,
// a notice's (by label or ID), and named keys; and the notices to sum up
// even when none of their batches was sent (every one when nothing is
// named, else the one named). The server answers from what it watches: a
// key it does not watch is an error, not a query.
func selectKeys(st *watch.State, req statusRequest) ([]*watch.Key, []string, error) {
	if req.notice == "" && len(req.keys) == 0 {
		ids := make([]string, len(st.Notices))
		for i, n := range st.Notices {
			ids[i] = n.ID
		}
		return st.Keys, ids, nil
	}
	var out []*watch.Key
	var ids []string
	seen := map[string]bool{}
	add := func(k *watch.Key) {
		if !seen[k.Key] {
			seen[k.Key] = true
			out = append(out, k)
		}
	}
	if req.notice != "" {
		id, keys := noticeKeys(st, req.notice)
		if id == "" && len(keys) == 0 {
			return nil, nil, fmt.Errorf("status: no watched notice %q", safetext.Line(req.notice, 80))
		}
		if id != "" {
			ids = append(ids, id)
		}
		for _, k := range keys {
			add(k)
		}
	}
	for _, key := range req.keys {
		k := st.Key(key)
		if k == nil {
			return nil, nil, fmt.Errorf("status: this server does not watch %q", safetext.Line(key, watch.MaxKeyLen))
		}
		add(k)
	}
	return out, ids, nil
}

// noticeKeys are the ID and keys of the notice labelled label (ignoring
// case) or with that ID, else no ID and the lone keys with that label, as
// the list shows them.
func noticeKeys(st *watch.State, label string) (string, []*watch.Key) {
	for _, n := range st.Notices {
		if strings.EqualFold(n.Label, label) || n.ID == label {
			return n.ID, st.NoticeKeys(n.ID)
		}
	}
	var keys []*watch.Key
	for _, k := range st.Keys {
		if k.Notice == "" && strings.EqualFold(k.Label, label) {
			keys = append(keys, k)
		}
	}
	return "", keys
}
