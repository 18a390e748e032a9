package watch

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/gofrs/flock"
)

// Preview says what a snapshot drawn by PeekState leaves out of the saved
// state: it is the first frame of a dashboard, shown while the whole state
// loads.
type Preview struct {
	// Unloaded is how many groups (notices and lone keys, as State.Groups
	// counts them) the snapshot's State leaves out: they come after its
	// own in the list.
	Unloaded int
	// LastOK is the latest good answer of any key in the file, loaded or
	// not (zero when none).
	LastOK time.Time
}

// PeekState reads the state file in dir for a dashboard's first frame,
// as of now and polled by policy, without taking the state's lock and without decoding every key. The
// snapshot's State holds the first groups (notices and lone keys, in the
// state's order) whole, with every key of their notices wherever it
// stands in the file, every notice and the call ledger; the keys after
// them are only skimmed for their notice and last answer, and counted in
// Preview. It costs a scan of the file and the decoding of about groups
// groups, so a state of 20,000 keys shows in a few milliseconds.
//
// ok is false for anything but a state file as dingwatch writes it (none
// at all, another version, an entry the full load would set aside or
// refuse, a name it does not know): the caller then waits for the full
// load (OpenStore), which says what is wrong. Only the keys it decodes
// are checked as the full load checks them: a bad entry further down (a
// key given twice, a field of the wrong type) shows in the preview's
// count, and the full load sets it aside and says so a moment later.
func PeekState(dir string, groups int, policy Policy, now time.Time) (snap *Snapshot, ok bool) {
	path := filepath.Join(dir, "state.json")
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return nil, false // opening a FIFO would wait for a writer
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	if bom, _ := r.Peek(3); bytes.Equal(bom, []byte("\ufeff")) {
		r.Discard(3)
	}
	p := peeker{want: groups, at: map[string]int{}}
	if err := p.file(jsontext.NewDecoder(r)); err != nil {
		return nil, false
	}
	snap, ok = p.snapshot(policy.WithDefaults(), now)
	if ok && heldByAnother(dir) {
		snap.ReadOnly, snap.Warnings = true, []Warning{followingWarning(dir)}
	}
	return snap, ok
}

// heldByAnother reports whether another process owns the state in dir
// now: the lock is taken and let go at once (OpenStore takes it for good).
func heldByAnother(dir string) bool {
	lock := flock.New(filepath.Join(dir, "state.lock"))
	locked, err := lock.TryLock()
	if err != nil {
		return false // the full load says what is wrong
	}
	if locked {
		lock.Unlock()
	}
	return !locked
}

// peeker is one PeekState: the file's members as they are read.
type peeker struct {
	want    int            // groups to decode whole
	at      map[string]int // notice ID → its group, in the order of the keys
	groups  int            // groups met in the keys so far
	version int
	st      State
	lastOK  time.Time
}

// errNotClean sends PeekState's caller to the full load.
var errNotClean = errors.New("not a clean state file")

// file reads the top-level object: exactly the members dingwatch writes.
func (p *peeker) file(dec *jsontext.Decoder) error {
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return errNotClean
	}
	for dec.PeekKind() == '"' {
		name, err := dec.ReadToken()
		if err != nil {
			return err
		}
		switch name.String() {
		case "version":
			err = jsonv2.UnmarshalDecode(dec, &p.version)
		case "keys":
			err = p.keys(dec)
		case "notices":
			err = jsonv2.UnmarshalDecode(dec, &p.st.Notices, jsonv2.RejectUnknownMembers(true))
		case "calls":
			err = jsonv2.UnmarshalDecode(dec, &p.st.Calls, jsonv2.RejectUnknownMembers(true))
		default:
			return errNotClean
		}
		if err != nil {
			return err
		}
	}
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '}' {
		return errNotClean
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return errNotClean // text after the object
	}
	return nil
}

// keys reads the keys array: the keys of the first groups whole, the
// others only for their notice and last answer.
func (p *peeker) keys(dec *jsontext.Decoder) error {
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '[' {
		return errNotClean
	}
	var sk skimmer
	for dec.PeekKind() != ']' {
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		notice, lastOK, err := sk.skim(raw)
		if err != nil {
			return err
		}
		if lastOK.After(p.lastOK) {
			p.lastOK = lastOK
		}
		if p.group(notice) >= p.want {
			continue
		}
		k := new(Key)
		if err := jsonv2.Unmarshal(raw, k, jsonv2.RejectUnknownMembers(true)); err != nil {
			return err
		}
		p.st.Keys = append(p.st.Keys, k)
	}
	_, err := dec.ReadToken()
	return err
}

// group is the group of a key of notice ("" for a lone key), counting
// groups as State.Groups does.
func (p *peeker) group(notice []byte) int {
	if len(notice) == 0 {
		p.groups++
		return p.groups - 1
	}
	if g, ok := p.at[string(notice)]; ok {
		return g
	}
	p.at[string(notice)] = p.groups
	p.groups++
	return p.groups - 1
}

// snapshot checks what was decoded as the full load does and makes the
// preview snapshot.
func (p *peeker) snapshot(policy Policy, now time.Time) (*Snapshot, bool) {
	if p.version != stateVersion {
		return nil, false
	}
	st := &p.st
	if len(st.Keys) == 0 {
		st.Keys = nil
	}
	notices, ok := cleanState(st)
	if !ok {
		return nil, false
	}
	for id := range p.at {
		if !notices[id] || st.Notice(id).NothingSent() {
			return nil, false // a stand-in notice, or keys for a notice nothing was sent for: the full load says so
		}
	}
	shown := min(p.groups, p.want)
	spent := st.Calls.Spent(now)
	return &Snapshot{State: st, Policy: policy, Spent: spent, Blocked: policy.spentUp(spent),
		Preview: &Preview{Unloaded: p.groups - shown, LastOK: p.lastOK}}, true
}

// skimmer reads a key's notice and last answer without decoding the rest.
type skimmer struct {
	notice, lastOK []byte // as found: quoted JSON strings, or nil
	exact          [2]bool
	buf            []byte
}

// skim is the notice ("" for a lone key) and last good answer of the key
// object raw (valid JSON, as jsontext.Decoder.ReadValue gives it). It
// reads the object's own members only (a member of that name nested
// deeper, or a value spelt like the name, is not it) and their names as
// the full load does: the exact spelling, else the first in another case.
// A value of another type counts as none, as the full load sets it aside.
func (s *skimmer) skim(raw jsontext.Value) (notice []byte, lastOK time.Time, err error) {
	s.notice, s.lastOK, s.exact = nil, nil, [2]bool{}
	objectMembers(raw, func(name, value []byte) {
		if bytes.IndexByte(name, '\\') >= 0 {
			if s.buf, err = jsontext.AppendUnquote(s.buf[:0], name); err != nil {
				return
			}
			name = s.buf
		} else {
			name = name[1 : len(name)-1]
		}
		s.take(name, value, "notice", 0, &s.notice)
		s.take(name, value, "lastOK", 1, &s.lastOK)
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	if notice, err = s.unquote(s.notice); err != nil {
		return nil, time.Time{}, err
	}
	notice = bytes.Clone(notice)
	if at, err := s.unquote(s.lastOK); err != nil || len(at) > 0 && lastOK.UnmarshalText(at) != nil {
		return nil, time.Time{}, errNotClean
	}
	return notice, lastOK, nil
}

// take keeps value as the member want when name is want (exactly, or in
// another case when no exact one was met).
func (s *skimmer) take(name, value []byte, want string, i int, into *[]byte) {
	switch {
	case s.exact[i]:
	case string(name) == want:
		*into, s.exact[i] = value, true
	case *into == nil && bytes.EqualFold(name, []byte(want)):
		*into = value
	}
}

// unquote is the text of a JSON string value; nil for none, or a value of
// another type.
func (s *skimmer) unquote(value []byte) ([]byte, error) {
	if len(value) == 0 || value[0] != '"' {
		return nil, nil
	}
	if bytes.IndexByte(value, '\\') < 0 {
		return value[1 : len(value)-1], nil
	}
	out, err := jsontext.AppendUnquote(nil, value)
	return out, err
}

// objectMembers calls f with the quoted name and the raw value of each member
// of the JSON object raw, which must be valid (values are not checked,
// only stepped over).
func objectMembers(raw []byte, f func(name, value []byte)) {
	i := skipSpace(raw, bytes.IndexByte(raw, '{')+1)
	for i < len(raw) && raw[i] == '"' {
		end := stringEnd(raw, i)
		name := raw[i:end]
		i = skipSpace(raw, end)
		i = skipSpace(raw, i+1) // the colon
		vend := valueEnd(raw, i)
		f(name, raw[i:vend])
		i = skipSpace(raw, vend)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
}

// skipSpace is the first index from i that is not JSON white space.
func skipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

// stringEnd is the index after the JSON string that starts at i.
func stringEnd(raw []byte, i int) int {
	for j := i + 1; j < len(raw); j++ {
		switch raw[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(raw)
}

// valueEnd is the index after the JSON value that starts at i.
func valueEnd(raw []byte, i int) int {
	if i >= len(raw) {
		return i
	}
	switch raw[i] {
	case '"':
		return stringEnd(raw, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(raw); j++ {
			switch raw[j] {
			case '"':
				j = stringEnd(raw, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(raw)
	}
	j := i
	for j < len(raw) && raw[j] != ',' && raw[j] != '}' && raw[j] != ']' && raw[j] != ' ' && raw[j] != '\n' && raw[j] != '\t' && raw[j] != '\r' {
		j++
	}
	return j
}
