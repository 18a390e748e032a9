package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/dingwatch/dingwatch/watch"
)

// These tests run the real binary as a follower of an owner that quits
// without taking what the follower handed over (breaker5 Q6). The owner
// is the test itself holding the state's lock (as a dashboard holds it)
// and never taking the inbox, so that what the follower hands over is
// left for it to take when the lock comes free: the moment the owner
// quits is the test's to choose, not the scheduler's.

// holdState takes the state lock of dir as an owning dingwatch would; the
// test lets go of it with Unlock.
func holdState(t *testing.T, dir string) *flock.Flock {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	lock := flock.New(filepath.Join(dir, "state.lock"))
	if locked, err := lock.TryLock(); err != nil || !locked {
		t.Fatalf("the state lock: %v", err)
	}
	t.Cleanup(func() { lock.Unlock() })
	return lock
}

// parcels is how many changes wait in dir's inbox.
func parcels(t *testing.T, dir string) int {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Join(dir, "inbox"))
	n := 0
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".json" {
			n++
		}
	}
	return n
}

// awaitParcel waits (bounded, for a failing test only) until dir's inbox
// holds a parcel.
func awaitParcel(t *testing.T, dir string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); parcels(t, dir) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("nothing was handed over")
		}
	}
}

// A `send` that follows an owner hands the notice over and waits for the
// owner to save it; the owner quits without taking it: the send takes
// the state over and saves the notice itself, exits 0 without the
// "has not saved it" warning, and leaves nothing in the inbox.
func TestSendSavesItsNoticeWhenTheOwnerQuitsWithoutTakingIt(t *testing.T) {
	s := startSim(t)
	s.AddPeople(crew...)
	env := simEnv(t, s)
	dir := expiredState(t, env, 3)
	lock := holdState(t, dir)

	cmd := exec.Command(binary, "send", "--to", "u1,u2", "--text", "hi", "--label", "OwnerGone")
	cmd.Env = env
	var stderr bytes.Buffer // read once the command has exited
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	awaitParcel(t, dir)
	lock.Unlock() // the owner quits
	err := cmd.Wait()
	if err != nil || strings.Contains(stderr.String(), "has not saved") {
		t.Fatalf("send: %v\n%s", err, stderr.String())
	}
	st, err := watch.LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.NoticesLabelled("OwnerGone")) != 1 || parcels(t, dir) != 0 {
		t.Fatalf("the notice is not saved (%d parcels in the inbox)", parcels(t, dir))
	}
	out, errOut, code := runBinary(t, env, "", "--budget", "0", "status", "--notice", "OwnerGone")
	if code == 2 || !strings.Contains(out, "OwnerGone") {
		t.Fatalf("status --notice after the send: exit %d\n%s%s", code, out, errOut)
	}
}

// A dashboard following an owner removes a key; the owner quits and the
// dashboard is quit at once, before its own loop notices the state is
// free: the removal is in the saved state, nothing waits in the inbox,
// and it exits 0.
func TestTmuxFollowerSavesWhenTheOwnerQuitsJustBefore(t *testing.T) {
	const n = 40
	env := simEnv(t, startSim(t))
	dir := expiredState(t, env, n)
	lock := holdState(t, dir)

	x := dashboardInTmux(t, env, 100, 30)
	x.waitFor("another dingwatch owns")
	x.waitFor(fmt.Sprintf("Watched (%d)", n))
	x.keys("d")
	x.waitFor("y removes · ")
	x.run("send-keys", "-t", "dw", "y")
	x.waitFor(fmt.Sprintf("Watched (%d)", n-1))
	awaitParcel(t, dir)
	lock.Unlock() // the owner quits, never having taken the removal
	x.run("send-keys", "-t", "dw", "q")
	x.waitFor("EXIT=0")
	if got := savedKeys(t, dir); got != n-1 || parcels(t, dir) != 0 {
		t.Fatalf("the follower removed a key and quit as the owner quit: the file holds %d keys (want %d), %d parcels wait in the inbox",
			got, n-1, parcels(t, dir))
	}
}

// When the owner has quit and the saved state cannot be taken whole (here
// a newer dingwatch wrote it meanwhile), the quitting follower leaves its
// change in the inbox and says so, exiting 1; the newer file is left as
// it is.
func TestTmuxFollowerSaysWhatItCouldNotSave(t *testing.T) {
	const n = 10
	env := simEnv(t, startSim(t))
	dir := expiredState(t, env, n)
	lock := holdState(t, dir)

	x := newTmux(t)
	errFile := filepath.Join(t.TempDir(), "stderr")
	cmd := "env " + strings.Join(env, " ") + " TERM=screen NO_COLOR=1 " + binary + " 2>" + errFile + "; echo EXIT=$?; sleep 60"
	x.run("new-session", "-d", "-s", "dw", "-x", "100", "-y", "30", cmd)
	x.waitFor("another dingwatch owns")
	x.waitFor(fmt.Sprintf("Watched (%d)", n))
	x.keys("d")
	x.waitFor("y removes · ")
	x.run("send-keys", "-t", "dw", "y")
	x.waitFor(fmt.Sprintf("Watched (%d)", n-1))
	awaitParcel(t, dir)
	newer := []byte(`{"version": 99, "keys": []}`)
	if err := os.WriteFile(filepath.Join(dir, "state.json"), newer, 0o600); err != nil {
		t.Fatal(err)
	}
	lock.Unlock()
	x.run("send-keys", "-t", "dw", "q")
	x.waitFor("EXIT=1")
	said, _ := os.ReadFile(errFile)
	for _, want := range []string{"the last changes could not be saved", "1 change handed over waits in " + filepath.Join(dir, "inbox"), "newer dingwatch"} {
		if !strings.Contains(string(said), want) {
			t.Errorf("stderr does not say %q:\n%s", want, said)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "state.json")); string(got) != string(newer) || parcels(t, dir) != 1 {
		t.Fatalf("the newer state was written over, or the change not left in the inbox (%d parcels)", parcels(t, dir))
	}
}
