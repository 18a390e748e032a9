package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestStatusFailsForNoticeDeliveredToNobody: a notice whose every userId
// DingTalk did not deliver to (all invalid) is a failure a script sees:
// `send` exits 1 saying so; `status` asks no key of it, says it was delivered to nobody and why, and
// exits 1; its JSON says "deliveredToNobody": true. A notice DingTalk did
// not deliver to one person of six exits 1 too, naming how many of the
// total; the count stays 0/6 and JSON does not say nobody.
func TestStatusFailsForNoticeDeliveredToNobody(t *testing.T) {
	s := startSim(t)
	env := simEnv(t, s)
	var bad []string
	for i := range 25 {
		bad = append(bad, fmt.Sprintf("ghost%02d", i))
	}
	// send says it too: sent, yet nobody can read it.
	if _, errOut, code := runBinary(t, env, "", "send", "--to", strings.Join(bad, ","), "--text", "hi", "--label", "Bad"); code != 1 ||
		!strings.Contains(errOut, `DingTalk delivered notice "Bad" to nobody: 25 people not delivered (25 invalid userId)`) {
		t.Fatalf("send to nobody: exit %d: %s", code, errOut)
	}
	ids := addTeam(s, 5)
	// A reminder that reached nobody is said of the reminder, not of a
	// notice that reached people (tester Q4).
	if _, errOut, code := runBinary(t, env, "", "send", "--to", ids[0], "--text", "hi", "--label", "Good"); code != 0 {
		t.Fatalf("send: exit %d: %s", code, errOut)
	}
	if _, errOut, code := runBinary(t, env, "", "send", "--to", "ghostx", "--text", "again", "--label", "Good", "--join"); code != 1 ||
		!strings.Contains(errOut, `DingTalk delivered reminder 1 of notice "Good" to nobody: 1 person not delivered`) {
		t.Fatalf("a reminder to nobody: exit %d: %s", code, errOut)
	}
	// Some people not delivered: sent, exit 0 (a retry would send it twice).
	if _, errOut, code := runBinary(t, env, "", "send", "--to", strings.Join(ids, ",")+",ghost", "--text", "hi", "--label", "Some"); code != 0 {
		t.Fatalf("send: exit %d: %s", code, errOut)
	}
	time.Sleep(5 * time.Millisecond) // the simulator's "not generated yet" moment

	before := s.Calls("readStatus")
	out, errOut, code := runBinary(t, env, "", "status", "--notice", "Bad")
	if code != 1 || !strings.Contains(errOut, `notice "Bad" was delivered to nobody: DingTalk did not deliver it to 25 people (25 invalid userId)`) {
		t.Fatalf("nobody: exit %d, stderr %s", code, errOut)
	}
	if !strings.Contains(out, `notice "Bad": read 0/25 over 2 keys  ! delivered to nobody`) {
		t.Errorf("summary lacks the mark:\n%s", out)
	}
	if n := s.Calls("readStatus") - before; n != 0 {
		t.Errorf("status asked %d keys nobody can read", n)
	}
	out, _, code = runBinary(t, env, "", "status", "--json", "--notice", "Bad")
	if code != 1 || !strings.Contains(out, `"deliveredToNobody": true,`+"\n      \"unread\"") {
		t.Errorf("JSON: exit %d, the notice lacks deliveredToNobody:\n%s", code, out)
	}

	out, errOut, code = runBinary(t, env, "", "status", "--notice", "Some")
	if code != 1 || !strings.Contains(errOut, `notice "Some": DingTalk did not deliver it to 1 person of 6 (1 invalid userId)`) {
		t.Fatalf("partial: exit %d, stderr %s", code, errOut)
	}
	if !strings.Contains(out, `notice "Some": read 0/6 over 1 key  ! 1 person not delivered by DingTalk`) {
		t.Errorf("summary lacks the mark:\n%s", out)
	}
	out, _, _ = runBinary(t, env, "", "status", "--json", "--notice", "Some")
	if !strings.Contains(out, `"deliveredToNobody": false`) || strings.Contains(out, `"deliveredToNobody": true`) {
		t.Errorf("a notice that reached 5 of 6 says deliveredToNobody:\n%s", out)
	}

	// Tester Q4: one send whose first batch reached nobody and whose
	// second reached people. send --json says it did not reach nobody;
	// status of the first batch's key says its key reached nobody, never
	// the notice, and counts its batch's people (read 0/20, not 0/0).
	var mixed []string
	for i := range 20 {
		mixed = append(mixed, fmt.Sprintf("lost%02d", i))
	}
	out, errOut, code = runBinary(t, env, "", "send", "--to", strings.Join(append(mixed, ids[0]), ","), "--text", "hi", "--label", "Mixed", "--json")
	var sent struct {
		Keys              []string
		Round             int
		DeliveredToNobody *bool
	}
	if err := json.Unmarshal([]byte(out), &sent); code != 0 || err != nil || len(sent.Keys) != 2 || sent.DeliveredToNobody == nil || *sent.DeliveredToNobody {
		t.Fatalf("send --json: exit %d, %v: %s%s", code, err, out, errOut)
	}
	out, errOut, code = runBinary(t, env, "", "status", "--json", sent.Keys[0])
	var st struct {
		Messages []struct {
			DeliveredToNobody bool
			Total             int
		}
		Notices []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &st); code != 1 || err != nil || len(st.Notices) != 1 {
		t.Fatalf("status --json of the nobody key: exit %d, %v: %s", code, err, out)
	}
	if says := st.Notices[0]["deliveredToNobody"]; says != false || !st.Messages[0].DeliveredToNobody || st.Messages[0].Total != 20 {
		t.Errorf("status --json of the nobody key: the notice says nobody (%v), or the key does not (%+v):\n%s", says, st.Messages[0], out)
	}
	out, errOut, code = runBinary(t, env, "", "status", sent.Keys[0])
	if code != 1 || strings.Contains(errOut, "was delivered to nobody") ||
		!strings.Contains(errOut, `notice "Mixed": DingTalk delivered the key asked (1 of its 2) to nobody: 20 people not delivered (20 invalid userId); the notice's other keys reached people`) {
		t.Errorf("status of the nobody key: exit %d, stderr %s", code, errOut)
	}
	if !strings.Contains(out, "not asked)  read 0/20\n") || !strings.Contains(out, `notice "Mixed": read 0/20 over 1 key  ! the key asked (1 of its 2) reached nobody`) {
		t.Errorf("status of the nobody key:\n%s", out)
	}
	// A send that reached nobody says so in its JSON, of its round.
	out, _, code = runBinary(t, env, "", "send", "--to", "ghosty", "--text", "again", "--label", "Mixed", "--join", "--json")
	if err := json.Unmarshal([]byte(out), &sent); code != 1 || err != nil || sent.Round != 1 || sent.DeliveredToNobody == nil || !*sent.DeliveredToNobody {
		t.Errorf("send --json of a reminder to nobody: exit %d, %v:\n%s", code, err, out)
	}
}
