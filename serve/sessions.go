package serve

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// role is what a key may do.
type role int

const (
	roleNone   role = iota
	roleViewer      // may watch and refresh (within its session's limit)
	roleUser        // may do everything
)

func (r role) String() string {
	switch r {
	case roleUser:
		return "user"
	case roleViewer:
		return "viewer"
	}
	return "none"
}

// Reasons the server ends a session, printed to the client as the last
// line ("dingwatch: " + reason).
const (
	reasonIdle     = "session closed after %s without input (--idle-timeout)"
	reasonMax      = "session closed after %s (--max-timeout)"
	reasonRevoked  = "session closed: this key is no longer authorised"
	reasonShutdown = "session closed: the server is shutting down"
)

// liveSession is one open session, as the server tracks it to end it.
type liveSession struct {
	id string // names the session in the log
	// refreshAs is the session name given to Engine.Refresh: the key's
	// fingerprint, so that one person's sessions and connections share
	// one refresh allowance.
	refreshAs string
	key       ssh.PublicKey
	remote    net.Addr
	role      role
	started   time.Time

	lastInput atomic.Int64 // unix nanoseconds of the client's last input
	once      sync.Once
	ended     chan struct{}
	why       atomic.Pointer[string]
}

// touch records input from the client.
func (l *liveSession) touch(now time.Time) { l.lastInput.Store(now.UnixNano()) }

// end asks the session to close, saying why; the first reason wins.
func (l *liveSession) end(reason string) {
	l.once.Do(func() {
		l.why.Store(&reason)
		close(l.ended)
	})
}

// reason is why the server ended the session, or "" (the client ended it).
func (l *liveSession) reason() string {
	if r := l.why.Load(); r != nil {
		return *r
	}
	return ""
}

// registry holds the open sessions.
type registry struct {
	mu   sync.Mutex
	next uint64
	open map[*liveSession]struct{}
}

func newRegistry() *registry { return &registry{open: map[*liveSession]struct{}{}} }

// add registers a session and returns it with the function that removes it.
func (r *registry) add(key ssh.PublicKey, remote net.Addr, ro role, now time.Time) (*liveSession, func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next++
	l := &liveSession{id: fmt.Sprintf("ssh-%d", r.next), refreshAs: "ssh:" + fingerprint(key), key: key, remote: remote, role: ro, started: now, ended: make(chan struct{})}
	l.touch(now)
	r.open[l] = struct{}{}
	return l, func() {
		r.mu.Lock()
		delete(r.open, l)
		r.mu.Unlock()
	}
}

// all lists the open sessions.
func (r *registry) all() []*liveSession {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*liveSession, 0, len(r.open))
	for l := range r.open {
		out = append(out, l)
	}
	return out
}

// fingerprint is key's SHA256 fingerprint, or "" without a key.
func fingerprint(key ssh.PublicKey) string {
	if key == nil {
		return ""
	}
	return gossh.FingerprintSHA256(key)
}
