package cli

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// orphanNotice leaves a notice labelled label handed over in dir's inbox
// with nobody owning the state, as breaker6 R0/R1 did: a `send` follows
// an owner (the test, holding the lock) and hands the notice over; it is
// killed while it waits for the owner to save it, and the owner then
// dies without taking it.
func orphanNotice(t *testing.T, env []string, dir, label string) {
	t.Helper()
	lock := holdState(t, dir)
	cmd := exec.Command(binary, "send", "--to", "u1,u2", "--text", "hi", "--label", label)
	cmd.Env = env
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waiting := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "waiting (up to") { // every parcel is written by then
				waiting <- true
				return
			}
		}
		waiting <- false
	}()
	select {
	case ok := <-waiting:
		if !ok {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("the send ended before waiting for the owner")
		}
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the send never waited for the owner")
	}
	cmd.Process.Kill() // before the owner lets go: it must not take the state over
	cmd.Wait()
	lock.Unlock() // the owner dies
	if parcels(t, dir) == 0 {
		t.Fatal("nothing waits in the inbox")
	}
	if st, err := watch.LoadState(dir); err != nil || len(st.NoticesLabelled(label)) != 0 {
		t.Fatalf("the notice is saved already (%v)", err)
	}
}

// TestStatusNoticeFindsAHandedOverNotice: the notice a send handed to an
// owner that died before taking it is found by `status --notice LABEL`,
// the command the send's warning names (breaker6 R1).
func TestStatusNoticeFindsAHandedOverNotice(t *testing.T) {
	s := startSim(t)
	s.AddPeople(crew...)
	env := simEnv(t, s)
	dir := stateDir(env)
	orphanNotice(t, env, dir, "Orphan1")
	out, errOut, code := runBinary(t, env, "", "status", "--notice", "Orphan1")
	if code == 2 || !strings.Contains(out, "Orphan1") || strings.Contains(errOut, "no notice") {
		t.Fatalf("status --notice of a handed-over notice: exit %d\n%s%s", code, out, errOut)
	}
	if _, _, code := runBinary(t, env, "", "status", "--notice", "Orphan1"); code == 2 {
		t.Fatalf("the second status --notice: exit %d", code)
	}
	if st, err := watch.LoadState(dir); err != nil || len(st.NoticesLabelled("Orphan1")) != 1 || parcels(t, dir) != 0 {
		t.Fatalf("status (nobody owning) did not settle the inbox: %v, %d parcels", err, parcels(t, dir))
	}
}

// TestSendRefusesTheLabelOfAHandedOverNotice: a second `send --label
// SAME` after the owner died holding the first's notice in its inbox is
// refused (exit 2) and sends nothing; the send, the owner now, takes the
// inbox, so the state holds the notice once (breaker6 R0).
func TestSendRefusesTheLabelOfAHandedOverNotice(t *testing.T) {
	s := startSim(t)
	s.AddPeople(crew...)
	env := simEnv(t, s)
	dir := stateDir(env)
	orphanNotice(t, env, dir, "Orphan0")
	sends := s.Calls("batchSend")
	_, errOut, code := runBinary(t, env, "", "send", "--to", "u3", "--text", "again", "--label", "Orphan0")
	if code != 2 || !strings.Contains(errOut, `a notice is labelled "Orphan0" already`) || s.Calls("batchSend") != sends {
		t.Fatalf("the second send with the label: exit %d, %d more batchSend calls\n%s", code, s.Calls("batchSend")-sends, errOut)
	}
	st, err := watch.LoadState(dir)
	if err != nil || len(st.NoticesLabelled("Orphan0")) != 1 || parcels(t, dir) != 0 {
		t.Fatalf("the refusing send did not take the inbox: %v, %d parcels", err, parcels(t, dir))
	}
	// --join joins it: the notice handed over is the notice.
	if _, errOut, code := runBinary(t, env, "", "send", "--to", "u3", "--text", "again", "--label", "Orphan0", "--join"); code != 0 {
		t.Fatalf("--join: exit %d\n%s", code, errOut)
	}
	if st, _ := watch.LoadState(dir); len(st.NoticesLabelled("Orphan0")) != 1 {
		t.Fatalf("--join made a second notice: %d", len(st.NoticesLabelled("Orphan0")))
	}
}

// badState writes a state file with one key dingwatch cannot use beside
// a good one, and returns its path.
func badState(t *testing.T, env []string, good string) string {
	t.Helper()
	dir := stateDir(env)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "state.json")
	bad := `{"version":1,"keys":[{"key":"` + good + `","robotCode":"dingdemo"},{"key":"bad key with spaces","robotCode":"dingdemo"}]}`
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// saidSetAside checks that what a command set aside is said on its
// stderr and in dingwatch.log, and is in a file beside the state.
func saidSetAside(t *testing.T, what, stderr, dir string) {
	t.Helper()
	if !strings.Contains(stderr, "1 entry of the saved state could not be used and was set aside in ") {
		t.Errorf("%s: the set-aside is not said on stderr:\n%s", what, stderr)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "dingwatch.log"))
	if !strings.Contains(string(log), "set aside in") {
		t.Errorf("%s: the set-aside is not in dingwatch.log:\n%s", what, log)
	}
	aside, _ := filepath.Glob(filepath.Join(dir, "state.json.set-aside-*"))
	if len(aside) == 0 {
		t.Errorf("%s: nothing was set aside", what)
	}
}

// TestSendAndRecallSaySetAside: send and recall, owning the state, set
// aside what cannot be used and say so (breaker6 R2), as the dashboard
// and status do.
func TestSendAndRecallSaySetAside(t *testing.T) {
	s := startSim(t)
	s.AddPeople(crew...)
	good := s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew)

	env := simEnv(t, s)
	badState(t, env, good)
	_, errOut, code := runBinary(t, env, "", "send", "--to", "u1", "--text", "hi", "--label", "Aside")
	if code != 0 {
		t.Fatalf("send: exit %d\n%s", code, errOut)
	}
	saidSetAside(t, "send", errOut, stateDir(env))

	env = simEnv(t, s)
	badState(t, env, good)
	_, errOut, code = runBinary(t, env, "", "recall", good)
	if code == 2 {
		t.Fatalf("recall: exit %d\n%s", code, errOut)
	}
	saidSetAside(t, "recall", errOut, stateDir(env))

	// Nothing set aside: nothing said.
	_, errOut, _ = runBinary(t, env, "", "send", "--to", "u1", "--text", "hi", "--label", "Whole")
	if strings.Contains(errOut, "set aside") {
		t.Fatalf("a whole state, yet:\n%s", errOut)
	}
}

// TestServeSaysSetAside: serve says what it set aside on its stderr (an
// operator's journal) and in dingwatch.log as it starts (breaker6 R13).
func TestServeSaysSetAside(t *testing.T) {
	s := startSim(t)
	good := s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew)
	env := simEnv(t, s)
	badState(t, env, good)
	keys := filepath.Join(t.TempDir(), "authorized_keys")
	os.WriteFile(keys, []byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl test\n"), 0o600)
	cmd := exec.Command(binary, "serve", "--listen", "127.0.0.1:0", "--authorized-keys", keys)
	cmd.Env = env
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	said := make(chan string, 1)
	go func() {
		var b strings.Builder
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
			if fingerprintRE.MatchString(sc.Text()) {
				break
			}
		}
		said <- b.String()
	}()
	select {
	case out := <-said:
		saidSetAside(t, "serve", out, stateDir(env))
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
}
