package sim

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// window is how long after sending a key can be queried or recalled.
const window = 24 * time.Hour

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1.0/oauth2/accessToken", s.endpoint("token", s.handleAppToken))
	mux.HandleFunc("POST /v1.0/oauth2/corpAccessToken", s.endpoint("token", s.handleCorpToken))
	mux.HandleFunc("GET /v1.0/robot/oToMessages/readStatus", s.endpoint("readStatus", s.authed(s.handleReadStatus)))
	mux.HandleFunc("POST /v1.0/robot/oToMessages/batchSend", s.endpoint("batchSend", s.authed(s.handleBatchSend)))
	mux.HandleFunc("POST /v1.0/robot/otoMessages/batchRecall", s.endpoint("batchRecall", s.authed(s.handleBatchRecall)))
	return mux
}

// endpoint counts the call, applies latency and any injected fault, then
// runs h.
func (s *Server) endpoint(name string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[name]++
		if name != "token" {
			s.callTimes = append(s.callTimes, time.Now())
		}
		if name == "readStatus" {
			s.keyCalls[r.URL.Query().Get("processQueryKey")]++
		}
		f := s.takeFaultLocked(name, r.URL.Query().Get("processQueryKey"))
		if f == nil && name == "readStatus" && s.opts.FaultRate > 0 && s.rng.Float64() < s.opts.FaultRate {
			f = randomFault(s.rng.IntN(3))
		}
		s.mu.Unlock()
		if s.opts.Latency > 0 {
			time.Sleep(s.opts.Latency)
		}
		if f != nil && f.apply(w, r, h) {
			return
		}
		h(w, r)
	}
}

// apiError writes DingTalk's error JSON.
func apiError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, errorBody(code, msg, nil))
}

// errorBody is DingTalk's error JSON; scopes, when given, go where a 403
// puts them (accessdenieddetail.requiredScopes).
func errorBody(code, msg string, scopes []string) map[string]any {
	b := map[string]any{"code": code, "requestid": "sim-" + code, "message": msg}
	if len(scopes) > 0 {
		b["accessdenieddetail"] = map[string]any{"requiredScopes": scopes}
	}
	return b
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client sees a short body
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		apiError(w, 400, "invalidParameter.param.invalid", "body must be JSON")
		return false
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		apiError(w, 400, "invalidParameter.param.invalid", "malformed JSON body")
		return false
	}
	return true
}

func (s *Server) issueToken(w http.ResponseWriter) {
	s.mu.Lock()
	tok := "tok-" + s.newKeyLocked()[:16]
	s.tokens[tok] = s.opts.Now().Add(7200 * time.Second)
	s.mu.Unlock()
	writeJSON(w, 200, map[string]any{"accessToken": tok, "expireIn": 7200})
}

func (s *Server) handleAppToken(w http.ResponseWriter, r *http.Request) {
	var b struct{ AppKey, AppSecret string }
	if !decodeBody(w, r, &b) {
		return
	}
	if b.AppKey != s.opts.AppKey || b.AppSecret != s.opts.AppSecret {
		apiError(w, 400, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
		return
	}
	s.issueToken(w)
}

func (s *Server) handleCorpToken(w http.ResponseWriter, r *http.Request) {
	var b struct{ SuiteKey, SuiteSecret, AuthCorpID, SuiteTicket string }
	if !decodeBody(w, r, &b) {
		return
	}
	want := s.opts.Suite
	if want.Key == "" || b.SuiteKey != want.Key || b.SuiteSecret != want.Secret ||
		b.AuthCorpID != want.CorpID || b.SuiteTicket != want.Ticket {
		apiError(w, 400, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
		return
	}
	s.issueToken(w)
}

// authed checks the access token header.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("x-acs-dingtalk-access-token")
		s.mu.Lock()
		exp, ok := s.tokens[tok]
		s.mu.Unlock()
		if !ok || !s.opts.Now().Before(exp) {
			apiError(w, 400, "InvalidAuthentication", "不合法的access_token")
			return
		}
		h(w, r)
	}
}

func (s *Server) knownRobot(code string) bool {
	for _, r := range s.opts.Robots {
		if r == code {
			return true
		}
	}
	return false
}

// checkRobot answers the robotCode errors; it reports whether code is usable.
func (s *Server) checkRobot(w http.ResponseWriter, code string) bool {
	switch {
	case code == "":
		apiError(w, 400, "invalidParameter.robotCode.empty", "robotCode is empty")
	case !s.knownRobot(code):
		apiError(w, 400, "invalidParameter.robotCode.notExsit", "robot not exist")
	default:
		return true
	}
	return false
}

func (s *Server) handleReadStatus(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	key := q.Get("processQueryKey")
	if !s.checkRobot(w, q.Get("robotCode")) {
		return
	}
	if key == "" {
		apiError(w, 400, "invalidParameter.processQueryKey.missing", "processQueryKey is missing")
		return
	}
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.messages[key]
	switch {
	case m == nil || m.robot != q.Get("robotCode"):
		apiError(w, 400, "invalid.processQueryKey", "invalid processQueryKey")
		return
	case now.Sub(m.sentAt) < s.opts.NotReadyFor || now.Sub(m.sentAt) > window:
		apiError(w, 400, "processQueryKey.expireTime", "processQueryKey expired or not generated")
		return
	}
	type info struct {
		Name          string `json:"name"`
		UserID        string `json:"userId"`
		ReadStatus    string `json:"readStatus"`
		ReadTimestamp int64  `json:"readTimestamp"`
	}
	list := make([]info, 0, len(m.people))
	for _, p := range m.people {
		st, at := "UNREAD", int64(0)
		if readAt := m.sentAt.Add(p.ReadAfter); p.ReadAfter >= 0 && !now.Before(readAt) {
			st = "READ"
			switch m.times {
			case Seconds:
				at = readAt.Unix()
			case Millis:
				at = readAt.UnixMilli()
			}
		}
		list = append(list, info{Name: p.Name, UserID: p.UserID, ReadStatus: st, ReadTimestamp: at})
	}
	writeJSON(w, 200, map[string]any{"sendStatus": s.sendStatusLocked(m, now), "messageReadInfoList": list})
}

// sendStatusLocked is the sendStatus readStatus answers for m at now.
func (s *Server) sendStatusLocked(m *message, now time.Time) string {
	switch {
	case m.status != "" && (m.statusUntil.IsZero() || now.Before(m.statusUntil)):
		return m.status
	case m.recalled:
		return "RECALLED"
	case s.opts.ProcessingFor > 0 && now.Sub(m.sentAt) < s.opts.NotReadyFor+s.opts.ProcessingFor:
		return "PROCESSING"
	}
	return s.opts.SuccessWord
}

var msgKeys = map[string]bool{"sampleText": true, "sampleMarkdown": true, "sampleLink": true, "sampleActionCard": true}

func (s *Server) handleBatchSend(w http.ResponseWriter, r *http.Request) {
	var b struct {
		RobotCode string   `json:"robotCode"`
		UserIDs   []string `json:"userIds"`
		MsgKey    string   `json:"msgKey"`
		MsgParam  string   `json:"msgParam"`
	}
	if !decodeBody(w, r, &b) || !s.checkRobot(w, b.RobotCode) {
		return
	}
	var param map[string]any
	if len(b.UserIDs) == 0 || len(b.UserIDs) > 20 || !msgKeys[b.MsgKey] || json.Unmarshal([]byte(b.MsgParam), &param) != nil {
		apiError(w, 400, "invalidParameter.param.invalid", "userIds, msgKey or msgParam invalid")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var people []Person
	invalid, flow, filtered := []string{}, []string{}, []string{}
	for _, id := range b.UserIDs {
		name, ok := s.directory[id]
		switch {
		case !ok:
			invalid = append(invalid, id)
		case s.blocked[id] == FlowControlled:
			flow = append(flow, id)
		case s.blocked[id] == Filtered:
			filtered = append(filtered, id)
		default:
			people = append(people, Person{UserID: id, Name: name, ReadAfter: s.opts.ReadPlan(id)})
		}
	}
	key := s.addLocked(b.RobotCode, s.opts.Now(), people)
	s.messages[key].times = s.opts.SendReadTimes
	s.sends = append(s.sends, SendCall{RobotCode: b.RobotCode, UserIDs: b.UserIDs, MsgKey: b.MsgKey, MsgParam: b.MsgParam, Key: key})
	writeJSON(w, 200, map[string]any{"processQueryKey": key, "invalidStaffIdList": invalid,
		"flowControlledStaffIdList": flow, "filteredStaffIdList": filtered})
}

func (s *Server) handleBatchRecall(w http.ResponseWriter, r *http.Request) {
	var b struct {
		RobotCode string   `json:"robotCode"`
		Keys      []string `json:"processQueryKeys"`
	}
	if !decodeBody(w, r, &b) || !s.checkRobot(w, b.RobotCode) {
		return
	}
	if len(b.Keys) == 0 || len(b.Keys) > 20 {
		apiError(w, 400, "invalidParameter.param.invalid", "processQueryKeys must hold 1 to 20 keys")
		return
	}
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	ok, failed := []string{}, map[string]string{}
	for _, k := range b.Keys {
		m := s.messages[k]
		switch {
		case m == nil || m.robot != b.RobotCode:
			failed[k] = "invalid processQueryKey"
		case now.Sub(m.sentAt) > window:
			failed[k] = "over 24 hours: cannot recall"
		default:
			m.recalled = true
			ok = append(ok, k)
		}
	}
	writeJSON(w, 200, map[string]any{"successResult": ok, "failedResult": failed})
}
