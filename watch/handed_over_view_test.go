package watch

import (
	"context"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// sentToADeadOwner leaves a notice labelled "Orphan" handed over in the
// inbox of an owner that let go without taking it (it died): what
// breaker6 R0/R1 start from.
func sentToADeadOwner(t *testing.T) (*pair, SendReport) {
	t.Helper()
	p := newPair(t)
	rep, err := p.follower.Send(context.Background(), SendSpec{UserIDs: []string{"a", "b"}, Message: dingtalk.Text("hi"), Label: "Orphan"})
	if err != nil || len(rep.Batches) != 1 {
		t.Fatalf("send: %+v %v", rep, err)
	}
	p.ownerStore.Close() // the owner is gone; its engine never takes the inbox
	if n := p.ownerStore.waiting(); n == 0 {
		t.Fatal("nothing waits in the inbox")
	}
	return p, rep
}

// TestWithHandedOverShowsAWaitingNotice: status's view of the saved state
// has the notice a send handed to an owner that died, while the file and
// the inbox stay as they are (R1).
func TestWithHandedOverShowsAWaitingNotice(t *testing.T) {
	p, rep := sentToADeadOwner(t)
	// A status run meanwhile counted a call there too.
	if err := p.follower.opts.Store.Deliver(Parcel{Ops: []Op{{Kind: OpCalls, Calls: []time.Time{t0}}}}, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	waiting := p.ownerStore.waiting()
	saved, err := LoadState(p.dir)
	if err != nil {
		t.Fatal(err)
	}
	callsBefore := saved.Calls.Clone()
	view := WithHandedOver(p.dir, saved, t0)
	if got := view.NoticesLabelled("Orphan"); len(got) != 1 || got[0].ID != rep.Notice || len(got[0].Batches) != 1 {
		t.Fatalf("the view lacks the handed-over notice: %+v", view.Notices)
	}
	if len(view.NoticeKeys(rep.Notice)) != 1 {
		t.Fatalf("the view lacks the notice's key: %v", keysOf(view.Keys))
	}
	if saved.Notice(rep.Notice) != nil || len(saved.Keys) != 3 {
		t.Fatal("WithHandedOver changed the state it was given")
	}
	if view.Calls.Spent(t0) != callsBefore.Spent(t0) {
		t.Fatalf("the view counts the inbox's calls (%d, saved %d): a CallBook counts them itself", view.Calls.Spent(t0), callsBefore.Spent(t0))
	}
	again, _ := LoadState(p.dir)
	if again.Notice(rep.Notice) != nil || p.ownerStore.waiting() != waiting {
		t.Fatal("WithHandedOver saved or took the inbox")
	}
	// Nothing waiting: the state itself.
	if empty := t.TempDir(); WithHandedOver(empty, saved, t0) != saved {
		t.Fatal("with an empty inbox the state given is returned")
	}
}

// TestTakeHandedOverOnANewOwner: a command that becomes the owner takes
// what the dead owner left, saves it and empties the inbox before it
// checks anything (R0); a follower only shows it.
func TestTakeHandedOverOnANewOwner(t *testing.T) {
	p, rep := sentToADeadOwner(t)
	next := func() *Engine {
		s, st, _, err := OpenStore(p.dir, t0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return NewEngine(Options{Client: &blockingQuerier{}, Sender: &fakeSender{}, Store: s, State: st, RobotCode: "r",
			Now: func() time.Time { return t0.Add(time.Second) }})
	}
	p.follower.opts.Store.Close()
	owner := next()
	if owner.following() {
		t.Fatal("the next command does not own the state")
	}
	if got := owner.Snapshot().State.NoticesLabelled("Orphan"); len(got) != 0 {
		t.Fatalf("the saved state already has the notice: %v", got)
	}
	if !owner.TakeHandedOver() {
		t.Fatal("TakeHandedOver took nothing")
	}
	if got := owner.Snapshot().State.NoticesLabelled("Orphan"); len(got) != 1 || got[0].ID != rep.Notice {
		t.Fatalf("the new owner does not hold the notice: %v", got)
	}
	saved, err := LoadState(p.dir)
	if err != nil || saved.Notice(rep.Notice) == nil {
		t.Fatalf("not saved: %v", err)
	}
	if n := owner.opts.Store.waiting(); n != 0 {
		t.Fatalf("%d parcels still wait", n)
	}
	// A follower of that owner shows what waits, and hands nothing over.
	f := next()
	if !f.following() {
		t.Fatal("the third engine should follow")
	}
	if f.TakeHandedOver() {
		t.Fatal("nothing waits: a follower shows nothing")
	}
}
