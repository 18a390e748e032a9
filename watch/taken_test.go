package watch

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// crashed is what a test's Store.crash hook panics with: the take stops
// there, as a kill -9 would stop the process.
type crashed struct{}

// takenState writes a state with one key labelled "old" in a new
// directory, and three parcels for its owner: the key renamed, then 3
// metered calls, then 2 more.
func takenState(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	s, _, _, err := OpenStore(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	k := liveKey("takenKey1", t0, 2)
	k.Label = "old"
	if err := s.Save(&State{Keys: []*Key{k}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	follower := &Store{path: s.path}
	for i, p := range []Parcel{
		{Ops: []Op{{Kind: OpLabel, Key: "takenKey1", Label: "renamed"}}},
		{Ops: []Op{{Kind: OpCalls, Calls: []time.Time{t0, t0, t0}}}},
		{Ops: []Op{{Kind: OpCalls, Calls: []time.Time{t0, t0}}}},
	} {
		if err := follower.Deliver(p, t0.Add(time.Duration(i))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// openOwner starts an owner of the state in dir, as a start of dingwatch.
func openOwner(t *testing.T, dir string) (*Store, *Engine) {
	t.Helper()
	s, st, _, err := OpenStore(dir, t0)
	if err != nil || s.ReadOnly() {
		t.Fatalf("not the owner: %v", err)
	}
	return s, NewEngine(Options{Store: s, State: st, Now: func() time.Time { return t0 }})
}

// crashTake takes e's inbox and reports whether the store's crash hook
// stopped it.
func crashTake(e *Engine) (stopped bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(crashed); !ok {
				panic(r)
			}
			stopped = true
		}
	}()
	e.takeInbox()
	return false
}

// onDisk is what the state in dir holds of the three parcels: the key's
// label, the calls counted, and the parcels left in the inbox.
func onDisk(t *testing.T, dir string) (label string, calls, files int) {
	t.Helper()
	st, err := LoadState(dir)
	if err != nil || st.Key("takenKey1") == nil {
		t.Fatalf("state: %v", err)
	}
	return st.Key("takenKey1").Label, st.Calls.Spent(t0), len((&Store{path: filepath.Join(dir, "state.json")}).inboxNames())
}

// A crash at any point of taking the inbox (before the save, after it,
// between the removals of the parcels) loses no parcel and applies none
// twice: after the next start has taken the inbox, the state holds the
// rename once and exactly 5 calls, and the inbox is empty. Before that
// start, a reader of the state and its inbox (a one-shot command's call
// book) counts every call once too.
func TestTakeInboxSurvivesACrashAtEachPoint(t *testing.T) {
	for _, c := range []struct {
		point              string
		nth                int
		label              string // on disk after the crash
		calls, files, book int
	}{
		{"save", 1, "old", 0, 3, 5},
		{"saved", 1, "renamed", 5, 3, 5},
		{"removed", 1, "renamed", 5, 2, 5},
		{"removed", 2, "renamed", 5, 1, 5},
		{"removed", 3, "renamed", 5, 0, 5},
	} {
		t.Run(fmt.Sprintf("%s#%d", c.point, c.nth), func(t *testing.T) {
			dir := takenState(t)
			s, e := openOwner(t, dir)
			hits := 0
			s.crash = func(point string) {
				if point == c.point {
					if hits++; hits == c.nth {
						panic(crashed{})
					}
				}
			}
			if !crashTake(e) {
				t.Fatalf("the take never reached %s #%d", c.point, c.nth)
			}
			s.lock.Unlock() // the process is gone: so is its lock
			if label, calls, files := onDisk(t, dir); label != c.label || calls != c.calls || files != c.files {
				t.Fatalf("after the crash: label %q, %d calls, %d parcels; want %q, %d, %d", label, calls, files, c.label, c.calls, c.files)
			}
			saved, _ := LoadState(dir)
			if got := NewCallBook(dir, saved, 0).Spent(t0); got != c.book {
				t.Errorf("a command reading the state after the crash counts %d calls, want %d", got, c.book)
			}

			for start := range 2 { // the next start, and one more: nothing changes again
				s, e := openOwner(t, dir)
				e.takeInbox()
				e.Flush()
				s.Close()
				if label, calls, files := onDisk(t, dir); label != "renamed" || calls != 5 || files != 0 {
					t.Fatalf("start %d after the crash: label %q, %d calls, %d parcels; want \"renamed\", 5, 0", start+1, label, calls, files)
				}
				if len(e.state.Taken) != 0 {
					t.Fatalf("start %d: names of removed parcels kept: %q", start+1, e.state.Taken)
				}
			}
		})
	}
}

// While the state cannot be saved, the parcels stay in the inbox and a
// second take does not apply them again; once a save is made, they go.
func TestTakeInboxKeepsParcelsUntilSaved(t *testing.T) {
	dir := takenState(t)
	s, e := openOwner(t, dir)
	defer s.Close()
	s.newer.Store(true) // every save fails, as on a newer state
	for range 2 {
		e.takeInbox()
		if spent := e.Snapshot().Spent; spent != 5 {
			t.Fatalf("%d calls shown, want 5", spent)
		}
		if _, calls, files := onDisk(t, dir); calls != 0 || files != 3 {
			t.Fatalf("a save failed, yet %d calls on disk and %d parcels left, want 0 and 3", calls, files)
		}
	}
	s.newer.Store(false)
	e.takeInbox()
	if label, calls, files := onDisk(t, dir); label != "renamed" || calls != 5 || files != 0 {
		t.Fatalf("once saved: label %q, %d calls, %d parcels; want \"renamed\", 5, 0", label, calls, files)
	}
}

// The state's list of taken parcels is read by every decoder alike, and a
// name that is not a parcel's is set aside alone, never used to remove a
// file.
func TestTakenNamesAreChecked(t *testing.T) {
	good := "00000000000000000001-42-000001.json"
	data := []byte(`{"version":1,"keys":[],"taken":["` + good + `","../state.json",7,"a.json"]}`)
	st, problems, err := DecodeState(data)
	if err != nil || !slices.Equal(st.Taken, []string{good, "a.json"}) || len(problems) != 2 {
		t.Fatalf("taken %q, problems %+v, %v", st.Taken, problems, err)
	}
	if _, ok := decodeClean(data); ok {
		t.Fatal("the one-pass decoder took a name that is not a parcel's")
	}
	clean := []byte(`{"version":1,"keys":[],"taken":["` + good + `"]}`)
	if st, ok := decodeClean(clean); !ok || !slices.Equal(st.Taken, []string{good}) {
		t.Fatalf("the one-pass decoder: %v %+v", ok, st)
	}
	assertSameAsEntries(t, clean)
	dir := t.TempDir()
	for _, c := range []struct {
		data []byte
		ok   bool
	}{{clean, true}, {data, false}} {
		if err := os.WriteFile(filepath.Join(dir, "state.json"), c.data, 0o600); err != nil {
			t.Fatal(err)
		}
		if snap, ok := PeekState(dir, 10, Policy{}, t0); ok != c.ok {
			t.Fatalf("the preview of %s: %v", c.data, ok)
		} else if ok {
			assertPreviewAgrees(t, c.data, snap)
		}
	}
}

// A command's reservation of calls that an owner took and saved, then
// stopped before removing (a crash), is not counted twice when the
// command records the calls it made: the saved state lists it as taken,
// so its calls are taken back like those of a reservation already gone.
func TestRecordCallsSeesAReservationTakenBeforeACrash(t *testing.T) {
	dir := t.TempDir()
	s := &Store{path: filepath.Join(dir, "state.json")}
	reserved := []time.Time{t0, t0, t0}
	path, err := s.deliver(Parcel{Ops: []Op{{Kind: OpCalls, Calls: reserved}}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	st := &State{Taken: []string{filepath.Base(path)}}
	st.Calls.merge(reserved) // the owner's save, before it removed the file
	if err := s.Save(st); err != nil {
		t.Fatal(err)
	}
	if _, err := recordCalls(dir, []reservation{{path, reserved}}, []time.Time{t0}, t0); err != nil {
		t.Fatal(err)
	}
	saved, err := LoadState(dir)
	if err != nil || saved.Calls.Spent(t0) != 1 {
		t.Fatalf("%d calls counted for 1 made (%v)", saved.Calls.Spent(t0), err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("the reservation is still in the inbox")
	}
}
