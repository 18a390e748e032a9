package watch

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
)

// A metered call is made only once it is counted on disk: the owner's
// poll pass counts its calls in the ledger and saves it under the call
// ledger's lock before asking (reservePass). Two things can stop that,
// and each stops the pass (nobody is asked) and is said until it ends:
//
//   - the save fails (a full disk, a state directory that became
//     read-only): the pass's calls are taken back out of the ledger, and
//     the "not saved" banner (Snapshot.SaveErr) says that polling waits
//     for a save. Every later pass tries the save again; the first one
//     that succeeds lets polling resume. Without this a one-shot status
//     reading the stale ledger on disk would spend the same room of the
//     budget again.
//   - the lock cannot be taken (calls.lock is a directory, cannot be
//     opened, or a hung process holds it): a WarnCallsLock warning names
//     the lock and its fix until the lock is taken again.
//
// Refresh says either as RefreshResult.Stuck, so that r and R do not claim
// that the keys need no call.

// savedNow is saveNow, reporting whether the state as it was when called
// is on disk (an engine without a store has nothing to write).
func (e *Engine) savedNow() bool {
	if e.opts.Store == nil {
		return true
	}
	e.mu.Lock()
	ver := e.dataVer
	e.mu.Unlock()
	e.saveNow()
	e.saver.mu.Lock()
	defer e.saver.mu.Unlock()
	return e.saver.saved >= ver
}

// giveBack undoes a pass planned by reservePass whose calls could not be
// saved: its calls leave the ledger, the keys a refresh asked for stay
// asked for, and polling waits for a save.
func (e *Engine) giveBack(jobs []job) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, j := range jobs {
		e.state.Calls.Undo(j.at)
		if j.forced && e.keyLocked(j.key) != nil {
			e.forced[j.key] = true
		}
	}
	e.pollWaits = true
	e.dataChangedLocked()
}

// pollWaitsNote ends the "not saved" banner while polling waits for a save.
const pollWaitsNote = ": polling asks nothing until a save succeeds (a call is made only once it is counted on disk); dingwatch tries again every few seconds"

// saveErrTextLocked is the last save's error for the views: with
// pollWaitsNote while a pass waits for a save.
func (e *Engine) saveErrTextLocked() string {
	if e.saveErr != "" && e.pollWaits {
		return e.saveErr + pollWaitsNote
	}
	return e.saveErr
}

// lockAnswer records how taking the call ledger's lock went: a failure is
// a WarnCallsLock warning (its text is the failure's) until the lock is
// taken. A wait cut short by ctx says nothing, and neither does a lock
// busy for the short wait of an inbox look (poll false): the poll pass's
// long wait says a lock held too long.
func (e *Engine) lockAnswer(ctx context.Context, err error, poll bool) {
	if e.opts.Store == nil || (err != nil && (ctx.Err() != nil || (!poll && errors.Is(err, errCallsBusy)))) {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	i := slices.IndexFunc(e.warnings, func(w Warning) bool { return w.Kind == WarnCallsLock })
	if err == nil {
		if i >= 0 {
			e.warnings = slices.Delete(e.warnings, i, i+1)
			e.changedLocked()
		}
		return
	}
	w := Warning{Kind: WarnCallsLock, Path: filepath.Join(filepath.Dir(e.opts.Store.Path()), callsLockName),
		Text: "nothing is asked, and changes from other dingwatch processes wait: " + err.Error() +
			"; check the state directory (calls.lock must be a file this user can open, and no hung dingwatch may hold it)"}
	switch {
	case i < 0:
		e.warnings = append(e.warnings, w)
	case e.warnings[i] == w:
		return
	default:
		e.warnings[i] = w
	}
	e.changedLocked()
}

// stuckLocked is why no call can be made now, for a refresh, in a few
// words ("calls.lock cannot be taken"): "" when calls can be made.
func (e *Engine) stuckLocked() string {
	switch {
	case e.pollWaits:
		return "the state cannot be saved"
	case slices.ContainsFunc(e.warnings, func(w Warning) bool { return w.Kind == WarnCallsLock }):
		return "calls.lock cannot be taken"
	}
	return ""
}
