package serve

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"

	"github.com/dingwatch/dingwatch/internal/safetext"
	"github.com/dingwatch/dingwatch/ui"
)

// dashboard runs the dashboard of one terminal session until the client
// quits or the server ends it. When the server ends it (idle, max time,
// key revoked, shutdown) the program quits the normal way, so the
// client's terminal is restored (alternate screen off, cursor shown), and
// one line says why.
func (s *Server) dashboard(sess ssh.Session, l *liveSession) int {
	pty, winch, _ := sess.Pty()
	changes, unsubscribe := s.opts.Engine.Subscribe()
	defer unsubscribe()
	var e ui.Engine = s.opts.Engine
	if l.role != roleUser {
		e = readOnly{s.opts.Engine, l.refreshAs}
	}
	m := ui.New(ui.Options{
		Engine: e, Changes: changes, Snapshot: e.Snapshot(), Renderer: newRenderer(sess, pty), Now: s.opts.Now,
		Region: s.opts.Region, ReadOnly: l.role != roleUser, NoExport: true,
		// The refresh limit is the key's: more sessions buy no more calls.
		Session: l.refreshAs,
		// TMUX or STY, when the client sends them (SendEnv), choose how its clipboard is reached.
		Getenv: sessionEnv(sess.Environ()),
		// A send outlives a dropped connection: cut short, a batch's outcome would be unknown.
		Ctx:  context.WithoutCancel(sess.Context()),
		Tick: s.opts.Tick, Bell: s.opts.Bell, Title: "dingwatch · " + safetext.Line(sess.User(), 32), Log: s.opts.Log,
	})
	p := tea.NewProgram(m,
		tea.WithInput(inputTap{sess, func() { l.touch(time.Now()) }}), tea.WithOutput(sess),
		tea.WithAltScreen(), tea.WithFPS(15), tea.WithoutSignalHandler())
	done := make(chan struct{})
	defer close(done)
	go s.steer(sess, l, p, winch, done)
	if _, err := p.Run(); err != nil {
		s.opts.Log.Warn("ssh: dashboard ended with an error", "session", l.id, "err", err.Error())
	}
	if why := l.reason(); why != "" {
		fmt.Fprintf(sess, "dingwatch: %s\r\n", why)
		return exitEnded
	}
	return exitOK
}

// resizeEvery is the shortest time between two resizes of a dashboard;
// the size a client asks for in between is applied when it ends.
const resizeEvery = 50 * time.Millisecond

// steer feeds the program the client's (clamped) window sizes and ends it
// when the session's limits say so, the server ends it, or the client
// goes away.
func (s *Server) steer(sess ssh.Session, l *liveSession, p *tea.Program, winch <-chan ssh.Window, done <-chan struct{}) {
	timer := time.NewTimer(s.nextCheck(l, time.Now()))
	defer timer.Stop()
	var (
		lastResize  time.Time
		pending     *tea.WindowSizeMsg
		resizeLater <-chan time.Time
	)
	for {
		select {
		case w, ok := <-winch:
			if !ok {
				winch = nil
				continue
			}
			now := time.Now()
			l.touch(now)
			width, height := clampWindow(w)
			msg := tea.WindowSizeMsg{Width: width, Height: height}
			// A flood of resizes is drawn at most once per resizeEvery.
			if wait := resizeEvery - now.Sub(lastResize); wait > 0 {
				pending = &msg
				if resizeLater == nil {
					resizeLater = time.After(wait)
				}
				continue
			}
			p.Send(msg)
			lastResize = now
		case now := <-resizeLater:
			resizeLater = nil
			if pending != nil {
				p.Send(*pending)
				pending, lastResize = nil, now
			}
		case now := <-timer.C:
			if why := s.limitReached(l, now); why != "" {
				l.end(why)
				continue
			}
			timer.Reset(s.nextCheck(l, now))
		case <-l.ended:
			p.Quit()
			return
		case <-sess.Context().Done():
			p.Quit()
			return
		case <-done:
			return
		}
	}
}

// limitReached says why the session must end now, or "".
func (s *Server) limitReached(l *liveSession, now time.Time) string {
	if s.opts.MaxTimeout > 0 && !now.Before(l.started.Add(s.opts.MaxTimeout)) {
		return fmt.Sprintf(reasonMax, s.opts.MaxTimeout)
	}
	if s.opts.IdleTimeout > 0 && !now.Before(time.Unix(0, l.lastInput.Load()).Add(s.opts.IdleTimeout)) {
		return fmt.Sprintf(reasonIdle, s.opts.IdleTimeout)
	}
	return ""
}

// nextCheck is how long until a limit of the session could be reached.
func (s *Server) nextCheck(l *liveSession, now time.Time) time.Duration {
	next := time.Hour
	if s.opts.MaxTimeout > 0 {
		next = min(next, l.started.Add(s.opts.MaxTimeout).Sub(now))
	}
	if s.opts.IdleTimeout > 0 {
		next = min(next, time.Unix(0, l.lastInput.Load()).Add(s.opts.IdleTimeout).Sub(now))
	}
	return max(next, time.Millisecond)
}

// sessionEnv reads the environment a client sent (KEY=value entries).
func sessionEnv(environ []string) func(string) string {
	return func(key string) string {
		for _, kv := range environ {
			if k, v, ok := strings.Cut(kv, "="); ok && k == key {
				return v
			}
		}
		return ""
	}
}
