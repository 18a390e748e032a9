package cli

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/dingwatch/dingwatch/watch"
)

// quitKeys is how many keys the state of these tests holds: a save takes
// long enough that a server exiting without waiting for it loses it.
const quitKeys = 20000

// expiredState writes a state of n lone keys sent two days ago (nothing
// to poll) under env's state directory and returns that directory.
func expiredState(t *testing.T, env []string, n int) string {
	t.Helper()
	dir := stateDir(env)
	store, st, _, err := watch.OpenStore(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e := watch.NewEngine(watch.Options{Store: store, State: st, RobotCode: "dingdemo"})
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("quitKey%05d", i)
	}
	if _, err := e.Add(watch.AddSpec{Keys: keys, SentAt: time.Now().Add(-48 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// savedKeys is how many keys the state file in dir holds.
func savedKeys(t *testing.T, dir string) int {
	t.Helper()
	st, err := watch.LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(st.Keys)
}

// servedDashboard is a dingwatch serve process and one SSH dashboard
// session on it.
type servedDashboard struct {
	cmd    *exec.Cmd
	exited chan error // serve's exit, once its stderr is read to the end
	stderr *lockedBuffer
	in     io.Writer
	out    *lockedBuffer // everything the session drew
}

// serveDashboard starts serve on env's state and opens a 120×40 dashboard
// session on it; serve is killed with the test if still running.
func serveDashboard(t *testing.T, env []string) *servedDashboard {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	keys := filepath.Join(t.TempDir(), "authorized_keys")
	os.WriteFile(keys, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600)
	s := &servedDashboard{cmd: exec.Command(binary, "serve", "--listen", "127.0.0.1:0", "--authorized-keys", keys),
		exited: make(chan error, 1), stderr: &lockedBuffer{}, out: &lockedBuffer{}}
	s.cmd.Env = env
	pipe, _ := s.cmd.StderrPipe()
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.cmd.Process.Kill() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			s.stderr.WriteString(sc.Text() + "\n")
			if m := announceRE.FindStringSubmatch(sc.Text()); m != nil {
				addr <- "127.0.0.1:" + m[1]
			}
		}
		s.exited <- s.cmd.Wait()
	}()
	var a string
	select {
	case a = <-addr:
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start: %s", s.stderr.String())
	}
	client, err := gossh.Dial("tcp", a, &gossh.ClientConfig{User: "lead", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: func(string, net.Addr, gossh.PublicKey) error { return nil }, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm", 40, 120, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	s.in, _ = sess.StdinPipe()
	outPipe, _ := sess.StdoutPipe()
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := outPipe.Read(buf)
			s.out.WriteString(string(buf[:n]))
			if err != nil {
				return
			}
		}
	}()
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	return s
}

// drawn waits until the session has drawn want after the first from
// bytes of its output, and returns where want ends.
func (s *servedDashboard) drawn(t *testing.T, from int, want string) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		out := s.out.String()
		if i := strings.Index(out[min(from, len(out)):], want); i >= 0 {
			return min(from, len(out)) + i + len(want)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("the session never drew %q", want)
	return 0
}

// stop sends serve sig and waits for it to exit cleanly.
func (s *servedDashboard) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	s.cmd.Process.Signal(sig)
	select {
	case err := <-s.exited:
		if err != nil {
			t.Fatalf("serve exited with %v: %s", err, s.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop: %s", s.stderr.String())
	}
}

// remove removes the dashboard's first row, answering its question once
// y counts, and returns where the question's answer starts in the output.
func (s *servedDashboard) remove(t *testing.T, from int) int {
	t.Helper()
	io.WriteString(s.in, "d")
	at := s.drawn(t, from, "in a moment)")
	at = s.drawn(t, at, "y removes · ")
	io.WriteString(s.in, "y")
	return at
}

// A key removed in an SSH session and the server stopped the moment the
// session shows it gone (SIGTERM, or SIGINT as ctrl+c): the state file no
// longer holds it.
func TestServeSavesASessionsChangeWhenStopped(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			s := startSim(t)
			env := simEnv(t, s)
			dir := expiredState(t, env, quitKeys)
			d := serveDashboard(t, env)
			at := d.drawn(t, 0, fmt.Sprintf("Watched (%d)", quitKeys))
			at = d.remove(t, at)
			d.drawn(t, at, fmt.Sprintf("Watched (%d)", quitKeys-1))
			d.stop(t, sig)
			if got := savedKeys(t, dir); got != quitKeys-1 {
				t.Fatalf("the session removed a key and serve stopped: the state file holds %d keys, want %d", got, quitKeys-1)
			}
		})
	}
}

// A change another dingwatch hands to serve through the inbox, and serve
// stopped the moment a session shows it taken: the state file holds it.
func TestServeSavesWhatItTookFromTheInboxWhenStopped(t *testing.T) {
	s := startSim(t)
	env := simEnv(t, s)
	dir := expiredState(t, env, quitKeys)
	d := serveDashboard(t, env)
	at := d.drawn(t, 0, fmt.Sprintf("Watched (%d)", quitKeys))
	follower, _, _, err := watch.OpenStore(dir, time.Now())
	if err != nil || !follower.ReadOnly() {
		t.Fatalf("serve must own the state: %v", err)
	}
	defer follower.Close()
	if err := follower.Deliver(watch.Parcel{Ops: []watch.Op{{Kind: watch.OpRemove, Names: []string{"quitKey00007"}}}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	d.drawn(t, at, fmt.Sprintf("Watched (%d)", quitKeys-1))
	d.stop(t, syscall.SIGTERM)
	st, err := watch.LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Key("quitKey00007") != nil || len(st.Keys) != quitKeys-1 {
		t.Fatalf("serve took the removal from its inbox and stopped: the file holds %d keys, quitKey00007 %v", len(st.Keys), st.Key("quitKey00007") != nil)
	}
}
