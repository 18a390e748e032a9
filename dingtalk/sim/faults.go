package sim

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"
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
	// Redirect answers Status (default 302) with a Location header, and
	// does nothing else: DingTalk never redirects, dingwatch never follows.
	Redirect
)

// Fault is a misbehaviour the server shows on matching requests.
type Fault struct {
	Endpoint string // "token", "readStatus", "batchSend", "batchRecall"; "" for every non-token endpoint
	Key      string // only readStatus of this processQueryKey; "" for all
	Kind     FaultKind
	// Status is the answer's HTTP status. Default: 200 for a Body, 400
	// for a Code, 302 for a Redirect.
	Status int
	Code   string // DingTalk's error code, answered as its error JSON
	// Message is the error JSON's message (default "injected by the
	// simulator"); for IpNotInWhiteList DingTalk puts the IP it saw there.
	Message string
	// RequiredScopes go in the error JSON's accessdenieddetail, as 403
	// answers carry them.
	RequiredScopes []string
	// Body is a raw body instead (an HTML page, odd JSON, a 200-status
	// throttle); sent as application/json when it starts with "{".
	Body     string
	Location string // where a Redirect points
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
	case Redirect:
		w.Header().Set("Location", f.Location)
		w.WriteHeader(cmp.Or(f.Status, http.StatusFound))
	default:
		if f.Body != "" {
			ctype := "text/html; charset=utf-8"
			if strings.HasPrefix(strings.TrimSpace(f.Body), "{") {
				ctype = "application/json"
			}
			w.Header().Set("Content-Type", ctype)
			w.WriteHeader(cmp.Or(f.Status, http.StatusOK))
			w.Write([]byte(f.Body)) //nolint:errcheck
			return true
		}
		writeJSON(w, cmp.Or(f.Status, http.StatusBadRequest),
			errorBody(f.Code, cmp.Or(f.Message, "injected by the simulator"), f.RequiredScopes))
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

// Bodies DingTalk answers with HTTP 200 that are errors all the same.
const (
	// ThrottleBody is the legacy throttle: too many calls of this API.
	ThrottleBody = `{"errcode":90018,"errmsg":"接口调用超过限制 (too many calls)"}`
	// QuotaBody is the legacy "monthly call quota spent".
	QuotaBody = `{"errcode":90020,"errmsg":"本月调用次数已用完 (monthly quota spent)"}`
	// BanBody is the ban shape: wait 5 seconds.
	BanBody = `{"status":1111,"wait":5,"punish":"deny"}`
)

// IPNotAllowed is the fault of a host whose IP (as DingTalk saw it) is not
// in the app's allow-list, on endpoint ("" for every non-token endpoint).
func IPNotAllowed(endpoint, ip string) Fault {
	return Fault{Endpoint: endpoint, Status: http.StatusForbidden, Code: "Forbidden.AccessDenied.IpNotInWhiteList",
		Message: "访问ip不在白名单之中,request ip=" + ip + " appKey(demo)"}
}

// ScopesMissing is the fault of an app that lacks the permissions scopes.
func ScopesMissing(endpoint string, scopes ...string) Fault {
	return Fault{Endpoint: endpoint, Status: http.StatusForbidden, Code: "Forbidden.AccessDenied.AccessTokenPermissionDenied",
		Message: "没有调用该接口的权限 (no permission to call this API)", RequiredScopes: scopes}
}

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
