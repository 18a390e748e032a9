package cli

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()

	// A notice sent from the command line before the server starts is watched by it.
	if _, errOut, code := runBinary(t, env, "", "send", "--to", "u1,u3", "--text", "x", "--label", "Served"); code != 0 {
		t.Fatalf("send: %d %s", code, errOut)
	}
	cmd := exec.Command(binary, "serve", "--listen", addr, "--authorized-keys", keys, "--interval", "1s")
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var client *gossh.Client
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		client, err = gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "lead", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
			HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: time.Second})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never answered: %v\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	sess, _ := client.NewSession()
	out, err := sess.Output("")
	client.Close()
	if err != nil || !strings.Contains(string(out), "Served  read") {
		t.Fatalf("%v: %q", err, out)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
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
}
