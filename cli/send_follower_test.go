package cli

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// startOwner starts `dingwatch serve` on env's state and returns once it
// has announced itself (it owns the state then); it is stopped with the
// test.
func startOwner(t *testing.T, env []string) *exec.Cmd {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	keys := filepath.Join(t.TempDir(), "authorized_keys")
	os.WriteFile(keys, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600)
	cmd := exec.Command(binary, "serve", "--listen", "127.0.0.1:0", "--authorized-keys", keys, "--interval", "1s")
	cmd.Env = env
	stderrPipe, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderrPipe)
		once := false
		for sc.Scan() {
			if !once && fingerprintRE.MatchString(sc.Text()) {
				once = true
				close(ready)
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGCONT)
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	select {
	case <-ready:
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not start")
	}
	return cmd
}

// TestSendWhileAnotherDingwatchOwnsTheState: with serve owning the state
// (this send follows it and hands it the notice), a send returns only
// once the owner has saved the notice, so `status --notice L` right after
// finds it and a second `send --label L` is refused before anything is
// sent, not joined to the first (G12).
func TestSendWhileAnotherDingwatchOwnsTheState(t *testing.T) {
	s := startSim(t)
	s.AddPeople(crew...)
	env := simEnv(t, s)
	startOwner(t, env)

	_, errOut, code := runBinary(t, env, "", "send", "--to", "u1,u2", "--text", "hi", "--label", "Race1")
	if code != 0 {
		t.Fatalf("send as a follower: exit %d\n%s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(stateDir(env), "inbox")); err != nil {
		t.Fatalf("the send did not hand its notice to serve: %v", err)
	}
	out, errOut, code := runBinary(t, env, "", "status", "--notice", "Race1")
	if code != 0 || !strings.Contains(out, "Race1") {
		t.Fatalf("status --notice right after the send: exit %d\n%s%s", code, out, errOut)
	}
	sends := s.Calls("batchSend")
	_, errOut, code = runBinary(t, env, "", "send", "--to", "u3", "--text", "hi", "--label", "Race1")
	if code != 2 || !strings.Contains(errOut, `a notice is labelled "Race1" already`) || s.Calls("batchSend") != sends {
		t.Fatalf("the second send with the label: exit %d, %d batchSend calls\n%s", code, s.Calls("batchSend")-sends, errOut)
	}
	// Two notices sent in a row stay two notices.
	for _, label := range []string{"A1", "A2"} {
		if _, errOut, code := runBinary(t, env, "", "send", "--to", "u3", "--text", "hi", "--label", label); code != 0 {
			t.Fatalf("send %s: exit %d\n%s", label, code, errOut)
		}
	}
	out, _, _ = runBinary(t, env, "", "status", "--json", "--notice", "A1")
	if strings.Count(out, `"processQueryKey"`) != 1 {
		t.Fatalf("notice A1 holds other keys:\n%s", out)
	}
}
