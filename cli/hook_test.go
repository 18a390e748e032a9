package cli

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/internal/safetext/safetexttest"
	"github.com/dingwatch/dingwatch/watch"
)

// waitFile waits (bounded, as a guard only) until path holds want lines.
func waitLines(t *testing.T, path string, want int) []string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(b) > 0 && len(lines) >= want {
			return lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d lines, want %d: %q", path, len(lines), want, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestOnReadRunsCommandWithEvent(t *testing.T) {
	out := filepath.Join(t.TempDir(), "events")
	hook := onRead(context.Background(), `printf '%s|%s|%s|%s|%s\n' "$DINGWATCH_EVENT" "$DINGWATCH_NOTICE" "$DINGWATCH_USER_ID" "$DINGWATCH_NAME" "${DINGWATCH_NOT_DELIVERED-unset}" >> `+out,
		[]string{"PATH=" + os.Getenv("PATH")}, slog.New(slog.DiscardHandler))
	hook(watch.ReadEvent{Notice: "周会", Key: "k", UserID: "u1", Name: "张伟", At: time.Now(), Everyone: true, NotDelivered: 2})
	if got := waitLines(t, out, 1); got[0] != "everyone|周会|u1|张伟|2" {
		t.Fatalf("got %q", got)
	}
	// A read that completes nothing says no count of people not delivered.
	hook(watch.ReadEvent{Notice: "周会", Key: "k", UserID: "u2", Name: "李娜", At: time.Now()})
	if got := waitLines(t, out, 2); got[1] != "read|周会|u2|李娜|unset" {
		t.Fatalf("got %q", got)
	}
}

func TestOnReadOffWithoutCommand(t *testing.T) {
	if onRead(context.Background(), "", nil, slog.New(slog.DiscardHandler)) != nil {
		t.Fatal("a hook without a command")
	}
}

func TestHookSeesNoDingTalkVariables(t *testing.T) {
	out := filepath.Join(t.TempDir(), "env")
	env := []string{"PATH=" + os.Getenv("PATH"), "DINGTALK_APP_SECRET=s3cret", "DINGTALK_SUITE_SECRET=x",
		"dingtalk_app_key=lower", "DINGTALK_ENDPOINT=http://127.0.0.1:1", "KEEP_ME=yes"}
	hook := onRead(context.Background(), "env > "+out+"; echo done >> "+out+".done", env, nil)
	hook(watch.ReadEvent{Key: "k", UserID: "u"})
	waitLines(t, out+".done", 1)
	b, _ := os.ReadFile(out)
	if strings.Contains(strings.ToUpper(string(b)), "DINGTALK_") || strings.Contains(string(b), "s3cret") {
		t.Fatalf("a DINGTALK_ variable reached the hook:\n%s", b)
	}
	if !strings.Contains(string(b), "KEEP_ME=yes") || !strings.Contains(string(b), "DINGWATCH_USER_ID=u") {
		t.Fatalf("the rest of the environment is missing:\n%s", b)
	}
}

func TestHookEnvironmentIsInert(t *testing.T) {
	for name, hostile := range safetexttest.Hostile {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "env")
			hook := onRead(context.Background(), `printf '%s|%s|%s|%s|%s' "$DINGWATCH_NOTICE" "$DINGWATCH_KEY" "$DINGWATCH_USER_ID" "$DINGWATCH_NAME" "$DINGWATCH_EVENT" > `+out+`.tmp && mv `+out+`.tmp `+out,
				[]string{"PATH=" + os.Getenv("PATH")}, nil)
			hook(watch.ReadEvent{Notice: hostile, Key: hostile, UserID: hostile, Name: hostile})
			deadline := time.Now().Add(20 * time.Second)
			for {
				b, err := os.ReadFile(out)
				if err == nil {
					safetexttest.AssertInert(t, "hook environment", string(b), false)
					if !strings.HasSuffix(string(b), "|read") {
						t.Fatalf("the hook did not run with every value: %q", b)
					}
					return
				}
				if time.Now().After(deadline) {
					t.Fatal("the hook never ran")
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// blockingHook is a command that waits for gate to exist, then appends
// its event kind to out.
func blockingHook(gate, out string) string {
	return `while [ ! -e ` + gate + ` ]; do sleep 0.02; done; echo "$DINGWATCH_EVENT" >> ` + out
}

func TestTenReadsWithFourSlotsDeliverEveryone(t *testing.T) {
	dir := t.TempDir()
	gate, out := filepath.Join(dir, "gate"), filepath.Join(dir, "out")
	h := newHookRunner(context.Background(), hookOptions{Command: blockingHook(gate, out),
		Env: []string{"PATH=" + os.Getenv("PATH")}, Slots: 4})
	for i := range 10 {
		h.Push(watch.ReadEvent{Key: "k", UserID: fmt.Sprint("u", i), Everyone: i == 9})
	}
	os.WriteFile(gate, nil, 0o600)
	lines := waitLines(t, out, 10)
	everyone := strings.Count(strings.Join(lines, "\n"), "everyone")
	if len(lines) != 10 || everyone != 1 {
		t.Fatalf("got %d events, %d everyone: %q", len(lines), everyone, lines)
	}
}

// logBuffer is a slog handler's writer that tests can read while hooks log.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestFullQueueDropsReadsNeverEveryoneAndSaysHowMany(t *testing.T) {
	dir := t.TempDir()
	gate, out := filepath.Join(dir, "gate"), filepath.Join(dir, "out")
	var logs logBuffer
	started := filepath.Join(dir, "started")
	h := newHookRunner(context.Background(), hookOptions{Command: "echo >> " + started + "; " + blockingHook(gate, out),
		Env: []string{"PATH=" + os.Getenv("PATH")}, Slots: 1, Queue: 3,
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
	// One runs (blocked); three wait; six more reads and the everyone event
	// arrive while the queue is full.
	h.Push(watch.ReadEvent{Key: "k", UserID: "u0"})
	waitLines(t, started, 1)
	for i := 1; i < 10; i++ {
		h.Push(watch.ReadEvent{Key: "k", UserID: fmt.Sprint("u", i)})
	}
	h.Push(watch.ReadEvent{Key: "k", UserID: "last", Everyone: true})
	os.WriteFile(gate, nil, 0o600)
	lines := waitLines(t, out, 4) // the running one and three waiting
	joined := strings.Join(lines, "\n")
	if !strings.Contains(joined, "everyone") {
		t.Fatalf("the everyone event was dropped: %q", lines)
	}
	if !strings.Contains(logs.String(), "dropped=7") {
		t.Fatalf("the log must say how many events were dropped:\n%s", logs.String())
	}
}
