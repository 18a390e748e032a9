package sim

import (
	"context"
	"strconv"
	"time"

	"github.com/coder/websocket"
)

// Drop closes every open Stream connection without a word, as a network
// failure would.
func (g *Gateway) Drop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.dropLocked()
}

func (g *Gateway) dropLocked() {
	for _, c := range g.conns {
		c.ws.CloseNow() //nolint:errcheck
	}
}

// Disconnect sends a SYSTEM disconnect to every open connection, takes
// them out of the load balancing, and closes each DisconnectGrace later.
func (g *Gateway) Disconnect() {
	now := time.Now()
	g.mu.Lock()
	var out []outgoing
	var victims []*websocket.Conn
	for _, c := range g.conns {
		if c.disc {
			continue
		}
		c.disc = true
		g.log[c.index].Disconnected = true
		out = append(out, outgoing{c.ws, frame("SYSTEM", map[string]string{"topic": "disconnect",
			"messageId": g.nextIDLocked(), "contentType": "application/json",
			"time": strconv.FormatInt(now.UnixMilli(), 10)}, `{"reason":"simulated gateway restart"}`)})
		victims = append(victims, c.ws)
	}
	grace := g.set.DisconnectGrace
	g.mu.Unlock()
	for _, o := range out {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		o.ws.Write(ctx, websocket.MessageText, o.frame) //nolint:errcheck
		cancel()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, ws := range victims {
		g.timers = append(g.timers, time.AfterFunc(grace, func() {
			ws.Close(websocket.StatusGoingAway, "disconnect") //nolint:errcheck
		}))
	}
}

// RefuseTickets makes the next n dials fail with HTTP 401, valid ticket or not.
func (g *Gateway) RefuseTickets(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.refuse = n
}

// Freeze makes every connection hang (true) or work again (false): no
// frames are sent and WebSocket pings get no pong.
func (g *Gateway) Freeze(on bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.frozen = on
}

// PingNow sends a SYSTEM ping on every open connection at the next tick.
func (g *Gateway) PingNow() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range g.conns {
		c.lastPing = time.Time{}
	}
}

// Conns lists every connection accepted so far, in order.
func (g *Gateway) Conns() []StreamConn {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]StreamConn(nil), g.log...)
}

// OpenConns is how many connections are open.
func (g *Gateway) OpenConns() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.conns)
}

// Opens is how many tickets were handed out.
func (g *Gateway) Opens() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.opens
}

// Acks lists every ACK received, in order.
func (g *Gateway) Acks() []StreamAck {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]StreamAck(nil), g.acks...)
}

// Pushes lists every EVENT frame sent, redeliveries included, in order.
func (g *Gateway) Pushes() []StreamPush {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]StreamPush(nil), g.pushes...)
}

// Pings lists every SYSTEM ping sent and what came back.
func (g *Gateway) Pings() []PingEcho {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]PingEcho(nil), g.pings...)
}

// Pending is how many events wait to be pushed or acknowledged.
func (g *Gateway) Pending() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.events)
}

// Lost is how many events were lost: by LossRate, or taken by no
// connection within Retain.
func (g *Gateway) Lost() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.lost
}

// SendRaw writes frame as is on every open connection: garbage, unknown
// frame types, CALLBACKs, oversized frames.
func (g *Gateway) SendRaw(frame []byte) {
	g.mu.Lock()
	var out []outgoing
	for _, c := range g.conns {
		out = append(out, outgoing{c.ws, frame})
	}
	g.mu.Unlock()
	for _, o := range out {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		o.ws.Write(ctx, websocket.MessageText, o.frame) //nolint:errcheck
		cancel()
	}
}
