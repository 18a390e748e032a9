package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStatusAndRecallRefuseNonKeysBeforeAnyCall: an argument or input line
// that cannot be a processQueryKey is refused with exit 2, naming it (and
// its line for "-"), and no metered call is made (F1).
func TestStatusAndRecallRefuseNonKeysBeforeAnyCall(t *testing.T) {
	s := startSim(t)
	good := s.AddMessage("dingdemo", time.Now().Add(-time.Hour), crew)
	for _, c := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{"status", "x"}, `"x"`},
		{"", []string{"status", "a b"}, `argument 1`},
		{"", []string{"status", good, "shortkey"}, `"shortkey"`},
		{"x y\n#c\n\n" + good + "\n", []string{"status", "-"}, "line 1"},
		{good + "\n\nabc\n", []string{"status", "--json", "-"}, "line 3"},
		{"", []string{"recall", "x"}, `"x"`},
		{"x y\n", []string{"recall", "-"}, "line 1"},
	} {
		before := s.Calls("readStatus") + s.Calls("batchRecall")
		out, errOut, code := runBinary(t, simEnv(t, s), c.stdin, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) || !strings.Contains(errOut, "processQueryKey") {
			t.Errorf("%q (stdin %q): exit %d, want 2 and an error naming %s\n%s%s", c.args, c.stdin, code, c.want, out, errOut)
		}
		if after := s.Calls("readStatus") + s.Calls("batchRecall"); after != before {
			t.Errorf("%q: %d DingTalk calls made for a refused key", c.args, after-before)
		}
	}
}

// TestKeysOnOneLineFollowOneRule: white space separates keys in every
// command that takes them, so two full-length keys on one line are two
// keys for status (argument and standard input) and recall alike, and the
// dashboard refuses a short word beside a good key as status does, before
// anything is saved or asked.
func TestKeysOnOneLineFollowOneRule(t *testing.T) {
	s := startSim(t)
	k1 := s.AddMessage("dingdemo", time.Now().Add(-time.Hour), crew)
	k2 := s.AddMessage("dingdemo", time.Now().Add(-time.Hour), crew)
	env := simEnv(t, s)
	for _, c := range []struct {
		stdin string
		args  []string
	}{
		{"", []string{"status", k1 + " " + k2}},
		{"# two on a line\n" + k1 + "\t" + k2 + "\n", []string{"status", "-"}},
	} {
		before := s.Calls("readStatus")
		out, errOut, code := runBinary(t, env, c.stdin, c.args...)
		if code != 0 || !strings.Contains(out, k1) || !strings.Contains(out, k2) || s.Calls("readStatus")-before != 2 {
			t.Errorf("%q (stdin %q): exit %d, %d calls; want both keys asked\n%s%s", c.args, c.stdin, code, s.Calls("readStatus")-before, out, errOut)
		}
	}
	before := s.Calls("readStatus")
	// status counted its calls in the saved state; the dashboard must add nothing.
	saved, _ := os.ReadFile(filepath.Join(stateDir(env), "state.json"))
	_, errOut, code := runBinary(t, env, "", k1+" x")
	if code != 2 || !strings.Contains(errOut, `"x" cannot be a processQueryKey`) || s.Calls("readStatus") != before {
		t.Errorf("dingwatch 'KEY x': exit %d, want 2 naming \"x\"\n%s", code, errOut)
	}
	if after, _ := os.ReadFile(filepath.Join(stateDir(env), "state.json")); string(after) != string(saved) {
		t.Error("a refused dashboard argument saved the state")
	}
}

// TestDashboardArgumentsTakeWhatStatusTakes: the dashboard's arguments
// follow watch.ParseKeys as status and recall do (G1): a letters-only word
// of a key's length is a key, not an unknown command; a short word is
// still refused as a mistyped command, its length counted in characters.
func TestDashboardArgumentsTakeWhatStatusTakes(t *testing.T) {
	root := (&app{getenv: envLookup(nil)}).rootCmd()
	for _, n := range []int{16, 44, 128} {
		k := strings.Repeat("A", n)
		keys, err := dashboardKeys(root, []string{k})
		if err != nil || len(keys) != 1 || keys[0] != k {
			t.Errorf("a %d-letter key: %q %v", n, keys, err)
		}
		if _, err := readKeyArgs([]string{k}, strings.NewReader("")); err != nil {
			t.Errorf("status refuses the %d-letter key: %v", n, err)
		}
	}
	for arg, want := range map[string]string{
		"statuss":        `unknown command "statuss"; did you mean "status"?`,
		"watchlist":      `unknown command "watchlist" (commands:`,
		"Ключ1ключ2ключ": `is 14 characters`,
	} {
		if _, err := dashboardKeys(root, []string{arg}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", arg, err, want)
		}
	}
}
