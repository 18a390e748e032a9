package watch

import (
	"bytes"
	"fmt"
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
// path finds nothing to set aside and loads the same state.
func FuzzDecodeCleanAgreesWithEntries(f *testing.F) {
	f.Add(goodState(&testing.T{}))
	f.Add([]byte(`{"version":1,"keys":[{"key":"a","recipients":[{"userId":"x","firstSeenRead":"2026-01-01T00:00:00Z"}]}]}`))
	f.Add([]byte(`{"version":1,"Keys":[{"key":"a"}],"keys":[{"key":"b"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, ok := decodeClean(data); ok {
			assertSameAsEntries(t, data)
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

// go test -run '^$' -bench DecodeState -benchmem ./watch/: a saved state of
// 20,000 lone keys, and of 1,000 keys of 20 people, decoded by the
// entry-by-entry path and by DecodeState, side by side.
func BenchmarkDecodeState(b *testing.B) {
	for _, shape := range []struct{ keys, people int }{{20000, 2}, {1000, 20}} {
		st := &State{}
		for i := range shape.keys {
			k := liveKey(fmt.Sprintf("key%06d", i), t0, shape.people)
			k.Recipients[0].Read, k.Recipients[0].FirstSeenRead = true, t0.Add(time.Minute)
			st.Keys = append(st.Keys, k)
		}
		data, err := EncodeState(st)
		if err != nil {
			b.Fatal(err)
		}
		name := fmt.Sprintf("%dkeys/%dpeople", shape.keys, shape.people)
		b.Run(name+"/entries", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				decodeEntries(data)
			}
		})
		b.Run(name+"/DecodeState", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, problems, err := DecodeState(data); err != nil || len(problems) > 0 {
					b.Fatal(err, problems)
				}
			}
		})
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
