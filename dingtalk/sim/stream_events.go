package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/coder/websocket"
)

// startLocked starts the gateway's loop on the first open, marking every
// read and recall so far as before its time.
func (g *Gateway) startLocked() (tick time.Duration, start bool) {
	if g.started || g.closed {
		return 0, false
	}
	g.started = true
	g.stop, g.loopDone = make(chan struct{}), make(chan struct{})
	return g.set.Tick, true
}

// loop pushes what happens from now on; the caller marked what happened
// before (scan(true)) before starting it, so a read made just after the
// first ticket is never taken for an old one, however late this goroutine
// first runs.
func (g *Gateway) loop(tick time.Duration) {
	defer close(g.loopDone)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-g.stop:
			return
		case <-t.C:
		}
		g.scan(false)
		g.deliver()
	}
}

// dueRead is a read that has happened by the server's clock.
type dueRead struct {
	key, robot, userID string
	at                 time.Time
}

// scan turns reads and recalls that have happened into events; quiet marks
// them without pushing (those before the gateway started).
func (g *Gateway) scan(quiet bool) {
	now := g.s.opts.Now()
	var reads []dueRead
	var recalls []dueRead
	g.s.mu.Lock()
	for key, m := range g.s.messages {
		for _, p := range m.people {
			if p.ReadAfter >= 0 && !now.Before(m.sentAt.Add(p.ReadAfter)) {
				reads = append(reads, dueRead{key, m.robot, p.UserID, m.sentAt.Add(p.ReadAfter)})
			}
		}
		if m.recalled {
			recalls = append(recalls, dueRead{key: key, robot: m.robot, at: now})
		}
	}
	g.s.mu.Unlock()

	g.mu.Lock()
	defer g.mu.Unlock()
	for _, r := range reads {
		seen := g.reads[r.key]
		if seen == nil {
			seen = map[string]bool{}
			g.reads[r.key] = seen
		}
		if seen[r.userID] {
			continue
		}
		seen[r.userID] = true
		if !quiet {
			g.addLocked("robot_msg_read", map[string]any{"processQueryKey": r.key, "robotCode": r.robot,
				"userId": r.userID, "unionId": UnionID(r.userID), "operatTime": strconv.FormatInt(r.at.UnixMilli(), 10)})
		}
	}
	for _, r := range recalls {
		if g.recalls[r.key] {
			continue
		}
		g.recalls[r.key] = true
		if !quiet {
			g.addLocked("robot_msg_recall", map[string]any{"processQueryKey": r.key, "robotCode": r.robot,
				"operatTime": r.at.UnixMilli()})
		}
	}
}

// PushRaw queues an event of eventType with data as given (an external
// reader without userId, odd fields), subject to the loss, duplicate and
// delay settings, and returns its eventId.
func (g *Gateway) PushRaw(eventType string, data map[string]any) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.addLocked(eventType, data)
}

// addLocked queues an event, or loses it at LossRate; it may queue a
// duplicate.
func (g *Gateway) addLocked(eventType string, data map[string]any) string {
	g.ids++
	id := fmt.Sprintf("sim-event-%d", g.ids)
	if g.set.LossRate > 0 && g.rng.Float64() < g.set.LossRate {
		g.lost++
		return id
	}
	doc, err := json.Marshal(data)
	if err != nil {
		doc = []byte("{}")
	}
	now := time.Now()
	ev := &gwEvent{eventID: id, typ: eventType, data: string(doc), born: now, due: now.Add(g.set.Delay)}
	g.events = append(g.events, ev)
	if g.set.DuplicateRate > 0 && g.rng.Float64() < g.set.DuplicateRate {
		dup := *ev
		g.events = append(g.events, &dup)
	}
	return id
}

// outgoing is one frame to write after the lock is released.
type outgoing struct {
	ws    *websocket.Conn
	frame []byte
}

// deliver pings connections that are due one, pushes events that are due
// (again, when not acknowledged in time) to a random connection, and
// drops events no connection took within Retain.
func (g *Gateway) deliver() {
	now := time.Now()
	var out []outgoing
	g.mu.Lock()
	var open []*gwConn
	for _, c := range g.conns {
		if !g.frozen && !c.disc {
			open = append(open, c)
		}
		if !g.frozen && now.Sub(c.lastPing) >= g.set.PingEvery {
			out = append(out, g.pingLocked(c, now))
		}
	}
	slices.SortFunc(open, func(a, b *gwConn) int { return a.id - b.id }) // the rng alone decides
	kept := g.events[:0]
	for _, ev := range g.events {
		switch {
		case now.Before(ev.due) || (!ev.sentAt.IsZero() && now.Sub(ev.sentAt) < g.set.AckWait):
		case len(open) == 0:
			if now.Sub(ev.born) > g.set.Retain {
				g.lost++
				continue
			}
		default:
			c := open[g.rng.IntN(len(open))]
			out = append(out, g.pushLocked(c, ev, now))
		}
		kept = append(kept, ev)
	}
	g.events = kept
	g.mu.Unlock()
	for _, o := range out {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		o.ws.Write(ctx, websocket.MessageText, o.frame) //nolint:errcheck // a dead connection is noticed by its reader
		cancel()
	}
}

func (g *Gateway) nextIDLocked() string {
	g.ids++
	return fmt.Sprintf("sim-msg-%d", g.ids)
}

func (g *Gateway) pushLocked(c *gwConn, ev *gwEvent, now time.Time) outgoing {
	ev.inflight, ev.sentTo, ev.sentAt = g.nextIDLocked(), c.id, now
	g.pushes = append(g.pushes, StreamPush{Conn: c.id, MessageID: ev.inflight, EventID: ev.eventID, EventType: ev.typ, At: now})
	ms := strconv.FormatInt(now.UnixMilli(), 10)
	return outgoing{c.ws, frame("EVENT", map[string]string{
		"topic": "*", "messageId": ev.inflight, "contentType": "application/json", "time": ms,
		"eventType": ev.typ, "eventId": ev.eventID, "eventCorpId": g.set.CorpID,
		"eventBornTime": strconv.FormatInt(ev.born.UnixMilli(), 10), "eventUnifiedAppId": "sim-app",
	}, ev.data)}
}

func (g *Gateway) pingLocked(c *gwConn, now time.Time) outgoing {
	c.lastPing = now
	id := g.nextIDLocked()
	data := fmt.Sprintf(`{"opaque":"%08x-%d"}`, g.rng.Uint32(), g.ids)
	g.pings = append(g.pings, PingEcho{Conn: c.id, MessageID: id, Sent: data})
	return outgoing{c.ws, frame("SYSTEM", map[string]string{"topic": "ping", "messageId": id,
		"contentType": "application/json", "time": strconv.FormatInt(now.UnixMilli(), 10)}, data)}
}

// frame is a Stream frame as DingTalk writes it.
func frame(typ string, headers map[string]string, data string) []byte {
	b, _ := json.Marshal(map[string]any{"specVersion": "1.0", "type": typ, "headers": headers, "data": data})
	return b
}
