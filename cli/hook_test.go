package cli

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

func TestOnReadRunsCommandWithEvent(t *testing.T) {
	out := filepath.Join(t.TempDir(), "events")
	hook := onRead(context.Background(), `printf '%s|%s|%s|%s\n' "$DINGWATCH_EVENT" "$DINGWATCH_NOTICE" "$DINGWATCH_USER_ID" "$DINGWATCH_NAME" >> `+out, slog.New(slog.DiscardHandler))
	hook(watch.ReadEvent{Notice: "周会", Key: "k", UserID: "u1", Name: "张伟", At: time.Now(), Everyone: true})
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(out)
		if strings.TrimSpace(string(b)) == "everyone|周会|u1|张伟" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %q", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestOnReadOffWithoutCommand(t *testing.T) {
	if onRead(context.Background(), "", slog.New(slog.DiscardHandler)) != nil {
		t.Fatal("a hook without a command")
	}
}
