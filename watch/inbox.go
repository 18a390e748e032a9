package watch

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/renameio/v2"
)

// Parcel is what a process that does not own the state hands to the one
// that does: keys and notices to watch (a send from the command line while
// the dashboard runs), keys to stop watching, keys to refresh now, and
// edits of labels and send times.
type Parcel struct {
	Notices []*Notice `json:"notices,omitempty"`
	Keys    []*Key    `json:"keys,omitempty"`
	Remove  []string  `json:"remove,omitempty"`
	Refresh []string  `json:"refresh,omitempty"`
	// Edits carry a key's label and send time as the user changed them.
	Edits []*Key `json:"edits,omitempty"`
	// Renamed says Notices carry new labels of notices the owner has.
	Renamed bool `json:"renamed,omitempty"`
}

func (s *Store) inbox() string { return filepath.Join(filepath.Dir(s.path), "inbox") }

// Deliver leaves p for the owner of the state, which takes it within
// seconds. When this store is the owner the caller should add directly.
func (s *Store) Deliver(p Parcel, now time.Time) error {
	dir := s.inbox()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	// Names sort in the order parcels were made: the owner takes them so.
	name := fmt.Sprintf("%020d-%d-%06d.json", now.UnixNano(), os.Getpid(), s.sent.Add(1))
	return renameio.WriteFile(filepath.Join(dir, name), data, 0o600)
}

// TakeInbox reads and removes the parcels left for the owner, oldest
// first. Unreadable parcels are moved aside and reported.
func (s *Store) TakeInbox() ([]Parcel, []string) {
	if s.readOnly.Load() {
		return nil, nil
	}
	entries, err := os.ReadDir(s.inbox())
	if err != nil {
		return nil, nil
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".json" {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	var out []Parcel
	var problems []string
	for _, n := range names {
		path := filepath.Join(s.inbox(), n)
		data, err := os.ReadFile(path)
		var p Parcel
		if err == nil {
			err = json.Unmarshal(data, &p)
		}
		if err != nil {
			os.Rename(path, path+".bad")
			problems = append(problems, fmt.Sprintf("a parcel of keys could not be read (%v): kept as %s.bad", err, path))
			continue
		}
		os.Remove(path)
		out = append(out, p)
	}
	return out, problems
}

// takeInbox merges parcels left by other processes into the state.
func (e *Engine) takeInbox() {
	if e.opts.Store == nil {
		return
	}
	parcels, problems := e.opts.Store.TakeInbox()
	if len(parcels) == 0 && len(problems) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.warnings = append(e.warnings, problems...)
	for _, p := range parcels {
		for _, n := range p.Notices {
			if n == nil || n.ID == "" {
				continue
			}
			switch have := e.state.Notice(n.ID); {
			case have == nil:
				e.state.Notices = append(e.state.Notices, n)
			case p.Renamed && strings.TrimSpace(n.Label) != "":
				have.Label = n.Label
			}
		}
		for _, k := range p.Keys {
			if k != nil && CheckKey(k.Key) == nil && e.state.Key(k.Key) == nil {
				e.state.Keys = append(e.state.Keys, k)
				e.gens[k.Key] = e.newGen()
			}
		}
		for _, key := range p.Remove {
			e.removeLocked(key)
		}
		for _, key := range p.Refresh {
			e.forced[key] = true
		}
		for _, ed := range p.Edits {
			if ed == nil {
				continue
			}
			if k := e.state.Key(ed.Key); k != nil {
				k.Label, k.SentAt, k.Expired = ed.Label, ed.SentAt, ed.Expired
				k.Rev++
			}
		}
	}
	e.commitLocked()
	e.poke()
}

// handOver gives p to the owner of the state when this engine only
// follows it; it reports whether it did.
func (e *Engine) handOver(p Parcel) bool {
	if !e.following() {
		return false
	}
	if err := e.opts.Store.Deliver(p, e.opts.Now()); err != nil {
		e.Warn("could not hand the change to the dingwatch that owns the state: " + err.Error())
	}
	return true
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
	st, err := e.opts.Store.load()
	e.mu.Lock()
	defer e.mu.Unlock()
	if err == nil {
		e.adoptLocked(st)
	}
	e.warnings = slices.DeleteFunc(e.warnings, func(w string) bool { return strings.HasPrefix(w, "another dingwatch owns") })
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

// Parcel copies notice id and its keys out of the engine, for Deliver.
func (e *Engine) Parcel(id string) Parcel {
	snap := e.Snapshot()
	p := Parcel{Keys: snap.State.NoticeKeys(id)}
	if n := snap.State.Notice(id); n != nil {
		p.Notices = []*Notice{n}
	}
	return p
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
	s := &Store{path: filepath.Join(dir, "state.json")}
	return s.load()
}
