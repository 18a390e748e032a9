package watch

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// callsLockName is the file, in the state directory, whose lock guards
// the call ledger on disk (the state file's ledger and the calls parcels
// in the inbox) while a process counts calls it is about to make.
const callsLockName = "calls.lock"

// callsLockWait is the longest a process waits for the ledger's lock;
// it is held for a read of the state file and a write (of a parcel, or
// of the state file by its owner), so a longer wait means that the
// process holding it hangs.
const callsLockWait = 30 * time.Second

// lockCalls takes the lock of the call ledger of the state in dir. Every
// dingwatch holds it while it reads the ledger to grant itself calls and
// counts them on disk before making them (a one-shot command's CallBook,
// the owner's poll pass), and the owner holds it from taking parcels off
// its inbox until their calls are in the saved state: so, whenever the
// lock is free, the state file's ledger and the inbox's calls parcels
// hold every call granted and not given back, and no two processes
// grant themselves the same room of the daily budget. It waits at most
// wait (callsLockWait for a command), or until ctx ends (the error then
// wraps ctx's); a lock still busy then is an error wrapping
// errCallsBusy. When waiting is not nil it is called once, on the
// caller's goroutine, if the lock is still busy after lockWaitSaid. The
// lock dies with its process: a crash never leaves it held.
func lockCalls(ctx context.Context, dir string, wait time.Duration, waiting func()) (unlock func(), err error) {
	path := filepath.Join(dir, callsLockName)
	fl := flock.New(path)
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	try := func(ctx context.Context) (bool, error) { return fl.TryLockContext(ctx, 5*time.Millisecond) }
	var ok bool
	if waiting != nil && wait > lockWaitSaid {
		first, stop := context.WithTimeout(ctx, lockWaitSaid)
		ok, err = try(first)
		stop()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			waiting()
			ok, err = try(ctx)
		}
	} else {
		ok, err = try(ctx)
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return nil, &callsBusyError{path, wait}
	case err != nil:
		return nil, fmt.Errorf("the call ledger's lock %s: %w", path, err)
	case !ok:
		return nil, fmt.Errorf("the call ledger's lock %s could not be taken", path)
	}
	return func() { fl.Unlock() }, nil
}

// lockWaitSaid is how long a wait for the call ledger's lock goes unsaid.
const lockWaitSaid = time.Second

// errCallsBusy is wrapped by the error of a call ledger's lock that
// another process held for the whole wait.
var errCallsBusy = errors.New("the call ledger's lock is busy")

// callsBusyError is lockCalls' error for a lock held for the whole wait.
type callsBusyError struct {
	path string
	wait time.Duration
}

func (e *callsBusyError) Error() string {
	return fmt.Sprintf("another dingwatch has held the call ledger's lock %s for over %v", e.path, e.wait)
}

func (e *callsBusyError) Unwrap() error { return errCallsBusy }

// LedgerUnknownError is the answer of a CallBook that cannot count a call
// in the state's ledger (the state file is a newer dingwatch's, or cannot
// be read while a budget is to be held, or the count could not be
// written): the call was not made.
type LedgerUnknownError struct {
	Reason string // why, in the user's words: "the saved state … cannot be read (…)"
	Fix    string // what the user can do
	Newer  bool   // the state is a newer dingwatch's: this one never writes there
	// Cause is why the calls could not be counted on disk (the ledger's
	// lock could not be taken, or the inbox not written; it wraps
	// context.Canceled when the wait was interrupted); nil when the
	// ledger could not be read (Reason says why).
	Cause error
}

func (e *LedgerUnknownError) Error() string {
	return "not asked: " + e.Reason + ": " + e.Fix
}

// Unwrap is Cause: errors.Is(err, context.Canceled) sees an interrupted
// wait for the lock.
func (e *LedgerUnknownError) Unwrap() error { return e.Cause }

// diskLedger is the call ledger of the state in dir as it is on disk: the
// state file's, with the calls parcels in the inbox the owner has not
// taken yet. A state file that cannot be read is a *LedgerUnknownError
// (Newer for a newer dingwatch's) and the ledger is then the inbox's
// alone; so is one whose ledger had to be set aside (the next owner
// starts a new one).
func diskLedger(dir string) (Ledger, error) {
	s := storeIn(dir)
	var l Ledger
	var unknown error
	st, problems, err := s.loadChecked()
	var newer *NewerStateError
	var unread *StateReadError
	switch {
	case errors.As(err, &newer):
		return Ledger{}, &LedgerUnknownError{Newer: true,
			Reason: fmt.Sprintf("the saved state %s is from a newer dingwatch (state format %d): this one can neither read its call ledger nor count a call in it", s.path, newer.Version),
			Fix:    "use the newer dingwatch"}
	case err != nil:
		cause, fix := err, "start dingwatch once (it moves the file aside and starts a new ledger)"
		if errors.As(err, &unread) {
			cause, fix = unread.Err, unread.Fix()
		}
		unknown = &LedgerUnknownError{
			Reason: fmt.Sprintf("the saved state %s cannot be read (%v), so the metered calls of the last 24 hours are unknown and the daily budget cannot be held", s.path, cause),
			Fix:    fix + ", or ask without a budget (--budget 0: the calls are counted once a dingwatch opens the state)"}
	default:
		for _, p := range problems {
			if p.What == "calls" {
				unknown = &LedgerUnknownError{
					Reason: fmt.Sprintf("the call ledger of the saved state %s cannot be used (%s), so the metered calls of the last 24 hours are unknown and the daily budget cannot be held", s.path, p.Why),
					Fix:    "start dingwatch once (it sets the ledger aside and starts a new one), or ask without a budget (--budget 0)"}
			}
		}
		l = st.Calls
	}
	l.applyParcels(s.Pending(st)) // st nil: every parcel; else those it does not hold yet
	return l, unknown
}

// applyParcels counts the calls the parcels hand over (OpCalls) and
// takes back those they give back (OpCallsBack), in the order given.
func (l *Ledger) applyParcels(parcels []Parcel) {
	for _, p := range parcels {
		for _, op := range p.Ops {
			switch op.Kind {
			case OpCalls:
				l.merge(op.Calls)
			case OpCallsBack:
				l.giveBack(op.Calls)
			}
		}
	}
}
