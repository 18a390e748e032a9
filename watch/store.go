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

// stateVersion is the format of the state file.
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
	sent     atomic.Int64 // parcels delivered, for their names
}

// OpenStore opens the state in dir, creating dir (0700) when missing. It
// returns the loaded state and warnings for the user: a corrupt file moved
// aside, another process owning the state. Only a directory that cannot
// be used at all is an error.
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
	st, err := s.load()
	if err != nil {
		st = &State{}
		if s.readOnly.Load() {
			warnings = append(warnings, "the saved state could not be read: "+err.Error())
		} else {
			aside := fmt.Sprintf("%s.corrupt-%s", s.path, now.Format("20060102-150405"))
			if rerr := os.Rename(s.path, aside); rerr != nil {
				return nil, nil, nil, fmt.Errorf("state file %s is unreadable (%v) and could not be moved aside: %w", s.path, err, rerr)
			}
			warnings = append(warnings, fmt.Sprintf("the saved state was unreadable (%v): moved to %s, starting empty", err, aside))
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

func (s *Store) load() (*State, error) {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return &State{}, nil
	}
	if err != nil {
		return nil, err
	}
	return DecodeState(data)
}

// DecodeState parses a state file and checks what the program relies on.
func DecodeState(data []byte) (*State, error) {
	var f stateFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if f.Version != stateVersion {
		return nil, fmt.Errorf("unknown state version %d", f.Version)
	}
	seen := map[string]bool{}
	for i, k := range f.Keys {
		if k == nil || CheckKey(k.Key) != nil || seen[k.Key] {
			return nil, fmt.Errorf("key %d is missing, malformed or repeated", i)
		}
		seen[k.Key] = true
	}
	for i, n := range f.Notices {
		if n == nil || n.ID == "" {
			return nil, fmt.Errorf("notice %d has no id", i)
		}
	}
	return &f.State, nil
}

// EncodeState is the file form of st.
func EncodeState(st *State) ([]byte, error) {
	return json.MarshalIndent(stateFile{Version: stateVersion, State: *st}, "", " ")
}

// Save writes st atomically; a read-only store writes nothing.
func (s *Store) Save(st *State) error {
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
