package serve

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
)

// closedWithin reports whether the server closes conn (a read returns an
// error) before limit, and how long it took.
func closedWithin(conn net.Conn, limit time.Duration) (bool, time.Duration) {
	start := time.Now()
	conn.SetReadDeadline(start.Add(limit))
	buf := make([]byte, 256)
	for {
		if _, err := conn.Read(buf); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return false, time.Since(start)
			}
			return true, time.Since(start)
		}
	}
}

// cursorPosition matches the cursor moves a frame starts with.
var cursorPosition = regexp.MustCompile(`\x1b\[[0-9;]*H`)

// screenLines splits a raw terminal stream into the lines it draws,
// without escape sequences.
func screenLines(stream string) []string {
	return strings.Split(ansi.Strip(cursorPosition.ReplaceAllString(stream, "\n")), "\n")
}

func windowOf(w, h int) ssh.Window { return ssh.Window{Width: w, Height: h} }

func TestSilentConnectionIsClosedAfterLoginGrace(t *testing.T) {
	f := startWith(t, func(o *Options) { o.LoginGrace = 200 * time.Millisecond })
	silent, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	if ok, took := closedWithin(silent, 10*time.Second); !ok {
		t.Fatalf("a silent connection was still open after %v (grace 200ms)", took)
	}

	// A client trickling bytes does not extend the grace: it covers the
	// whole handshake, not each read.
	slow, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	var closed atomic.Bool
	go func() {
		for _, b := range []byte("SSH-2.0-slowloris-and-then-some-more-bytes\r\n") {
			if closed.Load() {
				return
			}
			if _, err := slow.Write([]byte{b}); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	ok, took := closedWithin(slow, 10*time.Second)
	closed.Store(true)
	if !ok {
		t.Fatalf("a trickling connection was still open after %v (grace 200ms)", took)
	}
	if n := f.server.gate.unauthenticated(); n != 0 {
		t.Fatalf("%d slots still held after the connections closed", n)
	}

}

func TestALoginOutlivesTheLoginGrace(t *testing.T) {
	// The read that waits while the login completes must lose the grace
	// deadline: a session must not die when the grace would have ended.
	const grace = time.Second
	f := startWith(t, func(o *Options) { o.LoginGrace = grace })
	c, err := f.dial(t, f.user)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	time.Sleep(grace + 500*time.Millisecond) // logged in, silent past the grace
	sess, err := c.NewSession()
	if err != nil {
		t.Fatalf("a logged-in connection was closed at the end of the login grace: %v", err)
	}
	if out, err := sess.Output("status"); err != nil || !strings.Contains(string(out), "Weekly") {
		t.Fatalf("%v %q", err, out)
	}
}

func TestConnectionsNotLoggedInAreCapped(t *testing.T) {
	var logBuf syncBuffer
	f := startWith(t, func(o *Options) {
		o.LoginGrace = time.Minute
		o.MaxUnauthenticated = 4
		o.MaxUnauthPerSource = 2
		o.Log = slog.New(slog.NewTextHandler(&logBuf, nil))
	})
	dialFrom := func(ip string) net.Conn {
		t.Helper()
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
		c, err := d.Dial("tcp", f.addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	// banner waits for the server's SSH greeting: the connection holds a slot.
	banner := func(c net.Conn) bool {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 4)
		_, err := io.ReadFull(c, buf)
		return err == nil && string(buf) == "SSH-"
	}
	// The fixture's readiness probe came from 127.0.0.1 too: on a busy
	// machine the server may not yet have seen it close, and it would still
	// hold one of this address's two slots.
	for deadline := time.Now().Add(5 * time.Second); f.server.gate.unauthenticated() > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	a1, a2 := dialFrom("127.0.0.1"), dialFrom("127.0.0.1")
	if !banner(a1) || !banner(a2) {
		t.Fatal("the first two connections were not greeted")
	}
	if ok, _ := closedWithin(dialFrom("127.0.0.1"), 5*time.Second); !ok {
		t.Fatal("a third connection from one address was kept (cap 2 per source)")
	}
	b1, b2 := dialFrom("127.0.0.2"), dialFrom("127.0.0.2")
	if !banner(b1) || !banner(b2) {
		t.Fatal("another address was refused while below the total cap")
	}
	if ok, _ := closedWithin(dialFrom("127.0.0.3"), 5*time.Second); !ok {
		t.Fatal("a fifth connection was kept (cap 4 in total)")
	}
	// A slot given back admits the next client, whose login frees its slot.
	a1.Close()
	deadline := time.Now().Add(5 * time.Second)
	for f.server.gate.unauthenticated() > 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	c, err := f.dial(t, f.user)
	if err != nil {
		t.Fatalf("a login after a slot was freed: %v", err)
	}
	defer c.Close()
	if n := f.server.gate.unauthenticated(); n != 3 {
		t.Fatalf("%d connections counted as not logged in, want 3 (the logged-in one gave its slot back)", n)
	}
	f.server.refused.flush(time.Minute)
	if !strings.Contains(logBuf.String(), "too many connections not logged in from this address") {
		t.Fatalf("the refusals are not in the log:\n%s", logBuf.String())
	}
}

func TestHugeWindowIsClampedAndMemoryBounded(t *testing.T) {
	f := start(t)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // sample the heap while the huge sessions draw
		defer wg.Done()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	term := f.openTerminalSized(t, f.user, 10000, 10000)
	term.waitFor(t, "Watched (2)")
	// Every window change is clamped too.
	if _, err := term.sess.SendRequest("window-change", true, gossh.Marshal(struct{ W, H, PW, PH uint32 }{20000, 20000, 0, 0})); err != nil {
		t.Fatal(err)
	}
	term.in.Write([]byte("j"))
	time.Sleep(500 * time.Millisecond)
	term.in.Write([]byte("k"))
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	growth := int64(peak.Load()) - int64(before.HeapAlloc)
	// Drawn at 10000x10000 one frame takes gigabytes; at 500x200 a few MB.
	const limit = 256 << 20
	if growth > limit {
		t.Fatalf("the heap grew by %d MB while a 10000x10000 terminal was drawn (limit %d MB)", growth>>20, limit>>20)
	}
	t.Logf("heap growth with a 10000x10000 terminal: %.1f MB", float64(growth)/(1<<20))
	for _, line := range screenLines(term.out.String()) {
		if w := ansi.StringWidth(line); w > MaxTermWidth {
			t.Fatalf("a line %d columns wide was drawn (max %d)", w, MaxTermWidth)
		}
	}
}

func TestClampWindow(t *testing.T) {
	for _, c := range []struct{ w, h, ww, wh int }{
		{80, 24, 80, 24}, {10000, 10000, MaxTermWidth, MaxTermHeight}, {0, 0, 0, 0}, {501, 199, 500, 199},
	} {
		w, h := clampWindow(windowOf(c.w, c.h))
		if w != c.ww || h != c.wh {
			t.Errorf("%dx%d clamped to %dx%d, want %dx%d", c.w, c.h, w, h, c.ww, c.wh)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for a logger and a test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func (s *syncBuffer) reset() { s.mu.Lock(); defer s.mu.Unlock(); s.b.Reset() }

func TestEnvironmentRequestsAreCapped(t *testing.T) {
	f := start(t)
	c, err := f.dial(t, f.user)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	accepted := 0
	for i := range 3 * maxEnvRequests {
		ok, err := sess.SendRequest("env", true, gossh.Marshal(struct{ Name, Value string }{fmt.Sprintf("V%d", i), strings.Repeat("x", 1000)}))
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			accepted++
		}
	}
	if accepted != maxEnvRequests {
		t.Fatalf("%d env requests accepted, want %d", accepted, maxEnvRequests)
	}
	if ok, _ := sess.SendRequest("env", true, gossh.Marshal(struct{ Name, Value string }{"BIG", strings.Repeat("x", maxEnvPayload)})); ok {
		t.Fatal("an env request past the size cap was accepted")
	}
	out, err := sess.Output("status") // the session still works
	if err != nil || !strings.Contains(string(out), "Weekly") {
		t.Fatalf("%v %q", err, out)
	}
}

func TestSessionsPerConnectionAreCapped(t *testing.T) {
	f := start(t)
	c, err := f.dial(t, f.user)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	open := func() error {
		sess, err := c.NewSession()
		if err != nil {
			return err
		}
		if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
			return err
		}
		sess.Stdout = io.Discard
		return sess.Shell()
	}
	for i := range maxSessionsPerConn {
		if err := open(); err != nil {
			t.Fatalf("session %d: %v", i+1, err)
		}
	}
	if err := open(); err == nil {
		t.Fatalf("a session past %d on one connection started", maxSessionsPerConn)
	}
}

func TestAFloodOfResizesEndsAtTheLastSize(t *testing.T) {
	f := start(t)
	term := f.openTerminal(t, f.user)
	term.waitFor(t, "Watched (2)")
	resize := func(w, h uint32) {
		if _, err := term.sess.SendRequest("window-change", false, gossh.Marshal(struct{ W, H, PW, PH uint32 }{w, h, 0, 0})); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 500 {
		resize(uint32(60+i%40), 30)
	}
	resize(93, 25)
	deadline := time.Now().Add(10 * time.Second)
	for {
		lines := screenLines(term.out.String())
		widest := 0
		for _, l := range lines[max(0, len(lines)-25):] {
			widest = max(widest, ansi.StringWidth(l))
		}
		if widest == 93 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the resizes the last frame is %d columns wide, want 93", widest)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSubsystemsAreRefusedWithoutUsingSessionSlots(t *testing.T) {
	f := start(t)
	c, err := f.dial(t, f.user)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range maxSessionsPerConn + 2 {
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		if err := sess.RequestSubsystem("sftp"); err == nil {
			t.Fatal("an sftp subsystem was granted")
		}
		sess.Close()
	}
	sess, _ := c.NewSession()
	if out, err := sess.Output("status"); err != nil || !strings.Contains(string(out), "Weekly") {
		t.Fatalf("after refused subsystems a command did not run: %v %q", err, out)
	}
}
