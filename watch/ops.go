package watch

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// OpKind names one kind of change to the watched state.
type OpKind string

// The changes there are. Each is applied by the owner of the state; a
// follower (a second dingwatch on the same state) applies it to what it
// shows and hands it to the owner, so no change is lost either way.
const (
	OpAdd     OpKind = "add"     // Keys: start watching (full records); Notice: created if missing
	OpRemove  OpKind = "remove"  // Names: stop watching
	OpLabel   OpKind = "label"   // Key, Label: a key's label
	OpSentAt  OpKind = "sentAt"  // Key, At: a key's send time (and its window)
	OpRename  OpKind = "rename"  // NoticeID, Label: a notice's label
	OpNotice  OpKind = "notice"  // Notice: a new notice (kept if it exists)
	OpGroup   OpKind = "group"   // Names, Notice: the keys make one new notice
	OpRound   OpKind = "round"   // NoticeID, Round: a new send round of a notice
	OpBatch   OpKind = "batch"   // NoticeID, Batch, Keys (0 or 1): a batch sent (or not) and its key
	OpRecall  OpKind = "recall"  // Recalls, At: what a recall did to watched keys
	OpCalls   OpKind = "calls"   // Calls: metered calls made outside polling (send, recall, status, doctor), each in its minute
	OpRefresh OpKind = "refresh" // Names, Session: ask DingTalk now, within the session's limits
	OpPush    OpKind = "push"    // Push: an event DingTalk pushed (push.go)

	// OpCallsBack gives back Calls an earlier OpCalls counted that were
	// never made: a one-shot command's reservation (CallBook).
	OpCallsBack OpKind = "callsBack"
)

// Op is one change to the watched state, as a value: the only way the
// state changes apart from DingTalk's answers. The same value is applied
// locally by the owner and written to the owner's inbox by a follower.
// Fields not used by its Kind are empty.
type Op struct {
	Kind     OpKind          `json:"op"`
	Keys     []*Key          `json:"keys,omitempty"`
	Names    []string        `json:"names,omitempty"`
	Key      string          `json:"key,omitempty"`
	Label    string          `json:"label,omitempty"`
	At       time.Time       `json:"at,omitzero"`
	Notice   *Notice         `json:"notice,omitempty"`
	NoticeID string          `json:"noticeId,omitempty"`
	Round    *Round          `json:"round,omitempty"`
	Batch    *Batch          `json:"batch,omitempty"`
	Recalls  []RecallOutcome `json:"recalls,omitempty"`
	Calls    []time.Time     `json:"calls,omitempty"`
	Session  string          `json:"session,omitempty"`
	Push     *PushEvent      `json:"push,omitempty"`
}

// opResult is what applying ops did, for the method that asked.
type opResult struct {
	added, removed int
	dups, bad      []string
	refresh        RefreshResult
	events         []ReadEvent // new reads a pushed event brought, for the OnRead hook
}

// errNoKey is returned by edits of a key that is not watched.
type errNoKey string

func (e errNoKey) Error() string { return dingtalk.Short(string(e)) + " is no longer watched" }

// apply is the one path every change takes. The owner applies ops, saves
// once (outside the lock) and tells the views; a follower applies them
// to what it shows and hands them to the owner in one parcel, which the
// owner applies in the same way when it takes its inbox.
func (e *Engine) apply(ops ...Op) (opResult, error) {
	e.changing.RLock() // until saved or handed over: Flush waits for it
	defer e.changing.RUnlock()
	e.mu.Lock()
	res, err := e.applyLocked(ops, e.opts.Now())
	following := e.following()
	e.mu.Unlock()
	if err != nil {
		e.save() // what applied before the error (nothing, when the first op failed)
		return res, err
	}
	if following {
		if derr := e.opts.Store.Deliver(Parcel{Ops: ops}, e.opts.Now()); derr != nil {
			e.warn(Warning{Kind: WarnHandOver, Text: "could not hand the change to the dingwatch that owns the state: " + derr.Error()})
		}
	} else {
		e.save()
	}
	e.poke()
	return res, nil
}

// applyLocked applies ops in order as one change: the views are told
// once. An op that cannot apply at all (a key or notice that does not
// exist) stops there with an error; earlier ops stay applied.
func (e *Engine) applyLocked(ops []Op, now time.Time) (opResult, error) {
	var res opResult
	changed := false
	defer func() {
		if changed {
			e.dataChangedLocked()
		}
	}()
	for _, op := range ops {
		ok, err := e.applyOneLocked(op, now, &res)
		changed = changed || ok
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// applyOneLocked applies one op and reports whether the state changed.
func (e *Engine) applyOneLocked(op Op, now time.Time, res *opResult) (bool, error) {
	switch op.Kind {
	case OpAdd:
		changed := false
		if op.Notice != nil && op.Notice.ID != "" && e.noticeLocked(op.Notice.ID) == nil {
			e.addNoticeLocked(op.Notice.Clone())
			changed = true
		}
		for _, k := range op.Keys {
			switch {
			case k == nil:
			case CheckKey(k.Key) != nil:
				res.bad = append(res.bad, CheckKey(k.Key).Error())
			case e.keyLocked(k.Key) != nil:
				res.dups = append(res.dups, dingtalk.Short(k.Key))
			default:
				e.addKeyLocked(k.Clone())
				res.added++
				changed = true
			}
		}
		return changed, nil
	case OpRemove:
		n, changed := e.removeKeysLocked(op.Names)
		res.removed += n
		return changed, nil
	case OpLabel:
		err := e.editKeyLocked(op.Key, func(k *Key) { k.Label = op.Label })
		return err == nil, err
	case OpSentAt:
		err := e.editKeyLocked(op.Key, func(k *Key) { k.SetSentAt(op.At, now) })
		return err == nil, err
	case OpRename:
		label := strings.TrimSpace(op.Label)
		if label == "" {
			return false, errors.New("a notice needs a name")
		}
		if e.noticeLocked(op.NoticeID) == nil {
			return false, fmt.Errorf("no notice %q", op.NoticeID)
		}
		e.editNoticeLocked(op.NoticeID, func(n *Notice) { n.Label = label })
		return true, nil
	case OpNotice:
		if op.Notice == nil || op.Notice.ID == "" || e.noticeLocked(op.Notice.ID) != nil {
			return false, nil
		}
		e.addNoticeLocked(op.Notice.Clone())
		return true, nil
	case OpGroup:
		if op.Notice == nil || op.Notice.ID == "" {
			return false, errors.New("a notice needs a name")
		}
		var names []string
		for _, name := range op.Names {
			if e.keyLocked(name) != nil {
				names = append(names, name)
			}
		}
		if len(names) == 0 {
			return false, errors.New("no watched key to group")
		}
		if e.noticeLocked(op.Notice.ID) == nil {
			e.addNoticeLocked(op.Notice.Clone())
		}
		for _, name := range names {
			e.editKeyLocked(name, func(k *Key) { k.Notice, k.Round = op.Notice.ID, 0 })
		}
		e.dropEmptyNoticesLocked(nil)
		return true, nil
	case OpRound:
		if op.Round == nil || e.noticeLocked(op.NoticeID) == nil {
			return false, fmt.Errorf("no notice %q", op.NoticeID)
		}
		if slices.ContainsFunc(e.noticeLocked(op.NoticeID).Rounds, func(r Round) bool { return r.N == op.Round.N }) {
			return false, nil // handed over twice
		}
		e.editNoticeLocked(op.NoticeID, func(n *Notice) {
			n.Rounds = append(n.Rounds, *op.Round)
			n.Complete = false
		})
		return true, nil
	case OpBatch:
		if op.Batch == nil || e.noticeLocked(op.NoticeID) == nil {
			return false, nil // removed while sending
		}
		b := *op.Batch
		if !slices.ContainsFunc(e.noticeLocked(op.NoticeID).Batches, func(have Batch) bool {
			return have.At.Equal(b.At) && have.Round == b.Round && slices.Equal(have.UserIDs, b.UserIDs)
		}) {
			e.editNoticeLocked(op.NoticeID, func(n *Notice) { n.Batches = append(n.Batches, b) })
		}
		for _, k := range op.Keys {
			if k != nil && CheckKey(k.Key) == nil && e.keyLocked(k.Key) == nil {
				e.addKeyLocked(k.Clone())
			}
		}
		return true, nil
	case OpRecall:
		changed := false
		for _, o := range op.Recalls {
			if e.keyLocked(o.Key) == nil {
				continue
			}
			changed = true
			e.editKeyLocked(o.Key, func(k *Key) {
				if o.OK {
					k.ApplyRecall(op.At)
				} else {
					k.Err = &KeyError{Code: "recall", Message: o.Error, Hint: "recall failed: " + o.Error, At: op.At}
				}
			})
		}
		return changed, nil
	case OpCalls:
		e.state.Calls.merge(op.Calls)
		return len(op.Calls) > 0, nil
	case OpCallsBack:
		e.state.Calls.giveBack(op.Calls)
		return len(op.Calls) > 0, nil
	case OpRefresh:
		r := e.refreshLocked(op.Session, op.Names, now)
		res.refresh.Asked += r.Asked
		res.refresh.Queued += r.Queued
		res.refresh.Coalesced += r.Coalesced
		res.refresh.Limited += r.Limited
		res.refresh.HeldUntil = r.HeldUntil
		res.refresh.Stuck = r.Stuck
		return false, nil
	case OpPush:
		return e.applyPushLocked(op.Push, now, res), nil
	}
	return false, fmt.Errorf("unknown change %q", op.Kind)
}
