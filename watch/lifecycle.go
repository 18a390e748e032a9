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
// return; an owner then takes its inbox once more, so a change a follower
// handed over after Run's last look is applied; it waits until every
// change made before it is saved or, on a follower, handed to the owner
// (Flush); it lets go of the state (Store.Close); and last it settles
// the inbox (settle.go): a parcel handed over while it let go, or a
// follower's own that no owner took (the owner quit meanwhile), is
// applied to the saved state here when no other process owns it. A
// change made after Stop (a command still running on another goroutine)
// is handed to the next owner through the inbox, never written without
// the lock. The error is the last save's when it failed (the same text as
// Snapshot.SaveErr), and a *LeftInInboxError when parcels wait in the
// inbox with nobody to take them. Stop may be called more than once.
func (e *Engine) Stop() error {
	e.run.mu.Lock()
	cancel, done := e.run.cancel, e.run.done
	e.run.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	if e.opts.Store != nil {
		e.takeInbox() // the owner's last look: Run, which looked every inboxEvery, has returned
	}
	e.Flush()
	ownerErr := e.lastSaveErr() // a later save of what is on disk does not make up for it
	if e.opts.Store == nil {
		return errorText(ownerErr)
	}
	if e.beforeLetGo != nil {
		e.beforeLetGo()
	}
	e.opts.Store.Close()
	left := e.settle()
	errs := []error{errorText(ownerErr), left}
	if last := e.lastSaveErr(); last != ownerErr {
		errs = append(errs, errorText(last)) // settle's own save
	}
	return errors.Join(errs...)
}

// lastSaveErr is the last save's error text, "" when it succeeded.
func (e *Engine) lastSaveErr() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.saveErr
}

// errorText is text as an error, nil when it is empty.
func errorText(text string) error {
	if text == "" {
		return nil
	}
	return errors.New(text)
}
