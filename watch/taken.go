package watch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dingwatch/dingwatch/internal/atomicfile"
)

// How the owner takes a parcel so that no crash loses it or applies it
// twice (takeInbox):
//
//  1. it reads the parcel and applies it, and adds the parcel's name to
//     the state's Taken list, in memory;
//  2. it saves the state: the changes and the name reach the disk in one
//     atomic write (and the directory is synced, so the write is on the
//     disk before any removal is);
//  3. it removes the parcel's file, and forgets the name.
//
// A crash before 2 leaves the file and a saved state without its changes:
// the next owner applies it. A crash between 2 and 3 leaves the file and
// a saved state that lists it: the next owner removes it without applying
// it. While a save fails, the file stays and the name in memory keeps it
// from being applied twice. A name is forgotten once its file is gone:
// names are never given twice (Deliver), so a gone file cannot come back.

// maxParcelName is the longest parcel name a state's Taken list accepts;
// Deliver's names are about 45 bytes.
const maxParcelName = 128

// checkParcelName reports whether name can be a parcel's file name in
// the inbox: 1 to 128 bytes of letters, digits, '-', '_' and '.', ending
// in ".json", not starting with '.': never a path. It is the one rule of
// what a parcel is: Deliver writes only such names, and the owner's take,
// Pending, waiting and hasParcels look only at such files (any other file
// in the inbox, a sync tool's "calls(1).json" say, is left alone), so a
// name saved in Taken is always one the state's reader accepts.
func checkParcelName(name string) error {
	if name == "" || len(name) > maxParcelName || name[0] == '.' || !strings.HasSuffix(name, ".json") ||
		strings.IndexFunc(name, func(r rune) bool {
			return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_' || r == '.')
		}) >= 0 {
		return fmt.Errorf("%.24q is not a parcel's name", name)
	}
	return nil
}

// isParcel reports whether the inbox entry e is a parcel: a file (not a
// directory) with a parcel's name (checkParcelName).
func isParcel(e fs.DirEntry) bool {
	return !e.IsDir() && checkParcelName(e.Name()) == nil
}

// inboxNames lists the parcels in the inbox, oldest first (Deliver's
// names sort so); nil when there is no inbox. Files that are not parcels
// (isParcel) are not listed.
func (s *Store) inboxNames() []string {
	entries, err := os.ReadDir(s.inbox())
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if isParcel(e) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names
}

// readParcel reads the parcel called name. One that cannot be read is
// moved aside (name + ".bad") and the warning says so; ok is then false.
func (s *Store) readParcel(name string) (p Parcel, problem Warning, ok bool) {
	path := filepath.Join(s.inbox(), name)
	data, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(data, &p)
	}
	if err != nil {
		os.Rename(path, path+".bad")
		return Parcel{}, Warning{Kind: WarnParcelSetAside, Path: path + ".bad",
			Text: fmt.Sprintf("a change handed over by another dingwatch could not be read (%v): kept as %s.bad", err, path)}, false
	}
	return p, Warning{}, true
}

// setOnDisk records the Taken list of the state file as this store last
// wrote or read it.
func (s *Store) setOnDisk(taken []string) {
	s.onDisk.Lock()
	s.onDisk.taken = slices.Clone(taken)
	s.onDisk.Unlock()
}

// removeTaken removes the parcels among names that the state file on
// disk lists as taken (its changes are saved), and returns the names
// whose files are gone now. It removes nothing when this store does not
// own the state, nor when the state directory cannot be synced (the save
// might not be on the disk yet).
func (s *Store) removeTaken(names []string) (gone []string) {
	s.onDisk.Lock()
	saved := s.onDisk.taken
	s.onDisk.Unlock()
	names = slices.DeleteFunc(slices.Clone(names), func(n string) bool { return !slices.Contains(saved, n) })
	if s.readOnly.Load() || len(names) == 0 {
		return nil
	}
	if s.crash != nil {
		s.crash("saved")
	}
	if atomicfile.SyncDir(filepath.Dir(s.path)) != nil {
		return nil
	}
	for _, n := range names {
		if err := os.Remove(filepath.Join(s.inbox(), n)); err == nil || errors.Is(err, fs.ErrNotExist) {
			gone = append(gone, n)
		}
		if s.crash != nil {
			s.crash("removed")
		}
	}
	return gone
}
