package watch

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The writer, the taker, Pending and waiting agree on what a parcel is
// (breaker7 #5): Deliver's names pass checkParcelName, so the state's
// reader accepts every name the taker saves in Taken; a file with any
// other name (or a directory with a parcel's name) is no parcel.
func TestOneRuleSaysWhatAParcelIs(t *testing.T) {
	dir := t.TempDir()
	s := &Store{path: filepath.Join(dir, "state.json")}
	p := Parcel{Ops: []Op{{Kind: OpCalls, Calls: []time.Time{t0}}}}
	path, err := s.deliver(p, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkParcelName(filepath.Base(path)); err != nil {
		t.Fatalf("Deliver wrote a name the reader refuses: %v", err)
	}
	for _, n := range []string{"calls(1).json", "my note.json", ".hidden.json", "x.json.bad", "x.tmp"} {
		if err := os.WriteFile(filepath.Join(s.inbox(), n), []byte(`{"ops":[]}`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(s.inbox(), "dir.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	if names := s.inboxNames(); len(names) != 1 || names[0] != filepath.Base(path) {
		t.Errorf("inboxNames %q", names)
	}
	if n := s.waiting(); n != 1 {
		t.Errorf("waiting %d, want 1", n)
	}
	if got := s.Pending(nil); len(got) != 1 {
		t.Errorf("Pending %d parcels, want 1", len(got))
	}
	if !s.hasParcels() {
		t.Error("hasParcels false")
	}
	os.Remove(path)
	if s.hasParcels() || s.waiting() != 0 || len(s.Pending(nil)) != 0 {
		t.Error("the files that are no parcels were counted")
	}
}
