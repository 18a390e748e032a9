package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/charmbracelet/wish/recover"
	gossh "golang.org/x/crypto/ssh"

	"github.com/dingwatch/dingwatch/watch"
)

// Options configure a Server. Durations and caps left zero take the
// Default… values.
type Options struct {
	Engine      *watch.Engine
	Addr        string // host:port
	HostKeyPath string // created (0600) when missing
	Users       []ssh.PublicKey
	Viewers     []ssh.PublicKey // may watch, not change
	// UsersFile and ViewersFile are read again when they change (checked
	// every ReloadEvery and at each login); their keys join Users and
	// Viewers, and sessions of keys they no longer grant are ended.
	UsersFile   *KeyFile
	ViewersFile *KeyFile
	// IdleTimeout ends a session when the client has sent nothing (no
	// key, no resize) for this long; the server's redraws do not count.
	// Zero: no idle limit.
	IdleTimeout time.Duration
	// MaxTimeout ends any session this long after it started. Zero: none.
	MaxTimeout time.Duration
	// LoginGrace is how long a connection has to finish the SSH handshake
	// and log in (sshd's LoginGraceTime).
	LoginGrace time.Duration
	// MaxUnauthenticated and MaxUnauthPerSource cap the connections that
	// have not logged in yet, in total and per source address (sshd's
	// MaxStartups and PerSourceMaxStartups); more are closed at once.
	MaxUnauthenticated int
	MaxUnauthPerSource int
	// ReloadEvery is how often the key files are checked for changes.
	ReloadEvery time.Duration
	// RefusalInterval is how often repeated refusals are summed up in
	// the log (one line per source address).
	RefusalInterval time.Duration
	Region          string
	Log             *slog.Logger
	// Now is the clock of the dashboards (relative times). Session and
	// connection limits use the real clock.
	Now func() time.Time
	// Tick is how often a dashboard redraws relative times (default 5s).
	Tick time.Duration
	// Bell rings each session's terminal bell when someone reads (the
	// bell setting), as the local dashboard does.
	Bell bool
}

// Defaults of Options.
const (
	DefaultReloadEvery = 2 * time.Second
	defaultTick        = 5 * time.Second
	// maxSessionsPerConn caps the sessions one connection may open at
	// once (sshd's MaxSessions).
	maxSessionsPerConn = 10
)

// Server serves the dashboard over SSH.
type Server struct {
	opts     Options
	ssh      *ssh.Server
	gate     *gate
	refused  *refusalLog
	sessions *registry

	stopOnce sync.Once
	stop     chan struct{}
	bg       sync.WaitGroup
}

// New builds the server; nothing listens until Listen or Serve.
func New(opts Options) (*Server, error) {
	if len(opts.Users)+len(opts.Viewers)+len(opts.UsersFile.Keys())+len(opts.ViewersFile.Keys()) == 0 {
		return nil, errors.New("no authorized keys: nobody could log in")
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	setDefault(&opts.LoginGrace, DefaultLoginGrace)
	setDefault(&opts.ReloadEvery, DefaultReloadEvery)
	setDefault(&opts.RefusalInterval, DefaultRefusalInterval)
	setDefault(&opts.Tick, defaultTick)
	setDefault(&opts.MaxUnauthenticated, DefaultMaxUnauthenticated)
	setDefault(&opts.MaxUnauthPerSource, DefaultMaxUnauthPerSource)
	if err := os.MkdirAll(filepath.Dir(opts.HostKeyPath), 0o700); err != nil {
		return nil, fmt.Errorf("host key directory: %w", err)
	}
	if fi, err := os.Stat(opts.HostKeyPath); err == nil && fi.Mode().Perm()&0o077 != 0 {
		// As sshd: whoever can read the host key can pose as this server.
		return nil, fmt.Errorf("host key %s is readable by group or others (%v): anyone who can read it can pose as this server; fix with: chmod 600 %s",
			opts.HostKeyPath, fi.Mode().Perm(), opts.HostKeyPath)
	}
	s := &Server{opts: opts, gate: newGate(opts.MaxUnauthenticated, opts.MaxUnauthPerSource),
		refused: newRefusalLog(opts.Log), sessions: newRegistry(), stop: make(chan struct{})}
	srv, err := wish.NewServer(
		wish.WithAddress(opts.Addr),
		wish.WithHostKeyPath(opts.HostKeyPath),
		wish.WithPublicKeyAuth(s.authorize),
		ssh.WrapConn(s.accept),
		wish.WithMiddleware(recover.MiddlewareWithLogger(panicLogger{opts.Log},
			func(ssh.Handler) ssh.Handler { return s.handle })),
	)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	srv.ServerConfigCallback = s.serverConfig
	srv.PtyCallback = s.allowPTY
	srv.SessionRequestCallback = s.allowSession
	srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": sessionHandler}
	s.ssh = srv
	return s, nil
}

func setDefault[T time.Duration | int](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

// HostKeyFingerprint is the SHA256 fingerprint of the server's host key,
// as ssh prints it when it first connects ("SHA256:…").
func (s *Server) HostKeyFingerprint() string {
	if len(s.ssh.HostSigners) == 0 {
		return ""
	}
	return gossh.FingerprintSHA256(s.ssh.HostSigners[0].PublicKey())
}

// Listen binds the configured address, so that the caller can announce
// the real port before serving.
func (s *Server) Listen() (net.Listener, error) {
	return net.Listen("tcp", s.opts.Addr)
}

// Serve answers on ln until Shutdown; with a nil ln it listens on the
// configured address first.
func (s *Server) Serve(ln net.Listener) error {
	if ln == nil {
		var err error
		if ln, err = s.Listen(); err != nil {
			return err
		}
	}
	s.bg.Add(1)
	go s.background()
	err := s.ssh.Serve(ln)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections and ends every session (each
// client is told why and gets its terminal back); once they have ended,
// or ctx ends, it closes every connection.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopOnce.Do(func() { close(s.stop) })
	for _, l := range s.sessions.all() {
		l.end(reasonShutdown)
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for len(s.sessions.all()) > 0 && ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
	err := s.ssh.Close()
	s.bg.Wait()
	if errors.Is(err, ssh.ErrServerClosed) {
		err = nil
	}
	return err
}

// background reloads the key files and writes the refusal counts until
// Shutdown.
func (s *Server) background() {
	defer s.bg.Done()
	reload := time.NewTicker(s.opts.ReloadEvery)
	defer reload.Stop()
	refusals := time.NewTicker(s.opts.RefusalInterval)
	defer refusals.Stop()
	for {
		select {
		case <-s.stop:
			s.refused.flush(s.opts.RefusalInterval)
			return
		case <-reload.C:
			s.reloadKeys()
		case <-refusals.C:
			s.refused.flush(s.opts.RefusalInterval)
		}
	}
}

// accept admits a new connection within the caps on connections that
// have not logged in, and puts the login grace on it.
func (s *Server) accept(ctx ssh.Context, c net.Conn) net.Conn {
	source := sourceOf(c.RemoteAddr())
	if ok, full := s.gate.enter(source); !ok {
		reason := "too many connections not logged in from this address"
		if full == "total" {
			reason = "too many connections not logged in"
		}
		s.refused.add(source, reason, "", nil)
		return nil
	}
	now := time.Now()
	g := &guardConn{Conn: c, source: source, gate: s.gate, idle: s.opts.IdleTimeout, loginBy: now.Add(s.opts.LoginGrace)}
	if s.opts.MaxTimeout > 0 {
		g.hardStop = now.Add(s.opts.MaxTimeout + connIdleMargin)
	}
	c.SetDeadline(g.loginBy)
	g.refused = s.connectionRefused
	ctx.SetValue(guardKey{}, g)
	ctx.SetValue(sessionCountKey{}, new(atomic.Int32))
	return g
}

type (
	guardKey        struct{}
	sessionCountKey struct{}
)

// guardOf is the guarded connection of a connection's context.
func guardOf(ctx ssh.Context) *guardConn {
	g, _ := ctx.Value(guardKey{}).(*guardConn)
	return g
}

// serverConfig ends a connection's login grace when its login succeeds.
func (s *Server) serverConfig(ctx ssh.Context) *gossh.ServerConfig {
	return &gossh.ServerConfig{
		AuthLogCallback: func(_ gossh.ConnMetadata, _ string, err error) {
			if g := guardOf(ctx); err == nil && g != nil {
				g.loggedIn()
			}
		},
	}
}

// connectionRefused logs a connection that closed before it logged in:
// refused keys, a handshake that did not finish in the grace, a client
// that gave up.
func (s *Server) connectionRefused(g *guardConn) {
	user, key, tried := g.tried()
	reason := "closed before logging in"
	switch {
	case !time.Now().Before(g.loginBy):
		reason = "login grace time out"
	case tried > 0:
		reason = "key not authorised"
	}
	s.refused.add(g.source, reason, user, key)
}

// sourceOf is the address part of a peer, the unit of the per-source cap.
func sourceOf(a net.Addr) string {
	if ip, ok := addrIP(a); ok {
		return ip.String()
	}
	return a.String()
}

// panicLogger sends a session's panic to the log file, not to anyone's screen.
type panicLogger struct{ log *slog.Logger }

func (p panicLogger) Printf(format string, v ...any) {
	p.log.Error("ssh session panicked", "detail", fmt.Sprintf(format, v...))
}
