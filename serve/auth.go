package serve

import (
	"net"
	"sync/atomic"

	"github.com/charmbracelet/ssh"
)

// grant is what a key may do from an address.
type grant struct {
	role  role
	noPTY bool
}

// grantOf looks key up in the users, then the viewers, keeping only lines
// whose from= admits addr. Users win over viewers.
func (s *Server) grantOf(key ssh.PublicKey, addr net.Addr) grant {
	if key == nil {
		return grant{}
	}
	if keyIn(s.opts.Users, key) {
		return grant{role: roleUser}
	}
	if g, ok := match(s.opts.UsersFile.Keys(), key, addr); ok {
		g.role = roleUser
		return g
	}
	if keyIn(s.opts.Viewers, key) {
		return grant{role: roleViewer}
	}
	if g, ok := match(s.opts.ViewersFile.Keys(), key, addr); ok {
		g.role = roleViewer
		return g
	}
	return grant{}
}

// match finds a line for key whose from= admits addr; a line that allows
// a terminal wins over one that does not.
func match(lines []AuthorizedKey, key ssh.PublicKey, addr net.Addr) (grant, bool) {
	found, best := false, grant{}
	for _, l := range lines {
		if !ssh.KeysEqual(l.Key, key) || !allowedFrom(l.From, addr) {
			continue
		}
		if !found || (best.noPTY && !l.NoPTY) {
			best = grant{noPTY: l.NoPTY}
		}
		found = true
	}
	return best, found
}

// authorize lets in users and viewers, by public key only, from the
// addresses their lines allow. It sees the key files as they are now.
func (s *Server) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	s.reloadKeys()
	if g := guardOf(ctx); g != nil {
		g.offered(ctx.User(), key)
	}
	return s.grantOf(key, ctx.RemoteAddr()).role != roleNone
}

// allowPTY refuses a terminal to keys whose line says no-pty.
func (s *Server) allowPTY(ctx ssh.Context, _ ssh.Pty) bool {
	key, _ := ctx.Value(ssh.ContextKeyPublicKey).(ssh.PublicKey)
	return !s.grantOf(key, ctx.RemoteAddr()).noPTY
}

// allowSession caps the sessions open at once on one connection, and
// refuses subsystems (sftp and the like: dingwatch serves none).
func (s *Server) allowSession(sess ssh.Session, requestType string) bool {
	n, _ := sess.Context().Value(sessionCountKey{}).(*atomic.Int32)
	if n == nil || requestType == "subsystem" {
		return false
	}
	if n.Add(1) > maxSessionsPerConn {
		n.Add(-1)
		return false
	}
	return true
}

// sessionDone gives back the slot allowSession took.
func sessionDone(sess ssh.Session) {
	if n, _ := sess.Context().Value(sessionCountKey{}).(*atomic.Int32); n != nil {
		n.Add(-1)
	}
}

// reloadKeys reads changed key files again and ends the sessions of keys
// they no longer grant (or now grant another role).
func (s *Server) reloadKeys() {
	a := s.opts.UsersFile.Reload()
	b := s.opts.ViewersFile.Reload()
	if !a && !b {
		return
	}
	for _, l := range s.sessions.all() {
		if g := s.grantOf(l.key, l.remote); g.role != l.role {
			s.opts.Log.Info("ssh: ending a session whose key is no longer authorised", "session", l.id, "remote", l.remote.String(), "role", l.role.String())
			l.end(reasonRevoked)
		}
	}
}
