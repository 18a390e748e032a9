package watch

import (
	"reflect"
	"slices"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
)

// decodeClean decodes a state file in one pass when every part of it is
// usable, which is what dingwatch itself writes. It reports false for
// anything else (a malformed or unknown entry or member, a name given
// twice, invalid UTF-8, a negative count, text after the state, another
// version), and DecodeState then takes the file entry by entry (see
// decodeEntries), so that one bad part costs only itself. Its checks
// are those of the entry-by-entry path: what that path would leave out
// makes this report false (FuzzDecodeCleanAgreesWithEntries).
//
// It decodes with encoding/json/v2 (github.com/go-json-experiment/json, the
// module the standard library's encoding/json/v2 comes from), about twice
// as fast as encoding/json on a state file. It takes only the names
// dingwatch writes, exactly: any other name (another case, "k_eys", a
// field it does not know) sends the file to the entry-by-entry path,
// which decodes each entry as this does when it can and reads names
// alone otherwise, so both paths read a file the same way.
func decodeClean(data []byte) (*State, bool) {
	var f stateFile
	if jsonv2.Unmarshal(data, &f, jsonv2.RejectUnknownMembers(true)) != nil || f.Version != stateVersion {
		return nil, false
	}
	st := &f.State
	if len(st.Keys) == 0 {
		st.Keys = nil // as decodeEntries leaves it
	}
	if _, ok := cleanState(st); !ok {
		return nil, false
	}
	return st, true
}

// cleanState reports whether the notices, keys, ledger and taken parcels
// of a decoded st are all usable: ids and keys well formed and given
// once, every key's notice there, recipients with ids of their own
// (unread ones' read times forgotten), no negative count, parcel names
// as dingwatch makes them. It returns the notices' IDs.
func cleanState(st *State) (notices map[string]bool, ok bool) {
	if slices.ContainsFunc(st.Keys, keyHasNegative) || slices.ContainsFunc(st.Notices, noticeHasNegative) ||
		ledgerHasNegative(&st.Calls) || slices.ContainsFunc(st.Taken, func(n string) bool { return checkParcelName(n) != nil }) {
		return nil, false
	}
	notices = make(map[string]bool, len(st.Notices))
	for _, n := range st.Notices {
		if n == nil || checkNoticeID(n.ID) != nil || notices[n.ID] {
			return nil, false
		}
		notices[n.ID] = true
	}
	keys := make(map[string]bool, len(st.Keys))
	for _, k := range st.Keys {
		if k == nil || CheckKey(k.Key) != nil || keys[k.Key] || (k.Notice != "" && !notices[k.Notice]) {
			return nil, false
		}
		keys[k.Key] = true
		if !cleanRecipients(k.Recipients) {
			return nil, false
		}
	}
	return notices, true
}

// hasNegative reports whether a decoded state, key, notice or ledger
// holds a negative count, as negativeIn would (TestCountChecksSeeEveryCount)
// but without reflection: it runs on every key of a clean file.
func hasNegative(v any) bool {
	switch v := v.(type) {
	case *stateFile:
		return slices.ContainsFunc(v.Keys, keyHasNegative) || slices.ContainsFunc(v.Notices, noticeHasNegative) ||
			ledgerHasNegative(&v.Calls)
	case **Key:
		return keyHasNegative(*v)
	case **Notice:
		return noticeHasNegative(*v)
	case *Ledger:
		return ledgerHasNegative(v)
	}
	_, found := negativeIn(reflect.ValueOf(v))
	return found
}

func keyHasNegative(k *Key) bool {
	return k != nil && (k.Round < 0 || k.Polls < 0 || k.Failures < 0 || (k.Err != nil && k.Err.HTTPStatus < 0))
}

func noticeHasNegative(n *Notice) bool {
	return n != nil && (slices.ContainsFunc(n.Rounds, func(r Round) bool { return r.N < 0 || r.ResendOf < 0 }) ||
		slices.ContainsFunc(n.Batches, func(b Batch) bool { return b.Round < 0 }))
}

func ledgerHasNegative(l *Ledger) bool {
	return slices.ContainsFunc(l.Minutes, func(m MinuteCount) bool { return m.Minute < 0 || m.N < 0 })
}

// cleanRecipients reports whether every recipient has an id of its own,
// and forgets read times of people not read (as decodeEntries does).
func cleanRecipients(rs []Recipient) bool {
	if len(rs) == 0 {
		return true
	}
	seen := make(map[string]bool, len(rs))
	for i := range rs {
		id := rs[i].ID()
		if id == "" || seen[id] {
			return false
		}
		seen[id] = true
		if !rs[i].Read {
			rs[i].FirstSeenRead = time.Time{}
		}
	}
	return true
}
