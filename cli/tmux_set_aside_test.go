package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/ui"
)

// savedStateWithOneSetAside writes a state of n lone keys whose first key
// is repeated after every group a preview decodes: the full load sets the
// repeat aside (in a file beside state.json) and warns of it. It returns
// the state's directory.
func savedStateWithOneSetAside(t *testing.T, env []string, n int) string {
	t.Helper()
	path := savedState(t, env, n)
	var top map[string]any
	if err := json.Unmarshal(mustRead(t, path), &top); err != nil {
		t.Fatal(err)
	}
	top["keys"] = append(top["keys"].([]any), top["keys"].([]any)[0])
	data, err := json.Marshal(top)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(path)
}

// TestTmuxSetAsideIsSaidWhenNoFrameShowedIt (tester Q5): what the load
// sets aside is said on stderr at exit unless a frame drew its banner —
// whole, or in its short form at the least size. While the terminal is too
// small for banners, nothing drew it, so stderr says it.
func TestTmuxSetAsideIsSaidWhenNoFrameShowedIt(t *testing.T) {
	for _, c := range []struct {
		w, h   int
		screen string // what the pane shows once loaded
		said   bool   // on stderr at exit
		args   string // a key to watch: no preview, the state loads first
		at     bool   // q pressed the moment the screen shows it (tester R10)
	}{
		{40, 10, "Terminal too small", true, "", false},
		{40, 10, "Terminal too small", true, "addedKeyAbcdefghij0123", false},
		{ui.MinWidth, ui.MinHeight, "saved state moved aside", false, "", false},
		{100, 30, "set aside in", false, "", false},
		{100, 30, "set aside in", true, "", true},
	} {
		t.Run(fmt.Sprintf("%dx%d%s%v", c.w, c.h, c.args, c.at), func(t *testing.T) {
			env := simEnv(t, startSim(t))
			dir := savedStateWithOneSetAside(t, env, 300)
			errFile := filepath.Join(t.TempDir(), "stderr")
			x := newTmux(t)
			cmd := "env " + strings.Join(env, " ") + " TERM=screen NO_COLOR=1 " + binary + " " + c.args + " 2>" + errFile + "; echo EXIT=$?; sleep 60"
			x.run("new-session", "-d", "-s", "dw", "-x", fmt.Sprint(c.w), "-y", fmt.Sprint(c.h), cmd)
			// The load has run once it wrote the set-aside file.
			deadline := time.Now().Add(15 * time.Second)
			for {
				if found, _ := filepath.Glob(filepath.Join(dir, "state.json.set-aside-*")); len(found) > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the load set nothing aside:\n%s", x.screen())
				}
				time.Sleep(50 * time.Millisecond)
			}
			x.waitFor(c.screen)
			// The engine hands over just after the file; a banner counts
			// as seen once it has stood a second (ui.seenFor).
			if !c.at {
				time.Sleep(1500 * time.Millisecond)
			}
			x.keys("q")
			x.waitFor("EXIT=0")
			stderr := string(mustRead(t, errFile))
			if said := strings.Contains(stderr, "set aside in"); said != c.said {
				t.Errorf("said on stderr %v, want %v: %q", said, c.said, stderr)
			}
		})
	}
}
