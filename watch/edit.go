package watch

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

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
// were added.
func (e *Engine) Add(spec AddSpec) (int, error) {
	robot := strings.TrimSpace(spec.RobotCode)
	if robot == "" {
		robot = e.opts.RobotCode
	}
	if robot == "" {
		return 0, errors.New("no robot code: give one with the key or configure DINGTALK_ROBOT_CODE")
	}
	now := e.opts.Now()
	e.mu.Lock()
	var dups, bad []string
	added := 0
	for _, key := range spec.Keys {
		if err := CheckKey(key); err != nil {
			bad = append(bad, err.Error())
			continue
		}
		if e.state.Key(key) != nil {
			dups = append(dups, dingtalk.Short(key))
			continue
		}
		e.state.Keys = append(e.state.Keys, &Key{Key: key, RobotCode: robot, Label: spec.Label,
			AddedAt: now, SentAt: spec.SentAt, Notice: spec.Notice, Round: spec.Round})
		e.gens[key] = e.newGen()
		added++
	}
	var p Parcel
	if added > 0 {
		e.commitLocked()
		p.Keys = cloneKeys(e.state.Keys[len(e.state.Keys)-added:])
		if n := e.state.Notice(spec.Notice); n != nil {
			nc := *n
			p.Notices = []*Notice{&nc}
		}
	}
	e.mu.Unlock()
	if added > 0 {
		e.handOver(p)
		e.poke()
	}
	var msgs []string
	if len(dups) > 0 {
		msgs = append(msgs, "already watched: "+strings.Join(dups, ", "))
	}
	msgs = append(msgs, bad...)
	if len(msgs) > 0 {
		return added, errors.New(strings.Join(msgs, "; "))
	}
	return added, nil
}

// Remove stops watching key.
func (e *Engine) Remove(key string) bool {
	e.handOver(Parcel{Remove: []string{key}})
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.removeLocked(key) {
		return false
	}
	e.commitLocked()
	return true
}

func (e *Engine) removeLocked(key string) bool {
	for i, k := range e.state.Keys {
		if k.Key == key {
			e.state.Keys = append(e.state.Keys[:i], e.state.Keys[i+1:]...)
			delete(e.gens, key)
			delete(e.forced, key)
			e.dropEmptyNoticesLocked()
			return true
		}
	}
	return false
}

func cloneKeys(keys []*Key) []*Key {
	out := make([]*Key, len(keys))
	for i, k := range keys {
		out[i] = k.Clone()
	}
	return out
}

func (e *Engine) dropEmptyNoticesLocked() {
	kept := e.state.Notices[:0]
	for _, n := range e.state.Notices {
		if len(e.state.NoticeKeys(n.ID)) > 0 {
			kept = append(kept, n)
		}
	}
	e.state.Notices = kept
}

// Update changes a watched key with fn (a label, a send time) and saves.
func (e *Engine) Update(key string, fn func(*Key)) bool {
	e.mu.Lock()
	k := e.state.Key(key)
	if k == nil {
		e.mu.Unlock()
		return false
	}
	fn(k)
	k.Rev++
	e.commitLocked()
	edited := k.Clone()
	e.mu.Unlock()
	e.handOver(Parcel{Edits: []*Key{edited}})
	e.poke()
	return true
}

// Refresh queries keys at once (all live keys when none are named),
// within the budget, and resumes polling stopped by a fatal error.
func (e *Engine) Refresh(keys ...string) {
	e.mu.Lock()
	if len(keys) == 0 {
		for _, k := range e.state.Keys {
			keys = append(keys, k.Key)
		}
	}
	for _, k := range keys {
		e.forced[k] = true
	}
	e.halted = ""
	e.changedLocked()
	e.mu.Unlock()
	e.handOver(Parcel{Refresh: keys})
	e.poke()
}

// CreateNotice starts a notice named label and returns its ID; keys join
// it through AddSpec.Notice.
func (e *Engine) CreateNotice(label, text string, at time.Time) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := e.newNoticeLocked(label, text, at)
	return n.ID
}

func (e *Engine) newNoticeLocked(label, text string, at time.Time) *Notice {
	id := fmt.Sprintf("n%d-%d", at.Unix(), len(e.state.Notices)+1)
	for e.state.Notice(id) != nil {
		id += "x"
	}
	n := &Notice{ID: id, Label: label, CreatedAt: at, Rounds: []Round{{N: 0, At: at, Text: text}}}
	e.state.Notices = append(e.state.Notices, n)
	e.commitLocked()
	return n
}

// Group makes keys one notice named label (taking them out of any other
// notice) and returns its ID.
func (e *Engine) Group(keys []string, label string) (string, error) {
	label = strings.TrimSpace(label)
	if label == "" {
		return "", errors.New("a notice needs a name")
	}
	now := e.opts.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	var ks []*Key
	for _, key := range keys {
		if k := e.state.Key(key); k != nil {
			ks = append(ks, k)
		}
	}
	if len(ks) == 0 {
		return "", errors.New("no watched key to group")
	}
	if start, ok := (Group{Keys: ks}).Start(); ok {
		now = start // sent then, not when grouped: no "50% in 0s"
	}
	n := e.newNoticeLocked(label, "", now)
	for _, k := range ks {
		k.Notice, k.Round = n.ID, 0
		k.Rev++
	}
	e.dropEmptyNoticesLocked()
	e.commitLocked()
	return n.ID, nil
}

// Rename gives notice id a new label; it reports whether the notice exists.
func (e *Engine) Rename(id, label string) bool {
	label = strings.TrimSpace(label)
	e.mu.Lock()
	n := e.state.Notice(id)
	if n == nil || label == "" {
		e.mu.Unlock()
		return false
	}
	n.Label = label
	for _, k := range e.state.NoticeKeys(id) {
		k.Rev++ // their rows show the notice
	}
	e.commitLocked()
	renamed := *n
	e.mu.Unlock()
	e.handOver(Parcel{Notices: []*Notice{&renamed}, Renamed: true})
	return true
}
