package stream

import "time"

// State is whether pushed events are arriving.
type State int

// The states of a Client.
const (
	// Off: the client is not running (never started, or stopped).
	Off State = iota
	// Reconnecting: running, but no connection is open; it is being
	// (re)opened, possibly after a backoff pause.
	Reconnecting
	// Live: a connection is open and events arrive on it.
	Live
)

// String is "off", "reconnecting" or "live".
func (s State) String() string {
	switch s {
	case Live:
		return "live"
	case Reconnecting:
		return "reconnecting"
	default:
		return "off"
	}
}

// Status is the client's state as reported to Config.OnStatus.
type Status struct {
	State State
	// Since is when the state began, on Config.Now's clock: for Live, when
	// the current connection opened; for Reconnecting, when the last live
	// connection was lost (or when the client started, if it never was
	// live), unchanged across failed attempts; for Off, when it stopped.
	Since time.Time
	// Err is the last failure, with secrets and tickets removed; "" when
	// none since the last live connection. Untrusted: clean it for output.
	Err string
	// Attempts is how many opens have failed in a row.
	Attempts int
}
