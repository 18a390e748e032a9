package watch

import (
	"context"
	"errors"
)

// Start runs Run on a goroutine of its own until ctx ends or Stop is
// called. Call it at most once; an engine that is never started (a
// one-shot command's) needs only Stop.
func (e *Engine) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	e.run.mu.Lock()
	e.run.cancel, e.run.done = cancel, done
	e.run.mu.Unlock()
	go func() {
		defer close(done)
		e.Run(ctx)
	}()
}

// Stop is how every exit ends an engine, so that nothing the user saw
// done is lost: it ends Run (when Start started it) and waits for it to
// return, so a change Run was taking from the inbox is applied; it waits
// until every change made before it is saved or, on a follower, handed
// to the owner (Flush); then it lets go of the state (Store.Close). A
// change made after Stop (a command still running on another goroutine)
// is handed to the next owner through the inbox, never written without
// the lock. The error is the last save's when it failed (the same text
// as Snapshot.SaveErr). Stop may be called more than once.
func (e *Engine) Stop() error {
	e.run.mu.Lock()
	cancel, done := e.run.cancel, e.run.done
	e.run.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	e.Flush()
	if e.opts.Store != nil {
		e.opts.Store.Close()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.saveErr != "" {
		return errors.New(e.saveErr)
	}
	return nil
}
