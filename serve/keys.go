// Package serve runs the dashboard as an SSH server: public-key
// authentication only, one shared engine (so DingTalk is polled once for
// everyone), a dashboard per session rendered for that session's
// terminal, and read-only viewers.
package serve

import (
	"bufio"
	"bytes"
	"fmt"
	"os"

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
