//go:build unix

package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

func TestHookKilledWholeWithBoundedOutput(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "sleeper")
	runs := make(chan hookRun, 1)
	// The hook forks a sleeper in its process group, then prints without end.
	h := newHookRunner(context.Background(), hookOptions{
		Command: `sleep 300 & echo $! > ` + pidFile + `; yes dingwatch-hook-output`,
		Env:     []string{"PATH=" + os.Getenv("PATH")}, Timeout: 300 * time.Millisecond,
		done: func(r hookRun) { runs <- r },
	})
	h.Push(watch.ReadEvent{Key: "k", UserID: "u"})
	var run hookRun
	select {
	case run = <-runs:
	case <-time.After(30 * time.Second):
		t.Fatal("the hook was not stopped")
	}
	if run.Err == nil {
		t.Fatal("a run stopped at the time limit must report it")
	}
	if len(run.Output) > hookOutputCap || run.Bytes <= hookOutputCap {
		t.Fatalf("kept %d bytes of %d printed; want at most %d kept of more", len(run.Output), run.Bytes, hookOutputCap)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	// The sleeper was killed with its group; once its parent is gone it
	// is reaped, and no process with its id is left (bounded guard wait).
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); bytes.Contains(stat, []byte(") Z ")) {
			break // a zombie: dead, waiting for init to reap it
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hook's sleeper %d outlived the time limit", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
