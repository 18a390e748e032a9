package cli

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A key removed in a dashboard that follows serve, then q at once: the
// removal reaches serve (it shows it), and serve, stopped the moment it
// does, has saved it.
func TestFollowerQuittingAtOnceHandsItsChangeToTheOwner(t *testing.T) {
	const n = 50
	env := simEnv(t, startSim(t))
	dir := expiredState(t, env, n)
	owner := serveDashboard(t, env)
	at := owner.drawn(t, 0, fmt.Sprintf("Watched (%d)", n))

	x := dashboardInTmux(t, env, 100, 30)
	x.waitFor("another dingwatch owns")
	x.waitFor(fmt.Sprintf("Watched (%d)", n))
	x.keys("d")
	x.waitFor("y removes · ")
	x.run("send-keys", "-t", "dw", "y")
	quitOnceShown(t, x, fmt.Sprintf("Watched (%d)", n-1))
	x.waitFor("EXIT=0")

	owner.drawn(t, at, fmt.Sprintf("Watched (%d)", n-1)) // taken from its inbox
	owner.stop(t, syscall.SIGTERM)
	if got := savedKeys(t, dir); got != n-1 {
		t.Fatalf("the follower removed a key and quit, the owner showed it and stopped: the file holds %d keys, want %d", got, n-1)
	}
}

// A dashboard that followed serve and took the state over when serve
// stopped saves as an owner: a key removed and q at once is gone from the
// file.
func TestFollowerThatTookOverSavesWhenItQuits(t *testing.T) {
	env := simEnv(t, startSim(t))
	dir := expiredState(t, env, quitKeys)
	owner := serveDashboard(t, env)
	owner.drawn(t, 0, fmt.Sprintf("Watched (%d)", quitKeys))

	x := dashboardInTmux(t, env, 100, 30)
	x.waitFor("another dingwatch owns")
	x.waitFor(fmt.Sprintf("Watched (%d)", quitKeys))
	owner.stop(t, syscall.SIGTERM)
	for deadline := time.Now().Add(20 * time.Second); strings.Contains(x.screen(), "another dingwatch owns"); {
		if time.Now().After(deadline) {
			t.Fatalf("the follower never took over:\n%s", x.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
	x.keys("d")
	x.waitFor("y removes · ")
	x.run("send-keys", "-t", "dw", "y")
	quitOnceShown(t, x, fmt.Sprintf("Watched (%d)", quitKeys-1))
	x.waitFor("EXIT=0")
	if got := savedKeys(t, dir); got != quitKeys-1 {
		t.Fatalf("the dashboard took over, removed a key and quit: the file holds %d keys, want %d", got, quitKeys-1)
	}
}

// quitOnceShown types q the moment the screen shows want: it looks as
// often as tmux answers, not every 100 ms as waitFor does.
func quitOnceShown(t *testing.T, x *tmux, want string) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(x.screen(), want); {
		if time.Now().After(deadline) {
			t.Fatalf("screen never showed %q:\n%s", want, x.screen())
		}
	}
	x.run("send-keys", "-t", "dw", "q")
}
