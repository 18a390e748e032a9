package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// savedState writes a state of n lone keys under the state directory of
// env (as a previous run would have left it) and returns its file.
func savedState(t *testing.T, env []string, n int) string {
	t.Helper()
	var dir string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "XDG_STATE_HOME="); ok {
			dir = filepath.Join(v, "dingwatch")
		}
	}
	store, st, _, err := watch.OpenStore(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	e := watch.NewEngine(watch.Options{Store: store, State: st, RobotCode: "dingdemo"})
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("savedKey%05d", i)
	}
	if _, err := e.Add(watch.AddSpec{Keys: keys, SentAt: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return store.Path()
}

// dashboardInTmux starts the dashboard with env in a w×h tmux pane.
func dashboardInTmux(t *testing.T, env []string, w, h int) *tmux {
	t.Helper()
	x := newTmux(t)
	cmd := "env " + strings.Join(env, " ") + " TERM=screen NO_COLOR=1 " + binary + "; echo EXIT=$?; sleep 60"
	x.run("new-session", "-d", "-s", "dw", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), cmd)
	return x
}

// A saved state is drawn from its preview and then loaded whole behind
// it: an entry the preview could not see (a key repeated at the end) is
// set aside and said, the count corrected, and every row reachable.
func TestTmuxSavedStateLoadsBehindItsPreview(t *testing.T) {
	env := simEnv(t, startSim(t))
	path := savedState(t, env, 300)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]any
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	top["keys"] = append(top["keys"].([]any), top["keys"].([]any)[0]) // savedKey00000 again, after every group a preview decodes
	if data, err = json.Marshal(top); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	x := dashboardInTmux(t, env, 100, 30)
	x.waitFor("set aside")
	s := x.waitFor("Watched (300)")
	if strings.Contains(s, "EXIT=") {
		t.Fatalf("the dashboard ended:\n%s", s)
	}
	x.keys("G")
	x.waitFor("savedKey00299")
}

// When the whole state cannot be loaded behind a preview (its lock is not
// a file), the dashboard ends with the reason and a failing status, and
// the terminal is given back.
func TestTmuxLoadFailingBehindAPreviewEnds(t *testing.T) {
	env := simEnv(t, startSim(t))
	path := savedState(t, env, 50)
	lock := filepath.Join(filepath.Dir(path), "state.lock")
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(lock, 0o700); err != nil {
		t.Fatal(err)
	}
	x := dashboardInTmux(t, env, 100, 30)
	s := x.waitFor("EXIT=")
	if !strings.Contains(s, "state lock") || strings.Contains(s, "EXIT=0") || strings.Contains(s, "Watched (") {
		t.Fatalf("want the reason, a failing status and the terminal back:\n%s", s)
	}
}

// A change confirmed and the dashboard quit at once is saved before the
// process ends (tester P10: with 20,000 keys the save was still running
// when the process ended, and the removal was lost).
func TestTmuxChangeThenQuitIsSaved(t *testing.T) {
	env := simEnv(t, startSim(t))
	path := savedState(t, env, 20000)
	x := dashboardInTmux(t, env, 100, 30)
	x.waitFor("Watched (20000)")
	x.keys("d")
	x.waitFor("y removes ·")
	x.run("send-keys", "-t", "dw", "y")
	x.run("send-keys", "-t", "dw", "q")
	x.waitFor("EXIT=0")
	st, _, err := watch.DecodeState(mustRead(t, path))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Keys) != 19999 || st.Key("savedKey00000") != nil {
		t.Fatalf("the removal confirmed before quitting was not saved: %d keys", len(st.Keys))
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// SIGTERM ends the dashboard every time, its terminal given back (tester
// Q1: Bubble Tea's own signal handler raced ours and hung 4 runs in 12).
func TestTmuxSigtermAlwaysEnds(t *testing.T) {
	for i := range 5 {
		t.Run(fmt.Sprint(i), func(t *testing.T) { // a tmux server each
			x := demoInTmux(t, 80, 24, "TERM=screen")
			shell := strings.TrimSpace(x.run("display", "-p", "-t", "dw", "#{pane_pid}"))
			out, err := exec.Command("pgrep", "-P", shell).Output()
			if err != nil {
				t.Fatalf("no dingwatch under the pane's shell %s: %v", shell, err)
			}
			for _, pid := range strings.Fields(string(out)) {
				exec.Command("kill", "-TERM", pid).Run()
			}
			if s := x.waitFor("EXIT="); strings.Contains(s, "Unread (") {
				t.Fatalf("the terminal was not given back:\n%s", s)
			}
		})
	}
}
