package serve

import (
	"strings"
	"testing"
	"time"
)

// firstFrameLimit is a generous bound on the wait for the first frame: far
// above the goal (within a second), far below the 2 s query timeout plus a
// key press that a blocking background-colour query used to need.
const firstFrameLimit = 10 * time.Second

func TestFirstFrameWithoutQueryAnswersAndNoKeyEaten(t *testing.T) {
	f := start(t)
	start := time.Now()
	term := f.openTerminal(t, f.user) // its screen answers no query
	// A key typed at once, before the first frame, must not be eaten.
	term.in.Write([]byte("?"))
	deadline := start.Add(firstFrameLimit)
	for out := term.out.String(); !strings.Contains(out, "Watched (2)") && !strings.Contains(out, "any key closes"); out = term.out.String() {
		if time.Now().After(deadline) {
			t.Fatalf("no first frame within %v from a terminal that answers no queries:\n%q", firstFrameLimit, term.out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("first frame after %v", time.Since(start).Round(time.Millisecond))
	term.waitFor(t, "any key closes") // the help the early ? asked for
	for _, query := range []string{"\x1b]11;?", "\x1b]10;?", "\x1b[c", "\x1b[6n"} {
		if strings.Contains(term.out.String(), query) {
			t.Fatalf("the server queried the terminal (%q): a client that never answers waits on it", query)
		}
	}
}

// BenchmarkFirstFrame measures from the start of a session (dial, login,
// terminal, shell) to the first frame of the dashboard, for a terminal
// that answers no queries.
func BenchmarkFirstFrame(b *testing.B) {
	f := start(b)
	for b.Loop() {
		term := f.openTerminal(b, f.user)
		for !strings.Contains(term.out.String(), "Watched (2)") {
			time.Sleep(time.Millisecond)
		}
		term.close()
	}
}
