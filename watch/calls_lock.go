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
// callsLockWait, or until ctx ends. The lock dies with its process: a
// crash never leaves it held.
func lockCalls(ctx context.Context, dir string) (unlock func(), err error) {
	path := filepath.Join(dir, callsLockName)
	fl := flock.New(path)
	ctx, cancel := context.WithTimeout(ctx, callsLockWait)
	defer cancel()
	ok, err := fl.TryLockContext(ctx, 5*time.Millisecond)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("another dingwatch has held the call ledger's lock %s for over %v", path, callsLockWait)
	case err != nil:
		return nil, fmt.Errorf("the call ledger's lock %s: %w", path, err)
	case !ok:
		return nil, fmt.Errorf("the call ledger's lock %s could not be taken", path)
	}
	return func() { fl.Unlock() }, nil
}

// LedgerUnknownError is the answer of a CallBook that cannot count a call
// in the state's ledger (the state file is a newer dingwatch's, or cannot
// be read while a budget is to be held, or the count could not be
// written): the call was not made.
type LedgerUnknownError struct {
	Reason string // why, in the user's words: "the saved state … cannot be read (…)"
	Fix    string // what the user can do
	Newer  bool   // the state is a newer dingwatch's: this one never writes there
}

func (e *LedgerUnknownError) Error() string {
	return "not asked: " + e.Reason + ": " + e.Fix
}

// diskLedger is the call ledger of the state in dir as it is on disk: the
// state file's, with the calls parcels in the inbox the owner has not
// taken yet. A state file that cannot be read is a *LedgerUnknownError
// (Newer for a newer dingwatch's) and the ledger is then the inbox's
// alone; so is one whose ledger had to be set aside (the next owner
// starts a new one).
func diskLedger(dir string) (Ledger, error) {
	s := &Store{path: filepath.Join(dir, "state.json")}
	var l Ledger
	var unknown error
	st, problems, err := s.loadChecked()
	var newer *NewerStateError
	switch {
	case errors.As(err, &newer):
		return Ledger{}, &LedgerUnknownError{Newer: true,
			Reason: fmt.Sprintf("the saved state %s is from a newer dingwatch (state format %d): this one can neither read its call ledger nor count a call in it", s.path, newer.Version),
			Fix:    "use the newer dingwatch"}
	case errors.As(err, new(*StateReadError)):
		unknown = &LedgerUnknownError{
			Reason: fmt.Sprintf("the saved state %s cannot be read (%v), so the metered calls of the last 24 hours are unknown and the daily budget cannot be held", s.path, errors.Unwrap(err)),
			Fix:    "fix its owner or mode (chmod 600; it must be a file you can read and write), or ask without a budget (--budget 0: the calls are counted once a dingwatch opens the state)"}
	case err != nil:
		unknown = &LedgerUnknownError{
			Reason: fmt.Sprintf("the saved state %s cannot be read (%v), so the metered calls of the last 24 hours are unknown and the daily budget cannot be held", s.path, err),
			Fix:    "start dingwatch once (it moves the file aside and starts a new ledger), or ask without a budget (--budget 0: the calls are counted once a dingwatch opens the state)"}
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
				for _, at := range op.Calls {
					l.Undo(at)
				}
			}
		}
	}
}
