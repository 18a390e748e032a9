package cli

import (
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/watch"
)

// troubledNotice sends a 45-person notice "All hands" whose first batch
// fails and whose second has an unknown outcome; it returns the ids.
func troubledNotice(t *testing.T, s *sim.Server, env []string) []string {
	t.Helper()
	ids := addTeam(s, 45)
	s.Inject(sim.Fault{Endpoint: "batchSend", Status: 400, Code: "invalidParameter.param.invalid", Times: 1})
	s.Inject(sim.Fault{Endpoint: "batchSend", Kind: sim.AfterHandling, Times: 1})
	out, errOut, code := runBinary(t, env, "", "send", "--to", strings.Join(ids, ","), "--text", "全员大会", "--label", "All hands")
	if code != 1 || !strings.Contains(out, "1 of 3 batches sent") || !strings.Contains(errOut, "1 batch failed, not sent") ||
		!strings.Contains(errOut, "1 batch with an unknown outcome: their people may have it") {
		t.Fatalf("send: exit %d\n%s\n%s", code, out, errOut)
	}
	time.Sleep(5 * time.Millisecond) // the simulator's "not generated yet" moment
	return ids
}

func TestStatusListsPeopleOfFailedAndUnknownBatches(t *testing.T) {
	s := startSim(t)
	env := simEnv(t, s)
	ids := troubledNotice(t, s, env)

	out, errOut, code := runBinary(t, env, "", "status", "--notice", "All hands")
	// The failed do not have it; the unknown may: two counts, never "not sent" for the unknown (F22).
	if code != 1 || !strings.Contains(errOut, "did not reach 20 people of failed batches") ||
		!strings.Contains(errOut, "20 people in batches whose outcome is unknown may have it") {
		t.Fatalf("text: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `notice "All hands": read `) || !strings.Contains(out, "/45 over 1 key  ! a batch failed; a batch's outcome is unknown") ||
		!strings.Contains(out, "batch failed, not sent (20): ") || !strings.Contains(out, "batch outcome unknown, may have it (20): ") {
		t.Fatalf("text:\n%s", out)
	}

	out, _, code = runBinary(t, env, "", "status", "--json", "--notice", "All hands")
	var got struct {
		Notices []struct {
			Total          int
			Undelivered    []struct{ UserID, Batch string }
			OutcomeUnknown []struct{ UserID, Batch string }
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 1 || len(got.Notices) != 1 {
		t.Fatalf("json: %d %v\n%s", code, err, out)
	}
	n := got.Notices[0]
	failed := 0
	for _, p := range n.Undelivered {
		if p.Batch == "failed" {
			failed++
			if !slices.Contains(ids[:20], p.UserID) {
				t.Fatalf("%s is not of the failed batch", p.UserID)
			}
		}
	}
	for _, p := range n.OutcomeUnknown {
		if p.Batch != "unknown" || slices.Contains(ids[:20], p.UserID) {
			t.Fatalf("%+v is not of the unknown batch", p)
		}
	}
	if n.Total != 45 || len(n.Undelivered) != 20 || failed != 20 || len(n.OutcomeUnknown) != 20 {
		t.Fatalf("json: %+v", n)
	}

	out, _, code = runBinary(t, env, "", "status", "--csv", "--bom", "--notice", "All hands")
	if !strings.HasPrefix(out, "\ufeffprocessQueryKey,") {
		t.Fatalf("--bom: %q", out[:min(len(out), 40)])
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil || code != 1 {
		t.Fatalf("csv: %d %v", code, err)
	}
	states := map[string]int{}
	for _, r := range rows[1:] {
		states[r[3]]++
	}
	if len(rows) != 46 || states["NOT_SENT"] != 20 || states["UNKNOWN"] != 20 {
		t.Fatalf("csv: %d rows, %v\n%s", len(rows), states, out)
	}
}

func TestResendReachesOnlyThePeopleOfFailedBatches(t *testing.T) {
	s := startSim(t)
	env := simEnv(t, s)
	ids := troubledNotice(t, s, env)
	before := len(s.Sends())

	// Unknown batches need a confirmation that says they may arrive twice.
	_, errOut, code := runBinary(t, env, "", "send", "--resend", "All hands", "--include-unknown")
	if code != 2 || !strings.Contains(errOut, "twice") || !strings.Contains(errOut, "--yes-duplicates") {
		t.Fatalf("exit %d %q", code, errOut)
	}
	if len(s.Sends()) != before {
		t.Fatal("an unconfirmed resend sent")
	}

	out, errOut, code := runBinary(t, env, "", "send", "--resend", "All hands")
	if code != 0 {
		t.Fatalf("resend: exit %d\n%s\n%s", code, out, errOut)
	}
	sends := s.Sends()[before:]
	var got []string
	for _, c := range sends {
		got = append(got, c.UserIDs...)
	}
	slices.Sort(got)
	want := slices.Clone(ids[:20])
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("resent to %v, want the failed batch %v", got, want)
	}

	// What is left unknown is resent only when confirmed.
	before = len(s.Sends())
	out, errOut, code = runBinary(t, env, "", "send", "--resend", "All hands", "--include-unknown", "--yes-duplicates")
	if code != 0 || !strings.Contains(errOut, "may get it twice") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	got = nil
	for _, c := range s.Sends()[before:] {
		got = append(got, c.UserIDs...)
	}
	if len(got) != 20 || !slices.Contains(got, ids[20]) || slices.Contains(got, ids[0]) {
		t.Fatalf("resent to %v", got)
	}
	_, _, code = runBinary(t, env, "", "status", "--notice", "All hands")
	if code != 0 {
		t.Fatalf("every batch now sent; status exit %d", code)
	}
}

func TestSendWarnsOfIDsThatAreNotUserIDs(t *testing.T) {
	s := startSim(t)
	ids := addTeam(s, 2)
	env := simEnv(t, s)
	odd := []string{"$:LWCP_v1:$abcdefghijklmnopqrstuv==", "cidAbCdEfGhIjKlMnOp12345=="}
	_, errOut, code := runBinary(t, env, "", "send", "--to", strings.Join(append(ids, odd...), ","), "--text", "x")
	if code != 2 || strings.Count(errOut, "warning:") != 2 || !strings.Contains(errOut, "--force") {
		t.Fatalf("exit %d %q", code, errOut)
	}
	if len(s.Sends()) != 0 {
		t.Fatal("refused ids were sent to")
	}
	_, errOut, code = runBinary(t, env, "", "send", "--to", strings.Join(append(ids, odd...), ","), "--text", "x", "--force")
	if code != 0 || strings.Count(errOut, "warning:") != 2 || len(s.Sends()) != 1 {
		t.Fatalf("--force: exit %d %q, %d sends", code, errOut, len(s.Sends()))
	}
}

func TestFirstSeenReadOnlyWhenObserved(t *testing.T) {
	s := startSim(t)
	env := simEnv(t, s)
	sent := time.Now().Add(-time.Hour)
	key := s.AddMessage("dingdemo", sent, []sim.Person{{UserID: "u1", Name: "早", ReadAfter: 0}, {UserID: "u2", Name: "晚", ReadAfter: 0}})
	// Never watched before: both had read before dingwatch first asked.
	out, _, code := runBinary(t, env, "", "status", "--json", key)
	if code != 0 || strings.Contains(out, "firstSeenRead") {
		t.Fatalf("reads seen at the first answer have no time: exit %d\n%s", code, out)
	}
	out, _, _ = runBinary(t, env, "", "status", "--csv", key)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 3 || rows[1][4] != "" || rows[2][4] != "" {
		t.Fatalf("csv firstSeenRead for reads not observed: %v %q", err, rows)
	}
	// Watched before with u2 unread: u2's read is observed now.
	last := time.Now().Add(-10 * time.Minute)
	writeState(t, env, &watch.State{Keys: []*watch.Key{{Key: key, RobotCode: "dingdemo", AddedAt: sent, SentAt: sent,
		SendStatus: "SUCCESS", LastOK: last, LastTry: last, Polls: 1,
		Recipients: []watch.Recipient{{UserID: "u1", Name: "早", Read: true}, {UserID: "u2", Name: "晚"}}}}})
	out, _, code = runBinary(t, env, "", "status", "--json", key)
	var got struct {
		Messages []struct {
			Read []struct{ UserID, FirstSeenRead string }
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 || len(got.Messages) != 1 {
		t.Fatalf("%d %v\n%s", code, err, out)
	}
	for _, p := range got.Messages[0].Read {
		at, err := time.Parse(time.RFC3339, p.FirstSeenRead)
		switch p.UserID {
		case "u1":
			if p.FirstSeenRead != "" {
				t.Fatalf("u1 read before dingwatch watched: %q", p.FirstSeenRead)
			}
		case "u2":
			if err != nil || at.Before(last.Add(-time.Second)) {
				t.Fatalf("u2's observed read: %q %v", p.FirstSeenRead, err)
			}
		}
	}
}

func TestStatusShowsANoticeNoBatchOfWhichWasSent(t *testing.T) {
	s := startSim(t)
	env := simEnv(t, s)
	ids := addTeam(s, 3)
	s.Inject(sim.Fault{Endpoint: "batchSend", Status: 400, Code: "invalidParameter.param.invalid", Times: 1})
	if _, errOut, code := runBinary(t, env, "", "send", "--to", strings.Join(ids, ","), "--text", "x", "--label", "Lost"); code != 1 {
		t.Fatalf("send: exit %d %s", code, errOut)
	}
	for _, args := range [][]string{{"status"}, {"status", "--notice", "lost"}} {
		out, errOut, code := runBinary(t, env, "", args...)
		if code != 1 || !strings.Contains(out, `notice "Lost": read 0/3 over 0 keys  ! a batch failed`) ||
			!strings.Contains(out, "batch failed, not sent (3): emp001, emp002, emp003") || !strings.Contains(errOut, "--resend") {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errOut)
		}
	}
	if n := s.Calls("readStatus"); n != 0 {
		t.Fatalf("%d readStatus calls for a notice without keys", n)
	}
}
