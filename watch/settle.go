package watch

import (
	"errors"
	"fmt"
	"time"
)

// A parcel (inbox.go) is taken by whichever process owns the state. One
// handed over just as the owner lets go would wait, with nobody to take
// it, until some dingwatch owns the state again. Two rules close that gap
// (settle): a process that lets go of the state looks at the inbox once
// more after letting go, and a process that handed a parcel over looks
// at it before it exits; whoever finds parcels there while no process
// owns the state (its lock is free) takes the lock, applies them to the
// state as it is on disk and saves. A parcel written before a process
// found the lock held is seen by the holder's look after it lets go, so
// every parcel is taken by an owner or by the last process to leave.

// settleRounds bounds how many times settle takes the state over and
// lets it go again while parcels keep coming: each round takes every
// parcel there is, so a second is only for one handed over during the
// first.
const settleRounds = 5

// LeftInInboxError is the error of an exit that leaves parcels (changes
// handed over by a follower, or metered calls counted by a one-shot
// command) in the state's inbox with no dingwatch owning the state: the
// next one that owns it applies them (a dashboard, serve, send or recall
// as it starts; status or doctor as it ends, when the state is whole and
// nobody owns it).
type LeftInInboxError struct {
	Inbox   string // the inbox directory
	Parcels int    // parcels waiting there
	Err     error  // why this process could not apply them itself
}

// Error says how many changes wait where, why, and who takes them.
func (e *LeftInInboxError) Error() string {
	return fmt.Sprintf("%s handed over %s in %s, not applied to the saved state (%v); the next dingwatch that can own this state applies %s (a dashboard, serve, send or recall as it starts; status or doctor as it ends, when nobody owns the state and it is whole)",
		Plural(e.Parcels, "change", "changes"), Noun(e.Parcels, "waits", "wait"), e.Inbox, e.Err, Noun(e.Parcels, "it", "them"))
}

// Unwrap is why they could not be applied (a *NewerStateError, say).
func (e *LeftInInboxError) Unwrap() error { return e.Err }

// waiting is how many parcels (isParcel) are in the inbox (takeInbox
// would take them), whoever owns the state.
func (s *Store) waiting() int { return len(s.inboxNames()) }

// claim makes this engine the owner of the state when no process owns
// it: it takes the lock, reads the state as it is on disk now (another
// process may have saved since this one last read it), applies the
// parcels waiting in the inbox and saves. It reports whether this engine
// owns the state now (at once, when it owned it already). A state it
// cannot take whole (unreadable, from a newer dingwatch, or with entries
// a starting dashboard would set aside) is not claimed: the lock is let
// go at once and the error says why. Unlike Run's takeOver, claim moves
// and sets aside nothing: it is made by a process on its way out, with
// nobody to tell.
func (e *Engine) claim() (bool, error) {
	s := e.opts.Store
	if !e.following() {
		return true, nil
	}
	if !s.TakeOver() {
		return false, nil
	}
	st, problems, err := s.loadChecked()
	if err == nil && len(problems) > 0 {
		err = fmt.Errorf("%s of the saved state %s could not be used, and only a dingwatch that owns the state from its start (a dashboard, serve, send or recall) sets them aside (%s)",
			Plural(len(problems), "entry", "entries"), s.path, summarize(problems))
	} else if err != nil {
		if !errors.As(err, new(*NewerStateError)) && !errors.As(err, new(*StateReadError)) {
			err = fmt.Errorf("the saved state %s could not be read: %w", s.path, err)
		}
	}
	if err != nil {
		s.Close()
		return false, err
	}
	e.mu.Lock()
	e.adoptLocked(st)
	e.changedLocked()
	e.mu.Unlock()
	e.takeInbox()
	e.Flush()
	return true, nil
}

// settle is the last look at the inbox of an engine that has let go of
// the state (Store.Close) or never owned it: while parcels wait there
// and no process owns the state, it claims the state, applies them,
// saves and lets go again. When another process owns the state it
// returns nil: that one takes them (and looks again when it lets go).
// The error is a *LeftInInboxError when parcels wait and this engine
// could not apply them.
func (e *Engine) settle() error {
	s := e.opts.Store
	if s == nil {
		return nil
	}
	for round := 0; s.waiting() > 0; round++ {
		if round == settleRounds {
			return &LeftInInboxError{Inbox: s.inbox(), Parcels: s.waiting(),
				Err: fmt.Errorf("they came back after %d takes: the inbox may not let dingwatch remove them", settleRounds)}
		}
		owned, err := e.claim()
		if err != nil {
			return &LeftInInboxError{Inbox: s.inbox(), Parcels: s.waiting(), Err: err}
		}
		if !owned {
			return nil // its owner takes them
		}
		s.Close()
		if serr := e.lastSaveErr(); serr != "" && s.waiting() > 0 {
			// Not saved, so not removed (taken.go): the next owner applies them.
			return &LeftInInboxError{Inbox: s.inbox(), Parcels: s.waiting(), Err: errors.New(serr)}
		}
	}
	return nil
}

// settleStore is settle for a process that has no engine (a one-shot
// command that counted its calls): s must not own the state. It returns
// settle's error and, apart, the error of a save settle made.
func settleStore(s *Store, now time.Time) (left, saveErr error) {
	s.readOnly.Store(true)
	e := NewEngine(Options{Store: s, Now: func() time.Time { return now }})
	left = e.settle()
	return left, errorText(e.lastSaveErr())
}
