package stream_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/dingtalk/stream"
	"github.com/dingwatch/dingwatch/internal/safetext/safetexttest"
)

// live waits for the client to report Live with n open connections.
func (r *rig) live(c *stream.Client, n int) {
	r.t.Helper()
	eventually(r.t, "a live connection", func() bool {
		return c.Status().State == stream.Live && len(openConns(r.gw)) == n
	})
}

func TestPingsAreEchoed(t *testing.T) {
	r := newRig(t, sim.StreamSettings{})
	c := r.client(nil)
	r.run(c)
	r.live(c, 1)
	r.gw.PingNow()
	r.gw.PingNow()
	eventually(t, "two pings answered", func() bool {
		n := 0
		for _, p := range r.gw.Pings() {
			if p.Answered {
				n++
			}
		}
		return n >= 1 && len(r.gw.Pings()) >= 1 && n == len(r.gw.Pings())
	})
	for _, p := range r.gw.Pings() {
		if p.Echoed != p.Sent {
			t.Errorf("ping %s: sent data %q, echoed %q", p.MessageID, p.Sent, p.Echoed)
		}
	}
}

func TestEveryEventIsAckedWithItsMessageIDBeforeTheConsumerSeesIt(t *testing.T) {
	r := newRig(t, sim.StreamSettings{})
	key := r.sim.AddMessage("dingdemo", t0, people(5, time.Minute))
	block := make(chan struct{})
	c := r.client(func(cfg *stream.Config) {
		cfg.OnEvent = func(stream.Event) { <-block } // a consumer stuck on the first event
	})
	r.run(c)
	t.Cleanup(func() { close(block) }) // before Run is stopped: OnEvent must return
	r.live(c, 1)
	r.clock.Add(2 * time.Minute)
	eventually(t, "5 events pushed and acknowledged", func() bool {
		return len(r.gw.Pushes()) == 5 && r.gw.Pending() == 0
	})
	acks := map[string]sim.StreamAck{}
	for _, a := range r.gw.Acks() {
		acks[a.MessageID] = a
	}
	for _, p := range r.gw.Pushes() {
		a, ok := acks[p.MessageID]
		switch {
		case !ok:
			t.Errorf("event %s (message %s) never acknowledged", p.EventID, p.MessageID)
		case a.Conn != p.Conn:
			t.Errorf("message %s came on connection %d, ACKed on %d", p.MessageID, p.Conn, a.Conn)
		case a.Data != `{"status":"SUCCESS","message":"success"}`:
			t.Errorf("ACK data %q", a.Data)
		case a.At.Sub(p.At) >= 3*time.Second: // DingTalk's deadline: a failure, not a measurement
			t.Errorf("message %s ACKed %v after it was pushed, past DingTalk's 3 s", p.MessageID, a.At.Sub(p.At))
		}
	}
	if got := len(r.gw.Pushes()); got != 5 {
		t.Errorf("%d pushes: an unacknowledged event was redelivered (key %s)", got, key)
	}
}

func TestDuplicateEventsAreDeliveredOnce(t *testing.T) {
	r := newRig(t, sim.StreamSettings{DuplicateRate: 1})
	r.sim.AddMessage("dingdemo", t0, people(4, time.Minute))
	c := r.client(nil)
	r.run(c)
	r.live(c, 1)
	r.clock.Add(2 * time.Minute)
	eventually(t, "8 pushes all acknowledged, 4 dropped as duplicates, 4 delivered", func() bool {
		return len(r.gw.Pushes()) == 8 && len(r.gw.Acks()) == 8 && c.Stats().Duplicates == 4 && len(r.gotEvents()) == 4
	})
	seen := map[string]bool{}
	for _, ev := range r.gotEvents() {
		if seen[ev.EventID] {
			t.Errorf("event %s delivered twice", ev.EventID)
		}
		seen[ev.EventID] = true
		if ev.Type != stream.TypeRead || ev.UnionID != sim.UnionID(ev.UserID) || !ev.At.Equal(t0.Add(time.Minute)) {
			t.Errorf("event decoded as %+v", ev)
		}
	}
}

func TestDisconnectOpensANewConnectionBeforeTheOldCloses(t *testing.T) {
	r := newRig(t, sim.StreamSettings{DisconnectGrace: time.Hour}) // the client closes it
	c := r.client(func(cfg *stream.Config) { cfg.DrainFor = 50 * time.Millisecond })
	r.run(c)
	r.live(c, 1)
	r.clock.Add(stream.DefaultHealthyAfter)
	r.gw.Disconnect()
	eventually(t, "a second connection, the first closed", func() bool {
		cs := r.gw.Conns()
		return len(cs) == 2 && cs[0].CloseSeq != 0
	})
	cs := r.gw.Conns()
	if !cs[0].Disconnected {
		t.Fatal("the first connection was not the one told to disconnect")
	}
	if cs[1].OpenSeq > cs[0].CloseSeq {
		t.Errorf("the new connection opened (seq %d) after the old one closed (seq %d)", cs[1].OpenSeq, cs[0].CloseSeq)
	}
	if cs[0].Ticket == cs[1].Ticket || r.gw.Opens() != 2 {
		t.Errorf("the new connection did not use a new ticket: %+v, %d opens", cs, r.gw.Opens())
	}
	if len(r.gotSleeps()) != 0 {
		t.Errorf("a disconnect asked for is no failure, yet the client paused %v", r.gotSleeps())
	}
	wasLive := false
	for _, st := range r.gotStatuses() {
		if wasLive && st.State != stream.Live {
			t.Errorf("status left live during a handover: %+v", st)
		}
		wasLive = wasLive || st.State == stream.Live
	}
	// Events now reach the new connection.
	r.sim.AddMessage("dingdemo", r.clock.Now(), people(3, time.Second))
	r.clock.Add(time.Minute)
	eventually(t, "3 events on the new connection", func() bool { return len(r.gotEvents()) == 3 })
	for _, p := range r.gw.Pushes() {
		if p.Conn != cs[1].ID {
			t.Errorf("event pushed to connection %d, told to disconnect", p.Conn)
		}
	}
}

func TestDisconnectsInARowArePaced(t *testing.T) {
	r := newRig(t, sim.StreamSettings{DisconnectGrace: time.Hour})
	c := r.client(func(cfg *stream.Config) { cfg.DrainFor = time.Millisecond })
	r.run(c)
	for i := 1; i <= 3; i++ { // told to leave as soon as connected
		r.live(c, 1)
		r.gw.Disconnect()
		eventually(t, "the next connection", func() bool { return len(r.gw.Conns()) == i+1 })
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}
	if got := r.gotSleeps(); !equal(got, want) {
		t.Errorf("pauses %v, want %v", got, want)
	}
}

func TestDroppedConnectionReconnectsWithAFreshTicket(t *testing.T) {
	r := newRig(t, sim.StreamSettings{})
	c := r.client(nil)
	r.run(c)
	r.live(c, 1)
	r.gw.Drop()
	eventually(t, "a second connection", func() bool { return len(r.gw.Conns()) == 2 && c.Status().State == stream.Live })
	cs := r.gw.Conns()
	if cs[0].Ticket == cs[1].Ticket {
		t.Errorf("reused ticket %q", cs[0].Ticket)
	}
	var sawDown bool
	for _, st := range r.gotStatuses() {
		sawDown = sawDown || (st.State == stream.Reconnecting && st.Err != "")
	}
	if !sawDown {
		t.Errorf("no reconnecting status with the reason: %+v", r.gotStatuses())
	}
	if got := r.gotSleeps(); len(got) != 1 || got[0] != time.Second {
		t.Errorf("pauses before reconnecting %v, want [1s]", got)
	}
	// Events flow on the new connection.
	r.sim.AddMessage("dingdemo", r.clock.Now(), people(2, time.Second))
	r.clock.Add(time.Minute)
	eventually(t, "2 events after the reconnect", func() bool { return len(r.gotEvents()) == 2 })
}

func TestRefusedTicketsBackOffAndSayWhy(t *testing.T) {
	r := newRig(t, sim.StreamSettings{})
	r.gw.RefuseTickets(4)
	c := r.client(nil)
	r.run(c)
	r.live(c, 1)
	if got, want := r.gotSleeps(), []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}; !equal(got, want) {
		t.Errorf("pauses %v, want %v", got, want)
	}
	var attempts []int
	var since time.Time
	for _, st := range r.gotStatuses() {
		if st.State != stream.Reconnecting || st.Attempts == 0 {
			continue
		}
		attempts = append(attempts, st.Attempts)
		if since.IsZero() {
			since = st.Since
		}
		if !st.Since.Equal(since) {
			t.Errorf("Since moved across failed attempts: %v then %v", since, st.Since)
		}
		if !strings.Contains(st.Err, "401") {
			t.Errorf("status error %q does not say the endpoint refused (401)", st.Err)
		}
		if strings.Contains(st.Err, "sim-ticket") || strings.Contains(st.Err, "app-secret-123") {
			t.Errorf("status error leaks a ticket or the secret: %q", st.Err)
		}
	}
	if len(attempts) != 4 || attempts[3] != 4 {
		t.Errorf("attempts reported %v, want 1..4", attempts)
	}
	if st := c.Status(); st.Err != "" || st.Attempts != 0 {
		t.Errorf("live status keeps the old failure: %+v", st)
	}
}

func TestBadCredentialsAreAnAuthErrorWithoutTheSecret(t *testing.T) {
	r := newRig(t, sim.StreamSettings{})
	c := r.client(func(cfg *stream.Config) { cfg.ClientSecret = "wrong-secret-456" })
	err := c.Probe(context.Background())
	if !dingtalk.IsAuth(err) {
		t.Fatalf("Probe with a wrong secret: %v, want an auth error", err)
	}
	r.run(c)
	eventually(t, "two failed attempts", func() bool { return c.Status().Attempts >= 2 })
	st := c.Status()
	if st.State != stream.Reconnecting || !strings.Contains(st.Err, "invalidClientIdOrSecret") || strings.Contains(st.Err, "wrong-secret-456") {
		t.Errorf("status %+v", st)
	}
}

func TestHealthyConnectionResetsTheBackoff(t *testing.T) {
	r := newRig(t, sim.StreamSettings{})
	c := r.client(nil)
	r.run(c)
	for i := 1; i <= 3; i++ { // short-lived connections: the pause doubles
		r.live(c, 1)
		r.gw.Drop()
		eventually(t, "reconnected", func() bool { return len(r.gw.Conns()) == i+1 })
	}
	r.live(c, 1)
	r.clock.Add(stream.DefaultHealthyAfter) // this one lives long enough
	r.gw.Drop()
	eventually(t, "reconnected", func() bool { return len(r.gw.Conns()) == 5 })
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, time.Second}
	if got := r.gotSleeps(); !equal(got, want) {
		t.Errorf("pauses %v, want %v", got, want)
	}
}

func TestMissingPongEndsTheConnection(t *testing.T) {
	r := newRig(t, sim.StreamSettings{})
	c := r.client(func(cfg *stream.Config) {
		cfg.PingAfter = 20 * time.Millisecond
		cfg.PongWait = 50 * time.Millisecond
	})
	r.run(c)
	r.live(c, 1)
	r.gw.Freeze(true)
	eventually(t, "the silent connection declared dead", func() bool { return len(r.gw.Conns()) >= 2 })
	r.gw.Freeze(false)
	var said bool
	for _, st := range r.gotStatuses() {
		said = said || strings.Contains(st.Err, "no pong")
	}
	if !said {
		t.Errorf("no status says the pong was missing: %+v", r.gotStatuses())
	}
}

func TestUnknownAndHostileFramesAreTolerated(t *testing.T) {
	r := newRig(t, sim.StreamSettings{})
	c := r.client(func(cfg *stream.Config) { cfg.ReadLimit = 4096 })
	r.run(c)
	r.live(c, 1)
	for _, f := range []string{"not json", "[]", `{"type":"NEWTYPE","headers":{"messageId":"x"}}`,
		`{"type":"SYSTEM","headers":{"topic":"KEEPALIVE"}}`, `{"type":"EVENT","headers":5,"data":7}`,
		`{"specVersion":"1.0","type":"CALLBACK","headers":{"messageId":"cb-1","topic":"/v1.0/im/bot/messages/get"},"data":"{}"}`} {
		r.gw.SendRaw([]byte(f))
	}
	eventually(t, "the CALLBACK answered", func() bool {
		for _, a := range r.gw.Acks() {
			if a.MessageID == "cb-1" {
				return a.Data == `{"response":null}`
			}
		}
		return false
	})
	id := r.gw.PushRaw("some_future_event", map[string]any{"processQueryKey": 5, "what": []int{1}})
	external := r.gw.PushRaw("robot_msg_read", map[string]any{"processQueryKey": "k", "unionId": "outsider", "operatTime": "1654641965416"})
	byID := map[string]stream.Event{}
	eventually(t, "both events delivered", func() bool {
		for _, ev := range r.gotEvents() {
			byID[ev.EventID] = ev
		}
		return byID[id].EventID != "" && byID[external].EventID != ""
	})
	evs := []stream.Event{byID[id], byID[external]}
	if evs[0].EventID != id || evs[0].Type != stream.TypeOther || evs[0].RawType != "some_future_event" || evs[0].ProcessQueryKey != "5" {
		t.Errorf("unknown event decoded as %+v", evs[0])
	}
	if evs[1].EventID != external || evs[1].UserID != "" || evs[1].UnionID != "outsider" {
		t.Errorf("reader without userId decoded as %+v", evs[1])
	}
	if len(r.gw.Conns()) != 1 {
		t.Errorf("odd frames cost the connection: %d connections", len(r.gw.Conns()))
	}
	// A frame over the read limit ends the connection, not the client.
	r.gw.SendRaw([]byte(`{"type":"EVENT","data":"` + strings.Repeat("x", 8000) + `"}`))
	eventually(t, "a new connection after the oversized frame", func() bool {
		return len(r.gw.Conns()) == 2 && c.Status().State == stream.Live
	})
}

func TestEventsAreSpreadAcrossAnAppsConnections(t *testing.T) {
	// DingTalk gives each event to ONE connection of the app: a second
	// consumer of the same app takes a share of the first one's events.
	r := newRig(t, sim.StreamSettings{})
	other := newRecorder()
	a := r.client(nil)
	b := r.client(func(cfg *stream.Config) { cfg.OnEvent = other.add })
	r.run(a)
	r.run(b)
	eventually(t, "two connections", func() bool { return len(openConns(r.gw)) == 2 })
	r.sim.AddMessage("dingdemo", t0, people(20, time.Minute))
	r.clock.Add(2 * time.Minute)
	eventually(t, "20 events between them", func() bool { return len(r.gotEvents())+other.len() == 20 })
	if len(r.gotEvents()) == 0 || other.len() == 0 {
		t.Errorf("one connection took every event: %d and %d", len(r.gotEvents()), other.len())
	}
}

func TestStopEndsEverything(t *testing.T) {
	r := newRig(t, sim.StreamSettings{})
	c := r.client(nil)
	stop := r.run(c)
	r.live(c, 1)
	stop()
	if st := c.Status(); st.State != stream.Off {
		t.Errorf("status after stop: %+v", st)
	}
	eventually(t, "the gateway sees the connection closed", func() bool { return len(openConns(r.gw)) == 0 })
	if err := c.Run(canceled()); !errors.Is(err, context.Canceled) {
		t.Errorf("Run again with an ended context: %v", err)
	}
}

func TestHundredReconnectsLeaveNoGoroutineBehind(t *testing.T) {
	r := newRig(t, sim.StreamSettings{DisconnectGrace: time.Hour})
	c := r.client(func(cfg *stream.Config) { cfg.DrainFor = time.Millisecond })
	if err := c.Probe(context.Background()); err != nil { // starts the gateway's own loop
		t.Fatal(err)
	}
	base := settledGoroutines()
	stop := r.run(c)
	for i := 1; i <= 100; i++ {
		eventually(t, "connection", func() bool { return len(r.gw.Conns()) == i+1 && len(openConns(r.gw)) == 1 })
		if i%10 == 0 {
			r.gw.Disconnect() // half by handover, half by a drop
		} else {
			r.gw.Drop()
		}
	}
	stop()
	eventually(t, "no more goroutines than before the client ran", func() bool {
		return settledGoroutines() <= base
	})
	if t.Failed() {
		t.Log(stacks())
	}
}

func TestEndpointRules(t *testing.T) {
	for _, ep := range []string{"http://api.dingtalk.io", "ftp://x", "api.dingtalk.io", "https://user:pw@api.dingtalk.io"} {
		if _, err := stream.New(stream.Config{Endpoint: ep, ClientID: "a", ClientSecret: "b"}); err == nil {
			t.Errorf("endpoint %q accepted", ep)
		}
	}
	for _, ep := range []string{"https://api.dingtalk.com", "http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:2"} {
		if _, err := stream.New(stream.Config{Endpoint: ep, ClientID: "a", ClientSecret: "b"}); err != nil {
			t.Errorf("endpoint %q refused: %v", ep, err)
		}
	}
	if _, err := stream.New(stream.Config{Endpoint: "https://api.dingtalk.io"}); err == nil {
		t.Error("no credentials accepted")
	}
}

func TestRedirectsAndPlainWebSocketsOffLoopbackAreRefused(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"redirect": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.1:1/v1.0/gateway/connections/open", http.StatusTemporaryRedirect)
		},
		"plain ws off loopback": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"endpoint":"ws://stream.example.com/connect","ticket":"t-1"}`))
		},
		"no ticket": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"endpoint":"wss://stream.example.com/connect"}`))
		},
		"XML": func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`<xml/>`)) },
	} {
		srv := httptest.NewServer(h)
		c, err := stream.New(stream.Config{Endpoint: srv.URL, ClientID: "a", ClientSecret: "secret-xyz"})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Probe(context.Background())
		if err == nil || strings.Contains(err.Error(), "secret-xyz") {
			t.Errorf("%s: Probe = %v", name, err)
		}
		srv.Close()
	}
}

func equal(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func TestHostileErrorTextIsCleanInTheLog(t *testing.T) {
	for name, hostile := range safetexttest.Hostile {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			b, _ := json.Marshal(map[string]string{"code": "x" + hostile, "message": hostile})
			w.Write(b)
		}))
		var log bytes.Buffer
		var mu sync.Mutex
		ctx, cancel := context.WithCancel(context.Background())
		c, err := stream.New(stream.Config{Endpoint: srv.URL, ClientID: "a", ClientSecret: "secret-xyz",
			Logger: slog.New(rawHandler{&lockedWriter{&mu, &log}}),
			Sleep:  func(context.Context, time.Duration) error { cancel(); return context.Canceled }})
		if err != nil {
			t.Fatal(err)
		}
		c.Run(ctx) //nolint:errcheck // one failed attempt, then the pause cancels
		srv.Close()
		mu.Lock()
		if !strings.Contains(log.String(), "could not connect") {
			t.Fatalf("nothing logged: %q", log.String())
		}
		for _, line := range strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n") { // one record a line
			safetexttest.AssertInert(t, name+" in the stream log", line, false)
		}
		mu.Unlock()
	}
}

// rawHandler writes each record as is, attribute values unescaped, as a
// careless log sink would: only the client's own cleaning protects it.
type rawHandler struct{ w io.Writer }

func (h rawHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h rawHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h rawHandler) WithGroup(string) slog.Handler            { return h }
func (h rawHandler) Handle(_ context.Context, r slog.Record) error {
	line := r.Message
	r.Attrs(func(a slog.Attr) bool { line += " " + a.Key + "=" + a.Value.String(); return true })
	_, err := io.WriteString(h.w, line+"\n")
	return err
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
