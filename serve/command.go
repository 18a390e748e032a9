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
// is refused on stderr with a non-zero status.
func (s *Server) command(sess ssh.Session, l *liveSession) int {
	req, err := parseCommand(sess.RawCommand())
	if err != nil {
		fmt.Fprintf(sess.Stderr(), "dingwatch: %v\n", err)
		s.opts.Log.Warn("ssh: command refused", "session", l.id, "command", logValue(sess.RawCommand()))
		return exitRefused
	}
	snap := s.opts.Engine.Snapshot()
	keys, err := selectKeys(snap.State, req)
	if err != nil {
		fmt.Fprintf(sess.Stderr(), "dingwatch: %v\n", err)
		return exitRefused
	}
	if err := writeStatus(sess, req, snap, keys, s.opts.Now()); err != nil {
		fmt.Fprintf(sess.Stderr(), "dingwatch: %v\n", err)
		return exitEnded
	}
	return exitOK
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
	req := statusRequest{format: "text", bom: *bom, notice: *notice, keys: fs.Args()}
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

// selectKeys picks the watched keys a status request names: all of them,
// a notice's (by label or ID), and named keys. The server answers from
// what it watches: a key it does not watch is an error, not a query.
func selectKeys(st *watch.State, req statusRequest) ([]*watch.Key, error) {
	if req.notice == "" && len(req.keys) == 0 {
		return st.Keys, nil
	}
	var out []*watch.Key
	seen := map[string]bool{}
	add := func(k *watch.Key) {
		if !seen[k.Key] {
			seen[k.Key] = true
			out = append(out, k)
		}
	}
	if req.notice != "" {
		keys := noticeKeys(st, req.notice)
		if len(keys) == 0 {
			return nil, fmt.Errorf("status: no watched notice %q", safetext.Line(req.notice, 80))
		}
		for _, k := range keys {
			add(k)
		}
	}
	for _, key := range req.keys {
		k := st.Key(key)
		if k == nil {
			return nil, fmt.Errorf("status: this server does not watch %q", safetext.Line(key, 80))
		}
		add(k)
	}
	return out, nil
}

// noticeKeys are the keys of the notice labelled label (ignoring case) or
// with that ID, else the lone keys with that label, as the list shows them.
func noticeKeys(st *watch.State, label string) []*watch.Key {
	for _, n := range st.Notices {
		if strings.EqualFold(n.Label, label) || n.ID == label {
			return st.NoticeKeys(n.ID)
		}
	}
	var keys []*watch.Key
	for _, k := range st.Keys {
		if k.Notice == "" && strings.EqualFold(k.Label, label) {
			keys = append(keys, k)
		}
	}
	return keys
}
