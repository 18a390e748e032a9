// Package sim is a simulated DingTalk: the token, readStatus, batchSend and
// batchRecall endpoints over real HTTP on loopback, with recipients who read
// over time on a clock the caller controls, and injection of every
// documented error and of network faults. dingwatch --demo and the tests
// run against it.
package sim

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"
)

// Never is a ReadAfter that means the person never reads.
const Never time.Duration = -1

// Person is one recipient of a simulated message.
type Person struct {
	UserID string
	Name   string
	// ReadAfter is how long after sending the person reads; Never for never.
	ReadAfter time.Duration
}

// Options configure a Server. Zero values take the defaults.
type Options struct {
	AppKey, AppSecret string // accepted internal-app credentials (default demo/demo-secret)
	Suite             Suite  // accepted third-party credentials (default none)
	Robots            []string
	Now               func() time.Time
	// NotReadyFor is how long after sending readStatus answers
	// processQueryKey.expireTime because the data is not generated yet.
	NotReadyFor time.Duration
	// Latency delays every answer.
	Latency time.Duration
	// FaultRate is the share of readStatus requests (0 to 1) answered with
	// a random failure: system.error, a throttle, or a dropped connection.
	FaultRate float64
	// ReadPlan decides when a person sent a message by batchSend reads it.
	// The default reads within five minutes, one in ten never. It is called
	// with the server locked and must not call the Server.
	ReadPlan func(userID string) time.Duration
	Seed     uint64
	// SendReadTimes is whether, and in which unit, readStatus gives read
	// times (readTimestamp) for messages made by batchSend; SetReadTimes
	// sets it per message. Default NoReadTimes: 0, as DingTalk mostly does.
	SendReadTimes TimeUnit
	// ProcessingFor is how long after NotReadyFor readStatus answers
	// sendStatus PROCESSING (with the recipients so far); 0 for never.
	ProcessingFor time.Duration
	// SuccessWord is how sendStatus SUCCESS is spelled (default "SUCCESS";
	// DingTalk's own example spells it "SUCESS").
	SuccessWord string
}

// TimeUnit is how readStatus gives a read time (readTimestamp).
type TimeUnit int

// The ways of giving read times.
const (
	NoReadTimes TimeUnit = iota // readTimestamp 0, as DingTalk documents ("not supported yet")
	Seconds                     // readTimestamp in seconds since the epoch
	Millis                      // readTimestamp in milliseconds since the epoch
)

// Undeliverable is why batchSend does not deliver to a person.
type Undeliverable int

// The reasons batchSend names recipients it did not deliver to.
const (
	Deliver        Undeliverable = iota // delivered as usual
	FlowControlled                      // listed in flowControlledStaffIdList
	Filtered                            // listed in filteredStaffIdList
)

// Suite is accepted third-party enterprise app credentials.
type Suite struct{ Key, Secret, CorpID, Ticket string }

// Server is a running simulated DingTalk.
type Server struct {
	opts Options
	srv  *http.Server
	ln   net.Listener

	mu        sync.Mutex
	rng       *rand.Rand
	tokens    map[string]time.Time // token → expiry
	messages  map[string]*message
	directory map[string]string // userId → name
	faults    []*Fault
	calls     map[string]int
	callTimes []time.Time // wall times of metered calls
	keyCalls  map[string]int
	sends     []SendCall
	paused    bool
	conns     map[net.Conn]bool // open client connections, closed by Pause
	blocked   map[string]Undeliverable
	gw        *Gateway // Stream mode (stream_gateway.go)
}

type message struct {
	robot     string
	sentAt    time.Time
	people    []Person
	recalled  bool
	processed bool
	times     TimeUnit
	// status, when set, is answered as sendStatus until statusUntil (zero: always).
	status      string
	statusUntil time.Time
}

// SendCall records one batchSend the server accepted, as it arrived.
type SendCall struct {
	RobotCode string
	UserIDs   []string
	MsgKey    string
	MsgParam  string // the JSON string, as sent
	Key       string
}

// Start serves a simulated DingTalk on a loopback port.
func Start(opts Options) (*Server, error) {
	if opts.AppKey == "" {
		opts.AppKey, opts.AppSecret = "demo", "demo-secret"
	}
	if len(opts.Robots) == 0 {
		opts.Robots = []string{"dingdemo"}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NotReadyFor == 0 {
		opts.NotReadyFor = 2 * time.Second
	}
	if opts.SuccessWord == "" {
		opts.SuccessWord = "SUCCESS"
	}
	s := &Server{
		opts:      opts,
		rng:       rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		tokens:    map[string]time.Time{},
		messages:  map[string]*message{},
		directory: map[string]string{},
		calls:     map[string]int{},
		keyCalls:  map[string]int{},
		conns:     map[net.Conn]bool{},
		blocked:   map[string]Undeliverable{},
	}
	if s.opts.ReadPlan == nil {
		s.opts.ReadPlan = s.defaultReadPlan
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("simulated DingTalk: %w", err)
	}
	s.ln = ln
	s.gw = newGateway(s)
	s.srv = &http.Server{Handler: s.gw.mount(s.routes()), ReadHeaderTimeout: 5 * time.Second, ConnState: s.track}
	go s.srv.Serve(ln) //nolint:errcheck // ends with Close
	return s, nil
}

// URL is the base URL to give the client as its endpoint.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return "http://" + s.ln.Addr().String()
}

// Close stops the server.
func (s *Server) Close() error {
	err := s.srv.Close()
	s.gw.close()
	return err
}

// defaultReadPlan reads between 10 s and 5 min after sending, one in ten
// never. It runs with s.mu held, as every ReadPlan does.
func (s *Server) defaultReadPlan(string) time.Duration {
	if s.rng.IntN(10) == 0 {
		return Never
	}
	return 10*time.Second + time.Duration(s.rng.Int64N(int64(290*time.Second)))
}

// AddPeople puts people in the directory, so batchSend knows their names.
func (s *Server) AddPeople(people ...Person) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range people {
		s.directory[p.UserID] = p.Name
	}
}

// AddMessage creates a message of robot sent at sentAt to people, as if
// batchSend had been called, and returns its processQueryKey.
func (s *Server) AddMessage(robot string, sentAt time.Time, people []Person) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addLocked(robot, sentAt, people)
}

// PutMessage is AddMessage with a key of the caller's choosing.
func (s *Server) PutMessage(key, robot string, sentAt time.Time, people []Person) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putLocked(key, robot, sentAt, people)
}

func (s *Server) addLocked(robot string, sentAt time.Time, people []Person) string {
	key := s.newKeyLocked()
	s.putLocked(key, robot, sentAt, people)
	return key
}

func (s *Server) putLocked(key, robot string, sentAt time.Time, people []Person) {
	s.messages[key] = &message{robot: robot, sentAt: sentAt, people: append([]Person(nil), people...)}
	for _, p := range people {
		s.directory[p.UserID] = p.Name
	}
}

// newKeyLocked makes a key shaped like DingTalk's: 32 random bytes in
// standard Base64, so it may hold +, / and =.
func (s *Server) newKeyLocked() string {
	b := make([]byte, 32)
	for i := range b {
		b[i] = byte(s.rng.UintN(256))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// SetReadAfter changes when userID reads the message behind key.
func (s *Server) SetReadAfter(key, userID string, after time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.messages[key]; m != nil {
		for i := range m.people {
			if m.people[i].UserID == userID {
				m.people[i].ReadAfter = after
			}
		}
	}
}

// SetReadTimes makes readStatus of key give read times in unit.
func (s *Server) SetReadTimes(key string, unit TimeUnit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.messages[key]; m != nil {
		m.times = unit
	}
}

// SetSendStatus makes readStatus of key answer sendStatus status, spelled
// as given ("PROCESSING", "SUCESS", anything), until the server's clock
// reaches until (zero: from now on). "" goes back to the natural status.
func (s *Server) SetSendStatus(key, status string, until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.messages[key]; m != nil {
		m.status, m.statusUntil = status, until
	}
}

// SetUndeliverable makes batchSend leave userIDs out of every later
// message and name them in its answer as flow-controlled or filtered;
// Deliver undoes it.
func (s *Server) SetUndeliverable(how Undeliverable, userIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range userIDs {
		if how == Deliver {
			delete(s.blocked, id)
			continue
		}
		s.blocked[id] = how
	}
}

// Recall marks the message behind key recalled.
func (s *Server) Recall(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.messages[key]; m != nil {
		m.recalled = true
	}
}

// RevokeTokens makes every issued token invalid, as if they had expired.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// Calls is how many requests reached endpoint ("token", "readStatus",
// "batchSend", "batchRecall"), faults included.
func (s *Server) Calls(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[endpoint]
}

// MaxCallsPerSecond is the most metered calls that arrived within any one
// second (wall clock).
func (s *Server) MaxCallsPerSecond() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	most, lo := 0, 0
	for hi, t := range s.callTimes {
		for t.Sub(s.callTimes[lo]) >= time.Second {
			lo++
		}
		most = max(most, hi-lo+1)
	}
	return most
}

// CallsFor is how many readStatus requests asked for key.
func (s *Server) CallsFor(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keyCalls[key]
}

// Tokens lists the access tokens the server has issued and still honours.
func (s *Server) Tokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for t := range s.tokens {
		out = append(out, t)
	}
	return out
}

// track keeps the set of open connections.
func (s *Server) track(c net.Conn, state http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch state {
	case http.StateNew:
		s.conns[c] = true
	case http.StateClosed, http.StateHijacked:
		delete(s.conns, c)
	}
}

// Pause stops listening and drops open connections: new ones are refused
// until Resume.
func (s *Server) Pause() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.paused {
		return nil
	}
	s.paused = true
	s.gw.Drop()
	for c := range s.conns {
		c.Close()
	}
	return s.ln.Close()
}

// Resume listens again on the same address.
func (s *Server) Resume() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.paused {
		return nil
	}
	ln, err := net.Listen("tcp", s.ln.Addr().String())
	if err != nil {
		return err
	}
	s.ln, s.paused = ln, false
	go s.srv.Serve(ln) //nolint:errcheck // ends with Close or Pause
	return nil
}

// Sends lists the batchSend calls the server accepted, in order.
func (s *Server) Sends() []SendCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SendCall(nil), s.sends...)
}

// Keys lists every processQueryKey the server knows.
func (s *Server) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.messages))
	for k := range s.messages {
		keys = append(keys, k)
	}
	return keys
}
