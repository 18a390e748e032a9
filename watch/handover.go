package watch

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Pending reads the parcels waiting in the inbox for the owner, oldest
// first, without taking them: what other processes handed over that the
// owner has not applied (nor saved) yet. Unreadable parcels are skipped
// (the owner sets them aside).
func (s *Store) Pending() []Parcel {
	entries, err := os.ReadDir(s.inbox())
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".json" {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	var out []Parcel
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(s.inbox(), n))
		var p Parcel
		if err == nil && json.Unmarshal(data, &p) == nil {
			out = append(out, p)
		}
	}
	return out
}

// ShowHandedOver applies, to what this engine shows, the changes other
// processes (or this one) handed to the owner that the owner has not
// taken yet, so that a one-shot command that follows the owner sees them:
// a notice just sent holds its label, and `send --label` refuses it again.
// Nothing is delivered again nor saved; a change that no longer applies
// is skipped. It does nothing when this engine owns the state (it then
// takes its inbox itself). It reports how many parcels it applied.
func (e *Engine) ShowHandedOver() int {
	if !e.following() {
		return 0
	}
	parcels := e.opts.Store.Pending()
	if len(parcels) == 0 {
		return 0
	}
	now := e.opts.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range parcels {
		for _, op := range p.Ops {
			e.applyLocked([]Op{op}, now)
		}
	}
	e.changedLocked()
	return len(parcels)
}

// ErrOwnerSilent is AwaitSaved's error when the owner of the state did not
// save the handed-over change within the time allowed.
var ErrOwnerSilent = errors.New("the dingwatch that owns the state has not saved the change yet")

// AwaitSaved waits, when another process owns the state, until the saved
// state holds round round of notice noticeID with at least batches
// batches: the owner has taken and saved what this engine's send handed
// over, so a later command that reads the saved state (status --notice, a
// send with the same label) sees it. It looks every step on the engine's
// clock, for at most within; ErrOwnerSilent after that, ctx's error if it
// ends first. It returns at once when this engine owns the state (its
// own saves are done when Send returns). When the owner quits without
// taking the parcel (the state's lock is free), this engine takes the
// state over (claim) and saves it itself.
func (e *Engine) AwaitSaved(ctx context.Context, noticeID string, round, batches int, within time.Duration) error {
	if !e.following() {
		return nil
	}
	const step = 100 * time.Millisecond
	deadline := e.opts.Now().Add(within)
	for {
		if st, err := e.opts.Store.load(); err == nil && savedRound(st, noticeID, round, batches) {
			return nil
		}
		if e.following() {
			if owned, _ := e.claim(); owned {
				continue // the owner quit without taking it: this engine took and saved it
			}
		}
		if !e.opts.Now().Before(deadline) {
			return ErrOwnerSilent
		}
		e.opts.Sleep(ctx, step, nil)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// savedRound reports whether st holds notice id with at least batches
// batches of round.
func savedRound(st *State, id string, round, batches int) bool {
	n := st.Notice(id)
	if n == nil {
		return false
	}
	got := 0
	for _, b := range n.Batches {
		if b.Round == round {
			got++
		}
	}
	return got >= batches
}
