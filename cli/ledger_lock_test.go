package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

// TestStatusWaitingForTheLedgerLockSaysSoAndCtrlCExits130 (breaker7 #6):
// a status waiting for a calls.lock another dingwatch holds says so on
// standard error, and Ctrl+C then exits 130 as everywhere else, asking
// nothing and giving no advice about the state directory.
func TestStatusWaitingForTheLedgerLockSaysSoAndCtrlCExits130(t *testing.T) {
	s := startSim(t)
	key := s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew)
	env := simEnv(t, s)
	dir := stateDir(env)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	held := flock.New(filepath.Join(dir, "calls.lock")) // a hung dingwatch
	if err := held.Lock(); err != nil {
		t.Fatal(err)
	}
	defer held.Unlock()
	cmd := exec.Command(binary, "status", key)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stderr)
	var said []string
	for lines.Scan() {
		said = append(said, lines.Text())
		if lines.Text() == "dingwatch: waiting for another dingwatch's calls (calls.lock)…" {
			break
		}
	}
	if len(said) == 0 || !strings.Contains(said[len(said)-1], "waiting for another dingwatch's calls") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("status did not say what it waits for: %q", said)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var rest strings.Builder
	for lines.Scan() {
		rest.WriteString(lines.Text() + "\n")
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitAborted {
		t.Fatalf("Ctrl+C while waiting exited %v, want %d:\n%s", err, exitAborted, rest.String())
	}
	if strings.Contains(rest.String(), "check the state directory") || !strings.Contains(rest.String(), "interrupted") {
		t.Errorf("an interrupted wait says:\n%s", rest.String())
	}
	if got := s.Calls("readStatus"); got != 0 {
		t.Errorf("%d calls made by an interrupted status", got)
	}
}

// TestStatusJSONSaysLedgerForABrokenLock (breaker7 #7): a calls.lock that
// cannot be taken (here a directory) keeps status from asking, and its
// JSON says "ledger", not "budget": the state directory needs a look,
// waiting does not help.
func TestStatusJSONSaysLedgerForABrokenLock(t *testing.T) {
	s := startSim(t)
	key := s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew)
	env := simEnv(t, s)
	if err := os.MkdirAll(filepath.Join(stateDir(env), "calls.lock"), 0o700); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runBinary(t, env, "", "status", "--json", key)
	if code != exitFailed {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitFailed, out, errOut)
	}
	var rep struct {
		Messages []struct {
			Error struct{ Code, Message string } `json:"error"`
		} `json:"messages"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Messages) != 1 {
		t.Fatalf("%v:\n%s", err, out)
	}
	if e := rep.Messages[0].Error; e.Code != "ledger" || !strings.Contains(e.Message, "calls.lock") || !strings.Contains(e.Message, "is a directory") {
		t.Fatalf("the key's error is %+v, want code ledger naming the lock", e)
	}
	if got := s.Calls("readStatus"); got != 0 {
		t.Errorf("%d calls made without counting them", got)
	}
}
