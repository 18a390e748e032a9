//go:build unix

package watch

import (
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// A state "file" that is a FIFO (or a directory, a device) is moved aside
// as unreadable, never read: reading a FIFO waits for ever (tester H12:
// the dashboard hung on a blank screen and ctrl+c did nothing).
func TestStateThatIsNotAFileIsNotRead(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "state.json"), 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	store, st, warnings, err := OpenStore(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if len(st.Keys) != 0 || !slices.ContainsFunc(warnings, func(w Warning) bool { return w.Kind == WarnStateSetAside }) {
		t.Fatalf("%d keys, warnings %+v", len(st.Keys), warnings)
	}
	if aside, _ := filepath.Glob(filepath.Join(dir, "state.json.corrupt-*")); len(aside) != 1 {
		t.Fatalf("the FIFO was not moved aside: %v", aside)
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
