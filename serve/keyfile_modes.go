package serve

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// checkKeyFileModes refuses an authorized_keys file that someone other
// than its owner could have changed, as sshd's StrictModes does: the file
// must be a regular file, and neither it nor its directory may be
// writable by group or others, or owned by another user than the one
// running dingwatch (or root).
func checkKeyFileModes(file string) error {
	fi, err := os.Stat(file)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", file)
	}
	if err := checkOwnerAndMode(file, fi, "chmod go-w "+file); err != nil {
		return err
	}
	dir := filepath.Dir(file)
	di, err := os.Stat(dir)
	if err != nil {
		return err
	}
	return checkOwnerAndMode(dir, di, "chmod go-w "+dir)
}

// checkOwnerAndMode is the test for one path of checkKeyFileModes.
func checkOwnerAndMode(name string, fi fs.FileInfo, fix string) error {
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%s is writable by group or others (%v): anyone who can write it could let themselves in; fix with: %s",
			name, fi.Mode().Perm(), fix)
	}
	if uid, ok := fileOwner(fi); ok && uid != 0 && uid != os.Getuid() {
		return fmt.Errorf("%s belongs to another user (uid %d): only the user running dingwatch, or root, may own it", name, uid)
	}
	return nil
}
