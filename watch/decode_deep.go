package watch

import (
	"encoding/json"
	"unicode/utf8"
)

// maxDepth is the deepest nesting a JSON decoder here reads (encoding/json
// and encoding/json/v2 both stop beyond it); the state file itself is 5
// deep.
const maxDepth = 10000

// cutLevel is the nesting level at which a too-deep part is cut out: the
// state object is level 1, its lists 2, a key or a notice 3, a list or
// object in one of their members 4, and a recipient, a round or a batch
// 5: so a too-deep part costs one recipient, round or batch, one member
// of a key or a notice, or one minute of the call ledger.
const cutLevel = 5

// tooDeepName names the object a too-deep part is replaced by; no field
// of any dingwatch entry takes such an object, so the part is always set
// aside, its text kept.
const tooDeepName = "dingwatch: nested deeper than 10000, kept as text"

// cutTooDeep replaces each value of data that starts at cutLevel or above
// and nests deeper than maxDepth by {tooDeepName: "its text"}, so that
// one such member costs only itself (tester H5: "zz":[[[…]]] in one key
// made every key unreadable). ok is false when there is none, or when a
// part cannot be kept as text (not UTF-8): the file then stays unreadable
// as a whole. It only looks at brackets and strings: what it returns is
// read by a real JSON decoder afterwards.
func cutTooDeep(data []byte) (out []byte, ok bool) {
	var starts [cutLevel + 1]int // where the open value of each level began
	depth, last := 0, 0
	inString, escaped := false, false
	cutFrom, cutting, cut := 0, false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth <= cutLevel {
				starts[depth] = i
			}
			if depth > maxDepth && !cutting {
				cutting, cutFrom = true, starts[min(depth, cutLevel)]
			}
		case c == '}' || c == ']':
			if depth == 0 {
				return nil, false // not JSON
			}
			if depth == cutLevel && cutting {
				part := data[cutFrom : i+1]
				if !utf8.Valid(part) {
					return nil, false
				}
				text, _ := json.Marshal(string(part))
				out = append(out, data[last:cutFrom]...)
				out = append(out, `{"`+tooDeepName+`":`...)
				out = append(out, text...)
				out = append(out, '}')
				last, cutting, cut = i+1, false, true
			}
			depth--
		}
	}
	if !cut || cutting {
		return nil, false
	}
	return append(out, data[last:]...), true
}
