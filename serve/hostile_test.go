package serve

import (
	"context"
	"log/slog"
	"net"
	"sort"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/internal/safetext/safetexttest"
	"github.com/dingwatch/dingwatch/watch"
)

// hostileNames lists the hostile table in a fixed order.
func hostileNames() []string {
	names := make([]string, 0, len(safetexttest.Hostile))
	for n := range safetexttest.Hostile {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// addHostile watches one key per hostile string: labelled with it, sent
// to a person named with it (with it as userId too) who has not read, and
// to one who has.
func addHostile(t *testing.T, f *fixture) {
	t.Helper()
	for _, name := range hostileNames() {
		s := safetexttest.Hostile[name]
		key := f.sim.AddMessage("dingdemo", f.clk.Now().Add(-time.Minute), []sim.Person{
			{UserID: s, Name: s, ReadAfter: sim.Never}, {UserID: "r-" + name, Name: s, ReadAfter: 0}})
		if _, err := f.engine.Add(watch.AddSpec{Keys: []string{key}, Label: s, SentAt: f.clk.Now().Add(-time.Minute)}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	f.engine.PollOnce(context.Background())
}

func TestHostileTextThroughTheTextStatus(t *testing.T) {
	f := start(t)
	addHostile(t, f)
	out, errOut, code := f.run(t, f.viewer, "status")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	safetexttest.AssertInert(t, "ssh text status", out, true)
	if n := strings.Count(out, "  unread  "); n < len(safetexttest.Hostile) {
		t.Fatalf("%d unread lines for %d hostile people: some rows were lost or merged:\n%s", n, len(safetexttest.Hostile), out)
	}
	// The same through a session without a command (ssh -T).
	c, err := f.dial(t, f.user)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, _ := c.NewSession()
	plain, err := sess.Output("")
	if err != nil {
		t.Fatal(err)
	}
	safetexttest.AssertInert(t, "ssh -T text status", string(plain), true)
}

func TestHostileTextThroughTheDashboardOverSSH(t *testing.T) {
	f := start(t)
	addHostile(t, f)
	c, err := gossh.Dial("tcp", f.addr, &gossh.ClientConfig{User: safetexttest.Hostile["window title"],
		Auth: []gossh.AuthMethod{gossh.PublicKeys(f.viewer)}, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	term := &terminal{client: c, sess: sess, out: &screen{}, done: make(chan struct{})}
	t.Cleanup(term.close)
	if err := sess.RequestPty("xterm-256color", 60, 200, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	term.in, _ = sess.StdinPipe()
	sess.Stdout = term.out
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	term.waitFor(t, "Watched")
	// Select every row in turn, so each one's detail (names, userIds) is drawn.
	for range len(f.engine.Snapshot().State.Keys) {
		before := len(term.out.String())
		term.in.Write([]byte("j"))
		deadline := time.Now().Add(5 * time.Second)
		for len(term.out.String()) == before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	time.Sleep(200 * time.Millisecond)
	stream := term.out.String()
	// Bubble Tea clears the screen once as it enters the alternate screen:
	// that is dingwatch's own sequence, not a payload.
	stream = strings.Replace(stream, "\x1b[?1049h\x1b[2J", "\x1b[?1049h", 1)
	safetexttest.AssertNoPayload(t, "dashboard over ssh", stream)
}

func TestClientChosenValuesInTheLogAreCleanedAndRefusalsSummed(t *testing.T) {
	var logBuf syncBuffer
	f := startWith(t, func(o *Options) { o.Log = slog.New(slog.NewTextHandler(&logBuf, nil)) })
	stranger := newSigner(t)
	long := strings.Repeat("A", 100000)
	for i := range 20 {
		user := "evil\x1b]0;owned\x07\n" + long
		if i > 0 {
			user = safetexttest.Hostile[hostileNames()[i%len(safetexttest.Hostile)]]
		}
		// From an address of its own, apart from the fixture's probe.
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.9")}, Timeout: 5 * time.Second}
		conn, err := d.Dial("tcp", f.addr)
		if err != nil {
			t.Fatal(err)
		}
		_, _, _, err = gossh.NewClientConn(conn, f.addr, &gossh.ClientConfig{User: user, Auth: []gossh.AuthMethod{gossh.PublicKeys(stranger)},
			HostKeyCallback: gossh.InsecureIgnoreHostKey()})
		conn.Close()
		if err == nil {
			t.Fatal("a stranger logged in")
		}
	}
	// A session by a user with a hostile name and command.
	c, err := gossh.Dial("tcp", f.addr, &gossh.ClientConfig{User: "x\x1b[2J" + long, Auth: []gossh.AuthMethod{gossh.PublicKeys(f.user)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	sess, _ := c.NewSession()
	sess.Run("status \x1b]52;c;ZWNobw==\x07 " + long)
	c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for !(strings.Contains(logBuf.String(), `msg="ssh session"`) && f.server.gate.unauthenticated() == 0) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	f.server.refused.flush(time.Minute)
	log := logBuf.String()
	safetexttest.AssertInert(t, "log", log, true)
	if len(log) > 8000 {
		t.Fatalf("%d bytes of log for 21 connections: client-chosen values were not cut short", len(log))
	}
	if n := strings.Count(log, `msg="ssh: refused" remote=127.0.0.9`); n != 1 {
		t.Fatalf("%d full refusal lines for 20 refusals from one address, want 1:\n%s", n, log)
	}
	if !strings.Contains(log, `msg="ssh: refused again" remote=127.0.0.9 count=19`) {
		t.Fatalf("the repeated refusals are not summed up:\n%s", log)
	}
}

// TestHostileLabelsInTheStatusExitReasons: the stderr line that says why
// `ssh … status` exits 1 names each troubled notice by its label, cleaned:
// a notice labelled with each hostile string, whose one batch failed.
func TestHostileLabelsInTheStatusExitReasons(t *testing.T) {
	f := start(t)
	for _, name := range hostileNames() {
		f.sim.Inject(sim.Fault{Endpoint: "batchSend", Kind: sim.Answer, Status: 400, Code: "invalidParameter.param.invalid", Times: 1})
		if _, err := f.engine.Send(context.Background(), watch.SendSpec{RobotCode: "dingdemo", UserIDs: []string{"u1"},
			Message: dingtalk.Text("hi"), Label: safetexttest.Hostile[name]}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for _, cmd := range []string{"status", "status --json", "status --csv"} {
		_, errOut, code := f.run(t, f.viewer, cmd)
		if code != 1 || strings.Count(errOut, "did not reach 1 person") != len(safetexttest.Hostile) {
			t.Fatalf("%s: exit %d\n%s", cmd, code, errOut)
		}
		safetexttest.AssertInert(t, cmd+" stderr", strings.TrimSuffix(errOut, "\n"), false) // one line
	}
}
