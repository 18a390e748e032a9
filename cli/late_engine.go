package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// lateEngine is the engine as the dashboard reaches it: every call it
// makes (always from a command, never from Update) is counted, so that
// the dashboard's end waits for the changes asked before it; and while
// the saved state loads behind a preview (watch.PeekState), calls wait
// until the engine is there, or fail with what stopped the load.
type lateEngine struct {
	ready    chan struct{} // closed by start
	e        *watch.Engine
	err      error
	warnings []watch.Warning // the load's
	preview  *watch.Snapshot
	changes  chan struct{}  // the dashboard's: the engine's changes, forwarded
	calls    sync.WaitGroup // calls begun and not returned
	running  atomic.Int32   // the same, counted
	waiting  atomic.Int32   // calls waiting for the engine
}

// errNotLoaded is the answer of a late engine whose state did not load.
var errNotLoaded = errors.New("the saved state did not load")

func newLateEngine(preview *watch.Snapshot) *lateEngine {
	return &lateEngine{ready: make(chan struct{}), preview: preview, changes: make(chan struct{}, 1)}
}

// start hands over the loaded engine and the load's warnings (nil with
// the error that stopped the load), tells the dashboard that its state
// changed, and forwards the engine's changes until ctx ends.
func (l *lateEngine) start(ctx context.Context, e *watch.Engine, warnings []watch.Warning, err error) {
	l.e, l.warnings, l.err = e, warnings, err
	if e == nil && err == nil {
		l.err = errNotLoaded
	}
	close(l.ready)
	if l.err != nil {
		return
	}
	sub, unsubscribe := e.Subscribe()
	l.changes <- struct{}{} // the whole state replaces the preview
	go func() {
		defer unsubscribe()
		for {
			select {
			case <-ctx.Done():
				return
			case <-sub:
				select {
				case l.changes <- struct{}{}:
				default: // one is waiting already: changes coalesce
				}
			}
		}
	}()
}

// wait is the engine once it is there.
func (l *lateEngine) wait() (*watch.Engine, error) {
	<-l.ready
	return l.e, l.err
}

// loaded reports whether start was called.
func (l *lateEngine) loaded() bool {
	select {
	case <-l.ready:
		return true
	default:
		return false
	}
}

// asked reports whether a call is waiting for the engine: a change asked
// while the state loaded, which the dashboard's end must not drop.
func (l *lateEngine) asked() bool { return l.waiting.Load() > 0 }

// finish waits for the calls made before the dashboard ended (a send
// runs to its end unless interrupted; w is told while one runs); the
// engine's Stop then saves them. It returns the load's warnings that no
// frame of the dashboard drew (drawn: ui.Model.WarningDrawn of the final
// model; a snapshot taken is not a banner drawn: the terminal may have
// been too small all along, tester Q5). Call it once the engine is there,
// or the load failed.
func (l *lateEngine) finish(w io.Writer, drawn func(watch.Warning) bool) []watch.Warning {
	if l.running.Load() > 0 {
		fmt.Fprintln(w, "dingwatch: finishing what was asked before quitting (ctrl+c stops a send; its batches not sent are kept as failed)")
	}
	l.calls.Wait()
	if l.e == nil {
		return nil
	}
	var unseen []watch.Warning
	for _, wa := range l.warnings {
		if !drawn(wa) {
			unseen = append(unseen, wa)
		}
	}
	return unseen
}

// Snapshot is the engine's, or the preview when the state did not load.
func (l *lateEngine) Snapshot() *watch.Snapshot {
	e, err := l.wait()
	if err != nil {
		return l.preview
	}
	return e.Snapshot()
}

// when is f on the engine once it is there, or the error that stopped
// the load.
func when[T any](l *lateEngine, f func(*watch.Engine) (T, error)) (T, error) {
	l.calls.Add(1)
	l.running.Add(1)
	defer l.calls.Done()
	defer l.running.Add(-1)
	l.waiting.Add(1)
	e, err := l.wait()
	l.waiting.Add(-1)
	if err != nil {
		var zero T
		return zero, err
	}
	return f(e)
}

// done is when for the calls that return only an error.
func done(l *lateEngine, f func(*watch.Engine) error) error {
	_, err := when(l, func(e *watch.Engine) (struct{}, error) { return struct{}{}, f(e) })
	return err
}

// Add is watch.Engine.Add once the engine is there.
func (l *lateEngine) Add(spec watch.AddSpec) (int, error) {
	return when(l, func(e *watch.Engine) (int, error) { return e.Add(spec) })
}

// Remove is watch.Engine.Remove once the engine is there.
func (l *lateEngine) Remove(keys ...string) (int, error) {
	return when(l, func(e *watch.Engine) (int, error) { return e.Remove(keys...) })
}

// SetLabel is watch.Engine.SetLabel once the engine is there.
func (l *lateEngine) SetLabel(key, label string) error {
	return done(l, func(e *watch.Engine) error { return e.SetLabel(key, label) })
}

// SetSentAt is watch.Engine.SetSentAt once the engine is there.
func (l *lateEngine) SetSentAt(key string, at time.Time) error {
	return done(l, func(e *watch.Engine) error { return e.SetSentAt(key, at) })
}

// Rename is watch.Engine.Rename once the engine is there.
func (l *lateEngine) Rename(noticeID, label string) error {
	return done(l, func(e *watch.Engine) error { return e.Rename(noticeID, label) })
}

// Refresh is watch.Engine.Refresh once the engine is there; nothing is
// asked when the state did not load.
func (l *lateEngine) Refresh(session string, keys ...string) watch.RefreshResult {
	r, _ := when(l, func(e *watch.Engine) (watch.RefreshResult, error) { return e.Refresh(session, keys...), nil })
	return r
}

// Group is watch.Engine.Group once the engine is there.
func (l *lateEngine) Group(keys []string, label string) (string, error) {
	return when(l, func(e *watch.Engine) (string, error) { return e.Group(keys, label) })
}

// Send is watch.Engine.Send once the engine is there.
func (l *lateEngine) Send(ctx context.Context, spec watch.SendSpec) (watch.SendReport, error) {
	return when(l, func(e *watch.Engine) (watch.SendReport, error) { return e.Send(ctx, spec) })
}

// Recall is watch.Engine.Recall once the engine is there.
func (l *lateEngine) Recall(ctx context.Context, keys []string) ([]watch.RecallOutcome, error) {
	return when(l, func(e *watch.Engine) ([]watch.RecallOutcome, error) { return e.Recall(ctx, keys) })
}

// Resend is watch.Engine.Resend once the engine is there.
func (l *lateEngine) Resend(ctx context.Context, noticeID string, unknownToo bool) (watch.SendReport, error) {
	return when(l, func(e *watch.Engine) (watch.SendReport, error) { return e.Resend(ctx, noticeID, unknownToo) })
}
