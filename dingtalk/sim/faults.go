package sim

import (
	"net/http"
	"strconv"
	"time"
)

// FaultKind is how an injected fault misbehaves.
type FaultKind int

// The kinds of fault.
const (
	// Answer answers Status with DingTalk's error JSON for Code, or with Body.
	Answer FaultKind = iota
	// Reset closes the connection without answering.
	Reset
	// Hang waits Delay (or until the client gives up), then answers normally.
	Hang
	// Truncate answers 200 with the first half of the normal answer, then
	// closes the connection.
	Truncate
	// AfterHandling does the work (a batchSend sends), then closes the
	// connection without answering: the client cannot know what happened.
	AfterHandling
)

// Fault is a misbehaviour the server shows on matching requests.
type Fault struct {
	Endpoint string // "token", "readStatus", "batchSend", "batchRecall"; "" for every non-token endpoint
	Key      string // only readStatus of this processQueryKey; "" for all
	Kind     FaultKind
	Status   int
	Code     string // DingTalk's error code, answered as its error JSON
	Body     string // a raw body instead (an HTML page, odd JSON)
	Delay    time.Duration
	Times    int       // how many requests it hits; 0 for every one until cleared
	From     time.Time // on the server's clock; zero: from now
	Until    time.Time // on the server's clock; zero for no end
}

// Inject adds a fault; faults are tried in the order they were added.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := f
	s.faults = append(s.faults, &c)
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFaultLocked finds the first fault matching the request, uses one of
// its Times, and drops spent or past faults.
func (s *Server) takeFaultLocked(endpoint, key string) *Fault {
	now := s.opts.Now()
	kept := s.faults[:0]
	var hit *Fault
	for _, f := range s.faults {
		if !f.Until.IsZero() && !now.Before(f.Until) {
			continue
		}
		if !f.From.IsZero() && now.Before(f.From) {
			kept = append(kept, f)
			continue
		}
		matches := (f.Endpoint == endpoint || (f.Endpoint == "" && endpoint != "token")) &&
			(f.Key == "" || f.Key == key)
		if hit == nil && matches {
			hit = f
			if f.Times > 0 {
				f.Times--
				if f.Times == 0 {
					continue
				}
			}
		}
		kept = append(kept, f)
	}
	s.faults = kept
	return hit
}

// apply carries out the fault; it reports whether the request is answered.
func (f *Fault) apply(w http.ResponseWriter, r *http.Request, h http.HandlerFunc) bool {
	switch f.Kind {
	case Reset:
		hangUp(w)
	case Hang:
		select {
		case <-r.Context().Done():
			return true
		case <-time.After(f.Delay):
		}
		return false
	case Truncate:
		rec := &recorder{header: http.Header{}}
		h(rec, r)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(rec.body)))
		w.WriteHeader(http.StatusOK)
		w.Write(rec.body[:len(rec.body)/2]) //nolint:errcheck
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		hangUp(w)
	case AfterHandling:
		h(&recorder{header: http.Header{}}, r)
		hangUp(w)
	default:
		if f.Body != "" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(f.Status)
			w.Write([]byte(f.Body)) //nolint:errcheck
			return true
		}
		apiError(w, f.Status, f.Code, "injected by the simulator")
	}
	return true
}

// hangUp closes the connection under w without a (complete) answer.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// recorder captures what a handler would have answered.
type recorder struct {
	header http.Header
	status int
	body   []byte
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(b []byte) (int, error) { r.body = append(r.body, b...); return len(b), nil }

// BanPage is the kind of HTML page DingTalk answers when it has banned an IP.
const BanPage = `<!DOCTYPE html><html><head><title>Access denied</title></head><body><h1>Too many requests</h1><p>Your IP has been blocked for 5 minutes.</p></body></html>`

// randomFault is one of the faults FaultRate draws from, by n (0–2).
func randomFault(n int) *Fault {
	switch n {
	case 0:
		return &Fault{Status: 500, Code: "system.error"}
	case 1:
		return &Fault{Status: 403, Code: "Forbidden.AccessDenied.QpsLimitForApi"}
	}
	return &Fault{Kind: Reset}
}
