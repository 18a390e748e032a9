package watch

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// TestAFollowerSeesWhatIsHandedOverAndNotSaved: a notice a follower sent
// is in the owner's inbox until the owner takes it; another follower (the
// next `send`) sees it through ShowHandedOver, so its label is taken, and
// the two followers' notices get different IDs even in the same second
// from the same saved state, so the owner never joins them (G12).
// AwaitSaved says the owner is silent until it saves, then returns nil.
func TestAFollowerSeesWhatIsHandedOverAndNotSaved(t *testing.T) {
	p := newPair(t)
	rep, err := p.follower.Send(context.Background(), SendSpec{UserIDs: []string{"a", "b"}, Message: dingtalk.Text("hi"), Label: "Race"})
	if err != nil || len(rep.Batches) != 1 {
		t.Fatalf("send: %+v %v", rep, err)
	}
	if err := p.follower.AwaitSaved(context.Background(), rep.Notice, rep.Round, 1, 0); !errors.Is(err, ErrOwnerSilent) {
		t.Fatalf("before the owner took it: %v", err)
	}

	// The next command: a second follower on the same saved state.
	fs, fst, _, err := OpenStore(p.dir, t0)
	if err != nil || !fs.ReadOnly() {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	next := NewEngine(Options{Client: &blockingQuerier{}, Sender: &fakeSender{}, Store: fs, State: fst, RobotCode: "r",
		Now: func() time.Time { return t0.Add(time.Second) }}) // a later command: its parcels sort after the first's
	if got := next.Snapshot().State.NoticesLabelled("Race"); len(got) != 0 {
		t.Fatalf("the saved state already has the notice: %v", got)
	}
	if n := next.ShowHandedOver(); n != 2 {
		t.Fatalf("%d parcels shown, want 2 (the notice, then its batch)", n)
	}
	if got := next.Snapshot().State.NoticesLabelled("Race"); len(got) != 1 || got[0].ID != rep.Notice {
		t.Fatalf("the handed-over notice is not seen: %v", got)
	}
	rep2, err := next.Send(context.Background(), SendSpec{UserIDs: []string{"c"}, Message: dingtalk.Text("hi"), Label: "Other"})
	if err != nil || rep2.Notice == rep.Notice {
		t.Fatalf("the second notice %q reuses the first's id %q: %v", rep2.Notice, rep.Notice, err)
	}

	p.owner.takeInbox()
	p.owner.Flush()
	if err := p.follower.AwaitSaved(context.Background(), rep.Notice, rep.Round, 1, 0); err != nil {
		t.Fatalf("after the owner saved: %v", err)
	}
	st := p.owner.Snapshot().State
	if n := st.Notice(rep.Notice); n == nil || len(n.Batches) != 1 || st.Notice(rep2.Notice) == nil {
		t.Fatalf("the owner joined or lost the notices: %+v", st.Notices)
	}
	// The owner's own engine never waits, nor shows its inbox twice.
	if err := p.owner.AwaitSaved(context.Background(), "nothing", 0, 9, 0); err != nil || p.owner.ShowHandedOver() != 0 {
		t.Fatalf("owner: %v", err)
	}
}
