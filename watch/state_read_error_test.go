package watch

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A state file that is there but cannot be read is no broken file: it is
// never moved aside (breaker7 #4: a root-owned state.json was renamed
// .corrupt, its keys vanished and the day's call ledger restarted). Every
// opener refuses with a *StateReadError naming the file, and lets go of
// the lock. (The box runs as root, which reads any mode, so a directory
// and a path under a file stand in for permission denied and EIO: all
// reach the same error.)
func TestUnreadableStateIsNeverMovedAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	inside := filepath.Join(path, "keep")
	if err := os.WriteFile(inside, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, _, err := OpenStore(dir, t0)
	var unread *StateReadError
	if !errors.As(err, &unread) || unread.Path != path {
		t.Fatalf("OpenStore: %v, want a *StateReadError for %s", err, path)
	}
	if aside, _ := filepath.Glob(filepath.Join(dir, "state.json.*")); len(aside) != 0 {
		t.Fatalf("moved or set aside: %v", aside)
	}
	if _, err := os.Stat(inside); err != nil {
		t.Fatalf("the state path was changed: %v", err)
	}
	// It let go of the lock: a second open is refused the same way, not
	// told that another dingwatch owns the state.
	if _, _, _, err := OpenStore(dir, t0); !errors.As(err, &unread) {
		t.Fatalf("second OpenStore: %v", err)
	}
	if _, err := LoadState(dir); !errors.As(err, &unread) {
		t.Errorf("LoadState: %v", err)
	}
	if _, _, err := LoadStateWarn(dir); !errors.As(err, &unread) {
		t.Errorf("LoadStateWarn: %v", err)
	}
	if _, ok := PeekState(dir, 10, Policy{}, t0); ok {
		t.Error("previewed")
	}
	// A command's ledger is unknown: no metered call under a budget, and
	// the fix is to move the directory away, not "start dingwatch to move it".
	_, err = diskLedger(dir)
	var unknown *LedgerUnknownError
	if !errors.As(err, &unknown) || unknown.Newer || !strings.Contains(unknown.Fix, "move it out of the way") || strings.Contains(unknown.Fix, "moves the file aside") {
		t.Errorf("diskLedger: %#v", err)
	}
	book := NewCallBook(dir, nil, 10)
	if err := book.Reserve(t.Context(), 1, t0); !errors.As(err, &unknown) {
		t.Error("a call was granted with the ledger unread")
	}
	if aside, _ := filepath.Glob(filepath.Join(dir, "state.json.*")); len(aside) != 0 {
		t.Fatalf("moved or set aside: %v", aside)
	}
}

// A read that fails after the file is found (not a Stat of a non-file) is
// a *StateReadError too: here a path under a regular file (ENOTDIR).
func TestReadStateFileErrorIsAStateReadError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, found, err := readStateFile(filepath.Join(file, "state.json"))
	var unread *StateReadError
	if found || !errors.As(err, &unread) || unread.Err == nil || !strings.Contains(unread.Fix(), "owner or mode") {
		t.Fatalf("found %v, err %v", found, err)
	}
}
