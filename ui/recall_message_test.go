package ui

import (
	"context"
	"strings"
	"testing"
)

// TestRecallFailureMessageCountsOneKey: a failed recall of one key says
// "0 of 1 key", not "0 of 1 keys" (F27).
func TestRecallFailureMessageCountsOneKey(t *testing.T) {
	f := &fakeEngine{recallErr: "over 24 hours since sending"}
	msg, ok := recallKeys(context.Background(), f, "Fire drill", []string{"k1"})().(doneMsg)
	if !ok || msg.err == nil {
		t.Fatalf("got %#v, want a failure", msg)
	}
	if got := msg.err.Error(); !strings.HasPrefix(got, "recalled 0 of 1 key of Fire drill;") || !strings.Contains(got, "24 hours") {
		t.Fatalf("message %q", got)
	}
}
