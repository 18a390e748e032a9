package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// TestTwoStatusRunsAtOnceHoldToTheBudget (breaker5 Q2): two `status`
// processes started together on a state with 3 calls left of a budget of
// 18, each asking 3 keys, make 3 calls between them; the ledger ends at
// 18, and the keys one of them could not ask are said "not asked".
func TestTwoStatusRunsAtOnceHoldToTheBudget(t *testing.T) {
	s := startSim(t)
	var keys []string
	for range 3 {
		keys = append(keys, s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew))
	}
	env := setEnv(simEnv(t, s), "XDG_STATE_HOME", stateWithCalls(t, 15))
	outs := make([]string, 2)
	codes := make([]int, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range outs {
		cmd := exec.Command(binary, append([]string{"--budget", "18", "status"}, keys...)...)
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		wg.Go(func() {
			err := cmd.Run()
			if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
				codes[i], err = ee.ExitCode(), nil
			}
			outs[i], errs[i] = out.String(), err
		})
	}
	wg.Wait()
	all := outs[0] + outs[1]
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if got := s.Calls("readStatus"); got != 3 {
		t.Fatalf("%d calls made, want 3 (the budget's room)\n%s", got, all)
	}
	if got := strings.Count(all, "FAILED: not asked: the daily budget is spent (18 of 18"); got != 3 {
		t.Errorf("%d keys said not asked, want 3\n%s", got, all)
	}
	if codes[0]+codes[1] == 0 {
		t.Errorf("both exited 0, though one could not ask every key\n%s", all)
	}
	st, err := watch.LoadState(stateDir(env))
	if err != nil || st.Calls.Spent(time.Now()) != 18 {
		t.Fatalf("the saved ledger holds %d calls (%v), want 18", st.Calls.Spent(time.Now()), err)
	}
	if entries, _ := os.ReadDir(filepath.Join(stateDir(env), "inbox")); len(entries) != 0 {
		t.Errorf("with no dashboard running the calls belong in the state file; the inbox holds %d files", len(entries))
	}
}

// TestNoCallOnAStateWhoseLedgerIsUnknown (breaker5 Q8): on a saved state
// this dingwatch cannot read (not JSON) or must not write (a newer
// dingwatch's), doctor makes no metered call under a budget, says why on
// the endpoint line, and writes nothing into the state directory; status
// asks no key. With --budget 0 doctor checks an unreadable state anyway
// and leaves its call for the next owner; never a newer one's.
func TestNoCallOnAStateWhoseLedgerIsUnknown(t *testing.T) {
	s := startSim(t)
	key := s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew)
	for _, c := range []struct{ name, file, says string }{
		{"unreadable", "{not json", "cannot be read"},
		{"newer", `{"version": 2, "keys": [], "calls": {"minutes": [{"m": 1, "n": 9999}]}}`, "from a newer dingwatch"},
	} {
		t.Run(c.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "dingwatch")
			os.MkdirAll(dir, 0o700)
			os.WriteFile(filepath.Join(dir, "state.json"), []byte(c.file), 0o600)
			env := setEnv(simEnv(t, s), "XDG_STATE_HOME", parent)
			before := s.Calls("readStatus")

			out, _, code := runBinary(t, env, "", "doctor", "--budget", "100")
			line, ok := doctorLine(t, out, "endpoint")
			if code != 1 || ok || !strings.Contains(line, "not checked") || !strings.Contains(line, c.says) || s.Calls("readStatus") != before {
				t.Fatalf("doctor: exit %d, %d calls\n%s", code, s.Calls("readStatus")-before, out)
			}
			if line, ok := doctorLine(t, out, "budget"); ok || !strings.Contains(line, c.name) {
				t.Errorf("the budget line does not say the state is %s:\n%s", c.name, out)
			}
			if names := dirNames(t, dir); len(names) != 1 && !(len(names) == 2 && slices.Contains(names, "calls.lock")) {
				t.Errorf("doctor wrote into the state directory: %v", names)
			}

			if c.name == "unreadable" {
				out, errOut, code := runBinary(t, env, "", "status", key)
				if code != 1 || s.Calls("readStatus") != before || !strings.Contains(out, "FAILED: not asked: the saved state") ||
					!strings.Contains(errOut, "1 key of 1 not asked") || !strings.Contains(errOut, "--budget 0") {
					t.Fatalf("status: exit %d, %d calls\n%s%s", code, s.Calls("readStatus")-before, out, errOut)
				}
				if out, _, _ := runBinary(t, env, "", "status", "--json", key); !strings.Contains(out, `"code": "budget"`) {
					t.Errorf("the JSON does not give the budget as the reason:\n%s", out)
				}
			}

			out, _, code = runBinary(t, env, "", "doctor", "--budget", "0")
			if b, _ := os.ReadFile(filepath.Join(dir, "state.json")); string(b) != c.file {
				t.Fatal("doctor changed the state file")
			}
			inbox := dirNames(t, filepath.Join(dir, "inbox"))
			switch c.name {
			case "unreadable":
				if s.Calls("readStatus") != before+1 || len(inbox) != 1 {
					t.Fatalf("--budget 0 on an unreadable state: %d calls, inbox %v, want 1 call left for the next owner\n%s", s.Calls("readStatus")-before, inbox, out)
				}
			case "newer":
				if s.Calls("readStatus") != before || len(inbox) != 0 || code != 1 {
					t.Fatalf("--budget 0 on a newer state: exit %d, %d calls, inbox %v; want none\n%s", code, s.Calls("readStatus")-before, inbox, out)
				}
			}
		})
	}
}

// dirNames lists dir (nothing when it does not exist).
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
