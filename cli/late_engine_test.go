package cli

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// A call the dashboard makes while the state loads behind its preview
// waits for the engine and reaches it; the dashboard is told once the
// whole state is there.
func TestLateEngineCallsWaitForTheEngine(t *testing.T) {
	preview := &watch.Snapshot{State: &watch.State{}}
	l := newLateEngine(preview)
	added := make(chan error, 1)
	go func() {
		_, err := l.Add(watch.AddSpec{Keys: []string{"earlyKey1"}})
		added <- err
	}()
	select {
	case err := <-added:
		t.Fatalf("Add returned before there was an engine: %v", err)
	default:
	}
	e := watch.NewEngine(watch.Options{RobotCode: "dingdemo"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l.start(ctx, e, nil, nil)
	if err := <-added; err != nil {
		t.Fatal(err)
	}
	if l.Snapshot().State.Key("earlyKey1") == nil {
		t.Fatal("the key added while loading is not in the engine's state")
	}
	select {
	case <-l.changes:
	default:
		t.Fatal("the dashboard was not told that the whole state is there")
	}
	if err := l.SetLabel("earlyKey1", "a label"); err != nil || l.Snapshot().State.Key("earlyKey1").Label != "a label" {
		t.Fatalf("a label set through the late engine did not reach it: %v", err)
	}
	select {
	case <-l.changes: // the engine's own changes are forwarded
	case <-time.After(10 * time.Second):
		t.Fatal("the engine's change was not forwarded to the dashboard")
	}
}

// When the state does not load, every call says why and the dashboard
// keeps its preview.
func TestLateEngineThatNeverLoadedSaysWhy(t *testing.T) {
	preview := &watch.Snapshot{State: &watch.State{}}
	l := newLateEngine(preview)
	why := errors.New("state lock: is a directory")
	l.start(context.Background(), nil, nil, why)
	if _, err := l.Add(watch.AddSpec{Keys: []string{"earlyKey1"}}); !errors.Is(err, why) {
		t.Fatalf("Add: %v, want %v", err, why)
	}
	if err := l.Rename("n1", "x"); !errors.Is(err, why) {
		t.Fatalf("Rename: %v, want %v", err, why)
	}
	if l.Snapshot() != preview {
		t.Fatal("the snapshot is not the preview")
	}
}

// The load's warnings that no frame drew are the ones said at the end: a
// snapshot the dashboard took is not a banner drawn (tester Q5: while the
// terminal was too small, what the load set aside was never said).
func TestLateEngineFinishTellsWhatNoFrameDrew(t *testing.T) {
	drawnOne := watch.Warning{Kind: watch.WarnStateSetAside, Text: "1 entry was set aside in a"}
	unseen := watch.Warning{Kind: watch.WarnNote, Text: "could not save the state without them"}
	l := newLateEngine(&watch.Snapshot{State: &watch.State{}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l.start(ctx, watch.NewEngine(watch.Options{RobotCode: "dingdemo"}), []watch.Warning{drawnOne, unseen}, nil)
	l.Snapshot() // the dashboard took the loaded engine's snapshot
	got := l.finish(io.Discard, func(w watch.Warning) bool { return w.Text == drawnOne.Text })
	if len(got) != 1 || got[0] != unseen {
		t.Fatalf("told %+v, want only the warning no frame drew", got)
	}
	if got := l.finish(io.Discard, func(watch.Warning) bool { return false }); len(got) != 2 {
		t.Fatalf("nothing drawn: told %d warnings, want 2", len(got))
	}
}
