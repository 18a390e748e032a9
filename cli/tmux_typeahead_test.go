package cli

import (
	"strings"
	"testing"
	"time"
)

// TestTmuxTypeAheadNeverConfirms (breaker F17): "xy" and "dy" written at
// once, and "m", Enter, "y" in one write, open their question but never
// answer it; y typed once the question shows "y … ·" does.
func TestTmuxTypeAheadNeverConfirms(t *testing.T) {
	x := demoInTmux(t, 80, 24, "TERM=screen NO_COLOR=1")
	for _, c := range []struct{ burst, question, armed string }{
		{"xy", "Recall ", "y recalls ·"},
		{"dy", "Stop watching ", "y removes ·"},
		{"m\ry", "Remind ", "y sends the reminder ·"},
	} {
		x.run("send-keys", "-t", "dw", "-l", c.burst)
		s := x.waitFor(c.question)
		time.Sleep(500 * time.Millisecond) // long enough for a wrongly taken y to act
		if s = x.screen(); !strings.Contains(s, c.question) || strings.Contains(s, "removed ") || strings.Contains(s, "recalled 3 keys") {
			t.Fatalf("%q in one write answered the question:\n%s", c.burst, s)
		}
		x.waitFor(c.armed) // the question is armed: now y would count
		x.keys("Escape")
		if c.burst == "m\ry" {
			x.keys("Escape") // the reminder's form
		}
		x.waitFor("cancelled")
	}
	x.keys("x")
	x.waitFor("y recalls ·")
	x.keys("y")
	x.waitFor("recalled 3 keys")
}
