package serve

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// keyLine is signer's authorized_keys line with options in front.
func keyLine(options string, s gossh.Signer) string {
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))
	if options != "" {
		line = options + " " + line
	}
	return line + "\n"
}

// withKeyFile serves the users of an authorized_keys file holding lines
// (and no key given in code), checked for changes every 20ms.
func withKeyFile(t *testing.T, lines ...string) (path string, mod func(*Options)) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "authorized_keys")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	kf, err := OpenKeyFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return path, func(o *Options) {
		o.Users, o.UsersFile, o.ReloadEvery = nil, kf, 20*time.Millisecond
	}
}

func TestParseAuthorizedKeysOptions(t *testing.T) {
	s := newSigner(t)
	for _, c := range []struct {
		options string
		refused string // part of the reason, "" when accepted
		from    []string
		noPTY   bool
	}{
		{"", "", nil, false},
		{`from="10.0.0.0/8,!10.1.*"`, "", []string{"10.0.0.0/8", "!10.1.*"}, false},
		{`no-pty,no-port-forwarding,no-agent-forwarding,no-X11-forwarding,no-user-rc`, "", nil, true},
		{`command="/bin/ls"`, `"command"`, nil, false},
		{`restrict`, `"restrict"`, nil, false},
		{`permitopen="host:22"`, `"permitopen"`, nil, false},
		{`cert-authority`, `"cert-authority"`, nil, false},
		{`environment="A=b"`, `"environment"`, nil, false},
		{`from="*.example.com"`, "host name", nil, false},
		{`from="10.0.0.0/99"`, "CIDR", nil, false},
		{`from="10.0.0.1",command="x"`, `"command"`, nil, false},
	} {
		keys, refused := ParseAuthorizedKeys([]byte("# comment\n\n" + keyLine(c.options, s)))
		if c.refused != "" {
			if len(keys) != 0 || len(refused) != 1 || refused[0].Line != 3 || !strings.Contains(refused[0].Reason, c.refused) {
				t.Errorf("%s: keys %d, refused %v; want the line refused for %s", c.options, len(keys), refused, c.refused)
			}
			continue
		}
		if len(keys) != 1 || len(refused) != 0 {
			t.Errorf("%s: keys %d, refused %v; want it accepted", c.options, len(keys), refused)
			continue
		}
		if strings.Join(keys[0].From, ",") != strings.Join(c.from, ",") || keys[0].NoPTY != c.noPTY {
			t.Errorf("%s: from %v no-pty %v", c.options, keys[0].From, keys[0].NoPTY)
		}
	}
}

func TestAllowedFrom(t *testing.T) {
	addr := func(s string) net.Addr { a, _ := net.ResolveTCPAddr("tcp", s); return a }
	for _, c := range []struct {
		patterns []string
		addr     string
		want     bool
	}{
		{nil, "192.0.2.1:22", true},
		{[]string{"192.0.2.1"}, "192.0.2.1:22", true},
		{[]string{"192.0.2.1"}, "192.0.2.2:22", false},
		{[]string{"192.0.2.*"}, "192.0.2.77:22", true},
		{[]string{"192.0.2.?"}, "192.0.2.77:22", false},
		{[]string{"10.0.0.0/8"}, "10.200.1.1:22", true},
		{[]string{"10.0.0.0/8", "!10.1.0.0/16"}, "10.1.2.3:22", false},
		{[]string{"!10.1.0.0/16", "10.0.0.0/8"}, "10.2.2.3:22", true},
		{[]string{"!192.0.2.1"}, "192.0.2.2:22", false}, // only negations admit nobody
		{[]string{"127.0.0.1"}, "[::ffff:127.0.0.1]:22", true},
		{[]string{"2001:db8::/32"}, "[2001:db8::5]:22", true},
		{[]string{"2001:db8::/32"}, "[2001:db9::5]:22", false},
	} {
		if got := allowedFrom(c.patterns, addr(c.addr)); got != c.want {
			t.Errorf("from=%v, %s: %v, want %v", c.patterns, c.addr, got, c.want)
		}
	}
}

func TestFromAndOptionsDecideWhoLogsIn(t *testing.T) {
	elsewhere, here, negated, commanded, restricted := newSigner(t), newSigner(t), newSigner(t), newSigner(t), newSigner(t)
	_, mod := withKeyFile(t,
		keyLine(`from="10.0.0.0/8"`, elsewhere),
		keyLine(`from="127.0.0.0/8"`, here),
		keyLine(`from="!127.0.0.1,*"`, negated),
		keyLine(`command="/bin/true"`, commanded),
		keyLine(`restrict`, restricted),
	)
	f := startWith(t, mod)
	for name, s := range map[string]gossh.Signer{"from elsewhere": elsewhere, "negated": negated, "command=": commanded, "restrict": restricted} {
		if c, err := f.dial(t, s); err == nil {
			c.Close()
			t.Errorf("a key whose line is %s logged in", name)
		}
	}
	c, err := f.dial(t, here)
	if err != nil {
		t.Fatalf("a key whose from= admits loopback was refused: %v", err)
	}
	c.Close()
}

func TestNoPTYKeyGetsCommandsOnly(t *testing.T) {
	s := newSigner(t)
	_, mod := withKeyFile(t, keyLine("no-pty", s))
	f := startWith(t, mod)
	c, err := f.dial(t, s)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, _ := c.NewSession()
	defer sess.Close()
	if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err == nil {
		t.Fatal("a no-pty key got a terminal")
	}
	out, err := sess.Output("status")
	if err != nil || !strings.Contains(string(out), "Weekly  read") {
		t.Fatalf("status for a no-pty key: %v %q", err, out)
	}
}

func TestGroupWritableKeyFileIsRefused(t *testing.T) {
	s := newSigner(t)
	path, mod := withKeyFile(t, keyLine("", s))
	f := startWith(t, mod)
	c, err := f.dial(t, s)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := os.Chmod(path, 0o660); err != nil {
		t.Fatal(err)
	}
	if c, err := f.dial(t, s); err == nil {
		c.Close()
		t.Fatal("a key from a group-writable file logged in")
	}
	if _, err := OpenKeyFile(path, nil); err == nil || !strings.Contains(err.Error(), "chmod go-w") {
		t.Fatalf("serve started on a group-writable key file: %v", err)
	}
	os.Chmod(path, 0o600)
	os.Chmod(filepath.Dir(path), 0o777)
	defer os.Chmod(filepath.Dir(path), 0o700)
	if _, err := OpenKeyFile(path, nil); err == nil || !strings.Contains(err.Error(), "writable by group or others") {
		t.Fatalf("serve started on a key file in a world-writable directory: %v", err)
	}
}

func TestRemovingAKeyEndsItsSession(t *testing.T) {
	stays, goes := newSigner(t), newSigner(t)
	path, mod := withKeyFile(t, keyLine("", stays), keyLine("", goes))
	f := startWith(t, mod)
	kept := f.openTerminal(t, stays)
	kept.waitFor(t, "Watched (2)")
	ended := f.openTerminal(t, goes)
	ended.waitFor(t, "Watched (2)")
	if err := os.WriteFile(path, []byte(keyLine("", stays)), 0o600); err != nil {
		t.Fatal(err)
	}
	ended.waitEnd(t)
	ended.assertRestoredWith(t, reasonRevoked)
	if kept.ended() {
		t.Fatal("the session of a key still authorised ended")
	}
	kept.in.Write([]byte("?"))
	kept.waitFor(t, "any key closes")

	// A file that disappears grants nothing: fail closed.
	os.Remove(path)
	kept.waitEnd(t)
	kept.assertRestoredWith(t, reasonRevoked)
	if c, err := f.dial(t, stays); err == nil {
		c.Close()
		t.Fatal("a key logged in after its key file was removed")
	}
}
