package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/watch"
)

// killOnWrite returns as soon as path's size or modification time changes,
// or after limit.
func killOnWrite(path string, limit time.Duration) {
	first, _ := os.Stat(path)
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		fi, err := os.Stat(path)
		if err == nil && first != nil && (fi.Size() != first.Size() || !fi.ModTime().Equal(first.ModTime())) {
			return
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// TestCrashSafety kills the real binary with SIGKILL while it polls and
// saves a large state, again and again, and loads the state after each
// kill: it is always whole (the old file or the new one, never torn).
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("crash safety")
	}
	s, err := sim.Start(sim.Options{AppKey: "app", AppSecret: secret, NotReadyFor: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	env := simEnv(t, s)
	dir := stateDir(env)
	var keys []string
	for i := range 200 {
		var ps []sim.Person
		for j := range 20 {
			ps = append(ps, sim.Person{UserID: fmt.Sprintf("u%d-%d", i, j), Name: fmt.Sprintf("员工 %d-%d", i, j),
				ReadAfter: time.Duration(j) * 700 * time.Millisecond})
		}
		keys = append(keys, s.AddMessage("dingdemo", time.Now(), ps))
	}
	// Start from a state that watches every key.
	store, st, _, err := watch.OpenStore(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e := watch.NewEngine(watch.Options{Client: nil, Store: store, State: st, RobotCode: "dingdemo"})
	e.Add(watch.AddSpec{Keys: keys, SentAt: time.Now()})
	store.Close()

	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	authorized := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(authorized, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600)

	rng := mrand.New(mrand.NewPCG(1, 2))
	kills := 16
	for i := range kills {
		cmd := exec.Command(binary, "serve", "--listen", "127.0.0.1:0", "--authorized-keys", authorized,
			"--interval", "1s", "--budget", "0", "--qps", "1000")
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill as soon as the state file changes, when a write is most
		// likely under way; or at a random moment.
		if i%2 == 0 {
			killOnWrite(filepath.Join(dir, "state.json"), 5*time.Second)
		} else {
			time.Sleep(time.Duration(300+rng.IntN(1700)) * time.Millisecond)
		}
		cmd.Process.Kill()
		cmd.Wait()
		got, err := watch.LoadState(dir)
		if err != nil {
			t.Fatalf("after kill %d: the state does not load: %v", i+1, err)
		}
		if len(got.Keys) != len(keys) {
			t.Fatalf("after kill %d: %d keys, want %d", i+1, len(got.Keys), len(keys))
		}
		if aside, _ := filepath.Glob(filepath.Join(dir, "state.json.corrupt-*")); len(aside) > 0 {
			t.Fatalf("after kill %d: a state was found corrupt: %v", i+1, aside)
		}
	}
	if s.Calls("readStatus") == 0 {
		t.Fatal("the binary never polled: the kills proved nothing")
	}
	t.Logf("%d kills, %d readStatus calls answered, state whole after each", kills, s.Calls("readStatus"))
}
