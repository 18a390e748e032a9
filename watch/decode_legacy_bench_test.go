package watch

// The entry-by-entry decoder as it was before it took good entries in one
// pass (tester H2), kept for BenchmarkDecodeState only: the figures before
// and after come from one run.

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// legacyDecodeEntries is DecodeState taking the file entry by entry.
func legacyDecodeEntries(data []byte) (*State, []Problem, error) {
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
	if err := json.Unmarshal(legacyOrNull(field("keys")), &keys); err != nil {
		return nil, nil, fmt.Errorf("keys are not a list: %w", err)
	}
	if err := json.Unmarshal(legacyOrNull(field("notices")), &notices); err != nil {
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
	st.Notices, problems = legacyDecodeNotices(notices, problems)
	st.Keys, problems = legacyDecodeKeys(keys, st, problems)
	return st, problems, nil
}

func legacyOrNull(raw json.RawMessage) json.RawMessage {
	if raw == nil {
		return json.RawMessage("null")
	}
	return raw
}

// legacyDecodeNotices keeps the notices that decode and have a unique id.
func legacyDecodeNotices(raws []json.RawMessage, problems []Problem) ([]*Notice, []Problem) {
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

// legacyKeyEntry decodes a key with its recipients left raw, so that one bad
// recipient costs only itself.
type legacyKeyEntry struct {
	legacyKeyFields
	Recipients []json.RawMessage `json:"recipients,omitempty"`
}

// legacyKeyFields is Key without its methods, for legacyKeyEntry.
type legacyKeyFields Key

// legacyDecodeKeys keeps the keys that decode, pass CheckKey and are not
// repeated; within each, the recipients that decode, have an id and are
// not repeated. A key whose notice is missing joins a stand-in notice.
func legacyDecodeKeys(raws []json.RawMessage, st *State, problems []Problem) ([]*Key, []Problem) {
	var out []*Key
	seen := map[string]bool{}
	for i, raw := range raws {
		what := fmt.Sprintf("key %d", i+1)
		var e *legacyKeyEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			problems = append(problems, Problem{What: what, Why: "unreadable: " + err.Error(), Raw: raw})
			continue
		}
		if e == nil {
			problems = append(problems, Problem{What: what, Why: "empty", Raw: raw})
			continue
		}
		k := Key(e.legacyKeyFields)
		if err := CheckKey(k.Key); err != nil {
			problems = append(problems, Problem{What: what, Why: err.Error(), Raw: raw})
			continue
		}
		if seen[k.Key] {
			problems = append(problems, Problem{What: what, Why: "repeats key " + dingtalk.Short(k.Key), Raw: raw})
			continue
		}
		seen[k.Key] = true
		k.Recipients, problems = legacyDecodeRecipients(e.Recipients, what, problems)
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

func legacyDecodeRecipients(raws []json.RawMessage, key string, problems []Problem) ([]Recipient, []Problem) {
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
