package cli

import (
	"context"
	"log/slog"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dingwatch/dingwatch/internal/safetext"
	"github.com/dingwatch/dingwatch/watch"
)

// Bounds of the --on-read hook.
const (
	// hookTimeout bounds one run of the hook; its whole process group is
	// killed then.
	hookTimeout = 30 * time.Second
	// hookSlots is how many runs go at once.
	hookSlots = 4
	// hookQueue is how many events may wait for a slot; past that the
	// oldest waiting read is dropped (never an "everyone" event) and the
	// log says how many were.
	hookQueue = 1000
	// hookOutputCap is how many bytes of a run's output are kept (for the
	// log line of a failed run); the rest is read and thrown away.
	hookOutputCap = 4 << 10
	// hookValueMax caps each DINGWATCH_* value, in runes.
	hookValueMax = 256
)

// hookOptions configure a hookRunner; zero bounds take the defaults above.
type hookOptions struct {
	Command string   // run with sh -c
	Env     []string // the environment to start from; DINGTALK_* is removed
	Log     *slog.Logger
	Timeout time.Duration
	Slots   int
	Queue   int
	// done, for tests, is told of each finished run.
	done func(hookRun)
}

// hookRun is what one run of the hook did.
type hookRun struct {
	Event  watch.ReadEvent
	Output string // the first hookOutputCap bytes of stdout and stderr
	Bytes  int64  // every byte it printed
	Err    error
}

// hookRunner runs the --on-read command for each read event: at most Slots
// at once, each in its own process group that is killed whole at Timeout,
// with events waiting in a bounded queue meanwhile.
type hookRunner struct {
	ctx  context.Context
	opts hookOptions
	env  []string

	mu      sync.Mutex
	queue   []watch.ReadEvent
	running int
	dropped int // events dropped since the log last said so
}

// onRead returns a hook that runs cmd for each read event, or nil when cmd
// is empty. env is the process environment the runs start from. The event
// is in the run's environment: DINGWATCH_EVENT (read, or everyone when the
// notice is complete), DINGWATCH_NOTICE, DINGWATCH_KEY, DINGWATCH_USER_ID,
// DINGWATCH_NAME, DINGWATCH_READ_AT (RFC 3339), and with everyone
// DINGWATCH_NOT_DELIVERED (how many people DingTalk did not deliver it
// to) — each made safe with safetext.Line; no DINGTALK_* variable is
// passed on.
func onRead(ctx context.Context, cmd string, env []string, log *slog.Logger) func(watch.ReadEvent) {
	if cmd == "" {
		return nil
	}
	return newHookRunner(ctx, hookOptions{Command: cmd, Env: env, Log: log}).Push
}

func newHookRunner(ctx context.Context, opts hookOptions) *hookRunner {
	if opts.Timeout <= 0 {
		opts.Timeout = hookTimeout
	}
	if opts.Slots <= 0 {
		opts.Slots = hookSlots
	}
	if opts.Queue <= 0 {
		opts.Queue = hookQueue
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &hookRunner{ctx: ctx, opts: opts, env: hookEnv(opts.Env)}
}

// hookEnv is env without any DINGTALK_* variable: the app secret and its
// relatives never reach a hook.
func hookEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(strings.ToUpper(kv), "DINGTALK_") {
			out = append(out, kv)
		}
	}
	return out
}

// Push queues ev and starts a run if a slot is free. It never blocks. When
// the queue is full the oldest waiting read is dropped to make room (an
// "everyone" event is never dropped), or ev itself if it is a read and
// only "everyone" events wait.
func (h *hookRunner) Push(ev watch.ReadEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.queue) >= h.opts.Queue {
		i := -1
		for j, q := range h.queue {
			if !q.Everyone {
				i = j
				break
			}
		}
		switch {
		case i >= 0:
			h.queue = append(h.queue[:i], h.queue[i+1:]...)
			h.dropped++
		case !ev.Everyone:
			h.dropped++
			return
		}
	}
	h.queue = append(h.queue, ev)
	if h.running < h.opts.Slots {
		h.running++
		go h.work()
	}
}

// work runs queued events until the queue is empty.
func (h *hookRunner) work() {
	for {
		h.mu.Lock()
		if len(h.queue) == 0 || h.ctx.Err() != nil {
			h.running--
			h.mu.Unlock()
			return
		}
		ev := h.queue[0]
		h.queue = h.queue[1:]
		if h.dropped > 0 {
			h.opts.Log.Warn("on-read: events dropped: too many waited for the command", "dropped", h.dropped, "queue", h.opts.Queue)
			h.dropped = 0
		}
		h.mu.Unlock()
		run := h.run(ev)
		if run.Err != nil {
			h.opts.Log.Warn("on-read command failed", "err", run.Err, "output", safetext.Line(run.Output, 500), "bytes", run.Bytes)
		}
		if h.opts.done != nil {
			h.opts.done(run)
		}
	}
}

// run runs the command once for ev, bounded in time and in kept output.
func (h *hookRunner) run(ev watch.ReadEvent) hookRun {
	ctx, cancel := context.WithTimeout(h.ctx, h.opts.Timeout)
	defer cancel()
	c := exec.CommandContext(ctx, "sh", "-c", h.opts.Command)
	kind := "read"
	if ev.Everyone {
		kind = "everyone"
	}
	clean := func(s string) string { return safetext.Line(s, hookValueMax) }
	c.Env = append(append([]string(nil), h.env...),
		"DINGWATCH_EVENT="+kind, "DINGWATCH_NOTICE="+clean(ev.Notice), "DINGWATCH_KEY="+clean(ev.Key),
		"DINGWATCH_USER_ID="+clean(ev.UserID), "DINGWATCH_NAME="+clean(ev.Name),
		"DINGWATCH_READ_AT="+ev.At.UTC().Format(time.RFC3339))
	if ev.Everyone {
		// everyone DingTalk delivered it to: those it did not never can read
		c.Env = append(c.Env, "DINGWATCH_NOT_DELIVERED="+strconv.Itoa(ev.NotDelivered))
	}
	out := &cappedBuffer{max: hookOutputCap}
	c.Stdout, c.Stderr = out, out
	ownProcessGroup(c)
	// Wait returns this long after the kill even if a child that left the
	// group still holds the output pipe open.
	c.WaitDelay = 2 * time.Second
	err := c.Run()
	endProcessGroup(c) // what the hook left running in the background goes too
	if ctx.Err() == context.DeadlineExceeded {
		err = context.DeadlineExceeded
	}
	return hookRun{Event: ev, Output: out.String(), Bytes: out.total, Err: err}
}

// cappedBuffer keeps the first max bytes written to it and counts the rest.
type cappedBuffer struct {
	mu    sync.Mutex
	max   int
	buf   []byte
	total int64
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.total += int64(len(p))
	if room := b.max - len(b.buf); room > 0 {
		b.buf = append(b.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (b *cappedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
