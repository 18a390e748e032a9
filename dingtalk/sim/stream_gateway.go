package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Gateway is the simulator's Stream mode: the open endpoint
// (POST /v1.0/gateway/connections/open, checking the app's credentials and
// handing out single-use tickets valid 90 s on the server's clock) and the
// WebSocket endpoint (/connect?ticket=…). Once the first connection is
// opened it pushes robot_msg_read as simulated recipients read and
// robot_msg_recall when a message is recalled, each event to ONE open
// connection of the app chosen at random, as DingTalk does. It sends
// SYSTEM pings, redelivers an event not acknowledged in time, and records
// the acknowledgements. Protocol timing (ping interval, ACK deadline,
// retention, delays) runs on the wall clock; read and ticket times on the
// server's clock.
//
// Reads and recalls that happened before the first connection was opened
// are never pushed: nobody was connected to take them.
type Gateway struct {
	s *Server

	mu       sync.Mutex
	set      StreamSettings
	rng      *rand.Rand
	tickets  map[string]time.Time // ticket → issued (server clock)
	conns    map[int]*gwConn
	log      []StreamConn
	events   []*gwEvent
	reads    map[string]map[string]bool // key → userId → pushed (or lost)
	recalls  map[string]bool
	acks     []StreamAck
	pushes   []StreamPush
	pings    []PingEcho
	opens    int
	refuse   int
	frozen   bool
	lost     int
	seq      int // orders opens and closes of connections
	ids      int // message and event ids
	started  bool
	stop     chan struct{}
	loopDone chan struct{}
	handlers sync.WaitGroup
	timers   []*time.Timer // closing connections sent a disconnect
	closed   bool
}

// StreamSettings tune the gateway. Zero values take the defaults.
type StreamSettings struct {
	PingEvery       time.Duration // SYSTEM ping to each connection (default 20 s)
	AckWait         time.Duration // an EVENT not acknowledged this long is redelivered (default 3 s)
	Retain          time.Duration // an event no connection takes is lost after (default 1 min)
	DisconnectGrace time.Duration // a connection sent a disconnect is closed after (default 10 s)
	TicketLife      time.Duration // on the server's clock (default 90 s)
	Tick            time.Duration // how often reads are looked for and events sent (default 100 ms)
	// LossRate is the share of events never pushed (0 to 1).
	LossRate float64
	// DuplicateRate is the share of events pushed twice: same eventId,
	// another messageId, as DingTalk does even after a correct ACK.
	DuplicateRate float64
	// Delay holds every event back this long before it is pushed.
	Delay time.Duration
	// CorpID is the eventCorpId of events (default "dingsimcorp").
	CorpID string
}

func (st *StreamSettings) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&st.PingEvery, 20*time.Second)
	def(&st.AckWait, 3*time.Second)
	def(&st.Retain, time.Minute)
	def(&st.DisconnectGrace, 10*time.Second)
	def(&st.TicketLife, 90*time.Second)
	def(&st.Tick, 100*time.Millisecond)
	if st.CorpID == "" {
		st.CorpID = "dingsimcorp"
	}
}

// StreamConn is one WebSocket connection the gateway accepted.
type StreamConn struct {
	ID     int
	Ticket string
	// OpenSeq and CloseSeq order the opening and closing of connections
	// (one counter for both); CloseSeq is 0 while the connection is open.
	OpenSeq, CloseSeq int
	// Disconnected is set once a disconnect frame was sent on it.
	Disconnected bool
}

// StreamAck is one ACK a client wrote.
type StreamAck struct {
	Conn      int
	MessageID string
	Data      string
	At        time.Time // wall clock
}

// StreamPush is one EVENT frame the gateway wrote.
type StreamPush struct {
	Conn      int
	MessageID string
	EventID   string
	EventType string
	At        time.Time // wall clock
}

// PingEcho is one SYSTEM ping and the data the client echoed ("" and
// Answered false until it does).
type PingEcho struct {
	Conn      int
	MessageID string
	Sent      string
	Echoed    string
	Answered  bool
}

type gwConn struct {
	id       int
	ws       *websocket.Conn
	lastPing time.Time
	disc     bool
	index    int // in Gateway.log
}

type gwEvent struct {
	eventID  string
	typ      string
	data     string
	born     time.Time // wall
	due      time.Time // wall: pushed from then on
	sentTo   int
	sentAt   time.Time
	inflight string // messageId of the last push
}

func newGateway(s *Server) *Gateway {
	g := &Gateway{s: s, tickets: map[string]time.Time{}, conns: map[int]*gwConn{},
		reads: map[string]map[string]bool{}, recalls: map[string]bool{},
		rng: rand.New(rand.NewPCG(s.opts.Seed^0x5eed, 0x57ea4))}
	g.set.defaults()
	return g
}

// Stream is the server's Stream gateway.
func (s *Server) Stream() *Gateway { return s.gw }

// mount serves the gateway's endpoints beside h.
func (g *Gateway) mount(h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1.0/gateway/connections/open", g.handleOpen)
	mux.HandleFunc("GET /connect", g.handleConnect)
	mux.Handle("/", h)
	return mux
}

// Configure replaces the settings; zero values take the defaults.
func (g *Gateway) Configure(st StreamSettings) {
	st.defaults()
	g.mu.Lock()
	g.set = st
	g.mu.Unlock()
}

// UnionID is the unionId the gateway gives userID in events.
func UnionID(userID string) string { return "union-" + userID }

func (g *Gateway) handleOpen(w http.ResponseWriter, r *http.Request) {
	if !strings.Contains(r.Header.Get("Accept"), "application/json") {
		// Some DingTalk servers answer XML without Accept: application/json.
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("<xml><endpoint/></xml>")) //nolint:errcheck
		return
	}
	var b struct {
		ClientID      string `json:"clientId"`
		ClientSecret  string `json:"clientSecret"`
		Subscriptions []struct{ Type, Topic string }
	}
	if !decodeBody(w, r, &b) {
		return
	}
	g.s.mu.Lock()
	app, suite := g.s.opts.AppKey, g.s.opts.Suite
	secret := g.s.opts.AppSecret
	g.s.mu.Unlock()
	if (b.ClientID != app || b.ClientSecret != secret) && (suite.Key == "" || b.ClientID != suite.Key || b.ClientSecret != suite.Secret) {
		apiError(w, 401, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
		return
	}
	events := false
	for _, sub := range b.Subscriptions {
		events = events || sub.Type == "EVENT"
	}
	if !events {
		apiError(w, 400, "invalidParameter.subscriptions", "no EVENT subscription")
		return
	}
	now := g.s.opts.Now()
	g.mu.Lock()
	g.opens++
	g.ids++
	t := fmt.Sprintf("sim-ticket-%d-%08x", g.ids, g.rng.Uint32())
	g.tickets[t] = now
	tick, start := g.startLocked()
	g.mu.Unlock()
	if start {
		g.scan(true) // what happened before the first connection is not pushed
		go g.loop(tick)
	}
	writeJSON(w, 200, map[string]string{"endpoint": "ws://" + r.Host + "/connect", "ticket": t})
}

func (g *Gateway) handleConnect(w http.ResponseWriter, r *http.Request) {
	t := r.URL.Query().Get("ticket")
	now := g.s.opts.Now()
	g.mu.Lock()
	issued, ok := g.tickets[t]
	delete(g.tickets, t) // single use, even when refused
	refused := g.refuse > 0
	if refused {
		g.refuse--
	}
	g.mu.Unlock()
	if !ok || refused || now.Sub(issued) > g.settings().TicketLife || g.isClosed() {
		apiError(w, 401, "invalidTicket", "ticket invalid, used or expired")
		return
	}
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		OnPingReceived: func(context.Context, []byte) bool { return !g.isFrozen() },
	})
	if err != nil {
		return
	}
	ws.SetReadLimit(64 << 10)
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		ws.CloseNow() //nolint:errcheck
		return
	}
	g.seq++
	c := &gwConn{id: len(g.log) + 1, ws: ws, lastPing: time.Now(), index: len(g.log)}
	g.log = append(g.log, StreamConn{ID: c.id, Ticket: t, OpenSeq: g.seq})
	g.conns[c.id] = c
	g.handlers.Add(1)
	g.mu.Unlock()
	defer g.handlers.Done()
	g.serveConn(r.Context(), c)
}

// serveConn reads the client's ACKs until the connection ends.
func (g *Gateway) serveConn(ctx context.Context, c *gwConn) {
	defer func() {
		c.ws.CloseNow() //nolint:errcheck
		g.mu.Lock()
		delete(g.conns, c.id)
		g.seq++
		g.log[c.index].CloseSeq = g.seq
		g.mu.Unlock()
	}()
	for {
		_, b, err := c.ws.Read(ctx)
		if err != nil {
			return
		}
		var a struct {
			Headers map[string]any `json:"headers"`
			Data    string         `json:"data"`
		}
		if json.Unmarshal(b, &a) != nil {
			continue
		}
		id, _ := a.Headers["messageId"].(string)
		g.ack(c.id, id, a.Data)
	}
}

func (g *Gateway) ack(conn int, messageID, data string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.acks = append(g.acks, StreamAck{Conn: conn, MessageID: messageID, Data: data, At: time.Now()})
	for i := range g.pings {
		if p := &g.pings[i]; p.MessageID == messageID && p.Conn == conn && !p.Answered {
			p.Echoed, p.Answered = data, true
		}
	}
	kept := g.events[:0]
	for _, ev := range g.events {
		if ev.inflight == messageID && ev.sentTo == conn {
			continue // delivered
		}
		kept = append(kept, ev)
	}
	g.events = kept
}

func (g *Gateway) settings() StreamSettings {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.set
}

func (g *Gateway) isFrozen() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.frozen
}

func (g *Gateway) isClosed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}

// close ends the loop and every connection, and waits for them.
func (g *Gateway) close() {
	g.mu.Lock()
	g.closed = true
	started := g.started
	for _, t := range g.timers {
		t.Stop()
	}
	for _, c := range g.conns {
		c.ws.CloseNow() //nolint:errcheck
	}
	g.mu.Unlock()
	if started {
		close(g.stop)
		<-g.loopDone
	}
	g.handlers.Wait()
}
