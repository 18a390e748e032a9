package watch

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/gofrs/flock"
)

// goodState is a saved state of two notices and three keys.
func goodState(t *testing.T) []byte {
	t.Helper()
	a, b, c := liveKey("keyA", t0, 2), liveKey("keyB", t0, 2), liveKey("keyC", t0, 1)
	a.Notice, b.Notice = "n1", "n1"
	a.Recipients[0].Read, a.Recipients[0].FirstSeenRead = true, t0.Add(time.Minute)
	st := &State{Keys: []*Key{a, b, c}, Notices: []*Notice{{ID: "n1", Label: "周会"}, {ID: "n2", Label: "empty"}}}
	st.Calls.Add(t0)
	data, err := EncodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// spoil rewrites part of a saved state's JSON.
func spoil(t *testing.T, data []byte, fn func(top map[string]any)) []byte {
	t.Helper()
	var top map[string]any
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	fn(top)
	out, err := json.Marshal(top)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func keysAt(top map[string]any) []any { return top["keys"].([]any) }

func keyAt(top map[string]any, i int) map[string]any { return keysAt(top)[i].(map[string]any) }

// One bad part of the saved state costs only itself: the rest loads, and
// what was left out is kept in a set-aside file and reported.
func TestBadEntriesAreSetAsideTheRestLoads(t *testing.T) {
	cases := []struct {
		name     string
		spoil    func(top map[string]any)
		wantKeys []string
		what     string // in the warning
		check    func(t *testing.T, st *State)
	}{
		{"malformed key", func(top map[string]any) { keyAt(top, 1)["key"] = "bad key\x1b[2J" }, []string{"keyA", "keyC"}, "key 2", nil},
		{"key field of the wrong shape", func(top map[string]any) { keyAt(top, 0)["sentAt"] = 12 }, []string{"keyA", "keyB", "keyC"}, "sentAt of key 1",
			func(t *testing.T, st *State) {
				if k := st.Key("keyA"); !k.SentAt.IsZero() || len(k.Recipients) != 2 || !k.Recipients[0].Read {
					t.Fatalf("keyA keeps all but its sentAt: %+v", k)
				}
			}},
		{"negative count", func(top map[string]any) { keyAt(top, 1)["failures"] = -4 }, []string{"keyA", "keyB", "keyC"}, "failures of key 2",
			func(t *testing.T, st *State) {
				if k := st.Key("keyB"); k.Failures != 0 || len(k.Recipients) != 2 {
					t.Fatalf("keyB: %+v", k)
				}
			}},
		{"notices not a list", func(top map[string]any) { top["notices"] = "oops" }, []string{"keyA", "keyB", "keyC"}, "notices",
			func(t *testing.T, st *State) {
				if g := st.Groups(); len(g) != 2 || g[0].Notice == nil || len(g[0].Keys) != 2 {
					t.Fatalf("the keys of the notices stay together: %+v", g)
				}
			}},
		{"member dingwatch does not write", func(top map[string]any) { top["note"] = "hand-written, keep me" }, []string{"keyA", "keyB", "keyC"}, `member "note"`, nil},
		{"null key", func(top map[string]any) { top["keys"] = append(keysAt(top), nil) }, []string{"keyA", "keyB", "keyC"}, "key 4", nil},
		{"repeated key", func(top map[string]any) { top["keys"] = append(keysAt(top), keyAt(top, 2)) }, []string{"keyA", "keyB", "keyC"}, "key 4", nil},
		{"recipient without id", func(top map[string]any) {
			keyAt(top, 0)["recipients"].([]any)[1].(map[string]any)["userId"] = ""
		}, []string{"keyA", "keyB", "keyC"}, "recipient 2 of key 1", func(t *testing.T, st *State) {
			if k := st.Key("keyA"); len(k.Recipients) != 1 || !k.Recipients[0].Read {
				t.Fatalf("keyA keeps its good recipient: %+v", k.Recipients)
			}
		}},
		{"recipient of the wrong shape", func(top map[string]any) {
			keyAt(top, 1)["recipients"].([]any)[0].(map[string]any)["read"] = "yes"
		}, []string{"keyA", "keyB", "keyC"}, "recipient 1 of key 2", func(t *testing.T, st *State) {
			if k := st.Key("keyB"); len(k.Recipients) != 1 {
				t.Fatalf("keyB: %+v", k.Recipients)
			}
		}},
		{"missing notice", func(top map[string]any) { top["notices"] = top["notices"].([]any)[1:] }, []string{"keyA", "keyB", "keyC"}, "key 1's notice",
			func(t *testing.T, st *State) {
				if g := st.Groups(); len(g) != 2 || g[0].Notice == nil || g[0].Notice.ID != "n1" || len(g[0].Keys) != 2 {
					t.Fatalf("the keys of a missing notice stay together: %+v", g)
				}
				if st.Notice("n1") == nil {
					t.Fatal("no stand-in notice")
				}
			}},
		{"notice reference that is no notice id", func(top map[string]any) { keyAt(top, 2)["notice"] = "\x1b]0;x\x07" }, []string{"keyA", "keyB", "keyC"}, "key 3's notice",
			func(t *testing.T, st *State) {
				if st.Key("keyC").Notice != "" {
					t.Fatal("a bad notice reference must be dropped")
				}
			}},
		{"notice without id", func(top map[string]any) { top["notices"].([]any)[1].(map[string]any)["id"] = "" }, []string{"keyA", "keyB", "keyC"}, "notice 2", nil},
		{"unreadable call ledger", func(top map[string]any) { top["calls"] = "lots" }, []string{"keyA", "keyB", "keyC"}, "calls", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "state.json")
			bad := spoil(t, goodState(t), c.spoil)
			os.WriteFile(path, bad, 0o600)
			s, st, warn, err := OpenStore(dir, t0)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := keysOf(st.Keys); !slices.Equal(got, c.wantKeys) {
				t.Fatalf("loaded %v, want %v", got, c.wantKeys)
			}
			if len(warn) != 1 || warn[0].Kind != WarnStateSetAside || !strings.Contains(warn[0].Text, c.what) || !strings.Contains(warn[0].Text, "set aside") {
				t.Fatalf("warnings %q, want one naming %q", warn, c.what)
			}
			if c.check != nil {
				c.check(t, st)
			}
			// The left-out entry is kept, whole, in its own file.
			files, _ := filepath.Glob(filepath.Join(dir, "state.json.set-aside-*.json"))
			if len(files) != 1 || warn[0].Path != files[0] || !strings.Contains(warn[0].Text, files[0]) {
				t.Fatalf("set-aside files %v, warning %q", files, warn[0])
			}
			var aside setAside
			data, _ := os.ReadFile(files[0])
			if err := json.Unmarshal(data, &aside); err != nil || len(aside.Entries) < 1 || !strings.HasPrefix(aside.Entries[0].What, c.what) || len(aside.Entries[0].Raw) == 0 {
				t.Fatalf("set-aside file: %v %s", err, data)
			}
			if fi, _ := os.Stat(files[0]); fi.Mode().Perm() != 0o600 {
				t.Fatalf("mode %v", fi.Mode())
			}
			// The state file no longer holds it: the next start is clean.
			s.Close()
			s2, st2, warn2, err := OpenStore(dir, t0)
			if err != nil || len(warn2) != 0 || !slices.Equal(keysOf(st2.Keys), c.wantKeys) {
				t.Fatalf("second start: %v %q %v", err, warn2, keysOf(st2.Keys))
			}
			s2.Close()
		})
	}
}

// A follower never writes: it leaves bad entries out and says so.
func TestFollowerLeavesBadEntriesOutWithoutWriting(t *testing.T) {
	dir := t.TempDir()
	owner, _, _, err := OpenStore(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	bad := spoil(t, goodState(t), func(top map[string]any) { keyAt(top, 0)["key"] = "no good" })
	os.WriteFile(filepath.Join(dir, "state.json"), bad, 0o600)
	f, st, warn, err := OpenStore(dir, t0)
	if err != nil || !f.ReadOnly() || len(st.Keys) != 2 || len(warn) != 2 || warn[1].Kind != WarnStateUnreadable || !strings.Contains(warn[1].Text, "left out") {
		t.Fatalf("%v %v %q", err, keysOf(st.Keys), warn)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*set-aside*")); len(files) != 0 {
		t.Fatalf("a follower wrote %v", files)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "state.json")); !bytes.Equal(now, bad) {
		t.Fatal("a follower changed the owner's file")
	}
}

// A state file from a newer dingwatch stops the program and is left byte
// for byte as it was: not renamed, not rewritten, nothing beside it.
func TestNewerStateFileStopsAndIsUnchanged(t *testing.T) {
	for _, owner := range []bool{true, false} {
		dir := t.TempDir()
		path := filepath.Join(dir, "state.json")
		newer := spoil(t, goodState(t), func(top map[string]any) {
			top["version"] = stateVersion + 1
			keyAt(top, 0)["key"] = "a newer dingwatch's key shape"
			top["somethingNew"] = map[string]any{"x": 1}
		})
		if !owner {
			// The newer dingwatch runs and owns the directory: this one would follow.
			running, _, _, err := OpenStore(dir, t0)
			if err != nil {
				t.Fatal(err)
			}
			defer running.Close()
		}
		os.WriteFile(path, newer, 0o600)
		before, _ := os.Stat(path)
		s, _, _, err := OpenStore(dir, t0)
		var ne *NewerStateError
		if !errors.As(err, &ne) || s != nil || ne.Version != stateVersion+1 || !strings.Contains(err.Error(), "newer dingwatch") || !strings.Contains(err.Error(), path) {
			t.Fatalf("err %v", err)
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(after, newer) {
			t.Fatal("the newer state file changed")
		}
		if fi, _ := os.Stat(path); !os.SameFile(before, fi) || !fi.ModTime().Equal(before.ModTime()) {
			t.Fatal("the newer state file was replaced")
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Name() != "state.json" && e.Name() != "state.lock" {
				t.Fatalf("%s appeared beside the newer state", e.Name())
			}
		}
		if owner {
			// The lock was let go: a newer dingwatch can take the directory.
			l := flock.New(filepath.Join(dir, "state.lock"))
			if ok, err := l.TryLock(); !ok || err != nil {
				t.Fatalf("the lock is still held: %v", err)
			}
			l.Unlock()
		}
	}
}

// A store that met a newer file while following never writes it, even
// once it owns the directory.
func TestStoreNeverWritesOverANewerFile(t *testing.T) {
	dir := t.TempDir()
	s, st, _, err := OpenStore(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	newer := spoil(t, goodState(t), func(top map[string]any) { top["version"] = stateVersion + 5 })
	os.WriteFile(s.Path(), newer, 0o600) // a newer dingwatch took the directory over
	if _, err := s.load(); err == nil {
		t.Fatal("loaded a newer file")
	}
	if err := s.Save(st); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("save: %v", err)
	}
	if after, _ := os.ReadFile(s.Path()); !bytes.Equal(after, newer) {
		t.Fatal("overwritten")
	}
}

// Files moved aside in the same second never overwrite each other.
func TestMovedAsideFilesNeverCollide(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	var contents []string
	for i := range 3 {
		body := `{"version":1,"keys":[` + strings.Repeat("x", i) // not JSON
		contents = append(contents, body)
		os.WriteFile(path, []byte(body), 0o600)
		s, _, warn, err := OpenStore(dir, t0) // the same second every time
		if err != nil || len(warn) != 1 || warn[0].Kind != WarnStateSetAside || !strings.Contains(warn[0].Text, "moved to") {
			t.Fatalf("%v %q", err, warn)
		}
		s.Close()
	}
	files, _ := filepath.Glob(filepath.Join(dir, "state.json.corrupt-*"))
	if len(files) != 3 {
		t.Fatalf("moved aside: %v", files)
	}
	var got []string
	for _, f := range files {
		b, _ := os.ReadFile(f)
		got = append(got, string(b))
	}
	slices.Sort(got)
	slices.Sort(contents)
	if !slices.Equal(got, contents) {
		t.Fatalf("a moved-aside file was overwritten: %q", got)
	}
	// Set-aside files too.
	for range 2 {
		if _, err := writeSetAside(path, []Problem{{What: "key 1", Why: "x", Raw: json.RawMessage(`1`)}}, t0); err != nil {
			t.Fatal(err)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "state.json.set-aside-*")); len(files) != 2 {
		t.Fatalf("set-aside files %v", files)
	}
}

// Whatever the file holds, what DecodeState keeps is what the program
// relies on: checked, unique keys; recipients with an id; notices with a
// unique id; and the keys left out are accounted for.
func FuzzDecodeStateKeepsOnlyGoodEntries(f *testing.F) {
	f.Add(goodState(&testing.T{}))
	f.Add([]byte(`{"version":1,"keys":[{"key":"a","recipients":[{"userId":""},{"userId":"x"},{"userId":"x"}]},{"key":"a"},null,{"key":"b c"}]}`))
	f.Add([]byte(`{"version":1,"keys":[{"key":"a","notice":"gone"}],"notices":[{"id":""},{"id":"n"},{"id":"n"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, problems, err := DecodeState(data)
		if err != nil {
			return
		}
		keys := map[string]bool{}
		for _, k := range st.Keys {
			if CheckKey(k.Key) != nil || keys[k.Key] {
				t.Fatalf("kept key %q", k.Key)
			}
			keys[k.Key] = true
			ids := map[string]bool{}
			for _, r := range k.Recipients {
				if r.ID() == "" || ids[r.ID()] {
					t.Fatalf("kept recipient %+v", r)
				}
				ids[r.ID()] = true
			}
			if k.Notice != "" && st.Notice(k.Notice) == nil {
				t.Fatalf("key %q refers to a missing notice", k.Key)
			}
		}
		notices := map[string]bool{}
		for _, n := range st.Notices {
			if checkNoticeID(n.ID) != nil || notices[n.ID] {
				t.Fatalf("kept notice %q", n.ID)
			}
			notices[n.ID] = true
		}
		if n, ok := keysInFile(data); ok {
			left := 0
			for _, p := range problems {
				if wholeKey.MatchString(p.What) {
					left++
				}
			}
			if len(st.Keys)+left != n {
				t.Fatalf("%d keys in the file, %d kept, %d set aside", n, len(st.Keys), left)
			}
		}
		if _, err := EncodeState(st); err != nil {
			t.Fatal(err)
		}
	})
}

// wholeKey is the What of a key set aside whole.
var wholeKey = regexp.MustCompile(`^key [0-9]+$`)

// keysInFile counts the entries of the list a state file's keys are read
// from: the member named exactly "keys", else the first named so in
// another case. ok is false when there is no such list, or the file is
// not one JSON object a decoder reads.
func keysInFile(data []byte) (n int, ok bool) {
	dec := jsontext.NewDecoder(bytes.NewReader(data), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return 0, false
	}
	var keys jsontext.Value
	exact := false
	for dec.PeekKind() == '"' {
		tok, err1 := dec.ReadToken()
		name := tok.String()
		value, err2 := dec.ReadValue()
		if err1 != nil || err2 != nil {
			return 0, false
		}
		if (name == "keys" && !exact) || (keys == nil && strings.EqualFold(name, "keys")) {
			keys, exact = bytes.Clone(value), name == "keys"
		}
	}
	var list []jsontext.Value
	if keys == nil || json.Unmarshal(keys, &list) != nil {
		return 0, false
	}
	return len(list), true
}
