package cli

import (
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
