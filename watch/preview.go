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
// as of now and polled by policy, without taking the state's lock and
// without decoding every key. The snapshot's State holds the first groups (notices and lone keys, in the
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
		case "taken":
			err = jsonv2.UnmarshalDecode(dec, &p.st.Taken)
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
		if !notices[id] {
			return nil, false // a stand-in notice: the full load says so
		}
	}
	for _, n := range st.Notices {
		if _, keyed := p.at[n.ID]; keyed && n.NothingSent() {
			return nil, false // keys for a notice nothing was sent for: the full load says so
		}
	}
	shown := min(p.groups, p.want)
	spent := st.Calls.Spent(now)
	return &Snapshot{State: st, Policy: policy, Spent: spent, Blocked: policy.spentUp(spent),
		Preview: &Preview{Unloaded: p.groups - shown, LastOK: p.lastOK}}, true
}
