package watch

// WarningKind says what a Warning is about, so views and tests can tell
// warnings apart without reading their text.
type WarningKind int

// The kinds of warning.
const (
	// WarnNote is any other message for the user (its Text says it all).
	WarnNote WarningKind = iota
	// WarnFollowing: another dingwatch owns the state directory (Path);
	// this one shows that process's state and hands it every change. It
	// goes away when this process takes over.
	WarnFollowing
	// WarnStateSetAside: the saved state (or part of it) could not be
	// used and was moved aside to Path.
	WarnStateSetAside
	// WarnStateUnreadable: the saved state at Path could not be read and
	// was left where it is (a follower never moves the owner's file).
	WarnStateUnreadable
	// WarnParcelSetAside: a change handed over by another dingwatch could
	// not be read and was kept at Path.
	WarnParcelSetAside
	// WarnHandOver: a change could not be handed to the dingwatch that
	// owns the state; it shows here but the owner does not have it.
	WarnHandOver
	// WarnThrottled: DingTalk is throttling the app's calls; polling
	// pauses (throttle.go). It goes away with the next good answer.
	WarnThrottled
	// WarnCallsLock: the call ledger's lock (calls.lock, Path) cannot be
	// taken: it is not a lock file, cannot be opened, or another process
	// has held it too long. Polling asks nothing and the changes other
	// dingwatch processes hand over wait until it can be (pass_counted.go).
	// It goes away once the lock is taken.
	WarnCallsLock
)

// Warning is a message every view shows until the user dismisses it.
type Warning struct {
	Kind WarningKind
	Text string // one line, for the user; may hold untrusted text (clean it at output)
	Path string // the file it is about, or ""
}

// String is the warning's text.
func (w Warning) String() string { return w.Text }
