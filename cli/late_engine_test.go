package cli

import (
	"context"
	"errors"
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
