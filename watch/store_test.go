package watch

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestStoreRoundTripAndOwnership(t *testing.T) {
	dir := t.TempDir()
	s, st, warn, err := OpenStore(dir, t0)
	if err != nil || len(warn) != 0 || len(st.Keys) != 0 {
		t.Fatalf("%v %v %v", err, warn, st)
	}
	k := liveKey("abc", t0, 2)
	k.Label = "周会通知"
	k.Recipients[0].Read, k.Recipients[0].FirstSeenRead = true, t0
	st.Keys = append(st.Keys, k)
	st.Calls.Add(t0)
	if err := s.Save(st); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(s.Path()); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	// A second opener sees the state but may not write it.
	s2, st2, warn, err := OpenStore(dir, t0)
	if err != nil || !s2.ReadOnly() || len(warn) != 1 || warn[0].Kind != WarnFollowing || !strings.Contains(warn[0].Text, "another dingwatch") {
		t.Fatalf("%v %v", err, warn)
	}
	if got := st2.Key("abc"); got == nil || got.Label != "周会通知" || !got.Recipients[0].FirstSeenRead.Equal(t0) || st2.Calls.Spent(t0) != 1 {
		t.Fatalf("reloaded %+v", got)
	}
	st2.Keys = nil
	if err := s2.Save(st2); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s3, st3, _, _ := OpenStore(dir, t0)
	defer s3.Close()
	if s3.ReadOnly() || st3.Key("abc") == nil {
		t.Fatal("the read-only store must not have written; the lock must be free after Close")
	}
}

func TestCorruptStateIsMovedAside(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "state.json"), []byte(`{"version":1,"keys":[{"key":`), 0o600)
	s, st, warn, err := OpenStore(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(st.Keys) != 0 || len(warn) != 1 || warn[0].Kind != WarnStateSetAside || !strings.Contains(warn[0].Text, "moved to") || !strings.HasPrefix(filepath.Base(warn[0].Path), "state.json.corrupt-") {
		t.Fatalf("%v", warn)
	}
	aside, _ := filepath.Glob(filepath.Join(dir, "state.json.corrupt-*"))
	if len(aside) != 1 {
		t.Fatalf("aside %v", aside)
	}
}

func FuzzDecodeState(f *testing.F) {
	st := &State{Keys: []*Key{liveKey("abc", t0, 2)}}
	good, _ := EncodeState(st)
	f.Add(good)
	f.Add([]byte(`{"version":1,"keys":[null]}`))
	f.Add([]byte(`{"version":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, _, err := DecodeState(data)
		if err != nil {
			return
		}
		for _, k := range st.Keys {
			_, _ = k.Counts()
			_ = k.Final()
		}
		if _, err := EncodeState(st); err != nil {
			t.Fatal(err)
		}
	})
}

func TestFollowerTakesOverWhenTheOwnerQuits(t *testing.T) {
	dir := t.TempDir()
	ownerStore, st, _, _ := OpenStore(dir, t0)
	owner := NewEngine(Options{Client: &blockingQuerier{}, Store: ownerStore, State: st, RobotCode: "r", Now: func() time.Time { return t0 }})
	owner.Add(AddSpec{Keys: []string{"k1"}})
	followerStore, fst, warn, _ := OpenStore(dir, t0)
	follower := NewEngine(Options{Client: &blockingQuerier{}, Store: followerStore, State: fst, RobotCode: "r", Now: func() time.Time { return t0 }})
	follower.Warn(warn[0])
	defer followerStore.Close()
	if follower.takeOver() {
		t.Fatal("took over while the owner runs")
	}
	owner.Add(AddSpec{Keys: []string{"k2"}})
	ownerStore.Close() // the owner quits
	if !follower.takeOver() || followerStore.ReadOnly() {
		t.Fatal("did not take over")
	}
	snap := follower.Snapshot()
	if snap.State.Key("k2") == nil || len(snap.Warnings) != 0 || snap.ReadOnly {
		t.Fatalf("after taking over: %d keys, warnings %v", len(snap.State.Keys), snap.Warnings)
	}
	follower.Add(AddSpec{Keys: []string{"k3"}})
	if saved, _ := LoadState(dir); saved.Key("k3") == nil {
		t.Fatal("the new owner does not save")
	}
}

// A follower that takes over reads the file as a starting owner does:
// entries it cannot use are set aside and said, and an unreadable file is
// moved aside before anything is written over it (tester H4: they were
// lost at the new owner's first save).
func TestTakingOverSetsAsideWhatItCannotUse(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		aside      string // the file kept beside state.json
		keys       int
	}{
		{"a bad entry", `{"version":1,"keys":[{"key":"goodKey1"},{"key":"bad key"},{"key":"goodKey2"}]}`, "state.json.set-aside-*", 2},
		{"unreadable", `{"version":1,"keys":[{"key":"goodKey1"`, "state.json.corrupt-*", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ownerStore, _, _, _ := OpenStore(dir, t0)
			followerStore, fst, _, _ := OpenStore(dir, t0)
			defer followerStore.Close()
			follower := NewEngine(Options{Client: &blockingQuerier{}, Store: followerStore, State: fst, RobotCode: "r", Now: func() time.Time { return t0 }})
			ownerStore.Close() // the owner quits, and the file is edited by hand meanwhile
			if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			if !follower.takeOver() {
				t.Fatal("did not take over")
			}
			kept, _ := filepath.Glob(filepath.Join(dir, tc.aside))
			snap := follower.Snapshot()
			if len(kept) != 1 || len(snap.State.Keys) != tc.keys || !slices.ContainsFunc(snap.Warnings, func(w Warning) bool { return w.Kind == WarnStateSetAside }) {
				t.Fatalf("kept %v, %d keys, warnings %+v", kept, len(snap.State.Keys), snap.Warnings)
			}
			follower.Add(AddSpec{Keys: []string{"goodKey3"}})
			if data, _ := os.ReadFile(kept[0]); !strings.Contains(string(data), "goodKey1") && tc.keys == 0 || !strings.Contains(string(data), "bad key") && tc.keys == 2 {
				t.Fatalf("what was set aside is not in %s:\n%s", kept[0], data)
			}
		})
	}
}
