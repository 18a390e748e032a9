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
// as of now, without taking the state's lock and without decoding every key. The
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
func PeekState(dir string, groups int, now time.Time) (snap *Snapshot, ok bool) {
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
	return p.snapshot(now)
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
func (p *peeker) snapshot(now time.Time) (*Snapshot, bool) {
	if p.version != stateVersion {
		return nil, false
	}
	notices := make(map[string]bool, len(p.st.Notices))
	for _, n := range p.st.Notices {
		if n == nil || checkNoticeID(n.ID) != nil || notices[n.ID] {
			return nil, false
		}
		notices[n.ID] = true
	}
	for id := range p.at {
		if !notices[id] {
			return nil, false // a stand-in notice: the full load says so
		}
	}
	keys := make(map[string]bool, len(p.st.Keys))
	for _, k := range p.st.Keys {
		if k == nil || CheckKey(k.Key) != nil || keys[k.Key] || !cleanRecipients(k.Recipients) {
			return nil, false
		}
		keys[k.Key] = true
	}
	st := &p.st
	if len(st.Keys) == 0 {
		st.Keys = nil
	}
	shown := min(p.groups, p.want)
	return &Snapshot{State: st, Spent: st.Calls.Spent(now),
		Preview: &Preview{Unloaded: p.groups - shown, LastOK: p.lastOK}}, true
}

// skimmer reads a key's notice and last answer without decoding the rest.
type skimmer struct {
	r   bytes.Reader
	dec jsontext.Decoder
	buf []byte
}

// skim is the notice ("" for a lone key) and last good answer of the key
// object raw. A key with no escape in it (what dingwatch writes for all
// but some labels) is read by searching its bytes: with no backslash, no
// string can hold a quote, so a quoted name followed by a colon is a
// member's name. Any other goes through a decoder.
func (s *skimmer) skim(raw jsontext.Value) (notice []byte, lastOK time.Time, err error) {
	if bytes.IndexByte(raw, '\\') >= 0 {
		return s.decode(raw)
	}
	notice, _ = memberString(raw, `"notice"`)
	if at, ok := memberString(raw, `"lastOK"`); ok {
		if lastOK, err = time.Parse(time.RFC3339Nano, string(at)); err != nil {
			return nil, time.Time{}, err
		}
	}
	return notice, lastOK, nil
}

// memberString is the string value of the member named name (quoted) in
// the object raw, which holds no backslash; ok is false when there is
// none, or when its value is not a string.
func memberString(raw []byte, name string) (value []byte, ok bool) {
	i := bytes.Index(raw, []byte(name))
	if i < 0 {
		return nil, false
	}
	rest := bytes.TrimLeft(raw[i+len(name):], " \t\r\n")
	if len(rest) == 0 || rest[0] != ':' {
		return nil, false
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '"' {
		return nil, false
	}
	end := bytes.IndexByte(rest[1:], '"')
	if end < 0 {
		return nil, false
	}
	return rest[1 : 1+end], true
}

// decode is skim by a decoder, for a key with escapes in it.
func (s *skimmer) decode(raw jsontext.Value) (notice []byte, lastOK time.Time, err error) {
	s.r.Reset(raw)
	s.dec.Reset(&s.r)
	if _, err := s.dec.ReadToken(); err != nil {
		return nil, time.Time{}, err
	}
	var id string
	for s.dec.PeekKind() == '"' {
		name, err := s.dec.ReadValue()
		if err != nil {
			return nil, time.Time{}, err
		}
		if s.buf, err = jsontext.AppendUnquote(s.buf[:0], name); err != nil {
			return nil, time.Time{}, err
		}
		switch string(s.buf) {
		case "notice":
			err = jsonv2.UnmarshalDecode(&s.dec, &id)
		case "lastOK":
			err = jsonv2.UnmarshalDecode(&s.dec, &lastOK)
		default:
			err = s.dec.SkipValue()
		}
		if err != nil {
			return nil, time.Time{}, err
		}
	}
	return []byte(id), lastOK, nil
}
