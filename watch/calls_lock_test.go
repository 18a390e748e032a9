package watch

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gofrs/flock"
)

// TestAnInterruptedWaitForTheLedgerLockIsCanceled (breaker7 #6, #7): a
// book waiting for a lock another process holds says so once (OnLockWait),
// and an interrupt (ctx cancelled) then ends the wait with an error that
// errors.Is context.Canceled, with no advice about the directory; its
// JSON code is "ledger", not "budget", as for any failure to count.
func TestAnInterruptedWaitForTheLedgerLockIsCanceled(t *testing.T) {
	dir, st := budgetState(t, 1, 0)
	held := flock.New(filepath.Join(dir, callsLockName))
	if err := held.Lock(); err != nil {
		t.Fatal(err)
	}
	defer held.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := NewCallBook(dir, st, 40)
	waits := 0
	b.OnLockWait(func() { waits++; cancel() }) // Ctrl+C once it says it waits
	err := b.Reserve(ctx, 1, t0)
	if waits != 1 || !errors.Is(err, context.Canceled) {
		t.Fatalf("said %d times; err %v, want once and context.Canceled", waits, err)
	}
	var unknown *LedgerUnknownError
	if !errors.As(err, &unknown) || unknown.Cause == nil || unknown.Fix == "" || errors.Is(err, errCallsBusy) {
		t.Fatalf("err %#v", err)
	}
	if e := errorOf(err); e.Code != "ledger" {
		t.Fatalf("JSON code %q, want ledger", e.Code)
	}
	if got := len(inboxNames(t, dir)); got != 0 {
		t.Fatalf("%d parcels written by a reservation that was interrupted", got)
	}
}

// TestOnlyAFailureToCountIsCodedLedger: a spent budget and an unreadable
// state stay "budget" (waiting or --budget helps); an inbox that cannot
// be written is "ledger".
func TestOnlyAFailureToCountIsCodedLedger(t *testing.T) {
	dir, st := budgetState(t, 1, 40)
	if e := errorOf(NewCallBook(dir, st, 40).Reserve(context.Background(), 1, t0)); e.Code != "budget" {
		t.Fatalf("a spent budget is coded %q", e.Code)
	}
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "state.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if e := errorOf(NewCallBook(bad, nil, 40).Reserve(context.Background(), 1, t0)); e.Code != "budget" {
		t.Fatalf("an unreadable state is coded %q", e.Code)
	}
	dir, st = budgetState(t, 1, 0)
	if err := os.WriteFile(filepath.Join(dir, "inbox"), nil, 0o600); err != nil { // a file where the inbox goes
		t.Fatal(err)
	}
	if e := errorOf(NewCallBook(dir, st, 40).Reserve(context.Background(), 1, t0)); e.Code != "ledger" {
		t.Fatalf("an inbox that cannot be written is coded %q: %s", e.Code, e.Message)
	}
}
