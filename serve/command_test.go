package serve

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/watch"
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

// TestStatusExitFollowsTheLocalRule: `ssh … status` exits as `dingwatch
// status` does (README: Exit status): 1, said on stderr, when a notice it
// reports has a failed or unknown batch, in every format; 0 when the
// notices it reports were all sent (G7). A lone key's text shows the whole
// key, to copy.
func TestStatusExitFollowsTheLocalRule(t *testing.T) {
	f := start(t)
	f.sim.Inject(sim.Fault{Endpoint: "batchSend", Kind: sim.Answer, Status: 400, Code: "invalidParameter.param.invalid", Times: 1})
	ids := make([]string, 25)
	for i := range ids {
		ids[i] = fmt.Sprintf("p%02d", i)
	}
	rep, err := f.engine.Send(context.Background(), watch.SendSpec{RobotCode: "dingdemo", UserIDs: ids, Message: dingtalk.Text("hi"), Label: "Broken"})
	if err != nil || rep.Batches[0].Status != watch.BatchFailed || rep.Batches[1].Status != watch.BatchSent {
		t.Fatalf("send: %+v %v", rep.Batches, err)
	}
	for _, cmd := range []string{"status", "status --json", "status --csv", "status --notice Broken", "status " + rep.Keys[0]} {
		_, errOut, code := f.run(t, f.viewer, cmd)
		if code != 1 || !strings.Contains(errOut, `notice "Broken" did not reach 20 people of failed batches`) {
			t.Errorf("%s: exit %d, stderr %q; want 1 and the failed batch named", cmd, code, errOut)
		}
	}
	for _, cmd := range []string{"status --notice Weekly", "status --json " + f.keys[1]} {
		if _, errOut, code := f.run(t, f.viewer, cmd); code != 0 || errOut != "" {
			t.Errorf("%s: exit %d, stderr %q; want 0", cmd, code, errOut)
		}
	}
	lone := f.sim.AddMessage("dingdemo", f.clk.Now().Add(-time.Minute), []sim.Person{{UserID: "u1", Name: "张伟"}})
	f.engine.Add(watch.AddSpec{Keys: []string{lone}})
	out, _, code := f.run(t, f.viewer, "status "+lone)
	if code != 0 || !strings.Contains(out, "\n"+lone+"  read ") {
		t.Errorf("a lone key's text status: exit %d, want the whole key %s:\n%s", code, lone, out)
	}
}

// TestStatusKeysOverSSHFollowTheOneParser: the keys of `ssh … status` are
// read by watch.ParseKeys as `dingwatch status` reads them (G8): commas
// and semicolons separate keys, a bad word is named with exit 2, and "-"
// (standard input) is refused clearly.
func TestStatusKeysOverSSHFollowTheOneParser(t *testing.T) {
	f := start(t)
	for _, cmd := range []string{"status " + f.keys[0] + "," + f.keys[1], "status '" + f.keys[0] + ";" + f.keys[1] + "'", "status --json " + f.keys[0] + "，" + f.keys[1]} {
		out, errOut, code := f.run(t, f.viewer, cmd)
		if code != 0 || !strings.Contains(out, "Weekly") || !strings.Contains(out, "Patch") {
			t.Errorf("%s: exit %d, stderr %q; want both notices\n%s", cmd, code, errOut, out)
		}
	}
	for cmd, want := range map[string]string{
		"status 'bad!wordbad!wordbad!word'": `argument 1: key "bad!wordbad!wordbad!word" has '!', which no processQueryKey holds`,
		"status " + f.keys[0] + " short":    `argument 2: "short" cannot be a processQueryKey`,
		"status -":                          "- (keys from standard input) is not read over SSH: give the keys as arguments",
		"status ''":                         "argument 1: blank key",
	} {
		out, errOut, code := f.run(t, f.viewer, cmd)
		if code != exitRefused || !strings.Contains(errOut, want) || out != "" {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", cmd, code, errOut, want)
		}
	}
}
