package serve

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestIdleSessionEndsWhileTheDashboardRedraws(t *testing.T) {
	const idle = 2 * time.Second
	f := startWith(t, func(o *Options) { o.IdleTimeout = idle; o.Tick = 20 * time.Millisecond })
	term := f.openTerminal(t, f.user)
	term.waitFor(t, "Watched (2)")
	// The server keeps drawing (polls change the screen); the client sends nothing.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(30 * time.Millisecond):
				f.clk.Add(time.Minute)
				f.engine.Refresh("")
				f.engine.PollOnce(context.Background())
			}
		}
	}()
	firstFrame := len(term.out.String())
	term.waitEnd(t)
	if grew := len(term.out.String()) - firstFrame; grew < 1000 {
		t.Fatalf("the dashboard drew only %d bytes while idle: the test did not prove redraws do not count", grew)
	}
	term.assertRestoredWith(t, fmt.Sprintf(reasonIdle, idle))
}

func TestTypingKeepsASessionOpen(t *testing.T) {
	const idle = 2 * time.Second
	f := startWith(t, func(o *Options) { o.IdleTimeout = idle })
	term := f.openTerminal(t, f.user)
	term.waitFor(t, "Watched (2)")
	for end := time.Now().Add(2 * idle); time.Now().Before(end); {
		term.in.Write([]byte("j"))
		time.Sleep(50 * time.Millisecond)
		if term.ended() {
			t.Fatal("a session the client typed in ended as idle")
		}
	}
	term.waitEnd(t) // and once the typing stops, it ends
	term.assertRestoredWith(t, fmt.Sprintf(reasonIdle, idle))
}

func TestMaxTimeoutAndShutdownSayWhy(t *testing.T) {
	const most = 2 * time.Second
	f := startWith(t, func(o *Options) { o.MaxTimeout = most })
	term := f.openTerminal(t, f.user)
	term.waitFor(t, "Watched (2)")
	go func() {
		for !term.ended() {
			term.in.Write([]byte("j"))
			time.Sleep(20 * time.Millisecond)
		}
	}()
	term.waitEnd(t)
	term.assertRestoredWith(t, fmt.Sprintf(reasonMax, most))

	g := start(t)
	other := g.openTerminal(t, g.user)
	other.waitFor(t, "Watched (2)")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := g.server.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	other.waitEnd(t)
	other.assertRestoredWith(t, reasonShutdown)
}
