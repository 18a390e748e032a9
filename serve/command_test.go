package serve

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

// run runs command in a session without a terminal, as `ssh host COMMAND`.
func (f *fixture) run(t *testing.T, signer gossh.Signer, command string) (stdout, stderr string, status int) {
	t.Helper()
	c, err := f.dial(t, signer)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &errOut
	err = sess.Run(command)
	var ee *gossh.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		status = ee.ExitStatus()
	default:
		t.Fatalf("%s: %v", command, err)
	}
	return out.String(), errOut.String(), status
}

func TestStatusJSONOverACommandSession(t *testing.T) {
	f := start(t)
	for _, who := range []gossh.Signer{f.user, f.viewer} {
		out, errOut, code := f.run(t, who, "status --json")
		var got struct {
			Messages []struct {
				ProcessQueryKey string `json:"processQueryKey"`
				ReadCount       int    `json:"readCount"`
				Total           int    `json:"total"`
				Unread          []struct {
					UserID string `json:"userId"`
					Name   string `json:"name"`
				} `json:"unread"`
			} `json:"messages"`
		}
		if code != 0 || errOut != "" {
			t.Fatalf("status --json: exit %d, stderr %q", code, errOut)
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("status --json printed no JSON: %v\n%s", err, out)
		}
		if len(got.Messages) != 2 || got.Messages[0].ProcessQueryKey != f.keys[0] || got.Messages[0].ReadCount != 1 ||
			got.Messages[0].Total != 2 || len(got.Messages[0].Unread) != 1 || got.Messages[0].Unread[0].Name != "Alice" {
			t.Fatalf("%+v", got)
		}
	}
	if n := f.sim.Calls("readStatus"); n != len(f.keys) {
		t.Fatalf("%d readStatus calls: a status over SSH must answer from the served snapshot, not query", n)
	}
}

func TestStatusCSVAndNoticeOverACommandSession(t *testing.T) {
	f := start(t)
	out, errOut, code := f.run(t, f.viewer, `status --csv --notice patch`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][0] != "processQueryKey" || rows[1][0] != f.keys[1] || rows[2][0] != f.keys[1] {
		t.Fatalf("%v %q", err, out)
	}
	if out, _, code := f.run(t, f.viewer, "status --csv --bom"); code != 0 || !strings.HasPrefix(out, "\ufeffprocessQueryKey,") {
		t.Fatalf("status --csv --bom: exit %d, %q", code, clip(out, 80))
	}
	out, _, code = f.run(t, f.user, "dingwatch status "+f.keys[0])
	if code != 0 || !strings.Contains(out, "Weekly  read 1/2") || strings.Contains(out, "Patch") {
		t.Fatalf("status KEY: exit %d\n%s", code, out)
	}
	for _, bad := range []string{"status --notice nothing", "status NOTWATCHED", "status --json --csv", "status --bogus", "status --bom"} {
		if _, errOut, code := f.run(t, f.user, bad); code != exitRefused || !strings.HasPrefix(errOut, "dingwatch: ") {
			t.Errorf("%s: exit %d, stderr %q", bad, code, errOut)
		}
	}
}

func TestOtherCommandsAreRefusedAndLogged(t *testing.T) {
	var logBuf syncBuffer
	f := startWith(t, func(o *Options) { o.Log = slog.New(slog.NewTextHandler(&logBuf, nil)) })
	for _, cmd := range []string{"send --to u1 --text hi", "rm -rf /", "status; send", "recall x", "sh -c 'echo \x1b]0;owned\x07'"} {
		out, errOut, code := f.run(t, f.user, cmd)
		if code == 0 || out != "" || !strings.Contains(errOut, "over SSH dingwatch answers only: status") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", cmd, code, out, errOut)
		}
		if strings.ContainsRune(errOut, 0x1b) {
			t.Errorf("%q: the refusal echoed an escape: %q", cmd, errOut)
		}
	}
	if n := f.sim.Calls("batchSend"); n != 0 {
		t.Fatalf("%d sends", n)
	}
	log := logBuf.String()
	if !strings.Contains(log, `command="rm -rf /"`) || strings.ContainsRune(log, 0x1b) {
		t.Fatalf("the log does not record the refused commands cleanly:\n%s", log)
	}
}

func TestParseCommand(t *testing.T) {
	for _, c := range []struct {
		args   []string
		ok     bool
		format string
	}{
		{[]string{"status"}, true, "text"},
		{[]string{"dingwatch", "status", "--json"}, true, "json"},
		{[]string{"status", "--csv", "--notice", "x"}, true, "csv"},
		{[]string{"send"}, false, ""},
		{[]string{"statusx"}, false, ""},
		{nil, false, ""},
	} {
		req, err := parseCommand(strings.Join(c.args, " "))
		if (err == nil) != c.ok || (c.ok && req.format != c.format) {
			t.Errorf("%v: %+v %v", c.args, req, err)
		}
	}
}

func TestSplitCommand(t *testing.T) {
	for raw, want := range map[string]string{
		`status --notice 'Weekly sync'`: "status|--notice|Weekly sync",
		`status --notice "a \"b\" \\c"`: `status|--notice|a "b" \c`,
		`  status   x\ y  `:             "status|x y",
		`a''b ""`:                       "ab|",
	} {
		got, err := splitCommand(raw)
		if err != nil || strings.Join(got, "|") != want {
			t.Errorf("%s: %q %v, want %q", raw, got, err, want)
		}
	}
	for _, bad := range []string{`status 'open`, `status "open`, strings.Repeat("A", maxCommandLen+1)} {
		if _, err := splitCommand(bad); err == nil {
			t.Errorf("%.20s: no error", bad)
		}
	}
}
