package watch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"
)

// maxAsideTries bounds the search for a free name beside the state file.
const maxAsideTries = 1000

// asideName is the n-th candidate name for path set aside as tag at now:
// path.TAG-YYYYMMDD-HHMMSS, then -2, -3… so names never collide.
func asideName(path, tag string, now time.Time, n int) string {
	name := fmt.Sprintf("%s.%s-%s", path, tag, now.Format("20060102-150405"))
	if n > 1 {
		name += fmt.Sprintf("-%d", n)
	}
	return name
}

// moveAside moves path to a name no file has yet (see asideName) and
// returns it. It links before removing, so an existing file of that name
// is never replaced.
func moveAside(path, tag string, now time.Time) (string, error) {
	for n := 1; n <= maxAsideTries; n++ {
		to := asideName(path, tag, now, n)
		err := os.Link(path, to)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			// No hard links here: rename, after checking the name is free.
			if _, serr := os.Lstat(to); serr == nil {
				continue
			}
			return to, os.Rename(path, to)
		}
		return to, os.Remove(path)
	}
	return "", fmt.Errorf("no free name beside %s", path)
}

// setAside is the file the entries of a state file that could not be
// used are kept in, so nothing is lost when the cleaned state is saved.
type setAside struct {
	From    string    `json:"from"` // the state file they came from
	At      time.Time `json:"at"`
	Version int       `json:"version"` // the state file's format
	Entries []Problem `json:"entries"`
}

// writeSetAside writes problems to a new file beside path (mode 0600,
// never over an existing file) and returns its name.
func writeSetAside(path string, problems []Problem, now time.Time) (string, error) {
	data, err := json.MarshalIndent(setAside{From: path, At: now, Version: stateVersion, Entries: problems}, "", " ")
	if err != nil {
		return "", err
	}
	for n := 1; n <= maxAsideTries; n++ {
		to := asideName(path, "set-aside", now, n) + ".json"
		f, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, werr := f.Write(data)
		if serr := f.Sync(); werr == nil {
			werr = serr
		}
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(to)
			return "", werr
		}
		return to, nil
	}
	return "", fmt.Errorf("no free name beside %s", path)
}

// maxListed is how many problems a warning names; the file has them all.
const maxListed = 3

// summarize names the first problems, for a warning.
func summarize(problems []Problem) string {
	var parts []string
	for i, p := range problems {
		if i == maxListed {
			parts = append(parts, fmt.Sprintf("and %d more", len(problems)-maxListed))
			break
		}
		parts = append(parts, p.What+" ("+p.Why+")")
	}
	return strings.Join(parts, "; ")
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func wasWere(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}
