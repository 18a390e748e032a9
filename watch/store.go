package watch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/gofrs/flock"
	"github.com/google/renameio/v2"
)

// stateVersion is the format of the state file. A file of a higher
// version is from a newer dingwatch: it is never read nor written over.
const stateVersion = 1

type stateFile struct {
	Version int `json:"version"`
	State
}

// Store keeps the State in a file, written atomically (a kill at any
// moment leaves the old or the new file, never a torn one). One process
// owns the directory at a time; another one opens it read-only.
type Store struct {
	path     string
	lock     *flock.Flock
	readOnly atomic.Bool  // another process owns the state
	newer    atomic.Bool  // the file is from a newer dingwatch: never write it
	sent     atomic.Int64 // parcels delivered, for their names
}

// OpenStore opens the state in dir, creating dir (0700) when missing. It
// returns the loaded state and warnings for the user: entries of the
// state that could not be used, set aside in a file of their own while
// the rest loads; a file that cannot be read at all, moved aside (to a
// name no other file has); another process owning the state. A state file
// written by a newer dingwatch is a *NewerStateError, and the file is left
// exactly as it is; so is a directory that cannot be used at all.
func OpenStore(dir string, now time.Time) (*Store, *State, []string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, nil, fmt.Errorf("state directory: %w", err)
	}
	s := &Store{path: filepath.Join(dir, "state.json"), lock: flock.New(filepath.Join(dir, "state.lock"))}
	var warnings []string
	locked, err := s.lock.TryLock()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("state lock: %w", err)
	}
	if !locked {
		s.readOnly.Store(true)
		warnings = append(warnings, "another dingwatch owns "+dir+": this one follows it and hands it your changes")
	}
	st, problems, err := s.loadChecked()
	var newer *NewerStateError
	switch {
	case errors.As(err, &newer):
		if locked {
			s.lock.Unlock()
		}
		return nil, nil, nil, err
	case err != nil:
		st = &State{}
		if s.readOnly.Load() {
			warnings = append(warnings, "the saved state could not be read: "+err.Error())
			break
		}
		aside, rerr := moveAside(s.path, "corrupt", now)
		if rerr != nil {
			s.lock.Unlock()
			return nil, nil, nil, fmt.Errorf("state file %s is unreadable (%v) and could not be moved aside: %w", s.path, err, rerr)
		}
		warnings = append(warnings, fmt.Sprintf("the saved state was unreadable (%v): moved to %s, starting empty", err, aside))
	case len(problems) > 0 && s.readOnly.Load():
		warnings = append(warnings, fmt.Sprintf("%s of the saved state could not be used and %s left out here: %s",
			plural(len(problems), "entry", "entries"), isAre(len(problems)), summarize(problems)))
	case len(problems) > 0:
		path, werr := writeSetAside(s.path, problems, now)
		if werr != nil {
			s.lock.Unlock()
			return nil, nil, nil, fmt.Errorf("state file %s: %s could not be used and could not be set aside (%w); the file was left as it is",
				s.path, plural(len(problems), "entry", "entries"), werr)
		}
		warnings = append(warnings, fmt.Sprintf("%s of the saved state could not be used and %s set aside in %s; the rest loaded: %s",
			plural(len(problems), "entry", "entries"), wasWere(len(problems)), path, summarize(problems)))
		// Kept in the set-aside file: the state file can lose them now, so
		// the next start does not set them aside again.
		if serr := s.Save(st); serr != nil {
			warnings = append(warnings, "could not save the state without them: "+serr.Error())
		}
	}
	return s, st, warnings, nil
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

// loadChecked reads the state file: a missing file is an empty state; the
// entries that cannot be used are left out and returned; an error means
// nothing could be used (or a *NewerStateError). A file written by a newer
// dingwatch also stops every later Save, so it is never overwritten.
func (s *Store) loadChecked() (*State, []Problem, error) {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return &State{}, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	st, problems, err := DecodeState(data)
	var newer *NewerStateError
	if errors.As(err, &newer) {
		newer.Path = s.path
		s.newer.Store(true)
	}
	return st, problems, err
}

// EncodeState is the file form of st.
func EncodeState(st *State) ([]byte, error) {
	return json.MarshalIndent(stateFile{Version: stateVersion, State: *st}, "", " ")
}

// Save writes st atomically; a read-only store writes nothing.
func (s *Store) Save(st *State) error {
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
	return renameio.WriteFile(s.path, data, 0o600)
}

// Close releases ownership of the state.
func (s *Store) Close() error {
	if s.readOnly.Load() {
		return nil
	}
	return s.lock.Unlock()
}
