package cli

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

func TestServeBinaryTextStatusAndGracefulStop(t *testing.T) {
	s := startSim(t)
	s.AddPeople(crew...)
	env := simEnv(t, s)

	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	keys := filepath.Join(t.TempDir(), "authorized_keys")
	os.WriteFile(keys, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600)

	// A notice sent from the command line before the server starts is watched by it.
	if _, errOut, code := runBinary(t, env, "", "send", "--to", "u1,u3", "--text", "x", "--label", "Served"); code != 0 {
		t.Fatalf("send: %d %s", code, errOut)
	}
	// Port 0: the announced command must carry the port really bound.
	cmd := exec.Command(binary, "serve", "--listen", "127.0.0.1:0", "--authorized-keys", keys, "--interval", "1s")
	cmd.Env = env
	stderrPipe, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var stderr lockedBuffer
	announced := make(chan [2]string, 1)
	scanned := make(chan struct{}) // closed when serve's stderr is read to its end
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(stderrPipe)
		var addr string
		for sc.Scan() {
			line := sc.Text()
			stderr.WriteString(line + "\n")
			if m := announceRE.FindStringSubmatch(line); m != nil {
				addr = "127.0.0.1:" + m[1]
			}
			if m := fingerprintRE.FindStringSubmatch(line); m != nil {
				announced <- [2]string{addr, m[1]}
			}
		}
	}()
	var addr, fingerprint string
	select {
	case a := <-announced:
		addr, fingerprint = a[0], a[1]
	case <-time.After(10 * time.Second):
		t.Fatalf("serve announced no ssh command and host key")
	}
	if addr == "" {
		t.Fatal("the host key was announced before the ssh command")
	}
	// Announced means bound: the first dial works, with the announced host key.
	var seen string
	client, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "lead", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error { seen = gossh.FingerprintSHA256(k); return nil },
		Timeout:         5 * time.Second})
	if err != nil {
		t.Fatalf("dialling the announced %s: %v", addr, err)
	}
	if seen != fingerprint {
		t.Fatalf("announced host key %s, served %s", fingerprint, seen)
	}
	sess, _ := client.NewSession()
	out, err := sess.Output("")
	if err != nil || !strings.Contains(string(out), "Served  read") {
		t.Fatalf("%v: %q", err, out)
	}
	// A command other than status is refused with a non-zero status.
	refused, _ := client.NewSession()
	if err := refused.Run("send --to u1 --text x"); err == nil {
		t.Fatal("send over SSH exited 0")
	}
	client.Close()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { <-scanned; done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve did not stop cleanly: %v\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10s of SIGTERM")
	}
	logFile, _ := os.ReadFile(filepath.Join(stateDir(env), "dingwatch.log"))
	if !strings.Contains(string(logFile), "ssh session") || !strings.Contains(string(logFile), "fingerprint=SHA256:") {
		t.Fatalf("no session line in the log:\n%s", logFile)
	}
	if strings.Contains(string(logFile), secret) {
		t.Fatal("the secret is in the log")
	}
	host, err := os.Stat(filepath.Join(stateDir(env), "ssh_host_ed25519"))
	if err != nil || host.Mode().Perm() != 0o600 {
		t.Fatalf("host key %v %v", host, err)
	}
}

// What serve prints when it is ready.
var (
	announceRE    = regexp.MustCompile(`connect with: ssh -p (\d+) 127\.0\.0\.1$`)
	fingerprintRE = regexp.MustCompile(`host key (SHA256:[A-Za-z0-9+/]+)`)
)

func TestServeNeedsAuthorizedKeys(t *testing.T) {
	s := startSim(t)
	_, errOut, code := runBinary(t, simEnv(t, s), "", "serve")
	if code != 2 || !strings.Contains(errOut, "--authorized-keys") {
		t.Fatalf("%d %s", code, errOut)
	}
	bad := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(bad, []byte("ssh-ed25519 nonsense\n"), 0o600)
	_, errOut, code = runBinary(t, simEnv(t, s), "", "serve", "--authorized-keys", bad)
	if code != 2 || !strings.Contains(errOut, "line 1") {
		t.Fatalf("%d %s", code, errOut)
	}
	// A key file others could write is refused, as sshd's StrictModes does.
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	open := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(open, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600)
	os.Chmod(open, 0o666)
	_, errOut, code = runBinary(t, simEnv(t, s), "", "serve", "--authorized-keys", open)
	if code != 2 || !strings.Contains(errOut, "writable by group or others") {
		t.Fatalf("%d %s", code, errOut)
	}
}

// lockedBuffer is a buffer one goroutine fills while a test may read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) WriteString(s string) { l.mu.Lock(); defer l.mu.Unlock(); l.b.WriteString(s) }
func (l *lockedBuffer) String() string       { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }
