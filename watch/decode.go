package watch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// NewerStateError is a state file written by a newer dingwatch, in a format
// this one does not know. Such a file is never moved, renamed or written
// over: the program stops and says so.
type NewerStateError struct {
	Path    string // the state file, when known
	Version int    // the file's format
}

// Error says what happened and what to do.
func (e *NewerStateError) Error() string {
	where := "the state file"
	if e.Path != "" {
		where = "the state file " + e.Path
	}
	return fmt.Sprintf("%s was written by a newer dingwatch (state format %d; this one reads format %d): "+
		"upgrade dingwatch, or give this one its own state directory (XDG_STATE_HOME); the file was left as it is",
		where, e.Version, stateVersion)
}

// Problem is one part of a state file that could not be used: it is set
// aside on its own, and the rest of the state loads.
type Problem struct {
	// What names the part: "key 3", "recipient 2 of key 5", "polls of
	// key 3", "member \"note\" of key 3", "item 1 of rounds of notice 2",
	// "notices", "calls", "member \"x\" of the state", "text after the
	// state".
	What string `json:"what"`
	Why  string `json:"why"` // in the user's words; may quote untrusted text (clean at output)
	// Raw is the part as it was in the file: an entry as it was; a member
	// as an object of its own, {name: value}; text after the state that
	// is not JSON as a string; a value nested too deep as
	// {"dingwatch: nested deeper than 10000, kept as text": "its text"}.
	Raw json.RawMessage `json:"raw"`
}

// DecodeState parses a state file (a leading UTF-8 byte order mark is
// skipped) and checks what the program relies on, part by part. Parts
// that cannot be used are left out and returned as problems, each as
// small as can be left out alone: a key without a usable "key", a notice
// without a usable "id", a repeated key or notice, a recipient with any
// member it cannot read or without an id, go whole; any other member of
// a key or a notice that cannot be read (the wrong type, a negative
// count, invalid UTF-8, a name dingwatch does not write, a name given a
// second time up to case) goes alone, and a list member (rounds,
// batches, the ledger's minutes) item by item; so do members of the file
// dingwatch does not write, keys or notices that are not a list, text
// after the state, and a value nested deeper than a decoder reads. Names
// are read as encoding/json reads them (the exact name first, else
// another case). A key whose notice is missing is kept under a stand-in
// notice, or on its own when the notice reference is not one dingwatch
// makes. The error is for a file nothing can be used of (not a JSON
// object, no version or an unknown old one, a version given twice
// differently) or a *NewerStateError (any version member newer).
func DecodeState(data []byte) (*State, []Problem, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // an editor's byte order mark (Notepad) is not content
	if st, ok := decodeClean(data); ok {
		return st, nil, nil
	}
	return decodeEntries(data)
}

// decodeEntries is DecodeState taking the file entry by entry. Each entry
// is first decoded whole as decodeClean would (most of a file with one
// bad entry is good, and this keeps the time and memory of such a file
// near those of a clean one: tester H2); only an entry that fails is
// taken member by member (see members).
func decodeEntries(data []byte) (*State, []Problem, error) {
	return newFileDecoder(false).decode(data)
}

// fileDecoder is one decoding of a state file entry by entry.
type fileDecoder struct {
	// slow takes every entry member by member, never whole: the tests
	// hold the two ways to the same result.
	slow     bool
	shapes   shapes
	st       *State
	problems []Problem
	keys     map[string]bool // keys kept so far
	keyWhat  []string        // where each kept key is in the file: "key 3"
	notices  map[string]bool // notice ids kept so far
}

func newFileDecoder(slow bool) *fileDecoder {
	return &fileDecoder{slow: slow, shapes: newShapes(), st: &State{}, keys: map[string]bool{}, notices: map[string]bool{}}
}

func (d *fileDecoder) add(p Problem) { d.problems = append(d.problems, p) }

// decode reads the file's members in order. A member dingwatch does not
// write, or a second one of a name, is set aside; so is text after the
// state. The error is for a file nothing can be used of.
func (d *fileDecoder) decode(data []byte) (*State, []Problem, error) {
	ms, end, err := readMembers(data, d.shapes.file)
	if err != nil && !errors.Is(err, errNotObject) {
		if cut, ok := cutTooDeep(data); ok {
			data = cut
			ms, end, err = readMembers(data, d.shapes.file)
		}
	}
	switch {
	case errors.Is(err, errNotObject) && jsontext.Value(bytes.TrimLeft(data, " \t\r\n")).IsValid():
		return nil, nil, fmt.Errorf("not a dingwatch state file")
	case err != nil:
		return nil, nil, fmt.Errorf("not valid JSON: %s", shortErr(err))
	}
	var versions []jsontext.Value
	for _, m := range ms {
		switch {
		case m.field == "version":
			versions = append(versions, m.value) // every one, read or not: see version
		case !m.use:
			d.add(m.problem("the state"))
		case m.field == "calls":
			d.calls(m.value)
		case m.field == "taken":
			d.taken(m.value)
		case m.value.Kind() == '[':
			d.list(m.value, m.field)
		case m.value.Kind() != 'n':
			d.add(Problem{What: m.field, Why: "not a list", Raw: m.raw()})
		}
	}
	if err := d.version(versions); err != nil {
		return nil, nil, err
	}
	if err := d.after(data[end:]); err != nil {
		return nil, nil, err
	}
	d.noticeRefs()
	return d.st, d.problems, nil
}

// version checks the file's format. Given twice (as "version" and
// "Version"), every one must be this format, and any newer one makes
// the file a newer dingwatch's: never written over.
func (d *fileDecoder) version(raws []jsontext.Value) error {
	var vs []int
	for _, raw := range raws {
		var v int
		if jsonv2.Unmarshal(raw, &v) != nil {
			v = -1
		}
		vs = append(vs, v)
	}
	switch newest := slices.Max(append(vs, 0)); {
	case len(vs) == 0 || (len(vs) == 1 && vs[0] < 0):
		return fmt.Errorf("no state version")
	case newest > stateVersion:
		return &NewerStateError{Version: newest}
	case len(vs) == 1 && vs[0] != stateVersion:
		return fmt.Errorf("unknown state version %d", vs[0])
	case slices.ContainsFunc(vs, func(v int) bool { return v != stateVersion }):
		return fmt.Errorf("the state version is given %d times, not all %d", len(vs), stateVersion)
	}
	return nil
}

// after sets aside what follows the state (a second object pasted after
// it, stray text), kept as JSON when it is one value, else as a string.
// Text that is not UTF-8 cannot be kept in the set-aside file: then the
// whole file is unreadable (and moved aside whole).
func (d *fileDecoder) after(rest []byte) error {
	rest = bytes.Trim(rest, " \t\r\n")
	switch {
	case len(rest) == 0:
		return nil
	case json.Valid(rest):
		d.add(Problem{What: "text after the state", Why: "the state ends before it", Raw: bytes.Clone(rest)})
	case utf8.Valid(rest):
		d.add(Problem{What: "text after the state", Why: "the state ends before it (kept as a string)", Raw: mustJSON(string(rest))})
	default:
		return fmt.Errorf("not valid JSON: bytes after the state that are not text")
	}
	return nil
}

// list reads the keys or the notices, one entry at a time.
func (d *fileDecoder) list(raw jsontext.Value, field string) {
	dec := lenientDecoder(raw)
	dec.ReadToken()
	for i := 0; dec.PeekKind() != ']'; i++ {
		entry, err := dec.ReadValue()
		if err != nil {
			return // raw was read whole before: cannot happen
		}
		if field == "keys" {
			d.key(entry, fmt.Sprintf("key %d", i+1))
		} else {
			d.notice(entry, fmt.Sprintf("notice %d", i+1))
		}
	}
}

// calls reads the call ledger; a minute that cannot be used is set aside
// alone.
func (d *fileDecoder) calls(raw jsontext.Value) {
	var l Ledger
	if !d.slow && decodeWhole(raw, &l) == nil {
		d.st.Calls = l
		return
	}
	problems, whole := members(raw, reflect.ValueOf(&l), d.shapes.ledger, "calls", nil)
	if whole != "" {
		if whole == "empty" {
			return // null: no calls
		}
		d.add(Problem{What: "calls", Why: whole, Raw: bytes.Clone(raw)})
		return
	}
	d.st.Calls = l
	d.problems = append(d.problems, problems...)
}

// taken reads the names of the parcels the state holds (State.Taken); a
// name that is not one dingwatch gives a parcel is set aside alone.
func (d *fileDecoder) taken(raw jsontext.Value) {
	switch raw.Kind() {
	case 'n':
		return
	case '[':
	default:
		d.add(Problem{What: "taken", Why: "not a list", Raw: memberRaw([]byte(`"taken"`), raw)})
		return
	}
	dec := lenientDecoder(raw)
	dec.ReadToken()
	for i := 0; dec.PeekKind() != ']'; i++ {
		elem, err := dec.ReadValue()
		if err != nil {
			return // raw was read whole before: cannot happen
		}
		var name string
		if err := decodeWhole(elem, &name); err != nil {
			d.add(Problem{What: fmt.Sprintf("item %d of taken", i+1), Why: err.Error(), Raw: bytes.Clone(elem)})
			continue
		}
		if err := checkParcelName(name); err != nil {
			d.add(Problem{What: fmt.Sprintf("item %d of taken", i+1), Why: err.Error(), Raw: bytes.Clone(elem)})
			continue
		}
		d.st.Taken = append(d.st.Taken, name)
	}
}

// notice keeps a notice that decodes and has a unique id.
func (d *fileDecoder) notice(raw jsontext.Value, what string) {
	var n *Notice
	if d.slow || decodeWhole(raw, &n) != nil || n == nil || checkNoticeID(n.ID) != nil || d.notices[n.ID] {
		n = &Notice{}
		problems, whole := members(raw, reflect.ValueOf(n), d.shapes.notice, what, nil)
		switch {
		case whole == "" && checkNoticeID(n.ID) != nil:
			whole = checkNoticeID(n.ID).Error()
		case whole == "" && d.notices[n.ID]:
			whole = fmt.Sprintf("repeats notice %q", n.ID)
		}
		if whole != "" {
			d.add(Problem{What: what, Why: whole, Raw: bytes.Clone(raw)})
			return
		}
		d.problems = append(d.problems, problems...)
	}
	d.notices[n.ID] = true
	d.st.Notices = append(d.st.Notices, n)
}

// key keeps a key that decodes, passes CheckKey and is not repeated;
// within it, the recipients that decode, have an id and are not repeated.
func (d *fileDecoder) key(raw jsontext.Value, what string) {
	var k *Key
	if d.slow || decodeWhole(raw, &k) != nil || k == nil || CheckKey(k.Key) != nil || d.keys[k.Key] || !cleanRecipients(k.Recipients) {
		k = &Key{}
		problems, whole := members(raw, reflect.ValueOf(k), d.shapes.key, what, special{
			"recipients": func(value jsontext.Value) []Problem {
				var problems []Problem
				k.Recipients, problems = d.recipients(value, what)
				return problems
			},
		})
		switch {
		case whole == "" && CheckKey(k.Key) != nil:
			whole = CheckKey(k.Key).Error()
		case whole == "" && d.keys[k.Key]:
			whole = "repeats key " + dingtalk.Short(k.Key)
		}
		if whole != "" {
			d.add(Problem{What: what, Why: whole, Raw: bytes.Clone(raw)})
			return
		}
		d.problems = append(d.problems, problems...)
	}
	d.keys[k.Key] = true
	d.st.Keys = append(d.st.Keys, k)
	d.keyWhat = append(d.keyWhat, what)
}

// recipients keeps the recipients of key what that decode, have an id
// and are not repeated; one that cannot be used is set aside whole.
func (d *fileDecoder) recipients(raw jsontext.Value, key string) ([]Recipient, []Problem) {
	switch raw.Kind() {
	case 'n':
		return nil, nil
	case '[':
	default:
		return nil, []Problem{{What: "recipients of " + key, Why: "not a list", Raw: memberRaw([]byte(`"recipients"`), raw)}}
	}
	var out []Recipient
	var problems []Problem
	seen := map[string]bool{}
	dec := lenientDecoder(raw)
	dec.ReadToken()
	for j := 0; dec.PeekKind() != ']'; j++ {
		elem, err := dec.ReadValue()
		if err != nil {
			break // raw was read whole before: cannot happen
		}
		what := fmt.Sprintf("recipient %d of %s", j+1, key)
		var r Recipient
		if d.slow || decodeWhole(elem, &r) != nil {
			r = Recipient{}
			if _, whole := members(elem, reflect.ValueOf(&r), d.shapes.recipient, what, nil); whole != "" {
				problems = append(problems, Problem{What: what, Why: whole, Raw: bytes.Clone(elem)})
				continue
			}
		}
		switch id := r.ID(); {
		case id == "":
			problems = append(problems, Problem{What: what, Why: "no userId or unionId", Raw: bytes.Clone(elem)})
		case seen[id]:
			problems = append(problems, Problem{What: what, Why: fmt.Sprintf("repeats userId %.24q", id), Raw: bytes.Clone(elem)})
		default:
			seen[id] = true
			if !r.Read {
				r.FirstSeenRead = time.Time{} // a read time while unread means nothing
			}
			out = append(out, r)
		}
	}
	return out, problems
}

// noticeRefs gives each key whose notice is missing a stand-in notice,
// or, when the reference is not one dingwatch makes, leaves it on its own.
func (d *fileDecoder) noticeRefs() {
	for i, k := range d.st.Keys {
		if k.Notice == "" || d.notices[k.Notice] {
			continue
		}
		what := d.keyWhat[i] + "'s notice"
		if err := checkNoticeID(k.Notice); err != nil {
			raw := mustJSON(k.Notice)
			if k.Round != 0 { // a round means nothing on its own: kept with the notice
				raw = mustJSON(map[string]any{"notice": k.Notice, "round": k.Round})
			}
			d.add(Problem{What: what, Why: err.Error() + ": the key is kept on its own", Raw: raw})
			k.Notice, k.Round = "", 0
			continue
		}
		d.add(Problem{What: what, Why: fmt.Sprintf("notice %q is missing: the key is kept under a stand-in", k.Notice), Raw: mustJSON(k.Notice)})
		d.notices[k.Notice] = true
		d.st.Notices = append(d.st.Notices, &Notice{ID: k.Notice, Label: k.Notice, CreatedAt: k.Start()})
	}
}

// maxNoticeID is the longest notice id accepted from the state file;
// dingwatch makes ids like "n1764230400-12".
const maxNoticeID = 64

// checkNoticeID reports whether id can be a notice's id: 1 to 64 printable
// ASCII characters without spaces.
func checkNoticeID(id string) error {
	if id == "" {
		return fmt.Errorf("no notice id")
	}
	if len(id) > maxNoticeID || strings.IndexFunc(id, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
		return fmt.Errorf("%.24q is not a notice id", id)
	}
	return nil
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}
