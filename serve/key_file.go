package serve

import (
	"io/fs"
	"log/slog"
	"os"
	"sync"

	"github.com/charmbracelet/ssh"

	"github.com/dingwatch/dingwatch/internal/safetext"
)

// KeyFile is an authorized_keys file read again whenever it changes, so
// people can be added or removed without a restart. It fails closed: a
// file that disappears, cannot be read, or becomes writable by group or
// others grants nothing until it is fixed; a line that stops parsing
// grants nothing, while the other lines keep working.
type KeyFile struct {
	path string
	log  *slog.Logger

	mu      sync.Mutex
	stamp   fs.FileInfo // of the version read; nil while failing
	keys    []AuthorizedKey
	refused []RefusedLine
	failure string // why the file grants nothing now, or ""
}

// OpenKeyFile reads path once, strictly (see LoadAuthorizedKeys): a file
// that is missing, writable by others or holds a line that is not a key
// is an error, so a mistake is seen when serve starts.
func OpenKeyFile(path string, log *slog.Logger) (*KeyFile, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	keys, refused, err := LoadAuthorizedKeys(path)
	if err != nil {
		return nil, err
	}
	f := &KeyFile{path: path, log: log, stamp: fi, keys: keys, refused: refused}
	f.logRefused()
	return f, nil
}

// Path is the file's name as given.
func (f *KeyFile) Path() string { return f.path }

// Keys are the keys the file grants as of the last Reload.
func (f *KeyFile) Keys() []AuthorizedKey {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.keys
}

// Refused are the lines of the last version read that grant nothing.
func (f *KeyFile) Refused() []RefusedLine {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refused
}

// Reload reads the file again when it changed (its modification time,
// size, mode or identity), and reports whether what it grants may have
// changed. Failures are logged once each.
func (f *KeyFile) Reload() bool {
	if f == nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fi, err := os.Stat(f.path)
	if err == nil {
		err = checkKeyFileModes(f.path)
	}
	if err != nil {
		return f.failLocked(err.Error())
	}
	if f.stamp != nil && sameVersion(f.stamp, fi) {
		return false
	}
	data, err := os.ReadFile(f.path)
	if err != nil {
		return f.failLocked(err.Error())
	}
	f.stamp, f.failure = fi, ""
	f.keys, f.refused = ParseAuthorizedKeys(data)
	f.log.Info("ssh: authorized keys reloaded", "file", f.path, "keys", len(f.keys), "refused_lines", len(f.refused))
	f.logRefused()
	return true
}

// failLocked drops every key of the file, logging why once.
func (f *KeyFile) failLocked(why string) bool {
	changed := f.keys != nil || f.failure == ""
	if f.failure != why {
		f.log.Warn("ssh: authorized keys file grants nothing until fixed", "file", f.path, "reason", safetext.Line(why, 256))
	}
	f.stamp, f.keys, f.refused, f.failure = nil, nil, nil, why
	return changed
}

// logRefused writes one log line per refused line of the file.
func (f *KeyFile) logRefused() {
	for _, r := range f.refused {
		f.log.Warn("ssh: authorized keys line refused", "file", f.path, "line", r.Line, "reason", safetext.Line(r.Reason, 256))
	}
}

// sameVersion reports whether two stats are of the same, unchanged file.
func sameVersion(a, b fs.FileInfo) bool {
	return os.SameFile(a, b) && a.ModTime().Equal(b.ModTime()) && a.Size() == b.Size() && a.Mode() == b.Mode()
}

// keyIn reports whether k is among keys.
func keyIn(keys []ssh.PublicKey, k ssh.PublicKey) bool {
	for _, a := range keys {
		if ssh.KeysEqual(a, k) {
			return true
		}
	}
	return false
}
