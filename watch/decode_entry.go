package watch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// This file takes one entry of a state file (a key, a notice, a
// recipient, the call ledger) that cannot be taken whole, member by
// member: a member that cannot be used is set aside alone and the entry
// keeps the rest, unless the entry is nothing without it.

// entryShape is how an entry's members map to its Go fields.
type entryShape struct {
	typ   reflect.Type
	names []string       // the JSON names dingwatch writes, in field order
	index map[string]int // JSON name → field index
	// essential is the member without which the entry is nothing (a
	// key's "key", a notice's "id"): when it cannot be used, the entry is
	// set aside whole. "" when there is none.
	essential string
	// whole: any member that cannot be used costs the entry whole (a
	// recipient: shown with a guessed read state it would say something
	// false; left out, it is only missing).
	whole bool
}

// shapeOf is the shape of struct type t.
func shapeOf(t reflect.Type, essential string, whole bool) *entryShape {
	sh := &entryShape{typ: t, index: map[string]int{}, essential: essential, whole: whole}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		sh.names = append(sh.names, name)
		sh.index[name] = i
	}
	return sh
}

// lookup is the JSON name a member called name fills: the exact name, or
// else one equal to it ignoring case (as encoding/json reads names); ""
// when none.
func (sh *entryShape) lookup(name string) string {
	if _, ok := sh.index[name]; ok {
		return name
	}
	for _, n := range sh.names {
		if strings.EqualFold(n, name) {
			return n
		}
	}
	return ""
}

// shapes are the shapes of the entries of a state file.
type shapes struct {
	file, key, notice, recipient, ledger *entryShape
}

func newShapes() shapes {
	return shapes{
		file:      shapeOf(reflect.TypeFor[fileMembers](), "", false),
		key:       shapeOf(reflect.TypeFor[Key](), "key", false),
		notice:    shapeOf(reflect.TypeFor[Notice](), "id", false),
		recipient: shapeOf(reflect.TypeFor[Recipient](), "", true),
		ledger:    shapeOf(reflect.TypeFor[Ledger](), "", false),
	}
}

// fileMembers are the members of a state file, for their names.
type fileMembers struct {
	Version int             `json:"version"`
	Keys    json.RawMessage `json:"keys"`
	Notices json.RawMessage `json:"notices"`
	Calls   json.RawMessage `json:"calls"`
	Taken   json.RawMessage `json:"taken"`
}

// lenientDecoder reads the structure of raw whatever its strings hold
// (invalid UTF-8, a name twice), so that a bad string costs only the
// member it is in. It reads raw in place.
func lenientDecoder(raw []byte) *jsontext.Decoder {
	return jsontext.NewDecoder(bytes.NewBuffer(raw), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
}

// decodeWhole decodes raw into ptr strictly (the names dingwatch writes
// only, valid UTF-8, no name twice: as decodeClean does) and checks its
// counts.
func decodeWhole(raw []byte, ptr any) error {
	if err := jsonv2.Unmarshal(raw, ptr, jsonv2.RejectUnknownMembers(true)); err != nil {
		return fmt.Errorf("unreadable: %s", shortErr(err))
	}
	if !hasNegative(ptr) {
		return nil
	}
	if path, found := negativeIn(reflect.ValueOf(ptr)); found {
		if path != "" {
			return fmt.Errorf("a negative count (%s): counts are never below 0", path)
		}
		return fmt.Errorf("a negative count: counts are never below 0")
	}
	return nil
}

// shortErr is err without the package's prefix.
func shortErr(err error) string {
	return strings.TrimPrefix(strings.TrimPrefix(err.Error(), "json: "), "jsontext: ")
}

// memberRaw is a member as an object of its own, for a set-aside file:
// {name: value}, the name as it was written.
func memberRaw(name, value []byte) json.RawMessage {
	out := make([]byte, 0, len(name)+len(value)+3)
	out = append(out, '{')
	out = append(out, name...)
	out = append(out, ':')
	out = append(out, value...)
	return append(out, '}')
}

// unquote is a JSON string's text; invalid UTF-8 becomes U+FFFD.
func unquote(raw []byte) string {
	s, _ := jsontext.AppendUnquote(nil, raw)
	return string(s)
}

// special decodes one member itself (a key's recipients).
type special map[string]func(value jsontext.Value) []Problem

// member is one member of an object, as written.
type member struct {
	name, value jsontext.Value // raw; name quoted
	text        string         // the name
	field       string         // the JSON name of the field it fills; "" for none
	use         bool           // it fills the field: see readMembers
}

// raw is the member as an object of its own, for a set-aside file.
func (m member) raw() json.RawMessage { return memberRaw(m.name, m.value) }

// problem sets aside a member that is not used.
func (m member) problem(what string) Problem {
	why := "not a field dingwatch knows"
	if m.field != "" {
		why = "another member gives " + m.field + ": this one is not used"
	}
	return Problem{What: fmt.Sprintf("member %.40q of %s", m.text, what), Why: why, Raw: m.raw()}
}

// readMembers lists the members of the object raw in order, their names
// and values pointing into raw, and marks the one that fills each field:
// the first with the field's exact name, else the first whose name is the
// field's in another case (as encoding/json reads names). end is where
// the object ends in raw.
func readMembers(raw []byte, sh *entryShape) (ms []member, end int64, err error) {
	dec := lenientDecoder(raw)
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return nil, 0, errors.Join(errNotObject, err)
	}
	chosen := map[string]int{}
	for dec.PeekKind() == '"' {
		name, err := dec.ReadValue()
		if err != nil {
			return nil, 0, err
		}
		name = raw[dec.InputOffset()-int64(len(name)) : dec.InputOffset()]
		value, err := dec.ReadValue()
		if err != nil {
			return nil, 0, err
		}
		value = raw[dec.InputOffset()-int64(len(value)) : dec.InputOffset()]
		m := member{name: name, value: value, text: unquote(name)}
		m.field = sh.lookup(m.text)
		if m.field != "" {
			if j, ok := chosen[m.field]; !ok || (m.text == m.field && ms[j].text != m.field) {
				chosen[m.field] = len(ms)
			}
		}
		ms = append(ms, m)
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, 0, err
	}
	for _, i := range chosen {
		ms[i].use = true
	}
	return ms, dec.InputOffset(), nil
}

// errNotObject is a value that is not a JSON object.
var errNotObject = errors.New("not an object")

// members fills dst (a pointer to a struct of shape sh) from the object
// raw, member by member. Each member it cannot use (unknown, given twice,
// unreadable, a negative count) is set aside alone and its field stays
// zero, and a list is taken element by element. whole is why the entry
// cannot be used at all (its essential member, or any member of a whole
// shape); the problems are then void: the entry is set aside whole.
func members(raw []byte, dst reflect.Value, sh *entryShape, what string, own special) (problems []Problem, whole string) {
	switch jsontext.Value(raw).Kind() {
	case 'n':
		return nil, "empty"
	case '{':
	default:
		return nil, "not an object"
	}
	ms, _, err := readMembers(raw, sh)
	if err != nil {
		return nil, "unreadable: " + shortErr(err)
	}
	for _, m := range ms {
		if !m.use {
			problems = append(problems, m.problem(what))
			continue
		}
		if fn := own[m.field]; fn != nil {
			problems = append(problems, fn(m.value)...)
			continue
		}
		fv := dst.Elem().Field(sh.index[m.field])
		err := decodeWhole(m.value, fv.Addr().Interface())
		if err == nil {
			continue
		}
		fv.SetZero()
		if sh.whole || m.field == sh.essential {
			return nil, m.field + ": " + err.Error()
		}
		if fv.Kind() == reflect.Slice && m.value.Kind() == '[' {
			problems = append(problems, elements(m.value, fv, m.field+" of "+what)...)
			continue
		}
		problems = append(problems, Problem{What: m.field + " of " + what, Why: err.Error(), Raw: m.raw()})
	}
	if sh.whole && len(problems) > 0 {
		return nil, problems[0].What + ": " + problems[0].Why
	}
	return problems, ""
}

// elements fills the slice fv from the array raw element by element: an
// element that cannot be used is set aside alone.
func elements(raw jsontext.Value, fv reflect.Value, what string) []Problem {
	var problems []Problem
	dec := lenientDecoder(raw)
	if _, err := dec.ReadToken(); err != nil {
		return []Problem{{What: what, Why: "unreadable: " + shortErr(err), Raw: bytes.Clone(raw)}}
	}
	for i := 0; dec.PeekKind() != ']'; i++ {
		elem, err := dec.ReadValue()
		if err != nil {
			return append(problems, Problem{What: what, Why: "unreadable: " + shortErr(err), Raw: bytes.Clone(raw)})
		}
		v := reflect.New(fv.Type().Elem())
		if err := decodeWhole(elem, v.Interface()); err != nil {
			problems = append(problems, Problem{What: fmt.Sprintf("item %d of %s", i+1, what), Why: err.Error(), Raw: bytes.Clone(elem)})
			continue
		}
		fv.Set(reflect.Append(fv, v.Elem()))
	}
	return problems
}

// negativeIn reports whether v holds a negative integer, and where
// ("rounds.n"; "" for v itself): every integer of a state (polls,
// failures, rounds, call counts, minutes, an HTTP status) counts
// something and is never negative.
func negativeIn(v reflect.Value) (path string, found bool) {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "", v.Int() < 0
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return negativeIn(v.Elem())
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || !hasInt(f.Type, 0) {
				continue
			}
			if p, found := negativeIn(v.Field(i)); found {
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				return strings.TrimSuffix(name+"."+p, "."), true
			}
		}
	case reflect.Slice, reflect.Array:
		if !hasInt(v.Type().Elem(), 0) {
			return "", false
		}
		for i := range v.Len() {
			if p, found := negativeIn(v.Index(i)); found {
				return p, true
			}
		}
	case reflect.Map:
		if !hasInt(v.Type().Elem(), 0) {
			return "", false
		}
		for it := v.MapRange(); it.Next(); {
			if p, found := negativeIn(it.Value()); found {
				return p, true
			}
		}
	}
	return "", false
}

// hasInt reports whether a value of type t can hold an integer (looking
// depth levels down at most, which state types never reach).
func hasInt(t reflect.Type, depth int) bool {
	if depth > 8 {
		return true
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return hasInt(t.Elem(), depth+1)
	case reflect.Struct:
		for i := range t.NumField() {
			if t.Field(i).IsExported() && hasInt(t.Field(i).Type, depth+1) {
				return true
			}
		}
	}
	return false
}
