package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/dingwatch/dingwatch/config"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/watch"
)

func (a *app) statusCmd() *cobra.Command {
	var asJSON, asCSV bool
	var notice string
	cmd := &cobra.Command{
		Use:   "status [--json|--csv] [--notice LABEL] [KEY...]",
		Short: "Query read status once and print it",
		Long: `Query each processQueryKey once and print its send status and who has read it.
KEY "-" reads keys from standard input, one a line. Duplicate keys are queried once.
--notice LABEL adds every key of a notice dingwatch watches (by its label).

--csv prints one header line, processQueryKey,userId,name,readStatus,firstSeenRead,
and one row per recipient however many keys; firstSeenRead is when dingwatch first
saw them read (empty when it never watched them read).

Exit status: 0 every key answered, 1 at least one key failed, 2 bad arguments
or settings (nothing is queried then).`,
		Example: "  dingwatch status Kna29Ra5pdJznx1ghavbumkQKwDzgfxZLapw55G7x0Q=\n  dingwatch status --json - < keys.txt\n  dingwatch status --csv --notice \"Weekly sync\" > weekly.csv",
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON && asCSV {
				return usageErr("--json and --csv: choose one")
			}
			format := "text"
			if asJSON {
				format = "json"
			} else if asCSV {
				format = "csv"
			}
			return a.runStatus(cmd.Context(), args, notice, format)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	cmd.Flags().BoolVar(&asCSV, "csv", false, "print CSV, one row per recipient")
	cmd.Flags().StringVar(&notice, "notice", "", "query every key of the watched notice with this label")
	return cmd
}

// readKeyArgs gathers keys from args ("-" reads stdin), checks every one
// and drops duplicates, before anything is queried.
func readKeyArgs(args []string, stdin io.Reader) ([]string, error) {
	var raw []string
	for _, arg := range args {
		if arg != "-" {
			raw = append(raw, arg)
			continue
		}
		sc := bufio.NewScanner(stdin)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); line != "" {
				raw = append(raw, line)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, usageErr("reading keys from standard input: %v", err)
		}
	}
	for i, k := range raw {
		if err := watch.CheckKey(k); err != nil {
			return nil, usageErr("key %d: %v", i+1, err)
		}
	}
	return dedupe(raw), nil
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

// noticeKeys are the keys of the saved notice labelled label.
func noticeKeys(st *watch.State, label string) ([]string, error) {
	var labels []string
	for _, n := range st.Notices {
		if strings.EqualFold(n.Label, label) || n.ID == label {
			var keys []string
			for _, k := range st.NoticeKeys(n.ID) {
				keys = append(keys, k.Key)
			}
			return keys, nil
		}
		labels = append(labels, fmt.Sprintf("%q", n.Label))
	}
	if len(labels) == 0 {
		return nil, usageErr("no notice %q: dingwatch watches no notice yet", label)
	}
	return nil, usageErr("no notice %q; watched notices: %s", label, strings.Join(labels, ", "))
}

// keyResult is one key's answer or failure.
type keyResult struct {
	key string
	rs  dingtalk.ReadStatus
	err error
}

func (a *app) runStatus(ctx context.Context, args []string, notice, format string) error {
	keys, err := readKeyArgs(args, a.io.in)
	if err != nil {
		return err
	}
	s, err := a.settings()
	if err != nil {
		return err
	}
	saved, err := watch.LoadState(config.DirsFrom(a.getenv).State)
	if err != nil {
		saved = &watch.State{} // first-seen times are a bonus, not a need
	}
	if notice != "" {
		nk, err := noticeKeys(saved, notice)
		if err != nil {
			return err
		}
		keys = dedupe(append(keys, nk...))
	}
	if len(keys) == 0 {
		return usageErr("no key given: dingwatch status KEY... (- reads keys from standard input; --notice LABEL a watched notice)")
	}
	c, err := a.client(s, dingtalk.DefaultRetries)
	if err != nil {
		return err
	}
	// Every try is bounded, and so are the pauses between them.
	ctx, cancel := context.WithTimeout(ctx, a.g.timeout*time.Duration(dingtalk.DefaultRetries+1)+20*time.Second)
	defer cancel()
	results := queryAll(ctx, c, s.RobotCode, saved, keys)
	checked := time.Now()
	switch format {
	case "json":
		err = writeStatusJSON(a.io.out, checked, results)
	case "csv":
		err = writeStatusCSV(a.io.out, saved, checked, results)
		for _, r := range results {
			if r.err != nil {
				fmt.Fprintf(a.io.err, "dingwatch: %s: %v\n", r.key, r.err)
			}
		}
	default:
		err = writeStatusText(a.io.out, results)
	}
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range results {
		if dingtalk.HasCode(r.err, dingtalk.CodeInvalidClient) {
			return &exitError{exitUsage, fmt.Errorf("DingTalk refused the app credentials (%s from %s): check DINGTALK_APP_KEY and DINGTALK_APP_SECRET, or the suite settings", s.Credentials(), s.Source)}
		}
		if r.err != nil {
			failed++
		}
	}
	if failed > 0 {
		return &exitError{exitFailed, fmt.Errorf("%d of %d keys failed", failed, len(results))}
	}
	return nil
}

// queryAll asks for every key (with the robot it was watched with, else
// the configured one), a few at once, keeping their order.
func queryAll(ctx context.Context, c *dingtalk.Client, robot string, saved *watch.State, keys []string) []keyResult {
	results := make([]keyResult, len(keys))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			r := robot
			if wk := saved.Key(k); wk != nil && wk.RobotCode != "" {
				r = wk.RobotCode
			}
			rs, err := c.ReadStatus(ctx, r, k)
			results[i] = keyResult{key: k, rs: rs, err: err}
		}()
	}
	wg.Wait()
	return results
}

type personJSON struct {
	UserID string `json:"userId"`
	Name   string `json:"name"`
}

type errorJSON struct {
	Code       string `json:"code"`
	HTTPStatus int    `json:"httpStatus"`
	Message    string `json:"message"`
	RequestID  string `json:"requestId"`
}

type messageJSON struct {
	ProcessQueryKey string       `json:"processQueryKey"`
	SendStatus      string       `json:"sendStatus"`
	ReadCount       int          `json:"readCount"`
	Total           int          `json:"total"`
	Read            []personJSON `json:"read"`
	Unread          []personJSON `json:"unread"`
	Error           *errorJSON   `json:"error,omitempty"`
}

func writeStatusJSON(w io.Writer, checked time.Time, results []keyResult) error {
	out := struct {
		CheckedAt string        `json:"checkedAt"`
		Messages  []messageJSON `json:"messages"`
	}{CheckedAt: checked.UTC().Format(time.RFC3339), Messages: []messageJSON{}}
	for _, r := range results {
		m := messageJSON{ProcessQueryKey: r.key, Read: []personJSON{}, Unread: []personJSON{}}
		if r.err != nil {
			m.Error = errorOf(r.err)
		} else {
			m.SendStatus = r.rs.SendStatus
			for _, p := range r.rs.Recipients {
				if p.Read {
					m.Read = append(m.Read, personJSON{p.UserID, p.Name})
				} else {
					m.Unread = append(m.Unread, personJSON{p.UserID, p.Name})
				}
			}
			m.ReadCount, m.Total = len(m.Read), len(r.rs.Recipients)
		}
		out.Messages = append(out.Messages, m)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func errorOf(err error) *errorJSON {
	var e *dingtalk.Error
	if errors.As(err, &e) {
		return &errorJSON{Code: e.Code, HTTPStatus: e.HTTPStatus, Message: e.Hint + ": " + e.Message, RequestID: e.RequestID}
	}
	return &errorJSON{Code: "error", Message: err.Error()}
}

func writeStatusText(w io.Writer, results []keyResult) error {
	bw := bufio.NewWriter(w)
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(bw)
		}
		if r.err != nil {
			fmt.Fprintf(bw, "%s  FAILED: %v\n", r.key, r.err)
			continue
		}
		var read, unread []dingtalk.Recipient
		for _, p := range r.rs.Recipients {
			if p.Read {
				read = append(read, p)
			} else {
				unread = append(unread, p)
			}
		}
		fmt.Fprintf(bw, "%s  %s  read %d/%d\n", r.key, r.rs.SendStatus, len(read), len(r.rs.Recipients))
		writePeople(bw, "Read", read)
		writePeople(bw, "Unread", unread)
	}
	return bw.Flush()
}

// writePeople prints a titled list of names and userIds, names padded by
// display width so CJK names line up.
func writePeople(w io.Writer, title string, people []dingtalk.Recipient) {
	fmt.Fprintf(w, "  %s (%d)\n", title, len(people))
	width := 0
	for _, p := range people {
		width = max(width, ansi.StringWidth(p.Name))
	}
	for _, p := range people {
		fmt.Fprintf(w, "    %s%s  %s\n", p.Name, strings.Repeat(" ", width-ansi.StringWidth(p.Name)), p.UserID)
	}
}

// writeStatusCSV writes one row per recipient: the answers merged into
// what dingwatch saved of each key, so first-seen-read times are kept.
func writeStatusCSV(w io.Writer, saved *watch.State, checked time.Time, results []keyResult) error {
	var keys []*watch.Key
	for _, r := range results {
		if r.err != nil {
			continue
		}
		k := &watch.Key{Key: r.key}
		if wk := saved.Key(r.key); wk != nil {
			k = wk.Clone()
		}
		k.ApplyAnswer(r.rs, checked)
		keys = append(keys, k)
	}
	return watch.WriteCSV(w, keys)
}
