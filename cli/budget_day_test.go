package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// TestSpentBudgetSaysTheDayACallIsFree (breaker7 #3): a burst that spends
// the daily budget frees a call only 24 hours later, at the same clock
// time the next day. status, its JSON, and doctor's budget line and fix
// said "at 21:52" at 21:51, which reads as a minute from now; they say
// "tomorrow 21:52" now.
func TestSpentBudgetSaysTheDayACallIsFree(t *testing.T) {
	s := startSim(t)
	key := s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew)
	home := t.TempDir()
	dir := filepath.Join(home, "dingwatch")
	var st watch.State
	now := time.Now()
	st.Calls.Add(now)
	st.Calls.Add(now)
	data, err := watch.EncodeState(&st)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(dir, 0o700)
	if err := os.WriteFile(filepath.Join(dir, "state.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	// In UTC a call made now ages out on the next calendar day, whatever
	// the time of day.
	env := setEnv(setEnv(simEnv(t, s), "XDG_STATE_HOME", home), "TZ", "UTC")

	out, errOut, code := runBinary(t, env, "", "status", "--budget", "2", key)
	if code != 1 || !strings.Contains(out+errOut, "a call is free again at tomorrow ") {
		t.Errorf("status: exit %d\n%s%s", code, out, errOut)
	}
	if out, _, _ := runBinary(t, env, "", "status", "--budget", "2", "--json", key); !strings.Contains(out, "free again at tomorrow ") {
		t.Errorf("status --json:\n%s", out)
	}
	out, _, code = runBinary(t, env, "", "doctor", "--budget", "2")
	if line, _ := doctorLine(t, out, "budget"); code != 1 || !strings.Contains(line, "polling resumes at tomorrow ") {
		t.Errorf("doctor's budget line: exit %d\n%s", code, out)
	}
	if fix := fixOf(out, "endpoint"); !strings.Contains(fix, "again after tomorrow ") {
		t.Errorf("doctor's fix: %q\n%s", fix, out)
	}
	if n := s.Calls("readStatus"); n != 0 {
		t.Errorf("%d calls over a spent budget", n)
	}
}
