package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// TestInboxFilesThatAreNotParcelsAreLeftAlone (breaker7 #5): files in the
// inbox whose names are not a parcel's (a sync tool's conflict copy, a
// name with a space, a hidden file) were taken and their names saved in
// the state's taken list, which the state's reader then refused: every
// later status exited 1 "not whole" and left one more parcel in the
// inbox. Now such files are no parcels: left alone, never applied, never
// named in the state; status after status exits 0 and the inbox does not
// grow.
func TestInboxFilesThatAreNotParcelsAreLeftAlone(t *testing.T) {
	s := startSim(t)
	key := s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew)
	env := simEnv(t, s)
	inbox := filepath.Join(stateDir(env), "inbox")
	if err := os.MkdirAll(inbox, 0o700); err != nil {
		t.Fatal(err)
	}
	odd := []string{"calls(1).json", "my note.json", ".hidden.json"}
	parcel := `{"ops":[{"op":"calls","calls":["` + time.Now().UTC().Format(time.RFC3339) + `"]}]}`
	for _, n := range odd {
		if err := os.WriteFile(filepath.Join(inbox, n), []byte(parcel), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		out, errOut, code := runBinary(t, env, "", "status", key)
		if code != 0 || strings.Contains(errOut, "not whole") || strings.Contains(errOut, "parcel's name") {
			t.Fatalf("run %d: exit %d\n%s%s", i+1, code, out, errOut)
		}
	}
	if got := dirNames(t, inbox); !slices.Equal(got, []string{".hidden.json", "calls(1).json", "my note.json"}) {
		t.Errorf("inbox after 3 runs: %v, want only the odd files, untouched", got)
	}
	st, warnings, err := watch.LoadStateWarn(stateDir(env))
	if err != nil || len(warnings) > 0 {
		t.Fatalf("state: %v %v", err, warnings)
	}
	if slices.ContainsFunc(st.Taken, func(n string) bool { return slices.Contains(odd, n) }) {
		t.Errorf("taken names the odd files: %q", st.Taken)
	}
	// The 3 runs' calls, none of the odd files'.
	if n := st.Calls.Spent(time.Now()); n != 3 {
		t.Errorf("the ledger holds %d calls, want 3", n)
	}
}
