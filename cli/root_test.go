package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk/sim"
)

// binary is the dingwatch binary built once for the tests that run it.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dingwatch-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "dingwatch")
	// -buildvcs=auto: stamp the commit when the tests run in a git
	// checkout, whatever GOFLAGS says, so --version can be checked.
	out, err := exec.Command("go", "build", "-buildvcs=auto", "-o", binary, "..").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const secret = "sim-s3cret-value"

func startSim(t *testing.T) *sim.Server {
	t.Helper()
	s, err := sim.Start(sim.Options{AppKey: "app", AppSecret: secret, NotReadyFor: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func simEnv(t *testing.T, s *sim.Server) []string {
	return []string{"DINGTALK_APP_KEY=app", "DINGTALK_APP_SECRET=" + secret, "DINGTALK_ROBOT_CODE=dingdemo",
		"DINGTALK_ENDPOINT=" + s.URL(), "XDG_CONFIG_HOME=" + t.TempDir(), "XDG_STATE_HOME=" + t.TempDir(),
		"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
}

// runBinary runs the built dingwatch and returns stdout, stderr and the exit status.
func runBinary(t *testing.T, env []string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	return runExec(t, env, stdin, binary, args...)
}

// runExec runs program (the built dingwatch, or a wrapper such as
// timeout) and returns stdout, stderr and the exit status; neither may
// hold the app secret.
func runExec(t *testing.T, env []string, stdin, program string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(program, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{out.String(), errb.String()} {
		if strings.Contains(s, secret) {
			t.Fatalf("the secret was printed: %s", s)
		}
	}
	return out.String(), errb.String(), code
}

var crew = []sim.Person{
	{UserID: "u1", Name: "张伟", ReadAfter: 0},
	{UserID: "u2", Name: "Alice", ReadAfter: sim.Never},
	{UserID: "u3", Name: "欧阳娜娜", ReadAfter: 0},
}

func TestStatusBinaryText(t *testing.T) {
	s := startSim(t)
	key := s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew)
	out, errOut, code := runBinary(t, simEnv(t, s), "", "status", key)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{key + "  SUCCESS  read 2/3", "Read (2)", "Unread (1)", "    张伟      u1", "    欧阳娜娜  u3", "Alice  u2"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

func TestStatusBinaryJSONAndFailures(t *testing.T) {
	s := startSim(t)
	good := s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew)
	out, _, code := runBinary(t, simEnv(t, s), good+"\n\n"+good+"\nnotAKey123notAKey123notAKey123=\n", "status", "--json", "-")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (one key failed)", code)
	}
	var got struct {
		CheckedAt string `json:"checkedAt"`
		Messages  []struct {
			ProcessQueryKey string
			SendStatus      string
			ReadCount       int
			Total           int
			Read, Unread    []struct{ UserID, Name string }
			Error           *struct {
				Code       string
				HTTPStatus int
				Message    string
				RequestID  string
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if _, err := time.Parse(time.RFC3339, got.CheckedAt); err != nil {
		t.Fatal(err)
	}
	if len(got.Messages) != 2 || s.Calls("readStatus") != 2 {
		t.Fatalf("duplicates must be queried once: %d messages, %d calls", len(got.Messages), s.Calls("readStatus"))
	}
	m := got.Messages[0]
	if m.SendStatus != "SUCCESS" || m.ReadCount != 2 || m.Total != 3 || len(m.Read) != 2 || m.Unread[0].Name != "Alice" || m.Error != nil {
		t.Fatalf("%+v", m)
	}
	bad := got.Messages[1]
	if bad.Error == nil || bad.Error.Code != "invalid.processQueryKey" || bad.Error.HTTPStatus != 400 || bad.Error.RequestID == "" {
		t.Fatalf("%+v", bad)
	}
}

func TestStatusValidatesBeforeAnyRequest(t *testing.T) {
	s := startSim(t)
	good := s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew)
	env := simEnv(t, s)
	cases := map[string]struct {
		env   []string
		stdin string
		args  []string
		want  string
	}{
		"blank key":      {env, good + "\n", []string{"status", good, " "}, "blank key"},
		"no keys":        {env, "", []string{"status"}, "watches no key yet"},
		"missing secret": {env[:1:1], "", []string{"status", good}, "DINGTALK_APP_SECRET"},
		"bad flag":       {env, "", []string{"status", "--nope", good}, "unknown flag"},
		"bad timeout":    {env, "", []string{"status", "--timeout", "0s", good}, "--timeout"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tc.env = append(tc.env, "PATH="+os.Getenv("PATH"), "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir())
			_, errOut, code := runBinary(t, tc.env, tc.stdin, tc.args...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errOut, tc.want)
			}
		})
	}
	if n := s.Calls("readStatus") + s.Calls("token"); n != 0 {
		t.Fatalf("%d requests made despite bad input", n)
	}
}

func TestWrongSecretNeverPrinted(t *testing.T) {
	s := startSim(t)
	good := s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew)
	env := simEnv(t, s)
	env[1] = "DINGTALK_APP_SECRET=wrong-" + secret[4:]
	out, errOut, code := runBinary(t, env, "", "status", good)
	if code != 2 || strings.Contains(out+errOut, "wrong-") || !strings.Contains(errOut, "DINGTALK_APP_SECRET") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestVersionAndHelp(t *testing.T) {
	out, _, code := runBinary(t, []string{"HOME=" + t.TempDir()}, "", "--version")
	if code != 0 || !strings.HasPrefix(out, "dingwatch version ") {
		t.Fatalf("%d %q", code, out)
	}
	for _, args := range [][]string{{"--help"}, {"status", "--help"}} {
		out, _, code := runBinary(t, []string{"HOME=" + t.TempDir()}, "", args...)
		if code != 0 || !strings.Contains(out, "Usage:") {
			t.Fatalf("%v: %d %q", args, code, out)
		}
	}
}

func TestDashboardNeedsATerminal(t *testing.T) {
	_, errOut, code := runBinary(t, []string{"HOME=" + t.TempDir(), "XDG_STATE_HOME=" + t.TempDir()}, "", "--demo")
	if code != 2 || !strings.Contains(errOut, "needs a terminal") || !strings.Contains(errOut, "dingwatch status") {
		t.Fatalf("%d %q", code, errOut)
	}
	// Refused, a key given to watch is not saved either (from cron, a pipe).
	state := t.TempDir()
	env := []string{"HOME=" + t.TempDir(), "XDG_STATE_HOME=" + state, "DINGTALK_APP_KEY=app", "DINGTALK_APP_SECRET=secret-x",
		"DINGTALK_ROBOT_CODE=dingrobot", "DINGTALK_ENDPOINT=http://127.0.0.1:9"}
	key := "BBBBBBBBBBBBBBBBBBBBBBBB1="
	_, errOut, code = runBinary(t, env, "", key)
	if code != 2 || !strings.Contains(errOut, "nothing was saved") {
		t.Fatalf("%d %q", code, errOut)
	}
	if data, err := os.ReadFile(filepath.Join(state, "dingwatch", "state.json")); err == nil && strings.Contains(string(data), key) {
		t.Fatal("the refused dashboard saved its key")
	}
}
