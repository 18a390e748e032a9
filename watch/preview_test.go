package watch

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// previewState is a state whose groups are not where their first key
// is alone: a notice's reminder key stands at the end of the file, a
// label holds what looks like a notice member, the latest answer is a
// key the preview only skims, and a notice whose batches all failed has
// no key at all.
func previewState(t *testing.T) []byte {
	t.Helper()
	k := func(name, notice string) *Key {
		key := liveKey(name, t0, 2)
		key.Notice = notice
		return key
	}
	first, second, lone, tricky, middle, late, reminder := k("keyA1", "n1"), k("keyA2", "n1"), k("lone1", ""),
		k("lone2", ""), k("keyB1", "n2"), k("lone3", ""), k("keyA3", "n1")
	tricky.Label = `x","notice": "n2` // escaped in the file: the preview must not take it for a member
	first.Recipients[0].Read, first.Recipients[0].FirstSeenRead = true, t0.Add(time.Minute)
	first.LastOK, late.LastOK = t0.Add(time.Minute), t0.Add(time.Hour)
	reminder.Round = 1
	reminder.Label, late.Label = "notice", "lastOK" // values spelt as the names the preview looks for (tester P1)
	st := &State{Keys: []*Key{first, lone, second, tricky, middle, late, reminder},
		Notices: []*Notice{{ID: "n1", Label: "周会"}, {ID: "n2", Label: "two"},
			{ID: "n3", Label: "failed", Batches: []Batch{{UserIDs: []string{"u1"}, Status: BatchFailed, At: t0}}}}}
	st.Calls.Add(t0)
	data, err := EncodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// peekFile writes data as the state file of a new directory and peeks at
// it for groups groups.
func peekFile(t *testing.T, data []byte, groups int) (*Snapshot, bool) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "state.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	return PeekState(dir, groups, Policy{}, t0)
}

// assertPreviewAgrees checks a preview against the full load of the same
// file, which must be able to read it. When the full load sets nothing
// aside (a file dingwatch wrote), the preview's groups are the full load's first ones, key for key (a
// notice's keys wherever they stand), then the notices nothing was sent
// for, as the full list ends; the groups it leaves out are counted; the
// header's last answer and calls are the whole file's.
func assertPreviewAgrees(t *testing.T, data []byte, snap *Snapshot) {
	t.Helper()
	full, problems, err := DecodeState(data)
	if err != nil {
		t.Fatalf("the preview took a file the full load cannot read: %v", err)
	}
	if len(problems) > 0 {
		return // set aside by the full load, which then says so: the preview decoded only the start
	}
	pg, fg := snap.Groups(), full.Groups()
	if len(pg)+snap.Preview.Unloaded != len(fg) {
		t.Fatalf("preview: %d groups + %d unloaded, full load: %d groups", len(pg), snap.Preview.Unloaded, len(fg))
	}
	tail := 0 // notices with no key, which end both lists
	for _, g := range pg {
		if len(g.Keys) == 0 {
			tail++
		}
	}
	for i, g := range pg {
		want := fg[i]
		if i >= len(pg)-tail {
			want = fg[len(fg)-len(pg)+i]
		}
		a, _ := json.Marshal(g)
		b, _ := json.Marshal(want)
		if !bytes.Equal(a, b) {
			t.Fatalf("group %d of the preview is not the full load's:\n%s\n%s", i, a, b)
		}
	}
	var latest time.Time
	for _, k := range full.Keys {
		if k.LastOK.After(latest) {
			latest = k.LastOK
		}
	}
	if !snap.Preview.LastOK.Equal(latest) {
		t.Errorf("the preview's last answer is %v, the file's %v", snap.Preview.LastOK, latest)
	}
	if snap.Spent != full.Calls.Spent(t0) || len(snap.State.Notices) != len(full.Notices) {
		t.Errorf("the preview's calls or notices are not the file's: %d/%d calls, %d/%d notices",
			snap.Spent, full.Calls.Spent(t0), len(snap.State.Notices), len(full.Notices))
	}
}

// A preview of any number of groups is the start of what the full load
// shows, and counts the rest.
func TestPreviewIsTheStartOfTheFullLoad(t *testing.T) {
	data := previewState(t)
	for groups := range 8 {
		snap, ok := peekFile(t, data, groups)
		if !ok {
			t.Fatalf("%d groups: a file dingwatch wrote was not previewed", groups)
		}
		assertPreviewAgrees(t, data, snap)
	}
	snap, _ := peekFile(t, data, 1)
	if got := len(snap.State.NoticeKeys("n1")); got != 3 {
		t.Errorf("the first notice has %d keys in the preview, want 3 (its reminder stands at the end)", got)
	}
	if snap.State.Key("lone3") != nil {
		t.Error("a key after the first group was decoded whole")
	}
	withBOM := append([]byte("\ufeff"), data...)
	if _, ok := peekFile(t, withBOM, 3); !ok {
		t.Error("a byte order mark stopped the preview")
	}
}

// Anything but a clean state file gives no preview: the full load then
// says what is wrong, before anything is drawn.
func TestNoPreviewOfAnUncleanFile(t *testing.T) {
	for name, data := range map[string]string{
		"empty":               ``,
		"not an object":       `[]`,
		"newer":               `{"version":2,"keys":[]}`,
		"no version":          `{"keys":[{"key":"goodKey1"}]}`,
		"unknown member":      `{"version":1,"colour":"red","keys":[]}`,
		"another case":        `{"version":1,"Keys":[{"key":"goodKey1"}]}`,
		"text after":          `{"version":1,"keys":[]} {}`,
		"truncated":           `{"version":1,"keys":[{"key":"goodKey1"}`,
		"notices not a list":  `{"version":1,"keys":[],"notices":{}}`,
		"a bad key shown":     `{"version":1,"keys":[{"key":"a b"}]}`,
		"an unknown field":    `{"version":1,"keys":[{"key":"goodKey1","colour":"red"}]}`,
		"a key twice shown":   `{"version":1,"keys":[{"key":"goodKey1","notice":"n"},{"key":"goodKey1","notice":"n"}],"notices":[{"id":"n"}]}`,
		"a missing notice":    `{"version":1,"keys":[{"key":"goodKey1"},{"key":"goodKey2","notice":"gone"}]}`,
		"a repeated notice":   `{"version":1,"keys":[],"notices":[{"id":"n"},{"id":"n"}]}`,
		"a name twice":        `{"version":1,"keys":[],"keys":[]}`,
		"a skimmed bad value": `{"version":1,"keys":[{"key":"goodKey1"},{"key":"goodKey2","lastOK":"yesterday"}]}`,
		"a negative count":    `{"version":1,"keys":[{"key":"goodKey1","polls":-1}]}`,
		"a negative ledger":   `{"version":1,"keys":[],"calls":{"minutes":[{"m":29000000,"n":-30}]}}`,
		"keys of a notice nothing was sent for": `{"version":1,"keys":[{"key":"goodKey1"},{"key":"goodKey2","notice":"n"}],` +
			`"notices":[{"id":"n","batches":[{"round":0,"userIds":["u1"],"status":"failed","at":"2026-11-27T09:00:00Z"}]}]}`,
	} {
		if _, ok := peekFile(t, []byte(data), 1); ok {
			t.Errorf("%s: previewed", name)
		}
	}
	if _, ok := PeekState(t.TempDir(), 10, Policy{}, t0); ok {
		t.Error("no state file: previewed")
	}
}

// A key far down is read as the full load reads it: a notice named in
// another case is its notice, a member named notice inside a recipient is
// not (tester P3).
func TestPreviewReadsKeysAsTheFullLoad(t *testing.T) {
	head := `{"version":1,"notices":[{"id":"n","label":"N"}],"keys":[{"key":"goodKey1"},{"key":"goodKey2","notice":"n"},`
	for name, tail := range map[string]string{
		"another case": `{"key":"goodKey3","Notice":"n"}]}`,
		"nested":       `{"key":"goodKey3","recipients":[{"userId":"u1","notice":"n"}]}]}`,
		"escaped name": `{"key":"goodKey3","\u006eotice":"n"}]}`,
	} {
		data := []byte(head + tail)
		snap, ok := peekFile(t, data, 1) // goodKey3 is only skimmed
		if !ok {
			t.Fatalf("%s: not previewed", name)
		}
		full, _, err := DecodeState(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got, want := len(snap.Groups())+snap.Preview.Unloaded, len(full.Groups()); got != want {
			t.Errorf("%s: the preview counts %d groups, the full load %d", name, got, want)
		}
	}
}

// The preview's header and banners are the loaded ones': the budget
// spent, and another dingwatch owning the state (tester P6).
func TestPreviewSaysWhatTheLoadWould(t *testing.T) {
	dir := t.TempDir()
	st := &State{Keys: []*Key{liveKey("goodKey1", t0, 1)}}
	st.Calls.Add(t0.Add(-time.Minute))
	st.Calls.Add(t0.Add(-time.Minute))
	data, _ := EncodeState(st)
	if err := os.WriteFile(filepath.Join(dir, "state.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	snap, ok := PeekState(dir, 10, Policy{Budget: 2}, t0)
	if !ok || !snap.Blocked || snap.Spent != 2 || snap.ReadOnly {
		t.Fatalf("budget of 2 with 2 calls spent: ok %v, blocked %v, spent %d, read-only %v", ok, snap.Blocked, snap.Spent, snap.ReadOnly)
	}
	if snap, _ := PeekState(dir, 10, Policy{Budget: 3}, t0); snap.Blocked {
		t.Fatal("a budget not spent shows as spent")
	}
	owner, _, _, err := OpenStore(dir, t0)
	if err != nil || owner.ReadOnly() {
		t.Fatalf("the preview's look at the lock kept it: %v", err)
	}
	defer owner.Close()
	snap, _ = PeekState(dir, 10, Policy{}, t0)
	if !snap.ReadOnly || len(snap.Warnings) != 1 || snap.Warnings[0] != followingWarning(dir) {
		t.Fatalf("another owner: read-only %v, warnings %+v", snap.ReadOnly, snap.Warnings)
	}
}

// go test -fuzz FuzzPeekAgreesWithLoad ./watch/: whatever PeekState
// previews, the full load can read, and when it sets nothing aside, the
// preview is its start.
func FuzzPeekAgreesWithLoad(f *testing.F) {
	f.Add(previewState(&testing.T{}), uint8(2))
	f.Add(goodState(&testing.T{}), uint8(1))
	f.Add([]byte(`{"version":1,"keys":[{"key":"goodKey1"}],"taken":["00000000000000000001-42-000001.json"]}`), uint8(1))
	f.Add([]byte(`{"version":1,"keys":[{"key":"goodKey1","label":"a\"notice\":\"n\""}]}`), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, groups uint8) {
		if snap, ok := peekFile(t, data, int(groups)); ok {
			assertPreviewAgrees(t, data, snap)
		}
	})
}
