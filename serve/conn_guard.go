package serve

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/ssh"
)

// Defaults of the connection limits, after sshd's LoginGraceTime and
// MaxStartups (sshd: 120 s, 10:30:100; dingwatch's logins are by key
// only and take well under a second, so the grace is shorter).
const (
	DefaultLoginGrace         = 30 * time.Second
	DefaultMaxUnauthenticated = 64
	DefaultMaxUnauthPerSource = 8
	// stalledWrite is how long one write to a client may block (its TCP
	// window full) before the connection is dropped.
	stalledWrite = 2 * time.Minute
	// connIdleMargin is how much longer a connection may stay silent than
	// a session: the session ends first, with its reason on screen.
	connIdleMargin = 30 * time.Second
)

// gate counts connections that have not logged in yet, in total and per
// source address, and refuses more than the caps.
type gate struct {
	maxTotal, maxPerSource int

	mu        sync.Mutex
	total     int
	perSource map[string]int
}

func newGate(maxTotal, maxPerSource int) *gate {
	return &gate{maxTotal: maxTotal, maxPerSource: maxPerSource, perSource: map[string]int{}}
}

// enter takes a slot for a new connection from source, or reports that a
// cap is reached ("total" or "source").
func (g *gate) enter(source string) (ok bool, full string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.total >= g.maxTotal:
		return false, "total"
	case g.perSource[source] >= g.maxPerSource:
		return false, "source"
	}
	g.total++
	g.perSource[source]++
	return true, ""
}

// leave gives a slot back.
func (g *gate) leave(source string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.total--
	if g.perSource[source]--; g.perSource[source] <= 0 {
		delete(g.perSource, source)
	}
}

// unauthenticated is how many connections hold a slot.
func (g *gate) unauthenticated() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.total
}

// guardConn is a client connection with dingwatch's deadlines. Until the
// login succeeds, the whole handshake must finish by a fixed deadline
// (the login grace), however slowly the client trickles bytes; after it,
// reads time out when the client has sent nothing for the idle limit, and
// the connection ends at the session limit. The server's own writes never
// extend anything. The ssh library's attempts to set deadlines are
// ignored: they would count the server's redraws as activity.
type guardConn struct {
	net.Conn
	source   string
	gate     *gate
	idle     time.Duration // 0: no idle limit
	hardStop time.Time     // zero: none
	loginBy  time.Time
	authed   atomic.Bool
	released sync.Once
	refused  func(*guardConn) // called once if it closes before logging in

	mu        sync.Mutex
	user      string        // last user name offered, for the refusal log
	key       ssh.PublicKey // last key offered
	triedKeys int
}

func (c *guardConn) Read(p []byte) (int, error) {
	if c.authed.Load() {
		c.Conn.SetReadDeadline(c.readDeadline(time.Now()))
	}
	return c.Conn.Read(p)
}

func (c *guardConn) Write(p []byte) (int, error) {
	d := time.Now().Add(stalledWrite)
	if !c.authed.Load() {
		d = c.loginBy
	}
	c.Conn.SetWriteDeadline(d)
	return c.Conn.Write(p)
}

// readDeadline is when a read started at now gives up.
func (c *guardConn) readDeadline(now time.Time) time.Time {
	var d time.Time
	if c.idle > 0 {
		d = now.Add(c.idle + connIdleMargin)
	}
	if !c.hardStop.IsZero() && (d.IsZero() || c.hardStop.Before(d)) {
		d = c.hardStop
	}
	return d
}

// SetDeadline is ignored: see guardConn.
func (c *guardConn) SetDeadline(time.Time) error { return nil }

// SetReadDeadline is ignored: see guardConn.
func (c *guardConn) SetReadDeadline(time.Time) error { return nil }

// SetWriteDeadline is ignored: see guardConn.
func (c *guardConn) SetWriteDeadline(time.Time) error { return nil }

// loggedIn ends the login grace: the slot is given back and the read
// already waiting under the grace deadline gets the idle one.
func (c *guardConn) loggedIn() {
	c.authed.Store(true)
	c.Conn.SetReadDeadline(c.readDeadline(time.Now()))
	c.release()
}

// release gives the slot back, once; a connection released before it
// logged in was refused.
func (c *guardConn) release() {
	c.released.Do(func() {
		c.gate.leave(c.source)
		if !c.authed.Load() && c.refused != nil {
			c.refused(c)
		}
	})
}

// Close closes the connection and gives its slot back if it still holds one.
func (c *guardConn) Close() error {
	c.release()
	return c.Conn.Close()
}

// offered records a key a client tried, for the refusal log.
func (c *guardConn) offered(user string, key ssh.PublicKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.user, c.key = user, key
	c.triedKeys++
}

// tried is what the client offered last, and how many keys in all.
func (c *guardConn) tried() (user string, key ssh.PublicKey, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.user, c.key, c.triedKeys
}
