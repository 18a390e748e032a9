package watch

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/gofrs/flock"
)

// These tests hand a change over on a follower (every editing method of
// followerEdits) at each moment an owner can be quitting, and check that
// the saved state holds it and the inbox is empty once both have
// stopped: nothing is left for an owner that will never come (breaker5
// Q6). The engines' clock is fixed (t0); nothing is timed.

// parkedOwner starts p.owner's Run so that it has looked at its inbox
// once (its first step) and then waits for Stop: polling is halted, and
// its sleep, on the injected clock, only ends with its context. It
// returns once Run sleeps, so a parcel handed over from then on comes
// after the owner's last look.
func parkedOwner(t *testing.T, p *pair) {
	t.Helper()
	asleep := make(chan struct{}, 1)
	p.owner.opts.Sleep = func(ctx context.Context, _ time.Duration, _ <-chan struct{}) bool {
		select {
		case asleep <- struct{}{}:
		default:
		}
		<-ctx.Done()
		return false
	}
	p.owner.mu.Lock()
	p.owner.halted = "polling stopped: held by the test" // no call to DingTalk: the ledger holds only the follower's
	p.owner.mu.Unlock()
	p.owner.Start(context.Background())
	<-asleep
}

// checkSettled checks that the change c made is saved and that nothing
// waits in the inbox.
func checkSettled(t *testing.T, p *pair, applied *Engine, check func(*testing.T, *Engine, *State)) {
	t.Helper()
	saved, err := LoadState(p.dir)
	if err != nil {
		t.Fatal(err)
	}
	check(t, applied, saved)
	if n := p.ownerStore.waiting(); n != 0 {
		t.Errorf("%d parcels left in the inbox with nobody owning the state", n)
	}
}

// The owner has looked at its inbox for the last time (its Run sleeps),
// the follower hands a change over and stops: the owner, stopped next,
// takes it once more after its Run has ended and saves it.
func TestStoppingOwnerTakesWhatWasHandedOverAfterItsLastLook(t *testing.T) {
	for name, c := range followerEdits {
		t.Run(name, func(t *testing.T) {
			p := newPair(t)
			parkedOwner(t, p)
			c.do(t, p.follower)
			if p.ownerStore.waiting() == 0 {
				t.Fatal("the follower handed nothing over")
			}
			if err := p.follower.Stop(); err != nil { // the owner holds the state: it is the owner's to take
				t.Fatal(err)
			}
			if p.ownerStore.waiting() == 0 {
				t.Fatal("the follower took what the owner, still running, was to take")
			}
			p.owner.beforeLetGo = func() {
				if n := p.ownerStore.waiting(); n != 0 {
					t.Errorf("the owner is letting go of the state with %d parcels untaken", n)
				}
			}
			if err := p.owner.Stop(); err != nil {
				t.Fatal(err)
			}
			checkSettled(t, p, p.owner, c.check)
		})
	}
}

// The parcel comes in the gap between the owner's last look (and save)
// and its letting go of the state: the follower, stopping then, finds
// the state owned and leaves it; the owner, having let go, looks again,
// takes the state back for a moment, applies it and saves.
func TestParcelHandedOverWhileTheOwnerLetsGoIsSaved(t *testing.T) {
	for name, c := range followerEdits {
		t.Run(name, func(t *testing.T) {
			p := newPair(t)
			parkedOwner(t, p)
			p.owner.beforeLetGo = func() {
				c.do(t, p.follower)
				if err := p.follower.Stop(); err != nil {
					t.Error(err)
				}
				if p.ownerStore.waiting() == 0 {
					t.Error("nothing handed over in the gap")
				}
			}
			if err := p.owner.Stop(); err != nil {
				t.Fatal(err)
			}
			checkSettled(t, p, p.owner, c.check)
			if !p.ownerStore.ReadOnly() {
				t.Error("the owner still holds the state after Stop")
			}
		})
	}
}

// The owner has quit (the state's lock is free) when the follower makes
// its change and stops before its Run takes the state over: the
// follower applies the change to the saved state itself.
func TestQuittingFollowerSavesWhatNoOwnerTook(t *testing.T) {
	for name, c := range followerEdits {
		t.Run(name, func(t *testing.T) {
			p := newPair(t)
			parkedOwner(t, p)
			if err := p.owner.Stop(); err != nil {
				t.Fatal(err)
			}
			c.do(t, p.follower)
			if !p.follower.following() || p.ownerStore.waiting() == 0 {
				t.Fatal("the follower must hand its change over, not save it")
			}
			if err := p.follower.Stop(); err != nil {
				t.Fatal(err)
			}
			// Refresh saves nothing: its check looks at the engine that
			// applied it, here the follower that took the state over.
			checkSettled(t, p, p.follower, c.check)
			lock := flock.New(filepath.Join(p.dir, "state.lock"))
			if locked, err := lock.TryLock(); err != nil || !locked {
				t.Fatalf("the follower still holds the state after Stop: %v", err)
			}
			lock.Unlock()
		})
	}
}

// A follower stopping when the owner has quit and the saved state cannot
// be taken whole (here: from a newer dingwatch) applies nothing, and
// says so: Stop's error names the inbox and why.
func TestQuittingFollowerSaysWhatItCouldNotSave(t *testing.T) {
	p := newPair(t)
	if err := p.owner.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := p.follower.SetLabel("second", "left behind"); err != nil {
		t.Fatal(err)
	}
	newer := []byte(`{"version": 99, "keys": []}`)
	if err := os.WriteFile(p.ownerStore.Path(), newer, 0o600); err != nil {
		t.Fatal(err)
	}
	err := p.follower.Stop()
	var left *LeftInInboxError
	if !errors.As(err, &left) || left.Parcels != 1 || !strings.Contains(err.Error(), filepath.Join(p.dir, "inbox")) ||
		!strings.Contains(err.Error(), "newer dingwatch") {
		t.Fatalf("Stop said %v", err)
	}
	if got, _ := os.ReadFile(p.ownerStore.Path()); string(got) != string(newer) {
		t.Fatal("the newer state file was written over")
	}
	if p.ownerStore.waiting() != 1 {
		t.Fatal("the parcel was not left for the next owner")
	}
}

// A one-shot follower's send waiting for the owner to save (AwaitSaved)
// while the owner quits without taking it takes the state over and saves
// the notice itself, at once: it does not wait out its bound.
func TestAwaitSavedTakesOverWhenTheOwnerQuits(t *testing.T) {
	p := newPair(t)
	if err := p.owner.Stop(); err != nil {
		t.Fatal(err)
	}
	rep, err := p.follower.Send(context.Background(), SendSpec{UserIDs: []string{"u1"}, Message: dingtalk.Text("hi"), Label: "while quitting"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p.follower.opts.Sleep = func(context.Context, time.Duration, <-chan struct{}) bool {
		cancel() // a second look would be the wait this must not make
		return false
	}
	if err := p.follower.AwaitSaved(ctx, rep.Notice, rep.Round, 1, time.Hour); err != nil {
		t.Fatal(err)
	}
	saved, err := LoadState(p.dir)
	if err != nil {
		t.Fatal(err)
	}
	if !savedRound(saved, rep.Notice, rep.Round, 1) || p.ownerStore.waiting() != 0 {
		t.Fatalf("not saved: %v, %d parcels waiting", saved.Notices, p.ownerStore.waiting())
	}
	if err := p.follower.Stop(); err != nil {
		t.Fatal(err)
	}
}

// recordOneCall is a one-shot command's book making one call and
// recording it (CallBook.Record).
func recordOneCall(dir string) error {
	b := NewCallBook(dir, nil, 0)
	if err := b.Take(t0); err != nil {
		return err
	}
	return b.Record(t0)
}

// status and doctor count their calls in the ledger (CallBook.Record): when
// they find the lock free, they also apply what a follower left in the
// inbox, so a rename handed over as its owner quit does not wait for the
// next dashboard.
func TestRecordingCallsTakesTheInboxWhenNobodyOwnsTheState(t *testing.T) {
	p := newPair(t)
	parkedOwner(t, p)
	if err := p.owner.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := p.follower.SetLabel("second", "after the owner quit"); err != nil {
		t.Fatal(err)
	}
	if err := recordOneCall(p.dir); err != nil {
		t.Fatal(err)
	}
	saved, err := LoadState(p.dir)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Key("second").Label != "after the owner quit" || saved.Calls.Spent(t0) != 1 || p.ownerStore.waiting() != 0 {
		t.Fatalf("saved label %q, %d calls, %d parcels waiting", saved.Key("second").Label, saved.Calls.Spent(t0), p.ownerStore.waiting())
	}
}

// With an owner running, CallBook.Record hands its calls over and leaves
// them (and what else waits) to it.
func TestRecordingCallsLeavesTheInboxToARunningOwner(t *testing.T) {
	p := newPair(t)
	parkedOwner(t, p)
	if err := recordOneCall(p.dir); err != nil {
		t.Fatal(err)
	}
	if p.ownerStore.waiting() != 1 {
		t.Fatalf("%d parcels waiting, want the calls' one", p.ownerStore.waiting())
	}
	if err := p.owner.Stop(); err != nil {
		t.Fatal(err)
	}
	saved, err := LoadState(p.dir)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Calls.Spent(t0) != 1 || p.ownerStore.waiting() != 0 {
		t.Fatalf("%d calls saved, %d parcels waiting", saved.Calls.Spent(t0), p.ownerStore.waiting())
	}
}
