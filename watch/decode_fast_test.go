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
		"not a state file": `null`,
	} {
		if _, ok := decodeClean([]byte(bad)); ok {
			t.Errorf("%s: decoded in one pass, so nothing was set aside", name)
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
