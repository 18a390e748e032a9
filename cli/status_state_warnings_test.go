package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStatusWarnsAboutStateProblems: status says on stderr that a saved
// entry was left out, and that a truncated state file could not be read,
// instead of dropping the entry silently or saying no key is watched
// (F5, F19). It changes no file: it does not own the state.
func TestStatusWarnsAboutStateProblems(t *testing.T) {
	s := startSim(t)
	good := s.AddMessage("dingdemo", time.Now().Add(-time.Hour), crew)
	env := simEnv(t, s)
	dir := stateDir(env)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "state.json")
	bad := `{"version":1,"keys":[{"key":"` + good + `","robotCode":"dingdemo"},{"key":"bad key with spaces","robotCode":"dingdemo"}]}`
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runBinary(t, env, "", "status")
	if !strings.Contains(out, good) || !strings.Contains(errOut, "1 entry of the saved state") || !strings.Contains(errOut, "left out") {
		t.Errorf("bad entry: exit %d\n%s%s", code, out, errOut)
	}
	// A watched entry missing from the report is a failure the user must
	// know: exit 1, and the last word says where the entry is.
	if code != 1 || !strings.Contains(errOut, "still in "+path) {
		t.Errorf("bad entry: exit %d, want 1 and where the entry is (%s)\n%s", code, path, errOut)
	}
	for _, format := range []string{"--json", "--csv"} {
		if _, errOut, code := runBinary(t, env, "", "status", format); code != 1 || !strings.Contains(errOut, "left out") {
			t.Errorf("bad entry, %s: exit %d, want 1\n%s", format, code, errOut)
		}
	}
	if err := os.WriteFile(path, []byte(`{"version":1,"keys":[{"key":`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runBinary(t, env, "", "status")
	if code != 2 || strings.Contains(errOut, "watches no key yet") || !strings.Contains(errOut, "could not be read") {
		t.Errorf("truncated file: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = runBinary(t, env, "", "status", good)
	if code != 1 || !strings.Contains(out, good) || !strings.Contains(errOut, "could not be read") {
		t.Errorf("truncated file, key given: exit %d\n%s%s", code, out, errOut)
	}
	if b, _ := os.ReadFile(path); string(b) != `{"version":1,"keys":[{"key":` {
		t.Errorf("status changed the state file: %q", b)
	}
}
