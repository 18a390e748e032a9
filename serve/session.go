package serve

import (
	"fmt"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// Exit statuses of a session.
const (
	exitOK      = 0
	exitEnded   = 1 // the server ended the session (idle, max time, key revoked, shutdown)
	exitFailed  = 1 // status: a reported key failed or a reported notice has a failed or unknown batch
	exitRefused = 2 // a command dingwatch does not run over SSH, or bad arguments
)

// handle runs one session: the dashboard for a terminal without a
// command, a command (status) otherwise, and one log line at the end.
func (s *Server) handle(sess ssh.Session) {
	defer sessionDone(sess)
	start := time.Now()
	g := s.grantOf(sess.PublicKey(), sess.RemoteAddr())
	fp := ""
	if k := sess.PublicKey(); k != nil {
		fp = gossh.FingerprintSHA256(k)
	}
	attrs := []any{"user", logValue(sess.User()), "role", g.role.String(), "fingerprint", fp, "remote", sess.RemoteAddr().String()}
	if cmd := sess.RawCommand(); cmd != "" {
		attrs = append(attrs, "command", logValue(cmd))
	}
	if g.role == roleNone { // revoked between login and now
		fmt.Fprintf(sess.Stderr(), "dingwatch: %s\r\n", reasonRevoked)
		s.opts.Log.Info("ssh session", append(attrs, "ended", reasonRevoked)...)
		sess.Exit(exitEnded)
		return
	}
	l, remove := s.sessions.add(sess.PublicKey(), sess.RemoteAddr(), g.role, start)
	defer remove()
	_, _, tty := sess.Pty()
	var code int
	switch {
	case sess.RawCommand() == "" && tty:
		code = s.dashboard(sess, l)
	case sess.RawCommand() == "":
		WriteStatus(sess, s.opts.Engine.Snapshot(), s.opts.Now())
	default:
		code = s.command(sess, l)
	}
	if why := l.reason(); why != "" {
		attrs = append(attrs, "ended", why)
	}
	s.opts.Log.Info("ssh session", append(attrs, "exit", code,
		"duration", time.Since(start).Round(time.Millisecond).String())...)
	sess.Exit(code)
}
