package serve

import (
	"context"
	"errors"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// errViewer is what a viewer is told when it tries to change something.
var errViewer = errors.New("view only: this key may watch, not change")

// readOnly is the engine as a viewer sees it: it may watch and refresh
// (within the refresh limit of its key, whatever session the UI names),
// nothing else, whatever the UI lets through. Every method is written
// out, so that a method added to the engine is not open to viewers by
// accident.
type readOnly struct {
	e       *watch.Engine
	session string
}

func (r readOnly) Snapshot() *watch.Snapshot { return r.e.Snapshot() }
func (r readOnly) Refresh(_ string, keys ...string) watch.RefreshResult {
	return r.e.Refresh(r.session, keys...)
}
func (r readOnly) Add(watch.AddSpec) (int, error)         { return 0, errViewer }
func (r readOnly) Remove(...string) (int, error)          { return 0, errViewer }
func (r readOnly) SetLabel(string, string) error          { return errViewer }
func (r readOnly) SetSentAt(string, time.Time) error      { return errViewer }
func (r readOnly) Group([]string, string) (string, error) { return "", errViewer }
func (r readOnly) Rename(string, string) error            { return errViewer }
func (r readOnly) Send(context.Context, watch.SendSpec) (watch.SendReport, error) {
	return watch.SendReport{}, errViewer
}
func (r readOnly) Recall(context.Context, []string) ([]watch.RecallOutcome, error) {
	return nil, errViewer
}
func (r readOnly) Resend(context.Context, string, bool) (watch.SendReport, error) {
	return watch.SendReport{}, errViewer
}
