package watch

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// The editing methods. Each builds Op values and hands them to apply, the
// one path by which the state changes (see ops.go): on the owner of the
// state they apply and save once; on a follower they show at once and
// reach the owner through its inbox.

// AddSpec describes keys to watch.
type AddSpec struct {
	Keys      []string
	RobotCode string    // "" for the configured robot
	Label     string    // optional
	SentAt    time.Time // zero when unknown
	Notice    string    // notice ID to join, or ""
	Round     int
}

// Add starts watching keys. Keys already watched and malformed keys are
// reported in the error; the others are still added. It returns how many
// were added. Adding n keys costs time in proportion to n.
func (e *Engine) Add(spec AddSpec) (int, error) {
	robot := strings.TrimSpace(spec.RobotCode)
	if robot == "" {
		robot = e.opts.RobotCode
	}
	if robot == "" {
		return 0, errors.New("no robot code: give one with the key or configure DINGTALK_ROBOT_CODE")
	}
	now := e.opts.Now()
	op := Op{Kind: OpAdd, Keys: make([]*Key, 0, len(spec.Keys))}
	seen := make(map[string]bool, len(spec.Keys))
	var dups []string
	for _, key := range spec.Keys {
		if seen[key] {
			dups = append(dups, key)
			continue
		}
		seen[key] = true
		op.Keys = append(op.Keys, &Key{Key: key, RobotCode: robot, Label: spec.Label,
			AddedAt: now, SentAt: spec.SentAt, Notice: spec.Notice, Round: spec.Round})
	}
	if spec.Notice != "" {
		e.mu.Lock()
		if n := e.noticeLocked(spec.Notice); n != nil {
			op.Notice = n // so that the owner has it too
		}
		e.mu.Unlock()
	}
	res, err := e.apply(op)
	if err != nil {
		return 0, err
	}
	var msgs []string
	if len(res.dups)+len(dups) > 0 {
		for _, d := range dups {
			res.dups = append(res.dups, dingtalk.Short(d))
		}
		msgs = append(msgs, "already watched: "+strings.Join(res.dups, ", "))
	}
	msgs = append(msgs, res.bad...)
	if len(msgs) > 0 {
		return res.added, errors.New(strings.Join(msgs, "; "))
	}
	return res.added, nil
}

// Remove stops watching keys, with one save however many there are. It
// returns how many of them were watched; the error is a save or hand-over
// that could not start. A name that is no watched key but a notice's ID
// (Notice.ID) removes that notice and all its keys, which is the only way
// to remove a notice none of whose batches was sent (it has no key);
// removed counts the keys only.
func (e *Engine) Remove(keys ...string) (removed int, err error) {
	if len(keys) == 0 {
		return 0, nil
	}
	res, err := e.apply(Op{Kind: OpRemove, Names: keys})
	return res.removed, err
}

// SetLabel sets a watched key's label ("" clears it).
func (e *Engine) SetLabel(key, label string) error {
	_, err := e.apply(Op{Kind: OpLabel, Key: key, Label: strings.TrimSpace(label)})
	return err
}

// SetSentAt sets when a watched key was sent, which starts its 24-hour
// window; an expired key given a later time is watched again, unless
// DingTalk itself said its data is gone after giving some (see
// Key.SetSentAt for when DingTalk's word is kept).
func (e *Engine) SetSentAt(key string, at time.Time) error {
	if at.IsZero() {
		return errors.New("no time given")
	}
	_, err := e.apply(Op{Kind: OpSentAt, Key: key, At: at})
	return err
}

// Rename gives notice noticeID a new label. The error says the label is
// empty or there is no such notice.
func (e *Engine) Rename(noticeID, label string) error {
	_, err := e.apply(Op{Kind: OpRename, NoticeID: noticeID, Label: label})
	return err
}

// CreateNotice starts a notice named label and returns its ID; keys join
// it through AddSpec.Notice.
func (e *Engine) CreateNotice(label, text string, at time.Time) string {
	n := e.newNotice(label, text, at)
	e.apply(Op{Kind: OpNotice, Notice: n})
	return n.ID
}

// newNotice makes a notice with an ID this engine does not have yet. The
// ID is chosen here, not where it is applied, so that the owner of the
// state gives a notice made by a follower the same ID.
func (e *Engine) newNotice(label, text string, at time.Time) *Notice {
	e.mu.Lock()
	defer e.mu.Unlock()
	id := fmt.Sprintf("n%d-%d", at.Unix(), len(e.state.Notices)+1)
	if e.following() {
		// What this process shows lags the owner, and another follower may
		// make a notice in the same second from the same saved state: the
		// process id keeps the two apart (the owner would take the second
		// as the first and join their batches).
		id += fmt.Sprintf("-p%d", os.Getpid())
	}
	for e.noticeLocked(id) != nil {
		id += "x"
	}
	return &Notice{ID: id, Label: label, CreatedAt: at, Rounds: []Round{{N: 0, At: at, Text: text}}}
}

// Group makes keys one notice named label (taking them out of any other
// notice) and returns its ID.
func (e *Engine) Group(keys []string, label string) (string, error) {
	label = strings.TrimSpace(label)
	if label == "" {
		return "", errors.New("a notice needs a name")
	}
	at := e.opts.Now()
	e.mu.Lock()
	var ks []*Key
	for _, key := range keys {
		if k := e.keyLocked(key); k != nil {
			ks = append(ks, k)
		}
	}
	e.mu.Unlock()
	if start, ok := (Group{Keys: ks}).Start(); ok {
		at = start // sent then, not when grouped: no "50% in 0s"
	}
	n := e.newNotice(label, "", at)
	if _, err := e.apply(Op{Kind: OpGroup, Names: keys, Notice: n}); err != nil {
		return "", err
	}
	return n.ID, nil
}
