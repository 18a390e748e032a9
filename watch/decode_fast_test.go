package watch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"
)

// A file dingwatch wrote takes the one-pass path, and what it loads is
// what the entry-by-entry path loads.
func TestCleanFileTakesTheOnePassPath(t *testing.T) {
	data := goodState(t)
	if _, ok := decodeClean(data); !ok {
		t.Fatal("a state dingwatch wrote was not decoded in one pass")
	}
	assertSameAsEntries(t, data)
	for name, bad := range map[string]string{
		"bad key":          `{"version":1,"keys":[{"key":"a b"}]}`,
		"repeated key":     `{"version":1,"keys":[{"key":"a"},{"key":"a"}]}`,
		"null key":         `{"version":1,"keys":[null]}`,
		"nameless person":  `{"version":1,"keys":[{"key":"a","recipients":[{"name":"x"}]}]}`,
		"repeated person":  `{"version":1,"keys":[{"key":"a","recipients":[{"userId":"x"},{"userId":"x"}]}]}`,
		"missing notice":   `{"version":1,"keys":[{"key":"a","notice":"gone"}]}`,
		"bad notice id":    `{"version":1,"notices":[{"id":"a b"}]}`,
		"repeated notice":  `{"version":1,"notices":[{"id":"n"},{"id":"n"}]}`,
		"wrong type":       `{"version":1,"keys":[{"key":"a","round":"x"}]}`,
		"newer":            `{"version":2}`,
		"another case":     `{"version":1,"Keys":[{"key":"a"}]}`,
		"a delimiter":      `{"version":1,"k_eys":[{"key":"a"}]}`,
		"a field's case":   `{"version":1,"keys":[{"Key":"a"}]}`,
		"an unknown field": `{"version":1,"keys":[{"key":"a","color":"red"}]}`,
		"a name twice":     `{"version":1,"keys":[{"key":"a"}],"keys":[{"key":"b"}]}`,
		"not a state file": `null`,
	} {
		if _, ok := decodeClean([]byte(bad)); ok {
			t.Errorf("%s: decoded in one pass, so nothing was set aside", name)
		}
	}
}

// A file whose names are not the ones dingwatch writes loads as
// encoding/json reads it, whether or not an entry is bad: its keys are
// never dropped for a spelling (tester H1: "k_eys" was read as "keys" by
// one path only, and every key vanished once one entry was bad).
func TestNamesReadOneWayOnBothPaths(t *testing.T) {
	for _, data := range []string{
		`{"version":1,"Keys":[{"key":"goodKey1"},{"key":"goodKey2"}]}`,
		`{"version":1,"Keys":[{"key":"goodKey1"},{"key":"bad key"},{"key":"goodKey2"}]}`,
	} {
		st, _, err := DecodeState([]byte(data))
		if err != nil || st.Key("goodKey1") == nil || st.Key("goodKey2") == nil {
			t.Fatalf("%s: keys lost (%v)", data, err)
		}
	}
	for _, data := range []string{
		`{"version":1,"k_eys":[{"key":"goodKey1"}]}`,
		`{"version":1,"k_eys":[{"key":"goodKey1"},{"key":"bad key"}]}`,
	} {
		st, _, err := DecodeState([]byte(data))
		if err != nil || len(st.Keys) != 0 {
			t.Fatalf("%s: read as keys on one path (%v, %d keys)", data, err, len(st.Keys))
		}
	}
}

// Whatever the file, when the one-pass path takes it, the entry-by-entry
// path finds nothing to set aside and loads the same state; and the
// entry-by-entry path loads and sets aside the same whether it takes good
// entries whole (as it does) or every entry member by member.
func FuzzDecodeCleanAgreesWithEntries(f *testing.F) {
	f.Add(goodState(&testing.T{}))
	f.Add([]byte(`{"version":1,"keys":[{"key":"a","recipients":[{"userId":"x","firstSeenRead":"2026-01-01T00:00:00Z"}]}]}`))
	f.Add([]byte(`{"version":1,"Keys":[{"key":"a"}],"keys":[{"key":"b"}]}`))
	f.Add([]byte(`{"version":1,"keys":[{"key":"a","polls":-1,"Key":"b","x":1,"recipients":[{"userId":"u","read":"no"},{"UserId":"v"}]}],"notices":[{"id":"n","rounds":[{"n":-1}]}],"calls":{"minutes":[{"m":1,"n":-2}]}} x`))
	f.Add([]byte(`{"version":1,"keys":[],"taken":["00000000000000000001-42-000001.json","../x.json",null,7],"Taken":"x"}`))
	f.Add([]byte(`{"version":1,"notices":"x","keys":[{"key":"a","notice":"n","label":"\xff"}],"zz":[[[[[[]]]]]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, ok := decodeClean(data); ok {
			assertSameAsEntries(t, data)
		}
		fast, fastProblems, fastErr := newFileDecoder(false).decode(data)
		slow, slowProblems, slowErr := newFileDecoder(true).decode(data)
		if (fastErr == nil) != (slowErr == nil) {
			t.Fatalf("errors %v and %v", fastErr, slowErr)
		}
		if fastErr != nil {
			return
		}
		a, _ := EncodeState(fast)
		b, _ := EncodeState(slow)
		if !bytes.Equal(a, b) {
			t.Fatalf("taking good entries whole loads another state:\n%s\n%s", a, b)
		}
		pa, _ := json.Marshal(fastProblems)
		pb, _ := json.Marshal(slowProblems)
		if !bytes.Equal(pa, pb) {
			t.Fatalf("taking good entries whole sets aside something else:\n%s\n%s", pa, pb)
		}
	})
}

func assertSameAsEntries(t *testing.T, data []byte) {
	t.Helper()
	fast, _ := decodeClean(data)
	slow, problems, err := decodeEntries(data)
	if err != nil || len(problems) > 0 {
		t.Fatalf("one pass took a file the entries path finds fault with: %v %+v", err, problems)
	}
	a, _ := EncodeState(fast)
	b, _ := EncodeState(slow)
	if !bytes.Equal(a, b) {
		t.Fatalf("the two paths load different states:\n%s\n%s", a, b)
	}
}

// go test -run '^$' -bench DecodeState -benchmem ./watch/: saved states
// of 20,000 lone keys, of 1,000 keys of 20 people and of 300 keys of 2,000
// people (about 60 MB), decoded clean, and with one bad key at the end
// (tester H2) by DecodeState and by the entry-by-entry decoder it had
// before (legacy), side by side.
func BenchmarkDecodeState(b *testing.B) {
	for _, shape := range []struct{ keys, people int }{{20000, 2}, {1000, 20}, {300, 2000}} {
		st := &State{}
		for i := range shape.keys {
			k := liveKey(fmt.Sprintf("key%06d", i), t0, shape.people)
			k.Recipients[0].Read, k.Recipients[0].FirstSeenRead = true, t0.Add(time.Minute)
			st.Keys = append(st.Keys, k)
		}
		clean, err := EncodeState(st)
		if err != nil {
			b.Fatal(err)
		}
		end := bytes.LastIndex(clean, []byte("\n ]"))
		oneBad := slices.Concat(clean[:end], []byte(`,{"key":"bad key!"}`), clean[end:])
		name := fmt.Sprintf("%dkeys/%dpeople", shape.keys, shape.people)
		for _, c := range []struct {
			name     string
			data     []byte
			problems int
			decode   func([]byte) (*State, []Problem, error)
		}{
			{"clean/DecodeState", clean, 0, DecodeState},
			{"clean/entries", clean, 0, decodeEntries},
			{"oneBad/DecodeState", oneBad, 1, DecodeState},
			{"oneBad/legacy", oneBad, 1, func(data []byte) (*State, []Problem, error) {
				if st, ok := decodeClean(data); ok {
					return st, nil, nil
				}
				return legacyDecodeEntries(data)
			}},
		} {
			b.Run(name+"/"+c.name, func(b *testing.B) {
				b.SetBytes(int64(len(c.data)))
				for b.Loop() {
					st, problems, err := c.decode(c.data)
					if err != nil || len(problems) != c.problems || len(st.Keys) != shape.keys {
						b.Fatal(err, problems)
					}
				}
			})
		}
	}
}

// A state file an editor saved with a byte order mark loads whole
// (tester H5: every key went to the corrupt file).
func TestStateWithAByteOrderMarkLoads(t *testing.T) {
	data := append([]byte("\ufeff"), goodState(t)...)
	st, problems, err := DecodeState(data)
	if err != nil || len(problems) > 0 || len(st.Keys) != 3 {
		t.Fatalf("%v %v %d keys", err, problems, len(st.Keys))
	}
}
