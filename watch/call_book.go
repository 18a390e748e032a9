package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// CallBook counts the metered DingTalk calls of a one-shot command (status,
// doctor) in the one call ledger of the state, and holds them to the
// daily budget as polling is held, together with every other dingwatch
// on the state. Before a call is made it is counted on disk: under the
// ledger's lock (lockCalls) the book reads the ledger as it is on disk
// (the state file's, and the calls parcels in the inbox), grants itself
// what the budget has room for (Reserve, or one call at a time in Take)
// and leaves those calls in the inbox as a parcel, where every other
// dingwatch counts them. At the end Record counts the calls made in
// place of that reservation and gives back the rest: in the state file
// when no other dingwatch owns it, else through the owner's inbox. A
// crash in between leaves the reservation counted: calls granted and not
// made are then counted (at most the calls granted), never calls made
// left out.
// Its methods may be called from several goroutines.
type CallBook struct {
	dir    string // "": a book in memory only, for tests and callers with no state
	budget int    // calls per 24 hours; 0: no limit

	mu sync.Mutex
	// ledger is the state's calls as last read (at start, then under the
	// lock at each reservation), this book's reservations included.
	ledger   Ledger
	held     []reservation // the reservations on disk, in the order made
	free     int           // calls reserved and not (or no longer) made
	made     []time.Time   // this command's calls, in the order made
	refused  error         // the answer of the last reservation that granted less than asked
	recorded bool          // Record has counted made and given the reservations back
	waiting  func()        // said once a wait for the ledger's lock passes lockWaitSaid (OnLockWait)
}

// OnLockWait makes the book call f (on the goroutine that waits) each
// time it has waited lockWaitSaid (a second) for the call ledger's lock
// and goes on waiting, so that a command can say why it stands still:
// another dingwatch holds the lock, for at most callsLockWait. Call it
// before the book is used.
func (b *CallBook) OnLockWait(f func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.waiting = f
}

// reservation is one parcel of calls a CallBook left in the inbox before
// making them.
type reservation struct {
	path  string
	calls []time.Time
}

// BudgetSpentError is the answer of a CallBook that has no call left
// within the daily budget: the call was not made.
type BudgetSpentError struct {
	Spent, Budget int       // calls in the last 24 hours, and the budget
	FreedAt       time.Time // when a call ages out of the 24 hours; zero if unknown
	At            time.Time // when the call was refused: FreedAt is said with its day unless that is At's
}

func (e *BudgetSpentError) Error() string {
	s := fmt.Sprintf("not asked: the daily budget is spent (%d of %d metered calls in the last 24 hours", e.Spent, e.Budget)
	if !e.FreedAt.IsZero() {
		s += "; a call is free again at " + ClockTime(e.FreedAt, e.At.Local())
	}
	return s + "): wait, or raise the budget (--budget N, 0: no limit)"
}

// NewCallBook is the call book of a command on the state in dir, saved
// being what it read of that state (nil or empty when it could read
// none), with the daily budget (0: no limit). saved is only what the book
// reports until its first reservation, which reads the ledger again.
func NewCallBook(dir string, saved *State, budget int) *CallBook {
	b := &CallBook{dir: dir, budget: max(budget, 0)}
	if saved != nil {
		b.ledger = saved.Calls.Clone()
	}
	if dir != "" {
		b.ledger.applyParcels(storeIn(dir).Pending(saved))
	}
	return b
}

// Reserve counts on disk, before they are made, up to n calls at now
// that the command is about to make, as many as the budget has room for;
// Take then grants them. It returns the answer Take gives once they are
// granted: nil when all n fit, else a *BudgetSpentError, or a
// *LedgerUnknownError when none could be counted (none was reserved
// then). ctx bounds the wait for the ledger's lock.
func (b *CallBook) Reserve(ctx context.Context, n int, now time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.reserveLocked(ctx, n, now)
}

func (b *CallBook) reserveLocked(ctx context.Context, n int, now time.Time) error {
	if b.recorded {
		return errors.New("not asked: the command's calls were recorded already")
	}
	if n <= 0 {
		return nil
	}
	if b.dir == "" { // in memory only
		granted := n
		if b.budget > 0 {
			granted = min(n, max(b.budget-(b.ledger.Spent(now)-b.free), 0))
		}
		for range granted {
			b.ledger.Add(now)
		}
		b.free += granted
		return b.refuseLocked(granted < n, now)
	}
	if err := os.MkdirAll(b.dir, 0o700); err != nil {
		return b.failLocked(fmt.Errorf("state directory: %w", err))
	}
	unlock, err := lockCalls(ctx, b.dir, callsLockWait, b.waiting)
	if err != nil {
		return b.failLocked(err)
	}
	defer unlock()
	l, err := diskLedger(b.dir)
	var unknown *LedgerUnknownError
	if errors.As(err, &unknown) && (unknown.Newer || b.budget > 0) {
		b.refused = err
		return err
	}
	granted := n
	if b.budget > 0 {
		// The free calls of this book's earlier reservations are on disk
		// already: they count as room this book has.
		granted = min(n, max(b.budget-(l.Spent(now)-b.free), 0))
	}
	if granted > 0 {
		calls := slices.Repeat([]time.Time{now}, granted)
		path, err := storeIn(b.dir).deliver(Parcel{Ops: []Op{{Kind: OpCalls, Calls: calls}}}, now)
		if err != nil {
			return b.failLocked(fmt.Errorf("the calls could not be counted in the state's inbox: %w", err))
		}
		l.merge(calls)
		b.held = append(b.held, reservation{path, calls})
		b.free += granted
	}
	b.ledger = l
	return b.refuseLocked(granted < n, now)
}

// refuseLocked records, when short, that the budget had no room for all
// the calls asked: the answer of every Take past the calls granted.
func (b *CallBook) refuseLocked(short bool, now time.Time) error {
	if !short {
		return nil
	}
	// The calls just reserved count: they are about to be made.
	b.refused = &BudgetSpentError{Spent: b.ledger.Spent(now), Budget: b.budget, FreedAt: b.ledger.FreedAt(now, b.budget), At: now}
	return b.refused
}

// failLocked is the answer of a reservation that could not be counted:
// its Cause is err. A wait for the lock cut short by ctx (Ctrl+C) is not
// the directory's fault, and is said as an interruption.
func (b *CallBook) failLocked(err error) error {
	u := &LedgerUnknownError{Reason: "the calls could not be counted in the saved state before being made (" + err.Error() + ")",
		Fix: "check the state directory " + b.dir + ", then try again", Cause: err}
	if errors.Is(err, context.Canceled) {
		u.Reason, u.Fix = "interrupted while waiting for another dingwatch's calls ("+callsLockName+")", "nothing was asked"
	}
	b.refused = u
	return u
}

// Take grants one call at now, counted by an earlier Reserve or else
// reserved here, or returns the error that keeps it from being made: a
// *BudgetSpentError when the budget has no call left, a
// *LedgerUnknownError when the call cannot be counted. Once a
// reservation granted less than asked, Take gives that answer without
// reading the ledger again.
func (b *CallBook) Take(now time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.recorded {
		return errors.New("not asked: the command's calls were recorded already")
	}
	if b.free == 0 {
		if b.refused != nil {
			return b.refused
		}
		ctx, cancel := context.WithTimeout(context.Background(), callsLockWait)
		defer cancel()
		if err := b.reserveLocked(ctx, 1, now); err != nil {
			return err
		}
	}
	b.free--
	b.made = append(b.made, now)
	return nil
}

// Undo takes back the call granted at at: it never reached DingTalk
// (dingtalk.NeverSent), so it spent nothing; its room may be granted again.
func (b *CallBook) Undo(at time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if i := slices.IndexFunc(b.made, at.Equal); i >= 0 && !b.recorded {
		b.made = slices.Delete(b.made, i, i+1)
		b.free++
	}
}

// Spent is how many metered calls were made in the 24 hours up to now,
// this command's included (its calls reserved and not made are not).
func (b *CallBook) Spent(now time.Time) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ledger.Spent(now) - b.free
}

// Made is how many calls this command made.
func (b *CallBook) Made() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.made)
}

// Budget is the daily budget the book holds calls to (0: no limit).
func (b *CallBook) Budget() int { return b.budget }

// FreedAt is when enough calls age out of the 24 hours for one more to
// fit in the budget; zero if one fits now or there is no budget.
func (b *CallBook) FreedAt(now time.Time) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.budget <= 0 {
		return time.Time{}
	}
	return b.ledger.FreedAt(now, b.budget+b.free)
}

// Record counts the calls this command made in the state's ledger in
// place of its reservations, once: later calls of Record do nothing, and
// the book grants no call after it. Under the ledger's lock: when no
// other dingwatch owns the state and the state file is whole, the calls
// made are added to the file (taking the state's lock for that moment)
// and the reservations removed; otherwise one parcel hands the owner the
// calls made and gives back the reservations it took already, and the
// reservations it did not take are removed: a running dashboard or serve
// takes it within seconds, and a state file with entries to set aside is
// left as it is, for the next owner, which takes it as it starts (until
// then every command counts it from the inbox). Each step writes the new
// count before it removes the old one, so a crash between them counts
// calls twice, never none. Then, out of the ledger's lock, it settles
// the inbox (settle.go), so that neither its own parcel nor one a
// follower handed over while it held the state's lock waits for an owner
// that has quit.
func (b *CallBook) Record(now time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.recorded || b.dir == "" || len(b.held) == 0 && len(b.made) == 0 {
		b.recorded = true
		return nil
	}
	settle, err := b.recordLocked(now)
	if !settle {
		return err
	}
	// Settling takes the inbox under the ledger's lock: not held here.
	s := storeIn(b.dir)
	return errors.Join(err, settleCalls(s, now))
}

// recordLocked is Record under the ledger's lock; settle says whether the
// inbox is to be settled after.
func (b *CallBook) recordLocked(now time.Time) (settle bool, err error) {
	unlock, err := lockCalls(context.Background(), b.dir, callsLockWait, b.waiting)
	if err != nil {
		return false, fmt.Errorf("%w: the calls reserved stay counted", err)
	}
	defer unlock()
	b.recorded = true
	return recordCalls(b.dir, b.held, b.made, now)
}

// recordCalls replaces, in the ledger of the state in dir, the
// reservations held with the calls made, as Record; the caller holds the
// ledger's lock. settle is false when the state file is not whole (no
// process but a starting owner takes its inbox).
func recordCalls(dir string, held []reservation, made []time.Time, now time.Time) (settle bool, err error) {
	var present []reservation
	var back []time.Time // reserved calls an owner took already
	for _, r := range held {
		if _, err := os.Stat(r.path); err == nil {
			present = append(present, r)
		} else {
			back = append(back, r.calls...)
		}
	}
	removeAll := func() error {
		var errs []error
		for _, r := range present {
			if err := os.Remove(r.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
	s := storeIn(dir)
	s.readOnly.Store(true) // until it holds the lock
	locked, err := s.lock.TryLock()
	if err != nil {
		return false, fmt.Errorf("state lock: %w", err)
	}
	if locked {
		st, problems, err := s.loadChecked()
		if err == nil && len(problems) == 0 {
			for _, r := range present {
				if slices.Contains(st.Taken, filepath.Base(r.path)) {
					// An owner applied it and stopped before removing it
					// (taken.go): its calls are in the saved ledger.
					back = append(back, r.calls...)
				}
			}
			st.Calls.giveBack(back)
			st.Calls.merge(made)
			s.readOnly.Store(false)
			err = s.Save(st)
			s.Close()
			if err != nil {
				return false, err // the reservations stay counted
			}
			return true, removeAll() // then parcels handed over while it held the lock
		}
		// Not whole: never written over here; the owner that sets its
		// problems aside takes the calls from its inbox as it starts.
		s.lock.Unlock()
		settle = false
	} else {
		settle = true // the owner may have let go after the lock was tried
	}
	var ops []Op
	if len(back) > 0 {
		ops = append(ops, Op{Kind: OpCallsBack, Calls: back})
	}
	if len(made) > 0 {
		ops = append(ops, Op{Kind: OpCalls, Calls: slices.Clone(made)})
	}
	if len(ops) > 0 {
		if err := s.Deliver(Parcel{Ops: ops}, now); err != nil {
			return false, err
		}
	}
	return settle, removeAll()
}

// settleCalls settles the inbox of s (settleStore) after a one-shot
// command counted its calls. Parcels that cannot be applied because the
// state is not whole are no error of the command's when they hold
// calls only: calls in the inbox are counted by every command and taken
// by the next owner, as Record says.
func settleCalls(s *Store, now time.Time) error {
	left, saveErr := settleStore(s, now)
	if left != nil && !slices.ContainsFunc(s.Pending(nil), func(p Parcel) bool {
		return slices.ContainsFunc(p.Ops, func(op Op) bool { return op.Kind != OpCalls && op.Kind != OpCallsBack })
	}) {
		left = nil
	}
	return errors.Join(saveErr, left)
}
