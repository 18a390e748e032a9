package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/dingwatch/dingwatch/internal/atomicfile"
)

// Parcel is what a process that does not own the state hands to the one
// that does: the changes its user (or its send) made, as Op values, in
// the order they were made. The owner applies them as its own.
type Parcel struct {
	Ops []Op `json:"ops"`
}

func (s *Store) inbox() string { return filepath.Join(filepath.Dir(s.path), "inbox") }

// Deliver leaves p for the owner of the state, which takes it within
// seconds. When this store is the owner the caller should add directly.
func (s *Store) Deliver(p Parcel, now time.Time) error {
	_, err := s.deliver(p, now)
	return err
}

// deliver is Deliver, and the path of the parcel written.
func (s *Store) deliver(p Parcel, now time.Time) (string, error) {
	dir := s.inbox()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	data, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	// Names sort in the order parcels were made: the owner takes them so.
	// The random tail keeps two stores of one process (or a clock that
	// stands still, in tests) from writing the same name.
	name := fmt.Sprintf("%020d-%d-%06d-%08x.json", now.UnixNano(), os.Getpid(), s.sent.Add(1), rand.Uint32())
	if err := checkParcelName(name); err != nil {
		return "", err // never written: the owner would not take it
	}
	path := filepath.Join(dir, name)
	return path, atomicfile.WriteFile(path, data, 0o600)
}

// hasParcels reports whether a parcel waits in the inbox: one directory
// read, for the owner's regular look.
func (s *Store) hasParcels() bool {
	entries, err := os.ReadDir(s.inbox())
	return err == nil && slices.ContainsFunc(entries, isParcel)
}

// takeInbox applies the changes left by other processes, through the
// same path as this process's own (apply), with one save for all of
// them, and removes their files once that save is on disk (taken.go); a
// parcel the state lists as taken is removed without being applied
// again. It reports whether it applied or set aside any.
//
// It holds the call ledger's lock from taking the parcels off the disk
// until their calls are in the saved state, so that a one-shot command
// counting the calls on disk meanwhile sees them in one place or the
// other; when the lock is busy for inboxEvery it leaves them for the
// next look.
func (e *Engine) takeInbox() bool {
	if e.opts.Store == nil || e.following() {
		return false
	}
	if !e.opts.Store.hasParcels() {
		e.mu.Lock()
		e.state.Taken = nil // their files are gone: forgotten from the next save on
		e.mu.Unlock()
		return false
	}
	unlock, err := e.lockCalls(context.Background(), inboxEvery)
	e.lockAnswer(context.Background(), err, false)
	if err != nil {
		e.opts.Log.Info("inbox left for the next look", "err", err)
		return false
	}
	defer unlock()
	return e.takeInboxLocked()
}

// takeInboxLocked is takeInbox under the call ledger's lock, which the
// caller holds. While the state cannot be saved it takes nothing (it
// tries the save first): a parcel applied in memory only would be
// counted twice once its sender, seeing it not taken on disk, replaced
// it (a status's reservation by the calls it made: breaker7 #1).
func (e *Engine) takeInboxLocked() bool {
	if e.opts.Store == nil || e.following() {
		return false
	}
	s := e.opts.Store
	// From taking the parcels to saving them: Flush waits.
	e.changing.RLock()
	defer e.changing.RUnlock()
	names := s.inboxNames()
	if len(names) > 0 && e.lastSaveErr() != "" && !e.savedNow() {
		return false
	}
	e.mu.Lock()
	taken := e.state.Taken
	e.mu.Unlock()
	var parcels []Parcel
	var problems []Warning
	var newNames []string
	for _, n := range names {
		if slices.Contains(taken, n) {
			continue // applied already: removed below once its save is on disk
		}
		if p, problem, ok := s.readParcel(n); ok {
			parcels = append(parcels, p)
			newNames = append(newNames, n)
		} else {
			problems = append(problems, problem)
		}
	}
	took := len(parcels) > 0 || len(problems) > 0
	now := e.opts.Now()
	e.mu.Lock()
	e.warnings = append(e.warnings, problems...)
	for _, p := range parcels {
		for _, op := range p.Ops {
			// One by one: an op that no longer applies (its key was
			// removed here meanwhile) must not stop the others.
			if _, err := e.applyLocked([]Op{op}, now); err != nil {
				e.opts.Log.Info("a handed-over change no longer applies", "op", op.Kind, "err", err)
			}
		}
	}
	// The names of the files still there (the others cannot come back),
	// and the new ones: saved with their changes.
	kept := slices.DeleteFunc(slices.Clone(e.state.Taken), func(n string) bool { return !slices.Contains(names, n) })
	e.state.Taken = append(kept, newNames...)
	if len(newNames) > 0 {
		e.dataChangedLocked() // the names are saved even when no op applied
	} else if took {
		e.changedLocked()
	}
	e.mu.Unlock()
	if len(names) > 0 {
		e.saveNow() // also a save that failed before: until it is made, no file goes
	}
	if gone := s.removeTaken(names); len(gone) > 0 {
		e.mu.Lock()
		// Forgotten from the next save on: the files are gone.
		e.state.Taken = slices.DeleteFunc(slices.Clone(e.state.Taken), func(n string) bool { return slices.Contains(gone, n) })
		e.mu.Unlock()
	}
	return took
}

// following reports whether another process owns the state: this engine
// then shows the owner's state and hands it changes, and does not poll.
func (e *Engine) following() bool {
	return e.opts.Store != nil && e.opts.Store.ReadOnly()
}

// takeOver makes this engine the owner once the other process has quit:
// it loads the latest state and from then on polls and saves.
func (e *Engine) takeOver() bool {
	if !e.opts.Store.TakeOver() {
		return false
	}
	// Read as a starting owner reads it: what cannot be used is set aside
	// (or the whole file moved aside) and said, never lost at the next save.
	st, warnings, err := e.opts.Store.open(e.opts.Now())
	e.mu.Lock()
	defer e.mu.Unlock()
	if err != nil { // it let go: this engine follows on, and says why once
		if !slices.ContainsFunc(e.warnings, func(w Warning) bool { return w.Kind == WarnStateUnreadable && w.Text == err.Error() }) {
			e.warnings = append(e.warnings, Warning{Kind: WarnStateUnreadable, Path: e.opts.Store.Path(), Text: err.Error()})
			e.changedLocked()
		}
		return false
	}
	e.adoptLocked(st)
	e.warnings = slices.DeleteFunc(e.warnings, func(w Warning) bool { return w.Kind == WarnFollowing })
	e.warnings = append(e.warnings, warnings...)
	e.changedLocked()
	return true
}

// adoptLocked replaces the state with st, read from the file, giving keys
// new to this engine a generation.
func (e *Engine) adoptLocked(st *State) {
	for _, k := range st.Keys {
		if _, ok := e.gens[k.Key]; !ok {
			e.gens[k.Key] = e.newGen()
		}
	}
	e.state = st
	e.reindexLocked()
	for _, n := range st.Notices {
		e.touchNoticeLocked(n.ID)
	}
	for _, k := range st.Keys {
		e.touchNoticeLocked(k.Notice)
	}
}

// follow reloads the owner's state when its file changed.
func (e *Engine) follow() {
	mod := e.opts.Store.Modified()
	e.mu.Lock()
	same := mod.Equal(e.followed)
	e.mu.Unlock()
	if same {
		return
	}
	st, err := e.opts.Store.load()
	if err != nil {
		return // mid-write or gone: try again next time
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.followed = mod
	e.adoptLocked(st)
	e.changedLocked()
}

// Modified is when the state file last changed (zero if it is missing).
func (s *Store) Modified() time.Time {
	fi, err := os.Stat(s.path)
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}

// LoadState reads the state file in dir without taking ownership; a
// missing file is an empty state.
func LoadState(dir string) (*State, error) {
	s := storeIn(dir)
	return s.load()
}

// LoadStateWarn reads the state file in dir without taking ownership or
// changing any file, as LoadState, and also returns the warnings a reader
// owes the user (the dashboard's, worded for one that moves nothing): the
// entries left out, or a file that could not be read at all (then the
// state is empty, the warning says so, and the error is nil). A state
// written by a newer dingwatch (*NewerStateError), or a file that cannot
// be read (*StateReadError: permissions, I/O, not a regular file), is the
// error.
func LoadStateWarn(dir string) (*State, []Warning, error) {
	s := storeIn(dir)
	data, found, err := readStateFile(s.path)
	if err != nil {
		return nil, nil, err
	}
	if !found {
		return &State{}, nil, nil
	}
	st, problems, err := DecodeState(data)
	var newer *NewerStateError
	switch {
	case errors.As(err, &newer):
		newer.Path = s.path
		return nil, nil, err
	case err != nil:
		return &State{}, []Warning{{Kind: WarnStateUnreadable, Path: s.path,
			Text: fmt.Sprintf("the saved state %s could not be read (%v): none of it is used here; run dingwatch to move it aside, or fix it", s.path, err)}}, nil
	case len(problems) > 0:
		return st, []Warning{{Kind: WarnStateUnreadable, Path: s.path,
			Text: fmt.Sprintf("%s of the saved state %s could not be used and %s left out here (dingwatch sets them aside): %s",
				Plural(len(problems), "entry", "entries"), s.path, isAre(len(problems)), summarize(problems))}}, nil
	}
	return st, nil, nil
}
