package cli

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// tmux drives the real binary in a detached tmux session.
type tmux struct {
	t    *testing.T
	sock string
}

func newTmux(t *testing.T) *tmux {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("DINGWATCH_REQUIRE_TMUX") != "" {
			t.Fatal("tmux is required here (DINGWATCH_REQUIRE_TMUX) but not installed")
		}
		t.Skip("tmux not installed")
	}
	x := &tmux{t: t, sock: fmt.Sprintf("dw-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "-"))} // one server per test and process: other runs may share /tmp
	t.Cleanup(func() { exec.Command("tmux", "-L", x.sock, "kill-server").Run() })
	return x
}

func (x *tmux) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", x.sock}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

func (x *tmux) screen() string { return x.run("capture-pane", "-p", "-t", "dw") }

// waitFor polls the screen until it contains want.
func (x *tmux) waitFor(want string) string {
	x.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := x.screen()
		if strings.Contains(s, want) {
			return s
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("screen never showed %q:\n%s", want, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// keys types each key on its own, as a person would.
func (x *tmux) keys(keys ...string) {
	for _, k := range keys {
		x.run("send-keys", "-t", "dw", k)
		time.Sleep(80 * time.Millisecond)
	}
}

func TestTmuxSmoke(t *testing.T) {
	for _, term := range []string{"screen", "xterm-256color"} {
		t.Run(term, func(t *testing.T) {
			x := newTmux(t)
			state := t.TempDir()
			cmd := "TERM=" + term + " XDG_STATE_HOME=" + state + " XDG_CONFIG_HOME=" + state + " " + binary + " --demo; echo EXIT=$?; sleep 60"
			x.run("new-session", "-d", "-s", "dw", "-x", "80", "-y", "24", cmd)
			s := x.waitFor("Read (")
			if !strings.Contains(s, "Unread (") || !strings.Contains(s, "周会通知") {
				t.Fatalf("no Read/Unread split:\n%s", s)
			}
			x.keys("?")
			x.waitFor("any key closes")
			x.keys("Escape")
			x.waitFor("Watched (")
			x.keys("a")
			x.waitFor("Add keys")
			x.keys("SmokeTestKey123=", "Enter")
			x.waitFor("added 1 key")
			x.waitFor("SmokeTestKey")
			x.keys("q")
			s = x.waitFor("EXIT=")
			if !strings.Contains(s, "EXIT=0") {
				t.Fatalf("exit status:\n%s", s)
			}
			if strings.Contains(s, "Watched (") || strings.Contains(s, "╭") {
				t.Fatalf("the terminal was not restored:\n%s", s)
			}
			if entries, _ := os.ReadDir(state); len(entries) != 0 {
				t.Fatalf("--demo wrote to the state directory: %v", entries)
			}
		})
	}
}
