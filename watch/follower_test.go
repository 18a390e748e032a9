package watch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// fakeSender sends and recalls without a network: every batch gets a
// key, except a batch to someone in failOnce, which fails the first time.
type fakeSender struct {
	mu       sync.Mutex
	sends    int
	failOnce map[string]bool
}

func (f *fakeSender) BatchSend(_ context.Context, _ string, ids []string, _ dingtalk.Message) (dingtalk.SendResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		if f.failOnce[id] {
			delete(f.failOnce, id)
			return dingtalk.SendResult{}, errors.New("refused")
		}
	}
	f.sends++
	return dingtalk.SendResult{ProcessQueryKey: fmt.Sprintf("sentKey%03d", f.sends)}, nil
}

func (f *fakeSender) BatchRecall(_ context.Context, _ string, keys []string) (dingtalk.RecallResult, error) {
	return dingtalk.RecallResult{Succeeded: keys}, nil
}

// pair is two engines on one state directory: the first owns it, the
// second follows.
type pair struct {
	dir             string
	owner, follower *Engine
	ownerStore      *Store
}

func newPair(t *testing.T) *pair {
	t.Helper()
	dir := t.TempDir()
	now := func() time.Time { return t0 }
	ostore, st, _, err := OpenStore(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ostore.Close() })
	owner := NewEngine(Options{Client: &blockingQuerier{}, Sender: &fakeSender{}, Store: ostore, State: st, RobotCode: "r", Now: now})
	owner.Add(AddSpec{Keys: []string{"first", "second", "third"}})
	// Every key was last asked an hour ago, as if polled.
	owner.mu.Lock()
	for _, name := range []string{"first", "second", "third"} {
		owner.editKeyLocked(name, func(k *Key) { k.LastTry, k.LastOK = t0.Add(-time.Hour), t0.Add(-time.Hour) })
	}
	owner.dataChangedLocked()
	owner.mu.Unlock()
	owner.Flush()
	fs, fst, warn, err := OpenStore(dir, t0)
	if err != nil || !fs.ReadOnly() || len(warn) != 1 || warn[0].Kind != WarnFollowing {
		t.Fatalf("the second store must follow: %v %v", err, warn)
	}
	t.Cleanup(func() { fs.Close() })
	follower := NewEngine(Options{Client: &blockingQuerier{}, Sender: &fakeSender{failOnce: map[string]bool{"late": true}}, Store: fs, State: fst, RobotCode: "r", Now: now})
	return &pair{dir: dir, owner: owner, follower: follower, ownerStore: ostore}
}

// sync has the owner take its inbox and the follower reload the owner's
// file, as their Run loops do.
func (p *pair) sync(t *testing.T) {
	t.Helper()
	p.owner.takeInbox()
	p.owner.Flush()
	later := time.Now().Add(time.Second)
	os.Chtimes(p.ownerStore.Path(), later, later) // a new modification time even on a coarse clock
	p.follower.follow()
}

// followerEdits are the editing methods of Engine, each done on a
// follower, with what the owner must then have. TestEveryEditingMethodIsCovered
// fails for an exported method of Engine that is in neither this table
// nor viewMethods: a new editing method must be added here, and so tested
// on a follower.
var followerEdits = map[string]struct {
	do    func(t *testing.T, f *Engine)
	check func(t *testing.T, owner *Engine, saved *State)
}{
	"Add": {
		func(t *testing.T, f *Engine) { f.Add(AddSpec{Keys: []string{"added"}, Label: "from the follower"}) },
		func(t *testing.T, o *Engine, saved *State) {
			if k := saved.Key("added"); k == nil || k.Label != "from the follower" {
				t.Errorf("owner saved %+v", k)
			}
		},
	},
	"Remove": {
		func(t *testing.T, f *Engine) { f.Remove("first", "third") },
		func(t *testing.T, o *Engine, saved *State) {
			if saved.Key("first") != nil || saved.Key("third") != nil || saved.Key("second") == nil {
				t.Errorf("owner saved %v", keysOf(saved.Keys))
			}
		},
	},
	"SetLabel": {
		func(t *testing.T, f *Engine) { f.SetLabel("second", "relabelled") },
		func(t *testing.T, o *Engine, saved *State) {
			if saved.Key("second").Label != "relabelled" {
				t.Errorf("label %q", saved.Key("second").Label)
			}
		},
	},
	"SetSentAt": {
		func(t *testing.T, f *Engine) { f.SetSentAt("second", t0.Add(-time.Hour)) },
		func(t *testing.T, o *Engine, saved *State) {
			if !saved.Key("second").SentAt.Equal(t0.Add(-time.Hour)) {
				t.Errorf("sent at %v", saved.Key("second").SentAt)
			}
		},
	},
	"CreateNotice": {
		func(t *testing.T, f *Engine) {
			id := f.CreateNotice("made there", "text", t0)
			f.Add(AddSpec{Keys: []string{"joined"}, Notice: id})
		},
		func(t *testing.T, o *Engine, saved *State) {
			k := saved.Key("joined")
			if k == nil || saved.Notice(k.Notice) == nil || saved.Notice(k.Notice).Label != "made there" {
				t.Errorf("owner saved %+v %v", k, saved.Notices)
			}
		},
	},
	"Group": {
		func(t *testing.T, f *Engine) {
			if _, err := f.Group([]string{"first", "second"}, "grouped there"); err != nil {
				t.Fatal(err)
			}
		},
		func(t *testing.T, o *Engine, saved *State) {
			n := saved.Notice(saved.Key("first").Notice)
			if n == nil || n.Label != "grouped there" || saved.Key("second").Notice != n.ID {
				t.Errorf("owner saved %v", saved.Notices)
			}
		},
	},
	"Rename": {
		func(t *testing.T, f *Engine) {
			id, _ := f.Group([]string{"first"}, "old name")
			if err := f.Rename(id, "新名字"); err != nil {
				t.Fatal(err)
			}
			if f.Rename(id, " ") == nil || f.Rename("nope", "x") == nil {
				t.Error("an empty name or an unknown notice was accepted")
			}
		},
		func(t *testing.T, o *Engine, saved *State) {
			if n := saved.Notice(saved.Key("first").Notice); n == nil || n.Label != "新名字" {
				t.Errorf("owner saved %v", saved.Notices)
			}
		},
	},
	"Send": {
		func(t *testing.T, f *Engine) {
			rep, err := f.Send(context.Background(), SendSpec{UserIDs: []string{"u1", "u2"}, Message: dingtalk.Text("hi"), Label: "sent there"})
			if err != nil || len(rep.Keys) != 1 {
				t.Fatal(err, rep)
			}
		},
		func(t *testing.T, o *Engine, saved *State) {
			k := saved.Key("sentKey001")
			if k == nil || saved.Notice(k.Notice) == nil || len(saved.Notice(k.Notice).Batches) != 1 || saved.Calls.Spent(t0) != 1 {
				t.Errorf("owner saved %+v, %d calls", k, saved.Calls.Spent(t0))
			}
		},
	},
	"Resend": {
		func(t *testing.T, f *Engine) {
			rep, err := f.Send(context.Background(), SendSpec{UserIDs: []string{"late"}, Message: dingtalk.Text("hi"), Label: "failed there"})
			if err != nil || rep.OK() {
				t.Fatal("the first send should fail", err, rep)
			}
			if rep, err := f.Resend(context.Background(), rep.Notice, false); err != nil || !rep.OK() {
				t.Fatal(err, rep)
			}
		},
		func(t *testing.T, o *Engine, saved *State) {
			k := saved.Key("sentKey001")
			if k == nil || k.Round != 1 || len(saved.Notice(k.Notice).Rounds) != 2 || len(saved.Notice(k.Notice).Batches) != 2 || saved.Calls.Spent(t0) != 2 {
				t.Errorf("owner saved %+v, %d calls", k, saved.Calls.Spent(t0))
			}
		},
	},
	"Recall": {
		func(t *testing.T, f *Engine) {
			if out, err := f.Recall(context.Background(), []string{"second"}); err != nil || !out[0].OK {
				t.Fatal(err, out)
			}
		},
		func(t *testing.T, o *Engine, saved *State) {
			if saved.Key("second").SendStatus != dingtalk.SendRecalled || saved.Calls.Spent(t0) != 1 {
				t.Errorf("owner saved %+v", saved.Key("second"))
			}
		},
	},
	"Push": {
		func(t *testing.T, f *Engine) {
			f.Push(PushEvent{Type: PushRead, Key: "second", UserID: "u9", At: t0.Add(time.Minute)})
		},
		func(t *testing.T, o *Engine, saved *State) {
			k := saved.Key("second")
			if i := slices.IndexFunc(k.Recipients, func(r Recipient) bool { return r.UserID == "u9" }); i < 0 ||
				!k.Recipients[i].Read || !k.Recipients[i].FirstSeenRead.Equal(t0.Add(time.Minute)) {
				t.Errorf("owner saved %+v", k.Recipients)
			}
		},
	},
	"Refresh": {
		func(t *testing.T, f *Engine) {
			if r := f.Refresh("", "second"); r != (RefreshResult{Asked: 1, Queued: 1}) {
				t.Errorf("refresh %+v", r)
			}
		},
		func(t *testing.T, o *Engine, saved *State) {
			o.mu.Lock()
			defer o.mu.Unlock()
			if !o.forced["second"] || len(o.forced) != 1 {
				t.Errorf("the owner queued %v", o.forced)
			}
		},
	},
}

// viewMethods are the exported methods of Engine that change nothing a
// follower would have to hand over.
var viewMethods = []string{"Snapshot", "Subscribe", "Subscribers", "Run", "PollOnce", "Unread", "Warn", "Flush",
	"Start", "Stop", // the engine's life: Run, and the exit that saves (lifecycle_test.go)
	"SetPush",                      // the health of this process's own Stream connection
	"ShowHandedOver", "AwaitSaved", // a one-shot follower's view of the owner's inbox and saves: nothing is handed over
	"TakeHandedOver"} // the owner's take of its inbox (as Run's), or ShowHandedOver: nothing is handed over

func TestEveryEditingMethodIsCovered(t *testing.T) {
	typ := reflect.TypeFor[*Engine]()
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if _, ok := followerEdits[name]; !ok && !slices.Contains(viewMethods, name) {
			t.Errorf("Engine.%s: an editing method must go through apply and have a case in followerEdits (or, if it changes nothing, be listed in viewMethods)", name)
		}
	}
}

func TestEveryEditOnAFollowerReachesTheOwner(t *testing.T) {
	for name, c := range followerEdits {
		t.Run(name, func(t *testing.T) {
			p := newPair(t)
			c.do(t, p.follower)
			p.sync(t)
			// The owner's next save of its own keeps what the follower did.
			p.owner.Add(AddSpec{Keys: []string{"ownerKey"}})
			p.owner.Flush()
			saved, err := LoadState(p.dir)
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, p.owner, saved)
			p.sync(t)
			if k := p.follower.Snapshot().State.Key("ownerKey"); k == nil {
				t.Error("the follower does not show the owner's state")
			}
		})
	}
}
