package watch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// CallBook counts the metered DingTalk calls of a one-shot command (status,
// doctor) in the one call ledger of the state, and holds them to the
// daily budget as polling is held: it starts from the calls of the last
// 24 hours the state knows (its saved ledger, and the calls other
// processes handed to the owner that it has not taken yet), grants one
// call at a time while the budget has room (Take), and at the end records
// the calls made (Record): in the state file when no other dingwatch owns
// it, else handed to the one that does, whose header then counts them.
// Its methods may be called from several goroutines.
type CallBook struct {
	dir    string
	budget int // calls per 24 hours; 0: no limit

	mu       sync.Mutex
	ledger   Ledger      // the state's calls and this command's
	made     []time.Time // this command's calls, in the order made
	recorded int         // how many of made Record has recorded
}

// BudgetSpentError is the answer of a CallBook that has no call left
// within the daily budget: the call was not made.
type BudgetSpentError struct {
	Spent, Budget int       // calls in the last 24 hours, and the budget
	FreedAt       time.Time // when a call ages out of the 24 hours; zero if unknown
}

func (e *BudgetSpentError) Error() string {
	s := fmt.Sprintf("not asked: the daily budget is spent (%d of %d metered calls in the last 24 hours", e.Spent, e.Budget)
	if !e.FreedAt.IsZero() {
		s += "; a call is free again at " + e.FreedAt.Local().Format("15:04")
	}
	return s + "): wait, or raise the budget (--budget N, 0: no limit)"
}

// NewCallBook is the call book of a command on the state in dir, saved
// being what it read of that state (nil or empty when it could read
// none), with the daily budget (0: no limit).
func NewCallBook(dir string, saved *State, budget int) *CallBook {
	b := &CallBook{dir: dir, budget: max(budget, 0)}
	var calls []time.Time
	if saved != nil {
		b.ledger = saved.Calls.Clone()
	}
	for _, p := range (&Store{path: filepath.Join(dir, "state.json")}).Pending() {
		for _, op := range p.Ops {
			if op.Kind == OpCalls {
				calls = append(calls, op.Calls...)
			}
		}
	}
	b.ledger.merge(calls)
	return b
}

// Take grants one call at now and counts it, or returns a
// *BudgetSpentError when the budget has no call left.
func (b *CallBook) Take(now time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if spent := b.ledger.Spent(now); b.budget > 0 && spent >= b.budget {
		return &BudgetSpentError{Spent: spent, Budget: b.budget, FreedAt: b.ledger.FreedAt(now, b.budget)}
	}
	b.ledger.Add(now)
	b.made = append(b.made, now)
	return nil
}

// Undo takes back the call granted at at: it never reached DingTalk
// (dingtalk.NeverSent), so it spent nothing.
func (b *CallBook) Undo(at time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if i := slices.IndexFunc(b.made[b.recorded:], at.Equal); i >= 0 {
		i += b.recorded
		b.made = slices.Delete(b.made, i, i+1)
		b.ledger.Undo(at)
	}
}

// Spent is how many metered calls were made in the 24 hours up to now,
// this command's included.
func (b *CallBook) Spent(now time.Time) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ledger.Spent(now)
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
	return b.ledger.FreedAt(now, b.budget)
}

// Record counts the calls this command made in the state's ledger, each
// once (a second Record records only the calls made since). When no other
// dingwatch owns the state and the state file is whole, they are added
// to the file (taking the state's lock for that moment); otherwise they
// are handed to the owner through its inbox (Store.Deliver): a running
// dashboard or serve takes them within seconds, and a state file with
// entries to set aside is left as it is, for the next owner, which takes
// them as it starts (until then every command counts them from the
// inbox: NewCallBook). Either way it then settles the inbox (settle.go),
// so that neither its own parcel nor one a follower handed over while it
// held the lock waits for an owner that has quit.
func (b *CallBook) Record(now time.Time) error {
	b.mu.Lock()
	calls := slices.Clone(b.made[b.recorded:])
	b.recorded = len(b.made)
	b.mu.Unlock()
	if len(calls) == 0 {
		return nil
	}
	return recordCalls(b.dir, calls, now)
}

// recordCalls adds calls to the ledger of the state in dir, as Record.
func recordCalls(dir string, calls []time.Time, now time.Time) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	s := &Store{path: filepath.Join(dir, "state.json"), lock: flock.New(filepath.Join(dir, "state.lock"))}
	s.readOnly.Store(true) // until it holds the lock
	locked, err := s.lock.TryLock()
	if err != nil {
		return fmt.Errorf("state lock: %w", err)
	}
	parcel := Parcel{Ops: []Op{{Kind: OpCalls, Calls: calls}}}
	if locked {
		st, problems, err := s.loadChecked()
		if err != nil || len(problems) > 0 {
			// Not whole: never written over here; the owner that sets its
			// problems aside takes the calls from its inbox as it starts.
			s.lock.Unlock()
			return s.Deliver(parcel, now)
		}
		st.Calls.merge(calls)
		s.readOnly.Store(false)
		err = s.Save(st)
		s.Close()
		return errors.Join(err, settleCalls(s, now)) // parcels handed over while it held the lock
	}
	if err := s.Deliver(parcel, now); err != nil {
		return err
	}
	return settleCalls(s, now) // the owner may have let go after the lock was tried
}

// settleCalls settles the inbox of s (settleStore) after a one-shot
// command counted its calls. Parcels that cannot be applied because the
// state is not whole are no error of the command's when they hold
// calls only: calls in the inbox are counted by every command and taken
// by the next owner, as Record says.
func settleCalls(s *Store, now time.Time) error {
	left, saveErr := settleStore(s, now)
	if left != nil && !slices.ContainsFunc(s.Pending(), func(p Parcel) bool {
		return slices.ContainsFunc(p.Ops, func(op Op) bool { return op.Kind != OpCalls })
	}) {
		left = nil
	}
	return errors.Join(saveErr, left)
}
