package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// TestStatusSpendsWithinTheBudget: every call status makes is counted in
// the saved state's ledger (the one the dashboard's header and doctor
// read), and status asks no more keys than the daily budget has room for:
// the rest are named as not asked, and it exits 1 (H9).
func TestStatusSpendsWithinTheBudget(t *testing.T) {
	s := startSim(t)
	var keys []string
	for range 5 {
		keys = append(keys, s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew))
	}
	env := simEnv(t, s)

	out, errOut, code := runBinary(t, env, "", append([]string{"--budget", "3", "status"}, keys...)...)
	if code != 1 || s.Calls("readStatus") != 3 {
		t.Fatalf("exit %d, %d calls, want 1 and 3 (the budget)\n%s%s", code, s.Calls("readStatus"), out, errOut)
	}
	if got := strings.Count(out, "FAILED: not asked: the daily budget is spent (3 of 3 metered calls"); got != 2 {
		t.Errorf("%d keys said not asked, want 2:\n%s", got, out)
	}
	for _, k := range keys[:3] {
		if !strings.Contains(out, k+"  SUCCESS  read 2/3") {
			t.Errorf("the first 3 keys are asked, in order: %s missing\n%s", k, out)
		}
	}
	if !strings.Contains(errOut, "2 keys of 5 not asked: the daily budget of 3 metered calls is spent (3 keys were asked within it)") {
		t.Errorf("stderr does not say why keys were not asked:\n%s", errOut)
	}
	st, err := watch.LoadState(stateDir(env))
	if err != nil || st.Calls.Spent(time.Now()) != 3 {
		t.Fatalf("the saved ledger holds %d calls (%v), want 3", st.Calls.Spent(time.Now()), err)
	}

	// The budget spent: nothing is asked, and the JSON says why.
	out, _, code = runBinary(t, env, "", "--budget", "3", "status", "--json", keys[0])
	var rep struct {
		Messages []struct {
			Error *struct{ Code, Message string } `json:"error"`
		} `json:"messages"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 || s.Calls("readStatus") != 3 ||
		len(rep.Messages) != 1 || rep.Messages[0].Error == nil || rep.Messages[0].Error.Code != "budget" {
		t.Fatalf("spent budget: exit %d, %d calls, %v\n%s", code, s.Calls("readStatus"), err, out)
	}

	// No budget: every key is asked, and counted too.
	if out, errOut, code := runBinary(t, env, "", append([]string{"--budget", "0", "status"}, keys...)...); code != 0 || s.Calls("readStatus") != 8 {
		t.Fatalf("no budget: exit %d, %d calls\n%s%s", code, s.Calls("readStatus"), out, errOut)
	}
	if st, _ := watch.LoadState(stateDir(env)); st.Calls.Spent(time.Now()) != 8 {
		t.Fatalf("the saved ledger holds %d calls, want 8", st.Calls.Spent(time.Now()))
	}
}

// TestStatusHandsItsCallsToTheOwner: with a dashboard (or serve) owning
// the state, status does not write the state file: it hands its calls to
// the owner through the inbox, and a status run after it counts them
// already, before the owner took them.
func TestStatusHandsItsCallsToTheOwner(t *testing.T) {
	s := startSim(t)
	k1 := s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew)
	k2 := s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew)
	env := simEnv(t, s)
	dir := stateDir(env)
	owner, _, _, err := watch.OpenStore(dir, time.Now()) // this test process owns the state
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	before, _ := os.ReadFile(filepath.Join(dir, "state.json"))

	if out, errOut, code := runBinary(t, env, "", "--budget", "1", "status", k1); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "state.json")); string(after) != string(before) {
		t.Error("status wrote the state file a running dingwatch owns")
	}
	calls := 0
	for _, p := range owner.Pending(nil) {
		for _, op := range p.Ops {
			if op.Kind == watch.OpCalls {
				calls += len(op.Calls)
			}
		}
	}
	if calls != 1 {
		t.Fatalf("%d calls handed to the owner, want 1", calls)
	}
	// The call handed over counts against the budget at once.
	out, _, code := runBinary(t, env, "", "--budget", "1", "status", k2)
	if code != 1 || s.Calls("readStatus") != 1 || !strings.Contains(out, "not asked: the daily budget is spent (1 of 1") {
		t.Fatalf("exit %d, %d calls\n%s", code, s.Calls("readStatus"), out)
	}
}
