// Package serve runs the dashboard as an SSH server: public-key
// authentication only, one shared engine (so DingTalk is polled once for
// everyone), a dashboard per session rendered for that session's
// terminal, and read-only viewers.
package serve

import (
	"bufio"
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// LoadAuthorizedKeys reads an authorized_keys file. A line that is not a
// public key is an error naming the line; blank lines and comments are
// skipped.
func LoadAuthorizedKeys(path string) ([]ssh.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var keys []ssh.PublicKey
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		k, _, _, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: not a public key: %v", path, n, err)
		}
		keys = append(keys, k)
	}
	return keys, sc.Err()
}

func contains(keys []ssh.PublicKey, k ssh.PublicKey) bool {
	for _, a := range keys {
		if ssh.KeysEqual(a, k) {
			return true
		}
	}
	return false
}

// KeyFile is an authorized_keys file read again whenever it changes, so
// people can be added or removed without a restart. A change that does
// not parse keeps the keys read before, and is logged.
type KeyFile struct {
	path string
	log  *slog.Logger

	mu   sync.Mutex
	mod  time.Time
	keys []ssh.PublicKey
}

// OpenKeyFile reads path once, failing when it is not an authorized_keys file.
func OpenKeyFile(path string, log *slog.Logger) (*KeyFile, error) {
	f := &KeyFile{path: path, log: log}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if f.keys, err = LoadAuthorizedKeys(path); err != nil {
		return nil, err
	}
	f.mod = fi.ModTime()
	return f, nil
}

// Keys are the file's keys as of now.
func (f *KeyFile) Keys() []ssh.PublicKey {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fi, err := os.Stat(f.path)
	if err != nil || fi.ModTime().Equal(f.mod) {
		return f.keys
	}
	keys, err := LoadAuthorizedKeys(f.path)
	if err != nil {
		f.log.Warn("authorized keys changed but do not parse: keeping the keys read before", "file", f.path, "err", err)
		return f.keys
	}
	f.log.Info("authorized keys reloaded", "file", f.path, "keys", len(keys))
	f.mod, f.keys = fi.ModTime(), keys
	return keys
}
