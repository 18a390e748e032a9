//go:build unix

package watch

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A state "file" that is a FIFO (or a directory, a device) is never read:
// reading a FIFO waits for ever (tester H12: the dashboard hung on a
// blank screen and ctrl+c did nothing). Nor is it moved aside: it was not
// read, so nothing says it is broken (breaker7 #4); the open is refused.
func TestStateThatIsNotAFileIsNotRead(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "state.json"), 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	_, _, _, err := OpenStore(dir, t0)
	if !errors.As(err, new(*StateReadError)) || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("OpenStore: %v", err)
	}
	if aside, _ := filepath.Glob(filepath.Join(dir, "state.json.*")); len(aside) != 0 {
		t.Fatalf("the FIFO was moved aside: %v", aside)
	}
}

// status reads the state without owning it: a FIFO there is an error too,
// not a wait for ever.
func TestReaderDoesNotReadAFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "state.json"), 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if _, _, err := LoadStateWarn(dir); err == nil {
		t.Fatal("a FIFO read as a state")
	}
}

// Nor is it previewed: opening it would wait for a writer.
func TestNoPreviewOfAFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "state.json"), 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if _, ok := PeekState(dir, 10, Policy{}, t0); ok {
		t.Error("a FIFO was previewed")
	}
}
