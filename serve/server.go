package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	bm "github.com/charmbracelet/wish/bubbletea"
	"github.com/charmbracelet/wish/recover"
	"github.com/muesli/termenv"
	gossh "golang.org/x/crypto/ssh"

	"github.com/dingwatch/dingwatch/ui"
	"github.com/dingwatch/dingwatch/watch"
)

// Options configure a Server.
type Options struct {
	Engine      *watch.Engine
	Addr        string // host:port
	HostKeyPath string // created (0600) when missing
	Users       []ssh.PublicKey
	Viewers     []ssh.PublicKey // may watch, not change
	// UsersFile and ViewersFile, when set, are read again when they
	// change; their keys join Users and Viewers.
	UsersFile   *KeyFile
	ViewersFile *KeyFile
	IdleTimeout time.Duration
	MaxTimeout  time.Duration
	Region      string
	Log         *slog.Logger
	Now         func() time.Time
}

// Server serves the dashboard over SSH.
type Server struct {
	opts Options
	ssh  *ssh.Server
}

// New builds the server; nothing listens until Serve.
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
	if err := os.MkdirAll(filepath.Dir(opts.HostKeyPath), 0o700); err != nil {
		return nil, fmt.Errorf("host key directory: %w", err)
	}
	s := &Server{opts: opts}
	srv, err := wish.NewServer(
		wish.WithAddress(opts.Addr),
		wish.WithHostKeyPath(opts.HostKeyPath),
		wish.WithPublicKeyAuth(s.authorize),
		wish.WithIdleTimeout(opts.IdleTimeout),
		wish.WithMaxTimeout(opts.MaxTimeout),
		wish.WithMiddleware(
			recover.MiddlewareWithLogger(panicLogger{opts.Log},
				bm.MiddlewareWithProgramHandler(s.program, termenv.Ascii)), // never force colours on a terminal without them
			s.textStatusWithoutPTY,
			s.logSession,
		),
	)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	s.ssh = srv
	return s, nil
}

// authorize lets in users and viewers, by public key only.
func (s *Server) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	ok := s.isUser(key) || s.isViewer(key)
	if !ok {
		s.opts.Log.Warn("ssh: refused key", "user", ctx.User(), "fingerprint", gossh.FingerprintSHA256(key), "remote", ctx.RemoteAddr().String())
	}
	return ok
}

// viewer reports whether the session's key may only watch.
func (s *Server) viewer(sess ssh.Session) bool {
	k := sess.PublicKey()
	return k == nil || (!s.isUser(k) && s.isViewer(k))
}

func (s *Server) isUser(k ssh.PublicKey) bool {
	return contains(s.opts.Users, k) || contains(s.opts.UsersFile.Keys(), k)
}

func (s *Server) isViewer(k ssh.PublicKey) bool {
	return contains(s.opts.Viewers, k) || contains(s.opts.ViewersFile.Keys(), k)
}

// Serve listens on ln (or the configured address when ln is nil) until
// Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	var err error
	if ln == nil {
		err = s.ssh.ListenAndServe()
	} else {
		err = s.ssh.Serve(ln)
	}
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting sessions, gives open ones a moment, then closes them.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.ssh.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return s.ssh.Close()
	}
	return err
}

// program is the dashboard of one session: its own renderer and size, the
// shared engine, read-only for viewers.
func (s *Server) program(sess ssh.Session) *tea.Program {
	changes, unsubscribe := s.opts.Engine.Subscribe()
	go func() {
		<-sess.Context().Done()
		unsubscribe()
	}()
	var e ui.Engine = s.opts.Engine
	viewer := s.viewer(sess)
	if viewer {
		e = readOnly{s.opts.Engine}
	}
	m := ui.New(ui.Options{
		Engine: e, Changes: changes, Renderer: bm.MakeRenderer(sess), Now: s.opts.Now,
		Region: s.opts.Region, ReadOnly: viewer, NoExport: true,
		// Each session has its own refresh allowance: no one spends the team's budget.
		Session: "ssh:" + sess.Context().SessionID(),
		// A send outlives a dropped connection: cut short, a batch's outcome would be unknown.
		Ctx:  context.WithoutCancel(sess.Context()),
		Tick: 5 * time.Second, Title: "dingwatch · " + sess.User(), Log: s.opts.Log,
	})
	opts := append(bm.MakeOptions(sess), tea.WithAltScreen(), tea.WithFPS(15))
	return tea.NewProgram(m, opts...)
}

// textStatusWithoutPTY answers a session without a terminal (ssh -T, or a
// command) with a one-shot text status instead of the dashboard.
func (s *Server) textStatusWithoutPTY(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if _, _, ok := sess.Pty(); ok {
			next(sess)
			return
		}
		WriteStatus(sess, s.opts.Engine.Snapshot(), s.opts.Now())
	}
}

// logSession writes one line per session: who, with which key, how long.
func (s *Server) logSession(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		start := time.Now()
		fp := ""
		if k := sess.PublicKey(); k != nil {
			fp = gossh.FingerprintSHA256(k)
		}
		role := "user"
		if s.viewer(sess) {
			role = "viewer"
		}
		next(sess)
		s.opts.Log.Info("ssh session", "user", sess.User(), "role", role, "fingerprint", fp,
			"remote", sess.RemoteAddr().String(), "duration", time.Since(start).Round(time.Millisecond).String())
	}
}

// panicLogger sends a session's panic to the log file, not to anyone's screen.
type panicLogger struct{ log *slog.Logger }

func (p panicLogger) Printf(format string, v ...any) {
	p.log.Error("ssh session panicked", "detail", fmt.Sprintf(format, v...))
}
