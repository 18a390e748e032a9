package serve

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/watch"
)

func newSigner(t testing.TB) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fixture is a server on loopback with one user and one viewer, an engine
// on a simulator with two keys, and a clock the test moves.
type fixture struct {
	addr         string
	user, viewer gossh.Signer
	sim          *sim.Server
	engine       *watch.Engine
	clk          *sim.Clock
	server       *Server
	hostKey      string
	keys         []string
}

func start(t testing.TB) *fixture { t.Helper(); return startWith(t, nil) }

// startWith starts a fixture whose server options mod may change (before
// New; the users and viewers are set already).
func startWith(t testing.TB, mod func(*Options)) *fixture {
	t.Helper()
	return startPolicy(t, watch.Policy{}, mod)
}

// startPolicy is startWith with the engine's poll policy.
func startPolicy(t testing.TB, policy watch.Policy, mod func(*Options)) *fixture {
	t.Helper()
	f := &fixture{user: newSigner(t), viewer: newSigner(t), clk: sim.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))}
	s, err := sim.Start(sim.Options{Now: f.clk.Now, NotReadyFor: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f.sim = s
	for _, label := range []string{"Weekly", "Patch"} {
		key := s.AddMessage("dingdemo", f.clk.Now().Add(-time.Minute), []sim.Person{
			{UserID: "u1", Name: "张伟", ReadAfter: 0}, {UserID: "u2", Name: "Alice", ReadAfter: sim.Never}})
		f.keys = append(f.keys, key)
		_ = label
	}
	c, _ := dingtalk.New(dingtalk.Options{Endpoint: s.URL(), Credentials: dingtalk.Credentials{AppKey: "demo", AppSecret: "demo-secret"},
		Rate: 1000, Retries: -1, Now: f.clk.Now})
	f.engine = watch.NewEngine(watch.Options{Client: c, Sender: c, RobotCode: "dingdemo", Now: f.clk.Now, Policy: policy})
	f.engine.Add(watch.AddSpec{Keys: f.keys[:1], Label: "Weekly", SentAt: f.clk.Now().Add(-time.Minute)})
	f.engine.Add(watch.AddSpec{Keys: f.keys[1:], Label: "Patch", SentAt: f.clk.Now().Add(-time.Minute)})
	f.engine.PollOnce(context.Background())

	f.hostKey = filepath.Join(t.TempDir(), "host_ed25519")
	opts := Options{Engine: f.engine, HostKeyPath: f.hostKey, Now: f.clk.Now,
		Users: []ssh.PublicKey{f.user.PublicKey()}, Viewers: []ssh.PublicKey{f.viewer.PublicKey()},
		IdleTimeout: time.Minute, MaxTimeout: 5 * time.Minute, Region: "simulated"}
	if mod != nil {
		mod(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr, f.server = ln.Addr().String(), srv
	go srv.Serve(ln)
	// Wait until it accepts: shutting down a server that has not started
	// serving races inside the ssh library.
	waitSSH(t, f.addr)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return f
}

func (f *fixture) dial(t testing.TB, signer gossh.Signer) (*gossh.Client, error) {
	t.Helper()
	return gossh.Dial("tcp", f.addr, &gossh.ClientConfig{User: "manager", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
}

// screen is what a session printed so far. Like a terminal that answers
// no queries, it never writes back.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write records p.
func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}
func (s *screen) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.buf.String() }

// terminal opens a session with a PTY running the dashboard.
type terminal struct {
	client *gossh.Client
	sess   *gossh.Session
	in     interface{ Write([]byte) (int, error) }
	out    *screen
	done   chan struct{} // closed when the session ends
	exit   error         // of sess.Wait, once done
}

func (f *fixture) openTerminal(t testing.TB, signer gossh.Signer) *terminal {
	t.Helper()
	return f.openTerminalSized(t, signer, 110, 30)
}

// openTerminalSized opens a dashboard session on a terminal of width x height.
func (f *fixture) openTerminalSized(t testing.TB, signer gossh.Signer, width, height int) *terminal {
	t.Helper()
	c, err := f.dial(t, signer)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", height, width, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	in, _ := sess.StdinPipe()
	out := &screen{}
	sess.Stdout = out
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	term := &terminal{client: c, sess: sess, in: in, out: out, done: make(chan struct{})}
	go func() { term.exit = sess.Wait(); close(term.done) }()
	t.Cleanup(term.close)
	return term
}

// ended reports whether the session has ended.
func (term *terminal) ended() bool {
	select {
	case <-term.done:
		return true
	default:
		return false
	}
}

// waitEnd waits (10s at most) for the session to end.
func (term *terminal) waitEnd(t testing.TB) {
	t.Helper()
	select {
	case <-term.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("the session did not end; it printed:\n%q", clip(term.out.String(), 2000))
	}
}

// assertRestoredWith checks that after the dashboard's last frame the
// client's terminal was given back (alternate screen off, cursor shown),
// then told why in one line, and that the exit status is not zero.
func (term *terminal) assertRestoredWith(t testing.TB, reason string) {
	t.Helper()
	out := term.out.String()
	off := strings.LastIndex(out, "\x1b[?1049l")
	shown := strings.LastIndex(out, "\x1b[?25h")
	why := strings.LastIndex(out, "dingwatch: "+reason)
	if off < 0 || shown < 0 || why < max(off, shown) {
		t.Fatalf("alternate screen off at %d, cursor shown at %d, reason at %d; the stream ends:\n%q", off, shown, why, out[max(0, len(out)-400):])
	}
	if rest := out[why:]; strings.Count(strings.TrimRight(rest, "\r\n"), "\n") != 0 || strings.Contains(rest, "\x1b") {
		t.Fatalf("more than one plain line after the terminal was restored: %q", rest)
	}
	var ee *gossh.ExitError
	if !errors.As(term.exit, &ee) || ee.ExitStatus() == 0 {
		t.Fatalf("exit %v, want a non-zero status", term.exit)
	}
}

func (term *terminal) close() {
	term.sess.Close()
	term.client.Close()
}

func (term *terminal) waitFor(t testing.TB, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(term.out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("never saw %q in:\n%q", want, term.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAuthorizedKeyGetsDashboard(t *testing.T) {
	f := start(t)
	term := f.openTerminal(t, f.user)
	term.waitFor(t, "Watched (2)")
	term.waitFor(t, "Weekly")
	term.in.Write([]byte("q"))
	term.waitEnd(t)
	if term.exit != nil {
		t.Fatalf("q ended the session with %v", term.exit)
	}
}

func TestUnknownKeyIsRefused(t *testing.T) {
	f := start(t)
	if c, err := f.dial(t, newSigner(t)); err == nil {
		c.Close()
		t.Fatal("an unknown key got in")
	}
}

func TestViewerCannotSend(t *testing.T) {
	f := start(t)
	term := f.openTerminal(t, f.viewer)
	term.waitFor(t, "view only")
	for _, k := range []string{"s", "a", "x", "d", "m"} {
		term.in.Write([]byte(k))
		time.Sleep(50 * time.Millisecond)
	}
	term.in.Write([]byte("?"))
	term.waitFor(t, "any key closes")
	out := term.out.String()
	for _, form := range []string{"Send a notice", "Add keys", "Recall", "Stop watching", "Remind"} {
		if strings.Contains(out, form) {
			t.Fatalf("a viewer reached %q", form)
		}
	}
	if n := f.sim.Calls("batchSend") + f.sim.Calls("batchRecall"); n != 0 {
		t.Fatalf("%d changing calls from a viewer", n)
	}
	if _, err := (readOnly{f.engine, "ssh-test"}).Send(context.Background(), watch.SendSpec{UserIDs: []string{"u1"}}); err == nil {
		t.Fatal("the viewer's engine sent")
	}
}

func TestSessionsShareOnePoller(t *testing.T) {
	f := start(t)
	perRefresh := func() int {
		before := f.sim.Calls("readStatus")
		f.clk.Add(time.Minute)
		f.engine.Refresh("")
		f.engine.PollOnce(context.Background())
		return f.sim.Calls("readStatus") - before
	}
	one := f.openTerminal(t, f.user)
	one.waitFor(t, "Watched (2)")
	withOne := perRefresh()
	for range 2 {
		f.openTerminal(t, f.user).waitFor(t, "Watched (2)")
	}
	if got := f.engine.Subscribers(); got != 3 {
		t.Fatalf("%d subscribers, want 3", got)
	}
	withThree := perRefresh()
	if withOne != len(f.keys) || withThree != withOne {
		t.Fatalf("readStatus calls per refresh: %d with one session, %d with three; want %d both", withOne, withThree, len(f.keys))
	}
}

func TestSessionWithoutPTYGetsText(t *testing.T) {
	f := start(t)
	c, err := f.dial(t, f.user)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, _ := c.NewSession()
	out, err := sess.Output("status")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "Weekly  read 1/2") || !strings.Contains(string(out), "unread  Alice  u2") {
		t.Fatalf("%q", out)
	}
}

func TestClosedSessionsLeakNothing(t *testing.T) {
	f := start(t)
	warm := f.openTerminal(t, f.user) // a first session starts the server's lasting goroutines
	warm.waitFor(t, "Watched (2)")
	warm.close()
	waitGoroutines(t, f, -1)
	base := runtime.NumGoroutine()
	for range 3 {
		term := f.openTerminal(t, f.user)
		term.waitFor(t, "Watched (2)")
		term.close()
	}
	waitGoroutines(t, f, base)
}

// waitGoroutines waits until no session is subscribed and, when base ≥ 0,
// the goroutines are back to base.
func waitGoroutines(t *testing.T, f *fixture, base int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if f.engine.Subscribers() == 0 && (base < 0 || n <= base) {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines (base %d), %d subscribers:\n%s", n, base, f.engine.Subscribers(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestHostKeyCreatedPrivateAndReused(t *testing.T) {
	f := start(t)
	fi, err := os.Stat(f.hostKey)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("host key %v %v", fi, err)
	}
	first, _ := os.ReadFile(f.hostKey)
	if _, err := New(Options{Engine: f.engine, HostKeyPath: f.hostKey, Users: []ssh.PublicKey{f.user.PublicKey()}}); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(f.hostKey)
	if !bytes.Equal(first, again) {
		t.Fatal("the host key changed on restart")
	}
	os.Chmod(f.hostKey, 0o644)
	if _, err := New(Options{Engine: f.engine, HostKeyPath: f.hostKey, Users: []ssh.PublicKey{f.user.PublicKey()}}); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a host key others can read was used: %v", err)
	}
}

func TestLoadAuthorizedKeys(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "keys")
	line := string(gossh.MarshalAuthorizedKey(newSigner(t).PublicKey()))
	os.WriteFile(good, []byte("# team\n\n"+line), 0o600)
	keys, refused, err := LoadAuthorizedKeys(good)
	if err != nil || len(keys) != 1 || len(refused) != 0 {
		t.Fatalf("%v %d %v", err, len(keys), refused)
	}
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte(line+"not a key\n"), 0o600)
	if _, _, err := LoadAuthorizedKeys(bad); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("%v", err)
	}
}

// waitSSH waits until the server at addr greets with its SSH banner.
func waitSSH(t testing.TB, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			buf := make([]byte, 4)
			_, err = conn.Read(buf)
			conn.Close()
			if err == nil && string(buf) == "SSH-" {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server never answered: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestKeyFileReloadsAndFailsClosed(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys")
	a, b := newSigner(t), newSigner(t)
	os.WriteFile(path, gossh.MarshalAuthorizedKey(a.PublicKey()), 0o600)
	f, err := OpenKeyFile(path, slog.New(slog.DiscardHandler))
	if err != nil || len(f.Keys()) != 1 {
		t.Fatal(err)
	}
	has := func(s gossh.Signer) bool {
		for _, k := range f.Keys() {
			if ssh.KeysEqual(k.Key, s.PublicKey()) {
				return true
			}
		}
		return false
	}
	os.WriteFile(path, append(gossh.MarshalAuthorizedKey(a.PublicKey()), gossh.MarshalAuthorizedKey(b.PublicKey())...), 0o600)
	if !f.Reload() || !has(b) {
		t.Fatal("a key added to the file was not picked up")
	}
	if f.Reload() {
		t.Fatal("an unchanged file reported a change")
	}
	os.WriteFile(path, append([]byte("garbage\n"), gossh.MarshalAuthorizedKey(b.PublicKey())...), 0o600)
	if !f.Reload() || has(a) || !has(b) || len(f.Refused()) != 1 || f.Refused()[0].Line != 1 {
		t.Fatalf("a broken line must grant nothing while the others work: %d keys, refused %v", len(f.Keys()), f.Refused())
	}
	os.Remove(path)
	if !f.Reload() || len(f.Keys()) != 0 {
		t.Fatal("a key file that disappeared still grants keys")
	}
	os.WriteFile(path, gossh.MarshalAuthorizedKey(a.PublicKey()), 0o600)
	if !f.Reload() || !has(a) {
		t.Fatal("a key file put back is not read")
	}
	os.Chmod(path, 0o620)
	if !f.Reload() || len(f.Keys()) != 0 {
		t.Fatal("a group-writable key file still grants keys")
	}
	if _, err := OpenKeyFile(path, nil); err == nil || !strings.Contains(err.Error(), "writable by group or others") {
		t.Fatalf("opening a group-writable file: %v", err)
	}
	os.Chmod(path, 0o600)
	os.WriteFile(path, []byte("garbage\n"), 0o600)
	if _, err := OpenKeyFile(path, nil); err == nil {
		t.Fatal("opening a broken file must fail")
	}
}
