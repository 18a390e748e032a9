package ui

import (
	"context"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// Engine is what the dashboard needs of watch.Engine: snapshots to show
// and the explicit operations a user may ask for. Every call is made from
// a command, never from Update or View.
type Engine interface {
	// Snapshot is the state to show; nothing reachable from it changes later.
	Snapshot() *watch.Snapshot
	// Add watches keys; the count is of keys newly watched.
	Add(watch.AddSpec) (int, error)
	// Remove stops watching keys, in one save.
	Remove(keys ...string) (removed int, err error)
	// SetLabel names a key.
	SetLabel(key, label string) error
	// SetSentAt gives a pasted key its send time.
	SetSentAt(key string, at time.Time) error
	// Rename names a notice.
	Rename(noticeID, label string) error
	// Refresh asks for fresh answers for keys (all keys when none), on
	// behalf of session ("" for the local dashboard).
	Refresh(session string, keys ...string) watch.RefreshResult
	// Group makes keys one notice, returning its ID.
	Group(keys []string, label string) (string, error)
	// Send sends a notice, or a reminder round of one.
	Send(ctx context.Context, spec watch.SendSpec) (watch.SendReport, error)
	// Recall recalls keys.
	Recall(ctx context.Context, keys []string) ([]watch.RecallOutcome, error)
	// Resend sends a notice again to the people of its failed batches (and
	// of its unknown ones when unknownToo).
	Resend(ctx context.Context, noticeID string, unknownToo bool) (watch.SendReport, error)
}
