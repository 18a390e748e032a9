package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A state file written by a newer dingwatch stops every command that
// reads the state, with a message saying so, before any call; the file
// stays byte for byte as it was.
func TestNewerStateFileStopsCommandsUntouched(t *testing.T) {
	s := startSim(t)
	env := simEnv(t, s)
	var stateHome string
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "XDG_STATE_HOME="); ok {
			stateHome = v
		}
	}
	path := filepath.Join(stateHome, "dingwatch", "state.json")
	os.MkdirAll(filepath.Dir(path), 0o700)
	newer := []byte(`{"version":99,"keys":[{"key":"from a newer dingwatch"}],"future":true}`)
	if err := os.WriteFile(path, newer, 0o600); err != nil {
		t.Fatal(err)
	}
	key := s.AddMessage("dingdemo", time.Now(), nil)
	for _, args := range [][]string{{"status"}, {"status", key}, {"send", "--to", "u1", "--text", "hi"}} {
		_, errOut, code := runBinary(t, env, "", args...)
		if code != 2 || !strings.Contains(errOut, "newer dingwatch") || !strings.Contains(errOut, path) {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
	}
	if calls := s.Calls("readStatus") + s.Calls("batchSend"); calls != 0 {
		t.Fatalf("%d calls made with a newer state", calls)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, newer) {
		t.Fatalf("the newer state file changed: %s", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if e.Name() != "state.json" && e.Name() != "state.lock" {
			t.Fatalf("%s appeared beside the newer state", e.Name())
		}
	}
}
