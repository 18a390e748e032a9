package watch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofrs/flock"

	"github.com/dingwatch/dingwatch/internal/atomicfile"
)

// stateVersion is the format of the state file. A file of a higher
// version is from a newer dingwatch: it is never read nor written over.
const stateVersion = 1

// stateFile is the state file's shape: the State and its format.
type stateFile struct {
	Version int `json:"version"`
	State
}

// Store keeps the State in a file, written atomically (a kill at any
// moment leaves the old or the new file, never a torn one). One process
// owns the directory at a time; another one opens it read-only.
type Store struct {
	path     string
	writing  sync.Mutex // held by Save while it writes, and by Close: no write outlives Close
	lock     *flock.Flock
	readOnly atomic.Bool  // another process owns the state
	newer    atomic.Bool  // the file is from a newer dingwatch: never write it
	sent     atomic.Int64 // parcels delivered, for their names
	// onDisk is the Taken list of the state file as this store last wrote
	// or read it: the parcels whose changes are saved (taken.go).
	onDisk struct {
		sync.Mutex
		taken []string
	}
	// crash, when set (by a test), is called at each point of taking a
	// parcel where a crash must lose nothing: "save" before the state is
	// written, "saved" after, before a parcel is removed, and "removed"
	// after each removal. A test makes it panic to stop there.
	crash func(point string)
	// failSave, when set (by a test), is asked before each write: its
	// error fails Save as a full disk would, the file left as it was.
	failSave func() error
}

// storeIn is the store of the state in dir (its file, lock and inbox),
// not opened: no lock is taken and nothing is read. It serves to read the
// state or hand it a parcel; OpenStore opens one.
func storeIn(dir string) *Store {
	return &Store{path: filepath.Join(dir, "state.json"), lock: flock.New(filepath.Join(dir, "state.lock"))}
}

// OpenStore opens the state in dir, creating dir (0700) when missing. It
// returns the loaded state and warnings for the user: entries of the
// state that could not be used, set aside in a file of their own while
// the rest loads; a file that was read and does not parse at all, moved
// aside (to a name no other file has); another process owning the state.
// A state file written by a newer dingwatch is a *NewerStateError, and
// one that cannot be read (permissions, I/O, not a regular file) a
// *StateReadError: either file is left exactly as it is; so is a
// directory that cannot be used at all.
func OpenStore(dir string, now time.Time) (*Store, *State, []Warning, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, nil, fmt.Errorf("state directory: %w", err)
	}
	s := storeIn(dir)
	var warnings []Warning
	locked, err := s.lock.TryLock()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("state lock: %w", err)
	}
	if !locked {
		s.readOnly.Store(true)
		warnings = append(warnings, followingWarning(dir))
	}
	st, more, err := s.open(now)
	if err != nil {
		return nil, nil, nil, err
	}
	return s, st, append(warnings, more...), nil
}

// followingWarning says that another process owns the state in dir.
func followingWarning(dir string) Warning {
	return Warning{Kind: WarnFollowing, Path: dir, Text: "another dingwatch owns " + dir + ": this one follows it and hands it your changes"}
}

// open reads the state file as OpenStore does, for an owner or a
// follower: an owner moves a file that does not parse aside and sets
// aside the entries it cannot use (a follower only says so). On an error the
// store is not the owner any more: it let go of the lock.
func (s *Store) open(now time.Time) (*State, []Warning, error) {
	var warnings []Warning
	st, problems, err := s.loadChecked()
	var newer *NewerStateError
	var unread *StateReadError
	switch {
	case errors.As(err, &newer), errors.As(err, &unread):
		return nil, nil, s.letGo(err)
	case err != nil:
		st = &State{}
		if s.readOnly.Load() {
			warnings = append(warnings, Warning{Kind: WarnStateUnreadable, Path: s.path, Text: "the saved state could not be read: " + err.Error()})
			break
		}
		aside, rerr := moveAside(s.path, "corrupt", now)
		if rerr != nil {
			return nil, nil, s.letGo(fmt.Errorf("state file %s is unreadable (%v) and could not be moved aside: %w", s.path, err, rerr))
		}
		warnings = append(warnings, Warning{Kind: WarnStateSetAside, Path: aside,
			Text: fmt.Sprintf("the saved state was unreadable (%v): moved to %s, starting empty", err, aside)})
	case len(problems) > 0 && s.readOnly.Load():
		warnings = append(warnings, Warning{Kind: WarnStateUnreadable, Path: s.path,
			Text: fmt.Sprintf("%s of the saved state could not be used and %s left out here: %s",
				Plural(len(problems), "entry", "entries"), isAre(len(problems)), summarize(problems))})
	case len(problems) > 0:
		path, werr := writeSetAside(s.path, problems, now)
		if werr != nil {
			return nil, nil, s.letGo(fmt.Errorf("state file %s: %s could not be used and could not be set aside (%w); the file was left as it is",
				s.path, Plural(len(problems), "entry", "entries"), werr))
		}
		warnings = append(warnings, Warning{Kind: WarnStateSetAside, Path: path,
			Text: fmt.Sprintf("%s of the saved state could not be used and %s set aside in %s; the rest loaded: %s",
				Plural(len(problems), "entry", "entries"), wasWere(len(problems)), path, summarize(problems))})
		// Kept in the set-aside file: the state file can lose them now, so
		// the next start does not set them aside again.
		if serr := s.Save(st); serr != nil {
			warnings = append(warnings, Warning{Kind: WarnNote, Path: s.path, Text: "could not save the state without them: " + serr.Error()})
		}
	}
	return st, warnings, nil
}

// letGo gives up owning the state (when this store owned it) and returns
// err.
func (s *Store) letGo(err error) error {
	if !s.readOnly.Swap(true) {
		s.lock.Unlock()
	}
	return err
}

// ReadOnly reports whether another process owns the state.
func (s *Store) ReadOnly() bool { return s.readOnly.Load() }

// TakeOver makes this store the owner when the process that owned the
// state has let go; it reports whether this store owns it now.
func (s *Store) TakeOver() bool {
	if !s.readOnly.Load() {
		return true
	}
	if locked, err := s.lock.TryLock(); err != nil || !locked {
		return false
	}
	s.setOnDisk(nil) // unknown until the state is read again: nothing is removed
	s.readOnly.Store(false)
	return true
}

// Path is the state file.
func (s *Store) Path() string { return s.path }

// load reads the state file (a missing one is an empty state), leaving
// out the entries that cannot be used; see loadChecked.
func (s *Store) load() (*State, error) {
	st, _, err := s.loadChecked()
	return st, err
}

// StateReadError is a state file that is there but could not be read:
// permission denied, an I/O error, not a regular file (a directory, a
// FIFO). It is no sign of a broken file, so the file is never moved
// aside nor written over: the program that must own the state stops and
// says so, and one that reads it makes no call it could not count.
type StateReadError struct {
	Path string // the state file
	Err  error  // why it could not be read
}

// errNotAFile is a state path that is not a regular file.
var errNotAFile = errors.New("not a regular file")

// Fix says what the user can do about the file: fix its owner or mode,
// or move what is not a regular file out of the way.
func (e *StateReadError) Fix() string {
	if errors.Is(e.Err, errNotAFile) {
		return "move it out of the way (the state must be a regular file)"
	}
	return "fix its owner or mode (it must be a file you can read and write: chmod 600)"
}

// Error names the file, the cause and the fix.
func (e *StateReadError) Error() string {
	return fmt.Sprintf("the saved state %s could not be read (%v): %s, "+
		"or give dingwatch another state directory (XDG_STATE_HOME); it was left as it is", e.Path, e.Err, e.Fix())
}

// Unwrap is the cause.
func (e *StateReadError) Unwrap() error { return e.Err }

// readStateFile is the state file at path; found is false when there is
// none. A path that is not a regular file (a FIFO, a directory) is an
// error, never read: reading a FIFO waits for ever. Every error is a
// *StateReadError: the file was not read, so nothing says it is broken.
func readStateFile(path string) (data []byte, found bool, err error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, false, &StateReadError{Path: path, Err: fmt.Errorf("%w: %s", errNotAFile, fileKind(fi.Mode()))}
	}
	data, err = os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, &StateReadError{Path: path, Err: err}
	}
	return data, true, nil
}

// fileKind names the type of a file that is not a regular one.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "of type " + m.Type().String()
}

// loadChecked reads the state file: a missing file is an empty state; the
// entries that cannot be used are left out and returned; an error means
// nothing could be used (or a *NewerStateError). A file written by a newer
// dingwatch also stops every later Save, so it is never overwritten.
func (s *Store) loadChecked() (*State, []Problem, error) {
	data, found, err := readStateFile(s.path)
	if err != nil {
		return nil, nil, err
	}
	if !found {
		return &State{}, nil, nil
	}
	st, problems, err := DecodeState(data)
	var newer *NewerStateError
	if errors.As(err, &newer) {
		newer.Path = s.path
		s.newer.Store(true)
	}
	if err == nil {
		s.setOnDisk(st.Taken)
	}
	return st, problems, err
}

// EncodeState is the file form of st.
func EncodeState(st *State) ([]byte, error) {
	return json.MarshalIndent(stateFile{Version: stateVersion, State: *st}, "", " ")
}

// Save writes st atomically; a read-only (or closed) store writes nothing.
func (s *Store) Save(st *State) error {
	s.writing.Lock()
	defer s.writing.Unlock()
	if s.newer.Load() {
		return errors.New("the state file is from a newer dingwatch: not overwritten")
	}
	if s.readOnly.Load() {
		return nil
	}
	data, err := EncodeState(st)
	if err != nil {
		return err
	}
	if s.crash != nil {
		s.crash("save")
	}
	if s.failSave != nil {
		if err := s.failSave(); err != nil {
			return err
		}
	}
	if err := atomicfile.WriteFile(s.path, data, 0o600); err != nil {
		return err
	}
	s.setOnDisk(st.Taken)
	return nil
}

// saver makes the engine's saves: at most one in flight, the latest
// state wins, never under the engine's lock.
type saver struct {
	mu      sync.Mutex
	idle    *sync.Cond // broadcast when a save round ends
	saving  bool       // a goroutine is saving
	pending bool       // the state changed while it saved: save once more
	saved   uint64     // dataVer last written
	count   uint64     // files written, for tests and benchmarks
}

// save writes the state when it changed since the last save. If a save is
// in flight, it only asks that one to save again once it is done (so a
// burst of changes makes at most two saves) and returns at once. The
// state is copied under the engine's lock (a shallow copy: keys and
// notices are copy-on-write) and encoded and written outside it.
func (e *Engine) save() {
	if e.opts.Store == nil {
		return
	}
	sv := &e.saver
	sv.mu.Lock()
	if sv.saving {
		sv.pending = true
		sv.mu.Unlock()
		return
	}
	sv.saving = true
	for {
		sv.pending = false
		sv.mu.Unlock()
		e.mu.Lock()
		ver := e.dataVer
		st := e.fileStateLocked()
		e.mu.Unlock()
		if ver != sv.saved {
			err := e.opts.Store.Save(st)
			e.mu.Lock()
			old := e.saveErr
			if err != nil {
				e.saveErr = "could not save state: " + err.Error()
				e.opts.Log.Error("save state", "err", err)
			} else {
				e.saveErr = ""
				if e.pollWaits {
					e.pollWaits = false
					e.poke() // polling resumes: the pass waiting for this save is planned again
				}
			}
			if old != e.saveErr {
				e.changedLocked()
			}
			e.mu.Unlock()
			sv.mu.Lock()
			sv.count++
			if err == nil {
				sv.saved = ver
			}
		} else {
			sv.mu.Lock()
		}
		if !sv.pending {
			break
		}
	}
	sv.saving = false
	sv.idle.Broadcast()
	sv.mu.Unlock()
}

// saveNow is save, returning once the state as it is now is written (or
// failed to be: see Snapshot.SaveErr), even when another goroutine's save
// was in flight: that one saves it. Unlike Flush it does not wait for
// changes in progress, so a change may call it.
func (e *Engine) saveNow() {
	e.save()
	e.saver.wait()
}

// wait returns once no save is in flight.
func (sv *saver) wait() {
	sv.mu.Lock()
	for sv.saving {
		sv.idle.Wait()
	}
	sv.mu.Unlock()
}

// Flush returns once every change made before it was called is saved (or
// failed to save: see Snapshot.SaveErr) or, on a follower, handed to the
// owner: it first waits for the changes in progress on other goroutines
// (an edit being applied, handed over or saved; parcels being taken from
// the inbox). It must not be called while making a change (an OnRead hook).
func (e *Engine) Flush() {
	e.changing.Lock() // every change in progress has ended
	e.changing.Unlock()
	e.save()
	e.saver.wait()
	e.save() // a change that came while another goroutine was saving
}

// fileStateLocked is what the file holds now: the key and notice lists
// copied, their elements shared.
func (e *Engine) fileStateLocked() *State {
	return &State{Keys: slices.Clone(e.state.Keys), Notices: slices.Clone(e.state.Notices), Calls: e.state.Calls.Clone(), Taken: e.state.Taken}
}

// Close releases ownership of the state: from then on the store writes
// nothing (as a follower's) and a change is handed to the next owner
// through the inbox. A save being written when Close is called ends
// first. Closing again does nothing.
func (s *Store) Close() error {
	s.writing.Lock()
	defer s.writing.Unlock()
	if s.readOnly.Swap(true) {
		return nil
	}
	return s.lock.Unlock()
}
