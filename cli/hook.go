package cli

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// onReadTimeout bounds one run of the --on-read command.
const onReadTimeout = 30 * time.Second

// onRead returns a hook that runs cmd (with sh -c) for each read event,
// at most four at once, each bounded in time. The event is in the
// environment: DINGWATCH_EVENT (read, or everyone when the notice is
// complete), DINGWATCH_NOTICE, DINGWATCH_KEY, DINGWATCH_USER_ID,
// DINGWATCH_NAME, DINGWATCH_READ_AT (RFC 3339).
func onRead(ctx context.Context, cmd string, log *slog.Logger) func(watch.ReadEvent) {
	if cmd == "" {
		return nil
	}
	slots := make(chan struct{}, 4)
	return func(ev watch.ReadEvent) {
		select {
		case slots <- struct{}{}:
		default:
			log.Warn("on-read: too many runs at once; event dropped", "key", ev.Key, "user", ev.UserID)
			return
		}
		go func() {
			defer func() { <-slots }()
			cctx, cancel := context.WithTimeout(ctx, onReadTimeout)
			defer cancel()
			c := exec.CommandContext(cctx, "sh", "-c", cmd)
			kind := "read"
			if ev.Everyone {
				kind = "everyone"
			}
			c.Env = append(os.Environ(),
				"DINGWATCH_EVENT="+kind, "DINGWATCH_NOTICE="+ev.Notice, "DINGWATCH_KEY="+ev.Key,
				"DINGWATCH_USER_ID="+ev.UserID, "DINGWATCH_NAME="+ev.Name, "DINGWATCH_READ_AT="+ev.At.Format(time.RFC3339))
			if out, err := c.CombinedOutput(); err != nil {
				log.Warn("on-read command failed", "err", err, "output", string(out[:min(len(out), 500)]))
			}
		}()
	}
}
