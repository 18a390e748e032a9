package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/dingwatch/dingwatch/internal/safetext/safetexttest"
	"github.com/dingwatch/dingwatch/watch"
)

// What an exit could not save is said on one inert line however hostile
// the path of the state or the reason (an entry of the state file named
// in it) is; alone, it is the command's error and exits 1; after another
// error, that error stays the command's and the line is said on stderr.
func TestStoppedSaysWhatWasLeftInert(t *testing.T) {
	for name, h := range safetexttest.Hostile {
		t.Run(name, func(t *testing.T) {
			var stderr bytes.Buffer
			a := &app{io: streams{err: &stderr}}
			left := &watch.LeftInInboxError{Inbox: "/state/" + h + "/inbox", Parcels: 2, Err: errors.New(h)}
			ran := errors.New("the dashboard failed")
			if err := a.stopped(ran, left); err != ran {
				t.Fatalf("the command's own error was replaced: %v", err)
			}
			out := stderr.String()
			if !strings.HasPrefix(out, "dingwatch: the last changes could not be saved: 2 changes handed over wait in /state/") ||
				strings.Count(out, "\n") != 1 {
				t.Fatalf("said %q", out)
			}
			safetexttest.AssertInert(t, "the stop's error after another", out, true) // its one line break is counted above

			stderr.Reset()
			err := a.stopped(nil, left)
			if exitCode(err) != exitFailed || !errors.As(err, new(*watch.LeftInInboxError)) || stderr.Len() != 0 {
				t.Fatalf("alone: exit %d, %v, said %q", exitCode(err), err, stderr.String())
			}
			if a.stopped(nil, nil) != nil || a.stopped(ran, nil) != ran {
				t.Fatal("a stop without error changed the command's")
			}
		})
	}
}

// Errors joined at an exit (a save that failed, and parcels left in the
// inbox) are said with "; " between them, not run together (breaker6 R7).
func TestStoppedSeparatesJoinedErrors(t *testing.T) {
	var stderr bytes.Buffer
	a := &app{io: streams{err: &stderr}}
	left := &watch.LeftInInboxError{Inbox: "/state/inbox", Parcels: 1, Err: errors.New("newer")}
	stop := errors.Join(errors.New("could not save state: not overwritten"), left)
	a.stopped(errors.New("ran"), stop)
	if !strings.Contains(stderr.String(), "not overwritten; 1 change handed over waits in /state/inbox") {
		t.Fatalf("said %q", stderr.String())
	}
	err := a.stopped(nil, stop)
	if !strings.Contains(err.Error(), "not overwritten; 1 change") || !errors.As(err, new(*watch.LeftInInboxError)) {
		t.Fatalf("alone: %v", err)
	}
}
