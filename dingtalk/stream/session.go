package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/dingwatch/dingwatch/internal/safetext"
)

// session is one open Stream connection: a goroutine reading frames and
// answering them, and one pinging after a silence.
type session struct {
	c      *Client
	id     int64
	t      ticket
	conn   *websocket.Conn
	ctx    context.Context
	cancel context.CancelFunc
	opened time.Time // on Config.Now's clock
	start  time.Time // wall clock with monotonic reading, for silences
	last   atomic.Int64

	done     chan struct{} // closed once the connection is closed
	disc     chan struct{} // closed when DingTalk asks to reconnect
	discOnce sync.Once

	mu  sync.Mutex
	err error // why the connection ended
}

// connect opens a ticket, dials it, and starts the session's goroutines
// under wg. They end when ctx ends or the connection dies. Events go to q;
// with q nil (a probe) they are left unacknowledged.
func (c *Client) connect(ctx context.Context, wg *sync.WaitGroup, q *queue) (*session, error) {
	c.stats.opens.Add(1)
	t, err := c.open(ctx)
	if err != nil {
		return nil, err
	}
	s := &session{c: c, id: c.stats.connections.Add(1), t: t, start: time.Now(),
		done: make(chan struct{}), disc: make(chan struct{})}
	dctx, cancel := context.WithTimeout(ctx, c.cfg.OpenTimeout)
	defer cancel()
	h := http.Header{}
	h.Set("User-Agent", c.cfg.UserAgent)
	conn, resp, err := websocket.Dial(dctx, t.dialURL(), &websocket.DialOptions{
		HTTPClient: c.http, HTTPHeader: h,
		OnPongReceived: func(context.Context, []byte) { s.touch() },
	})
	if err != nil {
		msg := c.describe(err, t)
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			msg = fmt.Sprintf("the stream endpoint refused the connection (HTTP %d)", resp.StatusCode)
		}
		return nil, errors.New("dialing the stream connection: " + msg)
	}
	conn.SetReadLimit(c.cfg.ReadLimit)
	s.conn = conn
	s.opened = c.now()
	s.touch()
	s.ctx, s.cancel = context.WithCancel(ctx)
	wg.Add(2)
	go s.read(wg, q)
	go s.keepalive(wg)
	c.log.Info("stream connected", "conn", s.id)
	return s, nil
}

// touch notes that the connection was heard from.
func (s *session) touch() { s.last.Store(int64(time.Since(s.start))) }

// idle is how long the connection has been silent.
func (s *session) idle() time.Duration {
	return time.Since(s.start) - time.Duration(s.last.Load())
}

// fail records why the connection ends and ends it.
func (s *session) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	s.cancel()
}

// reason is why the connection ended.
func (s *session) reason() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// read answers frames until the connection ends, then closes it.
func (s *session) read(wg *sync.WaitGroup, q *queue) {
	defer wg.Done()
	defer close(s.done)
	defer s.conn.CloseNow() //nolint:errcheck // already closed or closing
	for {
		_, b, err := s.conn.Read(s.ctx)
		if err != nil {
			s.fail(err)
			return
		}
		s.touch()
		if err := s.handle(b, q); err != nil {
			s.fail(err)
			return
		}
	}
}

// handle answers one frame; an error means the connection is unusable.
func (s *session) handle(b []byte, q *queue) error {
	c := s.c
	c.stats.frames.Add(1)
	f, err := DecodeFrame(b)
	if err != nil {
		c.log.Debug("stream: unreadable frame ignored", "conn", s.id, "bytes", len(b))
		return nil
	}
	switch f.Type {
	case FrameSystem:
		switch f.Topic() {
		case TopicPing:
			c.stats.pings.Add(1)
			return s.reply(f.MessageID(), f.Data)
		case TopicDisconnect:
			c.log.Info("stream: DingTalk asks to reconnect", "conn", s.id,
				"reason", safetext.Line(disconnectReason(f.Data), 200))
			s.discOnce.Do(func() { close(s.disc) })
		}
	case FrameEvent:
		if q == nil {
			// A probe takes no event: unacknowledged, DingTalk gives it
			// to another connection of the app.
			return nil
		}
		// ACK first: the consumer may be slow, the deadline is 3 s.
		if err := s.reply(f.MessageID(), ackEventData); err != nil {
			return err
		}
		c.stats.events.Add(1)
		ev := EventOf(f)
		if !c.seen.first(ev.EventID) {
			c.stats.duplicates.Add(1)
			return nil
		}
		if !q.push(ev) {
			c.log.Warn("stream: event queue full, event dropped", "conn", s.id)
		}
	case FrameCallback:
		return s.reply(f.MessageID(), ackCallbackData)
	}
	return nil
}

// reply writes the ACK for messageID on this connection.
func (s *session) reply(messageID, data string) error {
	ctx, cancel := context.WithTimeout(s.ctx, s.c.cfg.AckTimeout)
	defer cancel()
	if err := s.conn.Write(ctx, websocket.MessageText, encodeACK(messageID, data)); err != nil {
		return fmt.Errorf("writing an ACK: %w", err)
	}
	s.c.stats.acks.Add(1)
	return nil
}

// keepalive sends a WebSocket ping after PingAfter of silence and ends the
// connection when no pong comes within PongWait.
func (s *session) keepalive(wg *sync.WaitGroup) {
	defer wg.Done()
	after := s.c.cfg.PingAfter
	t := time.NewTimer(after)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		if idle := s.idle(); idle < after {
			t.Reset(after - idle)
			continue
		}
		pctx, cancel := context.WithTimeout(s.ctx, s.c.cfg.PongWait)
		err := s.conn.Ping(pctx)
		cancel()
		if err != nil {
			if s.ctx.Err() == nil {
				s.fail(fmt.Errorf("no pong within %s after %s of silence: connection dead", s.c.cfg.PongWait, after))
			}
			return
		}
		t.Reset(after)
	}
}

// drain lets a connection DingTalk asked to leave deliver what it still
// has until DingTalk closes it, for at most DrainFor; then closes it.
func (s *session) drain(wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTimer(s.c.cfg.DrainFor)
		defer t.Stop()
		select {
		case <-s.done:
		case <-s.ctx.Done():
		case <-t.C:
			s.fail(errors.New("closed after DingTalk asked to reconnect"))
		}
	}()
}

// disconnectReason is the reason in a disconnect frame's data, if any.
func disconnectReason(data string) string {
	var d map[string]json.RawMessage
	if json.Unmarshal([]byte(data), &d) != nil {
		return ""
	}
	return scalar(d["reason"])
}
