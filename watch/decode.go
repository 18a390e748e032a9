package watch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

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

// Problem is one entry of a state file that could not be used: it is set
// aside on its own, and the rest of the state loads.
type Problem struct {
	What string          `json:"what"` // "key 3", "recipient 2 of key 5", "notice 1", "calls"
	Why  string          `json:"why"`  // in the user's words; may quote untrusted text (clean at output)
	Raw  json.RawMessage `json:"raw"`  // the entry as it was in the file
}

// DecodeState parses a state file (a leading UTF-8 byte order mark is
// skipped) and checks what the program relies on,
// entry by entry. Entries that cannot be used (malformed or repeated keys,
// recipients without an id, notices without an id, fields of the wrong
// type) are left out and returned as problems; a key whose notice is
// missing is kept under a stand-in notice, or on its own when the notice
// reference is not one dingwatch makes. The error is for a file nothing
// can be used of (not a JSON object, an unknown old version) or a
// *NewerStateError.
func DecodeState(data []byte) (*State, []Problem, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // an editor's byte order mark (Notepad) is not content
	if st, ok := decodeClean(data); ok {
		return st, nil, nil
	}
	return decodeEntries(data)
}

// decodeEntries is DecodeState taking the file entry by entry.
func decodeEntries(data []byte) (*State, []Problem, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if top == nil {
		return nil, nil, fmt.Errorf("not a dingwatch state file")
	}
	// encoding/json matches field names regardless of case: so must this,
	// or "Keys" would reach the state unchecked.
	field := func(want string) json.RawMessage {
		if raw, ok := top[want]; ok {
			return raw
		}
		for name, raw := range top {
			if strings.EqualFold(name, want) {
				return raw
			}
		}
		return nil
	}
	var version int
	if err := json.Unmarshal(field("version"), &version); err != nil {
		return nil, nil, fmt.Errorf("no state version")
	}
	switch {
	case version > stateVersion:
		return nil, nil, &NewerStateError{Version: version}
	case version != stateVersion:
		return nil, nil, fmt.Errorf("unknown state version %d", version)
	}
	var keys, notices []json.RawMessage
	if err := json.Unmarshal(orNull(field("keys")), &keys); err != nil {
		return nil, nil, fmt.Errorf("keys are not a list: %w", err)
	}
	if err := json.Unmarshal(orNull(field("notices")), &notices); err != nil {
		return nil, nil, fmt.Errorf("notices are not a list: %w", err)
	}
	st := &State{}
	var problems []Problem
	// Every other field on its own, so one bad field costs only itself.
	for name, raw := range top {
		if strings.EqualFold(name, "version") || strings.EqualFold(name, "keys") || strings.EqualFold(name, "notices") {
			continue
		}
		one, _ := json.Marshal(map[string]json.RawMessage{name: raw})
		if err := json.Unmarshal(one, st); err != nil {
			problems = append(problems, Problem{What: name, Why: "unreadable: " + err.Error(), Raw: raw})
		}
	}
	st.Notices, problems = decodeNotices(notices, problems)
	st.Keys, problems = decodeKeys(keys, st, problems)
	return st, problems, nil
}

func orNull(raw json.RawMessage) json.RawMessage {
	if raw == nil {
		return json.RawMessage("null")
	}
	return raw
}

// decodeNotices keeps the notices that decode and have a unique id.
func decodeNotices(raws []json.RawMessage, problems []Problem) ([]*Notice, []Problem) {
	var out []*Notice
	seen := map[string]bool{}
	for i, raw := range raws {
		what := fmt.Sprintf("notice %d", i+1)
		var n *Notice
		if err := json.Unmarshal(raw, &n); err != nil {
			problems = append(problems, Problem{What: what, Why: "unreadable: " + err.Error(), Raw: raw})
			continue
		}
		switch {
		case n == nil:
			problems = append(problems, Problem{What: what, Why: "empty", Raw: raw})
		case checkNoticeID(n.ID) != nil:
			problems = append(problems, Problem{What: what, Why: checkNoticeID(n.ID).Error(), Raw: raw})
		case seen[n.ID]:
			problems = append(problems, Problem{What: what, Why: fmt.Sprintf("repeats notice %q", n.ID), Raw: raw})
		default:
			seen[n.ID] = true
			out = append(out, n)
		}
	}
	return out, problems
}

// keyEntry decodes a key with its recipients left raw, so that one bad
// recipient costs only itself.
type keyEntry struct {
	keyFields
	Recipients []json.RawMessage `json:"recipients,omitempty"`
}

// keyFields is Key without its methods, for keyEntry.
type keyFields Key

// decodeKeys keeps the keys that decode, pass CheckKey and are not
// repeated; within each, the recipients that decode, have an id and are
// not repeated. A key whose notice is missing joins a stand-in notice.
func decodeKeys(raws []json.RawMessage, st *State, problems []Problem) ([]*Key, []Problem) {
	var out []*Key
	seen := map[string]bool{}
	for i, raw := range raws {
		what := fmt.Sprintf("key %d", i+1)
		var e *keyEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			problems = append(problems, Problem{What: what, Why: "unreadable: " + err.Error(), Raw: raw})
			continue
		}
		if e == nil {
			problems = append(problems, Problem{What: what, Why: "empty", Raw: raw})
			continue
		}
		k := Key(e.keyFields)
		if err := CheckKey(k.Key); err != nil {
			problems = append(problems, Problem{What: what, Why: err.Error(), Raw: raw})
			continue
		}
		if seen[k.Key] {
			problems = append(problems, Problem{What: what, Why: "repeats key " + dingtalk.Short(k.Key), Raw: raw})
			continue
		}
		seen[k.Key] = true
		k.Recipients, problems = decodeRecipients(e.Recipients, what, problems)
		if k.Notice != "" && st.Notice(k.Notice) == nil {
			if err := checkNoticeID(k.Notice); err != nil {
				problems = append(problems, Problem{What: what + "'s notice", Why: err.Error() + ": the key is kept on its own",
					Raw: mustJSON(k.Notice)})
				k.Notice, k.Round = "", 0
			} else {
				problems = append(problems, Problem{What: what + "'s notice", Why: fmt.Sprintf("notice %q is missing: the key is kept under a stand-in", k.Notice),
					Raw: mustJSON(k.Notice)})
				st.Notices = append(st.Notices, &Notice{ID: k.Notice, Label: k.Notice, CreatedAt: k.Start()})
			}
		}
		out = append(out, &k)
	}
	return out, problems
}

func decodeRecipients(raws []json.RawMessage, key string, problems []Problem) ([]Recipient, []Problem) {
	var out []Recipient
	seen := map[string]bool{}
	for j, raw := range raws {
		what := fmt.Sprintf("recipient %d of %s", j+1, key)
		var r Recipient
		if err := json.Unmarshal(raw, &r); err != nil {
			problems = append(problems, Problem{What: what, Why: "unreadable: " + err.Error(), Raw: raw})
			continue
		}
		switch id := r.ID(); {
		case id == "":
			problems = append(problems, Problem{What: what, Why: "no userId or unionId", Raw: raw})
		case seen[id]:
			problems = append(problems, Problem{What: what, Why: fmt.Sprintf("repeats userId %.24q", id), Raw: raw})
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
