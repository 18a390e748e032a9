package cli

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/internal/safetext/safetexttest"
)

// errorBody is DingTalk's error JSON with every field hostile.
func errorBody(h string) string {
	b, _ := json.Marshal(map[string]string{"code": h, "message": h, "requestid": h})
	return string(b)
}

// assertCSVInert checks a CSV output: inert, and one record of five cells
// per line (no cell smuggles a line break).
func assertCSVInert(t *testing.T, what, out string) {
	t.Helper()
	safetexttest.AssertInert(t, what, out, true)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if lines := strings.Count(out, "\n"); len(rows) != lines {
		t.Fatalf("%s: %d records on %d lines", what, len(rows), lines)
	}
	for _, r := range rows[1:] {
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Fatalf("%s: a cell a spreadsheet reads as a formula: %q", what, cell)
			}
		}
	}
}

// TestHostileTextIsInertInEveryOutput runs every hostile string, as
// DingTalk (or anything between) could answer it, through each output of
// the commands against the simulator: status text and CSV (names, userIds,
// sendStatus, error messages), send text (labels, error messages, ids not
// delivered to, the warning about ids), recall text (reasons).
func TestHostileTextIsInertInEveryOutput(t *testing.T) {
	for name, h := range safetexttest.Hostile {
		t.Run(name, func(t *testing.T) {
			s := startSim(t)
			env := simEnv(t, s)
			sent := time.Now().Add(-time.Minute)
			people := s.AddMessage("dingdemo", sent, []sim.Person{{UserID: h, Name: h, ReadAfter: 0}, {UserID: "u2", Name: h, ReadAfter: sim.Never}})
			status := s.AddMessage("dingdemo", sent, crew)
			failing := s.AddMessage("dingdemo", sent, crew)
			answer, _ := json.Marshal(map[string]any{"sendStatus": h, "messageReadInfoList": []map[string]string{
				{"userId": h, "name": h, "readStatus": "READ"}}})
			s.Inject(sim.Fault{Endpoint: "readStatus", Key: status, Status: 200, Body: string(answer)})
			s.Inject(sim.Fault{Endpoint: "readStatus", Key: failing, Status: 400, Body: errorBody(h)})
			check := func(what, out, errOut string) {
				t.Helper()
				safetexttest.AssertInert(t, what+" stdout", out, true)
				safetexttest.AssertInert(t, what+" stderr", errOut, true)
			}

			out, errOut, code := runBinary(t, env, "", "status", people, status, failing)
			if code != 1 {
				t.Fatalf("status: exit %d: %s", code, errOut)
			}
			check("status text", out, errOut)
			out, errOut, _ = runBinary(t, env, "", "status", "--csv", people, status, failing)
			assertCSVInert(t, "status csv", out)
			check("status csv", out, errOut)

			// send: a hostile label, ids DingTalk does not know (not delivered),
			// and ids that do not look like userIds (warned about).
			s.AddPeople(sim.Person{UserID: "u1", Name: "张伟"})
			arg := strings.ReplaceAll(h, "\x00", "") // no argument can hold NUL
			out, errOut, _ = runBinary(t, env, "", "send", "--force", "--to", "u1", "--to-file", writeTemp(t, h), "--text", "hi", "--label", arg)
			check("send text", out, errOut)
			s.Inject(sim.Fault{Endpoint: "batchSend", Status: 400, Body: errorBody(h), Times: 1})
			out, errOut, _ = runBinary(t, env, "", "send", "--to", "u1", "--text", "hi", "--label", arg+" 2")
			if !strings.Contains(out, "FAILED") {
				t.Fatalf("the batch did not fail: %s", out)
			}
			check("send text, failed batch", out, errOut)

			recallBody, _ := json.Marshal(map[string]any{"successResult": []string{}, "failedResult": map[string]string{status: h}})
			s.Inject(sim.Fault{Endpoint: "batchRecall", Status: 200, Body: string(recallBody), Times: 1})
			out, errOut, code = runBinary(t, env, "", "recall", status)
			if code != 1 || !strings.Contains(out, "NOT recalled") {
				t.Fatalf("recall: exit %d %s %s", code, out, errOut)
			}
			check("recall text", out, errOut)
		})
	}
}
