package watch

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// decodeParts decodes data, which must load, and writes what it sets
// aside to a set-aside file as OpenStore would; it returns the state and
// the set-aside file's bytes for each problem, by What.
func decodeParts(t *testing.T, data string) (*State, map[string][]byte) {
	t.Helper()
	st, problems, err := DecodeState([]byte(data))
	if err != nil {
		t.Fatalf("the file did not load: %v", err)
	}
	if _, ok := decodeClean([]byte(data)); ok && len(problems) > 0 {
		t.Fatal("the one-pass path took a file with problems")
	}
	parts := map[string][]byte{}
	if len(problems) == 0 {
		return st, parts
	}
	path, err := writeSetAside(filepath.Join(t.TempDir(), "state.json"), problems, t0)
	if err != nil {
		t.Fatalf("the set-aside file could not be written: %v", err)
	}
	var aside struct {
		Entries []struct {
			What, Why string
			Raw       json.RawMessage
		}
	}
	file, _ := os.ReadFile(path)
	if err := json.Unmarshal(file, &aside); err != nil {
		t.Fatalf("set-aside file: %v\n%s", err, file)
	}
	for _, e := range aside.Entries {
		if _, dup := parts[e.What]; dup || e.Why == "" {
			t.Fatalf("set aside twice, or without a reason: %+v", e)
		}
		parts[e.What] = e.Raw
	}
	return st, parts
}

// wantParts checks that exactly the parts named are set aside, each
// holding the text given (compacted).
func wantParts(t *testing.T, parts map[string][]byte, want map[string]string) {
	t.Helper()
	for what, raw := range parts {
		frag, ok := want[what]
		if !ok {
			t.Errorf("also set aside: %s = %s", what, raw)
			continue
		}
		var c bytes.Buffer
		json.Compact(&c, raw)
		if frag == deepPart {
			// Kept whole: every bracket, inside the text or around it.
			if n := strings.Count(c.String(), "["); n != maxDepth+5 || strings.Count(c.String(), "]") != n {
				t.Errorf("%s: %d brackets kept of %d", what, n, maxDepth+5)
			}
			continue
		}
		if !strings.Contains(c.String(), frag) {
			t.Errorf("%s: set aside %s, want it to hold %s", what, c.String(), frag)
		}
	}
	for what := range want {
		if _, ok := parts[what]; !ok {
			t.Errorf("not set aside: %s", what)
		}
	}
}

// deepPart stands for the too-deep value of a test: maxDepth+5 brackets.
const deepPart = "(too deep)"

// A key's one bad field (a count below 0, a string for a number, a
// number too big) costs that field only: it is set aside, the key keeps
// its people and everything else (tester H6: the whole key went).
func TestABadFieldOfAKeyCostsOnlyItself(t *testing.T) {
	for name, c := range map[string]struct{ member, want string }{
		"negative polls":    {`"polls":-3`, `{"polls":-3}`},
		"negative failures": {`"failures":-1`, `{"failures":-1}`},
		"negative round":    {`"round":-2`, `{"round":-2}`},
		"polls as a string": {`"polls":"5"`, `{"polls":"5"}`},
		"polls too big":     {`"polls":1e30`, `{"polls":1e30}`},
		"an HTTP status below 0": {`"error":{"code":"x","httpStatus":-500,"message":"m","hint":"h","at":"2026-01-01T00:00:00Z"}`,
			`"httpStatus":-500`},
		"a member dingwatch does not write": {`"colour":"red"`, `{"colour":"red"}`},
		"a label not in UTF-8":              {"\"label\":\"a\xffb\"", "\"a\xffb\""},
	} {
		t.Run(name, func(t *testing.T) {
			field := strings.Trim(strings.SplitN(c.member, ":", 2)[0], `"`)
			base := map[string]string{"polls": `"polls":7,`, "label": `"label":"kept",`}
			delete(base, field)
			file := `{"version":1,"keys":[{"key":"goodKey1","robotCode":"r",` + base["label"] + base["polls"] + c.member +
				`,"addedAt":"2026-01-01T00:00:00Z","recipients":[{"userId":"u1","name":"Ann","read":true,"firstSeenRead":"2026-01-01T00:05:00Z"}]}]}`
			st, parts := decodeParts(t, file)
			what := field + " of key 1"
			if field == "colour" {
				what = `member "colour" of key 1`
			}
			wantParts(t, parts, map[string]string{what: c.want})
			k := st.Key("goodKey1")
			if k == nil || len(k.Recipients) != 1 || !k.Recipients[0].Read || k.Recipients[0].FirstSeenRead.IsZero() || k.RobotCode != "r" {
				t.Fatalf("the key lost more than the field: %+v", k)
			}
			if k.Polls < 0 || k.Failures < 0 || k.Round < 0 || k.Err != nil {
				t.Fatalf("a bad value was kept: %+v", k)
			}
			if field != "polls" && k.Polls != 7 {
				t.Fatalf("polls %d, want 7", k.Polls)
			}
			if field != "label" && k.Label != "kept" {
				t.Fatalf("label %q", k.Label)
			}
		})
	}
}

// A key missing its essential member, or whose every member is fine but
// its key is malformed, is set aside whole, as before.
func TestAKeyWithoutItsKeyIsSetAsideWhole(t *testing.T) {
	st, parts := decodeParts(t, `{"version":1,"keys":[{"key":5,"label":"x"},{"label":"no key"},{"key":"goodKey1"}]}`)
	wantParts(t, parts, map[string]string{"key 1": `"label":"x"`, "key 2": `"label":"no key"`})
	if got := keysOf(st.Keys); !slices.Equal(got, []string{"goodKey1"}) {
		t.Fatalf("loaded %v", got)
	}
}

// A recipient with any bad member is set aside whole: shown with a
// guessed read state it would say something false.
func TestARecipientWithABadMemberIsSetAsideWhole(t *testing.T) {
	st, parts := decodeParts(t, `{"version":1,"keys":[{"key":"goodKey1","recipients":[`+
		`{"userId":"u1","read":"yes"},{"userId":"u2","extra":1},{"userId":"u3","UserId":"u4"},{"UserId":"u5","read":true}]}]}`)
	wantParts(t, parts, map[string]string{
		"recipient 1 of key 1": `"read":"yes"`,
		"recipient 2 of key 1": `"extra":1`,
		"recipient 3 of key 1": `"UserId":"u4"`,
	})
	if rs := st.Key("goodKey1").Recipients; len(rs) != 1 || rs[0].UserID != "u5" || !rs[0].Read {
		t.Fatalf("recipients %+v", rs)
	}
}

// Given twice up to case, the member with dingwatch's exact name is used
// wherever it stands, and the other is set aside (tester H1: one list or
// one key id was dropped without a word).
func TestANameGivenTwiceKeepsTheExactOneAndSetsAsideTheOther(t *testing.T) {
	for _, file := range []string{
		`{"version":1,"Keys":[{"key":"otherKey1"}],"keys":[{"Key":"otherKey2","key":"goodKey1"}]}`,
		`{"version":1,"keys":[{"key":"goodKey1","Key":"otherKey2"}],"Keys":[{"key":"otherKey1"}]}`,
	} {
		st, parts := decodeParts(t, file)
		wantParts(t, parts, map[string]string{
			`member "Keys" of the state`: `{"Keys":[{"key":"otherKey1"}]}`,
			`member "Key" of key 1`:      `{"Key":"otherKey2"}`,
		})
		if got := keysOf(st.Keys); !slices.Equal(got, []string{"goodKey1"}) {
			t.Fatalf("%s: loaded %v", file, got)
		}
	}
	// Only another case: read as encoding/json reads names.
	st, parts := decodeParts(t, `{"version":1,"KEYS":[{"KEY":"goodKey1"}]}`)
	wantParts(t, parts, nil)
	if st.Key("goodKey1") == nil {
		t.Fatal("KEYS not read as keys")
	}
}

// One odd part of a file that is otherwise a state is set aside alone,
// and the rest loads (tester H5: each of these moved the whole state
// aside and the dashboard started empty).
func TestAnOddPartOfTheFileCostsOnlyItself(t *testing.T) {
	const keys = `"keys":[{"key":"goodKey1","notice":"n1"},{"key":"goodKey2"}]`
	const notices = `"notices":[{"id":"n1","label":"weekly"}]`
	deep := strings.Repeat("[", maxDepth+5) + strings.Repeat("]", maxDepth+5)
	for _, c := range []struct {
		name, file string
		keys       []string
		notices    []string
		want       map[string]string
	}{
		{"text after the state", `{"version":1,` + keys + `,` + notices + "}\n oops, typed here\n",
			[]string{"goodKey1", "goodKey2"}, []string{"n1"}, map[string]string{"text after the state": `"oops, typed here"`}},
		{"a second object after the state", `{"version":1,` + keys + `,` + notices + `} {"version":1,"keys":[{"key":"pastedKey"}]}`,
			[]string{"goodKey1", "goodKey2"}, []string{"n1"}, map[string]string{"text after the state": `{"version":1,"keys":[{"key":"pastedKey"}]}`}},
		{"notices not a list", `{"version":1,` + keys + `,"notices":"oops"}`,
			[]string{"goodKey1", "goodKey2"}, []string{"n1"}, map[string]string{"notices": `{"notices":"oops"}`, "key 1's notice": `"n1"`}},
		{"notices an object", `{"version":1,` + keys + `,"notices":{"id":"n1"}}`,
			[]string{"goodKey1", "goodKey2"}, []string{"n1"}, map[string]string{"notices": `{"notices":{"id":"n1"}}`, "key 1's notice": `"n1"`}},
		{"keys not a list", `{"version":1,"keys":{"key":"goodKey1"},` + notices + `}`,
			nil, []string{"n1"}, map[string]string{"keys": `{"keys":{"key":"goodKey1"}}`}},
		{"a member dingwatch does not write", `{"version":1,` + keys + `,` + notices + `,"comment":"do not lose me"}`,
			[]string{"goodKey1", "goodKey2"}, []string{"n1"}, map[string]string{`member "comment" of the state`: `{"comment":"do not lose me"}`}},
		{"a member nested too deep in a key", `{"version":1,"keys":[{"key":"goodKey1","notice":"n1","zz":` + deep + `},{"key":"goodKey2"}],` + notices + `}`,
			[]string{"goodKey1", "goodKey2"}, []string{"n1"}, map[string]string{`member "zz" of key 1`: deepPart}},
		{"a recipient nested too deep", `{"version":1,"keys":[{"key":"goodKey1","notice":"n1","recipients":[{"userId":"u1","name":` + deep + `},{"userId":"u2"}]},{"key":"goodKey2"}],` + notices + `}`,
			[]string{"goodKey1", "goodKey2"}, []string{"n1"}, map[string]string{"recipient 1 of key 1": deepPart}},
		{"a member nested too deep beside the keys", `{"version":1,` + keys + `,` + notices + `,"zz":` + deep + `}`,
			[]string{"goodKey1", "goodKey2"}, []string{"n1"}, map[string]string{`member "zz" of the state`: deepPart}},
		{"a round of a notice with a negative number", `{"version":1,` + keys + `,"notices":[{"id":"n1","label":"weekly","rounds":[{"n":-1,"at":"2026-01-01T00:00:00Z"},{"n":1,"at":"2026-01-02T00:00:00Z"}]}]}`,
			[]string{"goodKey1", "goodKey2"}, []string{"n1"}, map[string]string{"item 1 of rounds of notice 1": `{"n":-1,`}},
		{"a minute of the ledger with a negative count", `{"version":1,` + keys + `,` + notices + `,"calls":{"minutes":[{"m":5,"n":-100},{"m":6,"n":2}]}}`,
			[]string{"goodKey1", "goodKey2"}, []string{"n1"}, map[string]string{"item 1 of minutes of calls": `{"m":5,"n":-100}`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, parts := decodeParts(t, c.file)
			wantParts(t, parts, c.want)
			if got := keysOf(st.Keys); !slices.Equal(got, c.keys) {
				t.Fatalf("keys %v, want %v", got, c.keys)
			}
			var ids []string
			for _, n := range st.Notices {
				ids = append(ids, n.ID)
			}
			if !slices.Equal(ids, c.notices) {
				t.Fatalf("notices %v, want %v", ids, c.notices)
			}
			if n := st.Notice("n1"); strings.Contains(c.file, `"label":"weekly"`) && !strings.Contains(c.name, "notices") && n.Label != "weekly" {
				t.Fatalf("notice n1: %+v", n)
			}
		})
	}
}

// The ledger keeps its good minutes when one is set aside: the calls
// spent are never counted below what the file holds.
func TestALedgerMinuteSetAsideKeepsTheOthers(t *testing.T) {
	m := minuteOf(t0)
	st, _ := decodeParts(t, `{"version":1,"calls":{"minutes":[{"m":`+itoa(m-2)+`,"n":-100},{"m":`+itoa(m-1)+`,"n":3}]}}`)
	if got := st.Calls.Spent(t0); got != 3 {
		t.Fatalf("spent %d, want 3", got)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// What nothing can be used of is still an error (the file is then moved
// aside whole), and a file claiming a newer format in any spelling is
// never read nor written over (tester H6: "version":1,"Version":99 loaded
// as format 1).
func TestWhatCannotBeUsedIsStillAnError(t *testing.T) {
	for file, want := range map[string]string{
		`null`:                        "not a dingwatch state file",
		`[{"version":1}]`:             "not a dingwatch state file",
		`{"version":1,"keys":[`:       "not valid JSON",
		`{"keys":[]}`:                 "no state version",
		`{"version":"1"}`:             "no state version",
		`{"version":0}`:               "unknown state version 0",
		`{"version":1,"Version":0}`:   "given 2 times",
		`{"version":1} ` + "\xff\xfe": "not text",
		`{"version":1,"keys":[{"key":"a","label":"` + strings.Repeat("[", maxDepth+5) + `"}]`: "not valid JSON",
	} {
		if _, _, err := DecodeState([]byte(file)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.60s: %v, want %q", file, err, want)
		}
	}
	for _, file := range []string{`{"version":1,"Version":99}`, `{"Version":99,"version":1}`, `{"version":1,"VERSION":2,"keys":[{"key":"x y"}]}`} {
		var newer *NewerStateError
		if _, _, err := DecodeState([]byte(file)); !errors.As(err, &newer) || newer.Version <= stateVersion {
			t.Errorf("%s: %v, want a newer state", file, err)
		}
	}
}

// A key whose notice reference is not a notice id is kept on its own; its
// reminder round, which means nothing then, is set aside with the
// reference.
func TestABadNoticeReferenceKeepsItsRoundInTheSetAsideFile(t *testing.T) {
	st, parts := decodeParts(t, `{"version":1,"keys":[{"key":"goodKey1","notice":"a b","round":2}]}`)
	wantParts(t, parts, map[string]string{"key 1's notice": `{"notice":"a b","round":2}`})
	if k := st.Key("goodKey1"); k.Notice != "" || k.Round != 0 {
		t.Fatalf("%+v", k)
	}
}

// The checks that run on every clean key see every count negativeIn
// sees: each integer of a key, a notice and the ledger, set below zero
// on its own, is found by both (a new count field must be added to
// hasNegative, or a clean file would keep it negative).
func TestCountChecksSeeEveryCount(t *testing.T) {
	samples := map[string]func() any{
		"key": func() any {
			k := &Key{Err: &KeyError{}, Recipients: []Recipient{{}}, NotDelivered: []Undelivered{{}}}
			return &k
		},
		"notice": func() any {
			n := &Notice{Rounds: []Round{{Message: &SentMessage{}}}, Batches: []Batch{{}}}
			return &n
		},
		"ledger": func() any { return &Ledger{Minutes: []MinuteCount{{}}} },
	}
	for name, sample := range samples {
		if hasNegative(sample()) {
			t.Fatalf("%s: a zero %s has a negative count", name, name)
		}
		for i := 0; ; i++ {
			v := sample()
			path, ok := setNthInt(reflect.ValueOf(v), i)
			if !ok {
				if i == 0 {
					t.Fatalf("%s has no count", name)
				}
				break
			}
			if _, found := negativeIn(reflect.ValueOf(v)); !found || !hasNegative(v) {
				t.Errorf("%s: %s below zero: found by negativeIn %v, by hasNegative %v", name, path, found, hasNegative(v))
			}
		}
	}
}

// setNthInt sets the n-th exported integer reachable in v to -1.
func setNthInt(v reflect.Value, n int) (path string, ok bool) {
	var walk func(v reflect.Value, path string) (string, bool)
	walk = func(v reflect.Value, path string) (string, bool) {
		switch v.Kind() {
		case reflect.Int, reflect.Int64:
			if n == 0 {
				v.SetInt(-1)
				return path, true
			}
			n--
		case reflect.Pointer:
			if !v.IsNil() {
				return walk(v.Elem(), path)
			}
		case reflect.Slice:
			for i := range v.Len() {
				if p, ok := walk(v.Index(i), path); ok {
					return p, true
				}
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if f := v.Type().Field(i); f.IsExported() {
					if p, ok := walk(v.Field(i), path+"."+f.Name); ok {
						return p, true
					}
				}
			}
		}
		return "", false
	}
	return walk(v, "")
}
