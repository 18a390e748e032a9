// Package stream is a small client for DingTalk's Stream mode: one
// WebSocket, opened by the app with its own credentials (no public address
// needed), over which DingTalk pushes events such as robot_msg_read and
// robot_msg_recall. Pushed events cost no metered call and carry DingTalk's
// own read time.
//
// The client opens a connection with a single-use ticket, answers pings,
// acknowledges every event on the connection it came on before handing it
// on, drops redelivered events, pings after a silence, and reconnects with
// exponential backoff and jitter, with a fresh ticket each time. Frames are
// untrusted: their size is capped and no frame can make it panic.
package stream

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/internal/safetext"
)

// Defaults of a Config.
const (
	DefaultMinBackoff   = time.Second
	DefaultMaxBackoff   = 60 * time.Second
	DefaultHealthyAfter = 30 * time.Second
	DefaultPingAfter    = 60 * time.Second
	DefaultPongWait     = 5 * time.Second
	DefaultAckTimeout   = 2 * time.Second // within DingTalk's 3 s
	DefaultDrainFor     = 30 * time.Second
	DefaultOpenTimeout  = 10 * time.Second
	DefaultReadLimit    = 256 << 10 // bytes per frame
	DefaultRemember     = 4096      // event ids kept to drop redeliveries
	DefaultQueueLimit   = 10000     // events waiting for OnEvent
	DefaultUserAgent    = "dingwatch/dev"
)

// Config configures a Client. Zero values take the defaults.
type Config struct {
	// Endpoint is the API base URL (https://api.dingtalk.io or
	// https://api.dingtalk.com); plain http only to a loopback address.
	Endpoint string
	// ClientID and ClientSecret are the app key and secret (or the suite
	// key and secret of a third-party app).
	ClientID, ClientSecret string
	UserAgent              string
	// HTTPClient opens connections and dials; it never follows redirects
	// (a redirect is refused). Default: a client of its own.
	HTTPClient *http.Client
	Logger     *slog.Logger // default: discard

	// Now is the clock of Status.Since and of a connection's age (default
	// time.Now).
	Now func() time.Time
	// Sleep waits d or until ctx ends (default: a timer); the backoff pause.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand is the backoff jitter source, in [0, 1) (default math/rand/v2).
	Rand func() float64

	// OnEvent receives each event once (redeliveries dropped), after it was
	// acknowledged, in order, on a goroutine of its own: it may be slow
	// without holding up the connection, but must return.
	OnEvent func(Event)
	// OnStatus receives each change of state, on the goroutine of Run; it
	// must return quickly.
	OnStatus func(Status)

	MinBackoff   time.Duration // first pause before reconnecting
	MaxBackoff   time.Duration // longest pause
	HealthyAfter time.Duration // a connection that lasted this long resets the backoff
	PingAfter    time.Duration // silence before a WebSocket ping
	PongWait     time.Duration // how long to wait for the pong
	AckTimeout   time.Duration // bound on writing one ACK
	DrainFor     time.Duration // how long a connection told to disconnect may linger
	OpenTimeout  time.Duration // bound on opening a ticket, and on dialing
	ReadLimit    int64         // largest frame accepted, in bytes
	Remember     int           // event ids remembered to drop redeliveries
	QueueLimit   int           // events waiting for OnEvent before new ones are dropped
}

// Client keeps a Stream connection open while Run runs.
type Client struct {
	cfg     Config
	base    *url.URL
	http    *http.Client
	ownHTTP bool
	log     *slog.Logger
	seen    *recent
	running atomic.Bool

	mu     sync.Mutex
	status Status

	stats struct {
		opens, connections, frames, events, duplicates, acks, pings atomic.Int64
	}
}

// New checks cfg and returns a Client. It fails on a bad endpoint or
// missing credentials.
func New(cfg Config) (*Client, error) {
	base, err := checkBase(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("stream: the app key and secret (clientId, clientSecret) are needed to open a stream connection")
	}
	setDefaults(&cfg)
	c := &Client{cfg: cfg, base: base, log: cfg.Logger, seen: newRecent(cfg.Remember)}
	if cfg.HTTPClient == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		cfg.HTTPClient = &http.Client{Transport: tr}
		c.ownHTTP = true
	}
	c.http = noRedirect(cfg.HTTPClient)
	return c, nil
}

func setDefaults(cfg *Config) {
	dur := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	dur(&cfg.MinBackoff, DefaultMinBackoff)
	dur(&cfg.MaxBackoff, DefaultMaxBackoff)
	dur(&cfg.HealthyAfter, DefaultHealthyAfter)
	dur(&cfg.PingAfter, DefaultPingAfter)
	dur(&cfg.PongWait, DefaultPongWait)
	dur(&cfg.AckTimeout, DefaultAckTimeout)
	dur(&cfg.DrainFor, DefaultDrainFor)
	dur(&cfg.OpenTimeout, DefaultOpenTimeout)
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = cfg.MinBackoff
	}
	if cfg.ReadLimit <= 0 {
		cfg.ReadLimit = DefaultReadLimit
	}
	if cfg.Remember <= 0 {
		cfg.Remember = DefaultRemember
	}
	if cfg.QueueLimit <= 0 {
		cfg.QueueLimit = DefaultQueueLimit
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = dingtalk.Sleep
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
}

func (c *Client) now() time.Time { return c.cfg.Now() }

// Status is the client's current state.
func (c *Client) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

func (c *Client) setStatus(st Status) {
	c.mu.Lock()
	changed := st != c.status
	c.status = st
	c.mu.Unlock()
	if changed && c.cfg.OnStatus != nil {
		c.cfg.OnStatus(st)
	}
}

// Stats counts what a Client did since it was made.
type Stats struct {
	Opens       int64 // tickets asked for
	Connections int64 // connections opened
	Frames      int64 // frames received
	Events      int64 // EVENT frames received, redeliveries included
	Duplicates  int64 // redelivered events dropped
	Acks        int64 // ACKs written (events, pings, callbacks)
	Pings       int64 // SYSTEM pings answered
}

// Stats is a snapshot of the counters.
func (c *Client) Stats() Stats {
	return Stats{Opens: c.stats.opens.Load(), Connections: c.stats.connections.Load(),
		Frames: c.stats.frames.Load(), Events: c.stats.events.Load(), Duplicates: c.stats.duplicates.Load(),
		Acks: c.stats.acks.Load(), Pings: c.stats.pings.Load()}
}

// backoff is the pause after the n-th failure in a row (n from 0): MinBackoff
// doubling up to MaxBackoff, times a jitter factor in [0.75, 1.25), never
// above MaxBackoff.
func (c *Client) backoff(n int) time.Duration {
	d := c.cfg.MinBackoff
	for i := 0; i < n && d < c.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.cfg.MaxBackoff)
	r := c.cfg.Rand()
	if r < 0 || r >= 1 || r != r {
		r = 0.5
	}
	return min(time.Duration(float64(d)*(0.75+r/2)), c.cfg.MaxBackoff)
}

// Run keeps a connection open until ctx ends, reconnecting as needed, and
// returns once every goroutine it started has ended (events still waiting
// for OnEvent are dropped). It returns ctx's error, or an error at once if
// Run is already running.
func (c *Client) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("stream: Run is already running")
	}
	defer c.running.Store(false)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	lastErr := ""
	defer func() {
		cancel()
		wg.Wait()
		if c.ownHTTP {
			c.http.CloseIdleConnections()
		}
		c.setStatus(Status{State: Off, Since: c.now(), Err: lastErr})
	}()
	q := newQueue(c.cfg.QueueLimit)
	wg.Add(1)
	go func() {
		defer wg.Done()
		q.run(ctx, c.cfg.OnEvent)
	}()

	down, failures := c.now(), 0
	c.setStatus(Status{State: Reconnecting, Since: down})
	for ctx.Err() == nil {
		s, err := c.connect(ctx, &wg, q)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			lastErr = c.describe(err, ticket{})
			c.log.Warn("stream: could not connect", "err", safetext.Line(lastErr, 0), "attempt", failures+1)
			failures++
			c.setStatus(Status{State: Reconnecting, Since: down, Err: lastErr, Attempts: failures})
			if c.cfg.Sleep(ctx, c.backoff(failures-1)) != nil {
				break
			}
			continue
		}
		lastErr = ""
		c.setStatus(Status{State: Live, Since: s.opened})
		select {
		case <-ctx.Done():
		case <-s.disc:
			// A new connection now; the old one delivers until DingTalk closes it.
			s.drain(&wg)
			down = c.now()
			if down.Sub(s.opened) >= c.cfg.HealthyAfter {
				failures = 0
				continue
			}
			// Told to leave at once, again and again: pace the opens.
			failures++
			if c.cfg.Sleep(ctx, c.backoff(failures-1)) != nil {
				return ctx.Err()
			}
		case <-s.done:
			if c.now().Sub(s.opened) >= c.cfg.HealthyAfter {
				failures = 0
			}
			down = c.now()
			lastErr = c.describe(s.reason(), s.t)
			c.log.Warn("stream: connection lost", "conn", s.id, "err", safetext.Line(lastErr, 0))
			failures++
			c.setStatus(Status{State: Reconnecting, Since: down, Err: lastErr, Attempts: failures})
			if c.cfg.Sleep(ctx, c.backoff(failures-1)) != nil {
				return ctx.Err()
			}
		}
	}
	return ctx.Err()
}

// Probe opens one connection and closes it: nil when the credentials are
// accepted and the stream endpoint answers. A refusal to open is a
// *dingtalk.Error. An event that reaches the probe is not acknowledged,
// so DingTalk redelivers it to the app's other connections.
func (c *Client) Probe(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	if c.ownHTTP {
		defer c.http.CloseIdleConnections()
	}
	s, err := c.connect(ctx, &wg, nil)
	if err != nil {
		return err
	}
	s.conn.Close(1000, "probe done") //nolint:errcheck // closing anyway
	s.fail(errors.New("probe done"))
	return nil
}
