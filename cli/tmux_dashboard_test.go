package cli

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// demoInTmux starts the demo dashboard in a w×h tmux pane with env (e.g.
// "TERM=screen NO_COLOR=1") and waits for its first frame.
func demoInTmux(t *testing.T, w, h int, env string) *tmux {
	t.Helper()
	x := newTmux(t)
	state := t.TempDir()
	cmd := env + " XDG_STATE_HOME=" + state + " XDG_CONFIG_HOME=" + state + " " + binary + " --demo; echo EXIT=$?; sleep 60"
	x.run("new-session", "-d", "-s", "dw", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), cmd)
	x.waitFor("Unread (")
	return x
}

// cursorLine is the list line the cursor is on.
func cursorLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "│ › ") {
			return l
		}
	}
	return ""
}

// cursorRow is the title of the row the list cursor is on.
func cursorRow(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if i := strings.Index(l, "› "); i >= 0 {
			return strings.TrimSpace(strings.Split(l[i+len("› "):], "  ")[0])
		}
	}
	return ""
}

var watchedCount = regexp.MustCompile(`Watched \((\d+)\)`)

func watched(t *testing.T, s string) int {
	m := watchedCount.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no Watched (N):\n%s", s)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestTmuxEnterNeverConfirms: s … Enter Enter does not send; x Enter does
// not recall.
func TestTmuxEnterNeverConfirms(t *testing.T) {
	x := demoInTmux(t, 100, 30, "TERM=screen")
	before := watched(t, x.screen())
	x.keys("s")
	x.waitFor("Send a notice")
	x.keys("user001", "Tab", "hello", "Enter")
	x.waitFor("y sends")
	x.keys("Enter")
	x.waitFor("Send a notice") // back to the form: cancelled
	x.keys("Escape")
	s := x.waitFor("Watched (")
	if watched(t, s) != before || strings.Contains(s, "batch sent") {
		t.Fatalf("Enter Enter sent:\n%s", s)
	}
	x.keys("x")
	x.waitFor("y recalls")
	x.keys("Enter")
	s = x.waitFor("cancelled")
	if strings.Contains(s, "recalled 3 keys") || strings.Contains(cursorLine(s), "recalled") {
		t.Fatalf("x Enter recalled:\n%s", s)
	}
}

// TestTmuxKeysInOneWrite: jjj written at once moves three rows.
func TestTmuxKeysInOneWrite(t *testing.T) {
	x := demoInTmux(t, 100, 30, "TERM=screen")
	s := x.screen()
	first := cursorRow(s)
	x.run("send-keys", "-t", "dw", "-l", "jjj")
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		s = x.screen()
		if cursorRow(s) != first {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	s = x.screen()
	lines := strings.Split(s, "\n")
	at := func(title string) int {
		for i, l := range lines {
			if strings.Contains(l, title) {
				return i
			}
		}
		return -1
	}
	if moved := at("› "+cursorRow(s)) - at(first); moved != 3 {
		t.Fatalf("jjj in one write moved %d rows (from %q to %q):\n%s", moved, first, cursorRow(s), s)
	}
}

// TestTmuxEscClearsAppliedFilter: / text Enter, then esc shows every row again.
func TestTmuxEscClearsAppliedFilter(t *testing.T) {
	x := demoInTmux(t, 100, 30, "TERM=screen NO_COLOR=1")
	x.keys("/", "Fire", "Enter")
	s := x.waitFor("/fire (1)")
	if strings.Contains(s, "Security patch") {
		t.Fatalf("the filter did not apply:\n%s", s)
	}
	x.keys("Escape")
	s = x.waitFor("filter cleared")
	if !strings.Contains(s, "Security patch") || !strings.Contains(s, "Fire drill") {
		t.Fatalf("esc did not clear the filter:\n%s", s)
	}
}

// TestTmuxLateColourAnswerIsNotInput: a terminal's answer to a colour query
// arriving while the filter is typed does not become filter text.
func TestTmuxLateColourAnswerIsNotInput(t *testing.T) {
	x := demoInTmux(t, 100, 30, "TERM=screen")
	x.keys("/", "Fi")
	answer := "\x1b]11;rgb:1e1e/1e1e/1e1e\x07"
	var hex []string
	for _, b := range []byte(answer) {
		hex = append(hex, fmt.Sprintf("%02x", b))
	}
	x.run(append([]string{"send-keys", "-t", "dw", "-H"}, hex...)...)
	x.keys("re")
	s := x.waitFor("/Fire")
	if strings.Contains(s, "rgb") || strings.Contains(s, "11;") {
		t.Fatalf("the answer became input:\n%s", s)
	}
	x.keys("Enter")
	x.waitFor("/fire (1)")
}

// TestTmuxCopyArrivesWhole: with TERM=screen inside tmux (tmux's default)
// and set-clipboard on, y puts every unread name in tmux's buffer, whole.
func TestTmuxCopyArrivesWhole(t *testing.T) {
	x := demoInTmux(t, 120, 40, "TERM=screen")
	x.run("set-option", "-g", "set-clipboard", "on")
	deadline := time.Now().Add(15 * time.Second)
	for !regexp.MustCompile(`Unread \(\d\d+\)`).MatchString(x.screen()) { // enough names to pass one screen chunk (57 bytes)
		if time.Now().After(deadline) {
			t.Fatalf("the demo never showed ten unread:\n%s", x.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
	x.keys("y")
	s := x.waitFor("copied ")
	m := regexp.MustCompile(`copied (\d+) unread names \(\d`).FindStringSubmatch(s) // the demo's people read as it runs: count what was copied
	if m == nil {
		t.Fatalf("flash:\n%s", s)
	}
	want, _ := strconv.Atoi(m[1])
	if want < 10 {
		t.Fatalf("copied only %d names: the test needs more than one screen chunk", want)
	}
	var buf string
	deadline = time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		buf = x.run("show-buffer")
		if strings.Count(buf, "\n") >= want {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	lines := strings.Split(strings.TrimSuffix(buf, "\n"), "\n")
	if len(lines) != want {
		t.Fatalf("the buffer holds %d lines, want %d:\n%q", len(lines), want, buf)
	}
	for _, l := range lines {
		if f := strings.Split(l, "\t"); len(f) != 2 || !strings.HasPrefix(f[1], "user") {
			t.Fatalf("a cut or odd line %q in:\n%q", l, buf)
		}
	}
	if os.Getenv("DINGWATCH_TMUX_SHOW") != "" {
		t.Log(buf)
	}
}
