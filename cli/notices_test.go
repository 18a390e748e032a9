package cli

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/watch"
)

func addTeam(s *sim.Server, n int) []string {
	var ids []string
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("emp%03d", i)
		s.AddPeople(sim.Person{UserID: id, Name: fmt.Sprintf("员工 %d", i)})
		ids = append(ids, id)
	}
	return ids
}

// stateDir is the XDG_STATE_HOME of env, joined with dingwatch.
func stateDir(env []string) string {
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "XDG_STATE_HOME="); ok {
			return filepath.Join(v, "dingwatch")
		}
	}
	return ""
}

func TestSendWatchAndExportNotice(t *testing.T) {
	s := startSim(t)
	ids := addTeam(s, 45)
	env := simEnv(t, s)
	out, errOut, code := runBinary(t, env, "", "send", "--to", strings.Join(ids[:30], ","), "--to", strings.Join(ids[30:], ","),
		"--text", "周会改到三点", "--label", "Weekly sync", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Notice  string
		Keys    []string
		Batches []struct {
			ProcessQueryKey string
			UserIDs         []string
			Status          string
		}
		NotDelivered []struct{ UserID, Reason string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if rep.Notice != "Weekly sync" || len(rep.Keys) != 3 || len(rep.Batches) != 3 || len(rep.Batches[2].UserIDs) != 5 || rep.Batches[0].Status != "sent" {
		t.Fatalf("%+v", rep)
	}
	if len(s.Sends()) != 3 {
		t.Fatalf("batchSend calls %d", len(s.Sends()))
	}
	// The notice is watched: status finds it by label, and exports CSV.
	time.Sleep(5 * time.Millisecond) // the simulator's "not generated yet" moment
	out, errOut, code = runBinary(t, env, "", "status", "--csv", "--notice", "weekly SYNC")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 46 || strings.Join(rows[0], ",") != "processQueryKey,userId,name,readStatus,firstSeenRead,batch,reason" {
		t.Fatalf("%d rows, %v:\n%s", len(rows), err, out)
	}
	if strings.TrimPrefix(rows[1][0], "'") != rep.Keys[0] || rows[1][1] != "emp001" || rows[1][2] != "员工 1" {
		t.Fatalf("row %v", rows[1])
	}
	_, errOut, code = runBinary(t, env, "", "status", "--notice", "nope")
	if code != 2 || !strings.Contains(errOut, `"Weekly sync"`) {
		t.Fatalf("unknown notice: %d %s", code, errOut)
	}
}

func TestSendUnknownOutcomeAndRejected(t *testing.T) {
	s := startSim(t)
	ids := addTeam(s, 25)
	s.Inject(sim.Fault{Endpoint: "batchSend", Kind: sim.Hang, Delay: 3 * time.Second, Times: 1})
	out, _, code := runBinary(t, simEnv(t, s), "", "--timeout", "300ms", "send", "--to", strings.Join(ids, ",")+",ghost",
		"--text", "hi", "--json")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(out, `"status": "unknown"`) || !strings.Contains(out, `"userId": "ghost"`) {
		t.Fatalf("%s", out)
	}
	if got := s.Calls("batchSend"); got != 2 {
		t.Fatalf("batchSend calls = %d, want 2 (the unknown batch is not resent)", got)
	}
}

func TestSendValidatesFirst(t *testing.T) {
	s := startSim(t)
	env := simEnv(t, s)
	md := filepath.Join(t.TempDir(), "notes.md")
	os.WriteFile(md, []byte("# hi"), 0o600)
	for _, args := range [][]string{
		{"send", "--text", "x"},
		{"send", "--to", "a", "--text", "x", "--markdown", "T:" + md},
		{"send", "--to", "a"},
		{"send", "--to", "a", "--markdown", "no-colon"},
		{"send", "--to", "a", "--markdown", "T:/does/not/exist"},
		{"send", "--to-file", "/does/not/exist", "--text", "x"},
		{"recall"},
		{"recall", "bad key!"},
	} {
		_, errOut, code := runBinary(t, env, "", args...)
		if code != 2 || errOut == "" {
			t.Errorf("%v: exit %d %q", args, code, errOut)
		}
	}
	if n := s.Calls("batchSend") + s.Calls("batchRecall") + s.Calls("token"); n != 0 {
		t.Fatalf("%d calls despite bad arguments", n)
	}
}

func TestSendHandsNoticeToRunningDingwatch(t *testing.T) {
	s := startSim(t)
	ids := addTeam(s, 3)
	env := simEnv(t, s)
	owner, _, _, err := watch.OpenStore(stateDir(env), time.Now()) // as if the dashboard ran
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if _, errOut, code := runBinary(t, env, "", "send", "--to", strings.Join(ids, ","), "--text", "hi", "--label", "Handed"); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// The owner gets the notice and its one batch's key, as changes to apply.
	parcels := owner.Pending(nil)
	var label string
	var keys int
	for _, p := range parcels {
		for _, op := range p.Ops {
			if op.Kind == watch.OpNotice {
				label = op.Notice.Label
			}
			if op.Kind == watch.OpBatch {
				keys += len(op.Keys)
			}
		}
	}
	if keys != 1 || label != "Handed" {
		t.Fatalf("%+v", parcels)
	}
}

func TestRecallBinary(t *testing.T) {
	s := startSim(t)
	var keys []string
	for range 25 {
		keys = append(keys, s.AddMessage("dingdemo", time.Now().Add(-time.Hour), crew))
	}
	out, errOut, code := runBinary(t, simEnv(t, s), strings.Join(keys[5:], "\n"), "recall", "-", keys[0], keys[1], keys[2], keys[3], keys[4])
	if code != 0 || strings.Count(out, "recalled") != 25 || s.Calls("batchRecall") != 2 {
		t.Fatalf("exit %d calls %d\n%s%s", code, s.Calls("batchRecall"), out, errOut)
	}
	out, _, code = runBinary(t, simEnv(t, s), "", "recall", "--json", "unknownKey1unknownKey1unknownKey1=")
	if code != 1 || !strings.Contains(out, `"recalled": false`) {
		t.Fatalf("exit %d %s", code, out)
	}
}

// TestSendJoinAmbiguousLabelListsIDsAndJoinsByID: two notices share a
// label (left by an older dingwatch): --join by that label is refused with
// each candidate's id, and --join with the id adds the round to that one
// notice (F15).
func TestSendJoinAmbiguousLabelListsIDsAndJoinsByID(t *testing.T) {
	s := startSim(t)
	ids := addTeam(s, 2)
	env := simEnv(t, s)
	if _, errOut, code := runBinary(t, env, "", "send", "--to", ids[0], "--text", "first", "--label", "L"); code != 0 {
		t.Fatalf("send: exit %d: %s", code, errOut)
	}
	path := filepath.Join(stateDir(env), "state.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	notices := st["notices"].([]any)
	first := notices[0].(map[string]any)["id"].(string)
	dup := map[string]any{}
	for k, v := range notices[0].(map[string]any) {
		dup[k] = v
	}
	dup["id"] = "nDuplicate"
	st["notices"] = append(notices, dup)
	if b, err = json.Marshal(st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	sends := len(s.Sends())
	_, errOut, code := runBinary(t, env, "", "send", "--to", ids[1], "--text", "again", "--label", "L", "--join")
	if code != 2 || !strings.Contains(errOut, "id "+first) || !strings.Contains(errOut, "id nDuplicate") || !strings.Contains(errOut, "--label ID --join") {
		t.Fatalf("ambiguous --join: exit %d, want 2 and both ids\n%s", code, errOut)
	}
	if len(s.Sends()) != sends {
		t.Fatal("a refused send reached DingTalk")
	}
	out, errOut, code := runBinary(t, env, "", "send", "--to", ids[1], "--text", "again", "--label", "nDuplicate", "--join", "--json")
	if code != 0 {
		t.Fatalf("--join by id: exit %d\n%s%s", code, out, errOut)
	}
	saved, err := watch.LoadState(stateDir(env))
	if err != nil {
		t.Fatal(err)
	}
	if keys := saved.NoticeKeys("nDuplicate"); len(keys) != 1 || keys[0].Round != 1 {
		t.Fatalf("the round did not join nDuplicate: %d keys", len(keys))
	}
	if len(saved.NoticesLabelled("L")) != 2 {
		t.Fatalf("joining by id made or lost a notice: %d labelled L", len(saved.NoticesLabelled("L")))
	}
}
