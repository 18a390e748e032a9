package serve

import (
	"context"
	"errors"

	"github.com/dingwatch/dingwatch/watch"
)

// errViewer is what a viewer is told when it tries to change something.
var errViewer = errors.New("view only: this key may watch, not change")

// sessionEngine is the engine as a user's session sees it: everything,
// with refreshes counted against the session's own limit.
type sessionEngine struct {
	e       *watch.Engine
	session string
}

func (s sessionEngine) Snapshot() *watch.Snapshot                   { return s.e.Snapshot() }
func (s sessionEngine) Refresh(keys ...string)                      { s.e.Refresh(keys...) }
func (s sessionEngine) Add(spec watch.AddSpec) (int, error)         { return s.e.Add(spec) }
func (s sessionEngine) Remove(key string) bool                      { return s.e.Remove(key) }
func (s sessionEngine) Update(key string, fn func(*watch.Key)) bool { return s.e.Update(key, fn) }
func (s sessionEngine) Group(keys []string, label string) (string, error) {
	return s.e.Group(keys, label)
}
func (s sessionEngine) Rename(id, label string) bool { return s.e.Rename(id, label) }
func (s sessionEngine) Send(ctx context.Context, spec watch.SendSpec) (watch.SendReport, error) {
	return s.e.Send(ctx, spec)
}
func (s sessionEngine) Recall(ctx context.Context, keys []string) ([]watch.RecallOutcome, error) {
	return s.e.Recall(ctx, keys)
}

// readOnly is the engine as a viewer sees it: it may watch and refresh
// (within its session's limit), nothing else, whatever the UI lets
// through. Every method is written out, so that a method added to the
// engine is not open to viewers by accident.
type readOnly struct {
	e       *watch.Engine
	session string
}

func (r readOnly) Snapshot() *watch.Snapshot              { return r.e.Snapshot() }
func (r readOnly) Refresh(keys ...string)                 { r.e.Refresh(keys...) }
func (r readOnly) Add(watch.AddSpec) (int, error)         { return 0, errViewer }
func (r readOnly) Remove(string) bool                     { return false }
func (r readOnly) Update(string, func(*watch.Key)) bool   { return false }
func (r readOnly) Group([]string, string) (string, error) { return "", errViewer }
func (r readOnly) Rename(string, string) bool             { return false }
func (r readOnly) Send(context.Context, watch.SendSpec) (watch.SendReport, error) {
	return watch.SendReport{}, errViewer
}
func (r readOnly) Recall(context.Context, []string) ([]watch.RecallOutcome, error) {
	return nil, errViewer
}
