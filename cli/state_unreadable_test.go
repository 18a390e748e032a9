package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// TestUnreadableStateStopsOwnersAndMovesNothing (breaker7 #4): a state
// file that is there but cannot be read (here a directory; a root-owned
// 0600 file or an I/O error reach the same error) is not a broken file.
// send, recall, serve and the dashboard refuse with exit 2 naming the file
// and the cause; status and doctor make no metered call under a budget;
// nothing is moved aside, written or handed over.
func TestUnreadableStateStopsOwnersAndMovesNothing(t *testing.T) {
	s := startSim(t)
	key := s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew)
	env := simEnv(t, s)
	dir := stateDir(env)
	path := filepath.Join(dir, "state.json")
	if err := os.MkdirAll(path, 0o700); err != nil {
		t.Fatal(err)
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	keys := filepath.Join(t.TempDir(), "authorized_keys")
	os.WriteFile(keys, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600)

	for _, args := range [][]string{
		{"send", "--to", "u1", "--text", "hi"},
		{"recall", key},
		// serve, bounded: were it to start, it would serve for ever.
		{"timeout", "60", binary, "serve", "--listen", "127.0.0.1:0", "--authorized-keys", keys, "--host-key", filepath.Join(t.TempDir(), "host")},
	} {
		_, errOut, code := runCommand(t, env, args...)
		if code != 2 || !strings.Contains(errOut, path) || !strings.Contains(errOut, "could not be read") ||
			!strings.Contains(errOut, "a directory") || !strings.Contains(errOut, "left as it is") {
			t.Errorf("%v: exit %d, want 2 naming %s and its cause\n%s", args[0], code, path, errOut)
		}
	}
	// The dashboard, in a terminal: it exits 2 and says why.
	errFile := filepath.Join(t.TempDir(), "stderr")
	x := newTmux(t)
	x.run("new-session", "-d", "-s", "dw", "-x", "80", "-y", "24",
		"env "+strings.Join(env, " ")+" TERM=screen NO_COLOR=1 "+binary+" "+key+" 2>"+errFile+"; echo EXIT=$?; sleep 60")
	x.waitFor("EXIT=2")
	if stderr := string(mustRead(t, errFile)); !strings.Contains(stderr, path) || !strings.Contains(stderr, "a directory") {
		t.Errorf("the dashboard did not say why it stopped: %q", stderr)
	}

	out, errOut, code := runBinary(t, env, "", "status", "--budget", "100", key)
	if code != 1 || !strings.Contains(out, "not asked") || !strings.Contains(errOut, "could not be read") ||
		strings.Contains(errOut, "keeps the rest") || strings.Contains(errOut, "moves the file aside") || !strings.Contains(errOut, "left as it is") ||
		strings.Contains(out+errOut, "owner or mode") || !strings.Contains(out, "move it out of the way") {
		t.Errorf("status: exit %d\n%s%s", code, out, errOut)
	}
	out, _, code = runBinary(t, env, "", "doctor", "--budget", "100")
	if line, ok := doctorLine(t, out, "budget"); code != 1 || ok || !strings.Contains(line, "not a regular file") {
		t.Errorf("doctor: exit %d\n%s", code, out)
	}
	if n := s.Calls("readStatus") + s.Calls("batchSend") + s.Calls("recall"); n != 0 {
		t.Errorf("%d calls made on an unreadable state", n)
	}
	for _, name := range dirNames(t, dir) {
		if name != "state.json" && name != "state.lock" && name != "calls.lock" && name != "dingwatch.log" {
			t.Errorf("%s appeared beside the unreadable state", name)
		}
	}
	if inside := dirNames(t, path); len(inside) != 0 {
		t.Errorf("written into the state path: %v", inside)
	}
}

// runCommand is runBinary for a command line whose first word is a
// program (dingwatch itself when it is not one).
func runCommand(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	if args[0] != "timeout" {
		return runBinary(t, env, "", args...)
	}
	return runExec(t, env, "", args[0], args[1:]...)
}
