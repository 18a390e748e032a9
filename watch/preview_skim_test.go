package watch

import (
	"bytes"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

// go test -fuzz FuzzObjectMembersAgreesWithJSONText ./watch/: for any
// valid JSON object, the preview's member walker finds the members
// jsontext finds, name and value byte for byte.
func FuzzObjectMembersAgreesWithJSONText(f *testing.F) {
	f.Add([]byte(`{"key":"a","label":"notice","notice":"n","recipients":[{"notice":"x"}],"polls":3}`))
	f.Add([]byte("{ \"a\\\"b\" : \"c\\\\\" , \"n\" : -1.5e3 ,\"o\":{\"p\":[1,{\"q\":\"}\"}]},\"t\":true\n}"))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v := jsontext.Value(data)
		if !v.IsValid() || v.Kind() != '{' {
			return
		}
		var want, got [][]byte
		dec := jsontext.NewDecoder(bytes.NewReader(data), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
		dec.ReadToken()
		for dec.PeekKind() == '"' {
			name, _ := dec.ReadValue()
			want = append(want, bytes.Clone(name)) // valid only until the next read
			value, _ := dec.ReadValue()
			want = append(want, bytes.Clone(value))
		}
		objectMembers(data, func(name, value []byte) { got = append(got, name, value) })
		if len(got) != len(want) {
			t.Fatalf("%d parts, jsontext %d: %q vs %q", len(got), len(want), got, want)
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("part %d: %q, jsontext %q", i, got[i], want[i])
			}
		}
	})
}
