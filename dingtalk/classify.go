package dingtalk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// answerSpec says what one call's good answer must hold. Every answer, of
// every status, is classified against one (classify): the one place where
// dingwatch decides whether DingTalk said yes.
type answerSpec struct {
	// what names the answer in hints ("token answer").
	what string
	// anyOf are top-level fields of which a good answer holds at least one
	// that is neither null nor "". None: any JSON object will do.
	anyOf []string
	// secret marks answers that carry a secret (the access token): their
	// body is never quoted in an error.
	secret bool
}

// The answers of the four calls.
var (
	tokenSpec      = answerSpec{what: "token answer", anyOf: []string{"accessToken"}, secret: true}
	readStatusSpec = answerSpec{what: "read-status answer", anyOf: []string{"sendStatus", "messageReadInfoList"}}
	sendSpec       = answerSpec{what: "send answer", anyOf: []string{"processQueryKey"}}
	recallSpec     = answerSpec{what: "recall answer", anyOf: []string{"successResult", "failedResult"}}
)

// Caps on what is kept of DingTalk's text.
const (
	maxMessageBytes = 512
	maxScopes       = 16
	maxScopeBytes   = 128
	maxRetryAfter   = time.Hour
)

// classify decides whether an answer (any status, 3xx excepted: see
// redirectError) is a good answer for spec. It returns nil for a good
// answer, else the *Error, by the body as well as the status:
//
//   - the ban body {"status":1111,"wait":5,"punish":"deny"}: CodeBanned, a
//     throttle, RetryAfter = wait;
//   - a legacy {"errcode":N,"errmsg":"…"} with N ≠ 0: Code N in decimal
//     (90018/90019/90002 throttles, 90020 the quota);
//   - DingTalk's error JSON {"code":"…","requestid":"…","message":"…"},
//     with accessdenieddetail.requiredScopes kept;
//   - any other non-2xx: CodeNotJSON;
//   - a 2xx that is not a JSON object: CodeNotJSON; one without any of
//     spec.anyOf: CodeIncomplete.
//
// It never panics, whatever the body.
func classify(status int, header http.Header, body []byte, spec answerSpec) *Error {
	ok := status/100 == 2
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil || obj == nil {
		if ok && !looksHTML(body) {
			return &Error{HTTPStatus: status, Code: CodeNotJSON, Message: excerpt(body, spec),
				Hint: fmt.Sprintf("DingTalk's %s could not be read (not the expected JSON)", spec.what)}
		}
		return withRetryAfter(notJSON(status, body, spec), header)
	}
	if e := errorShape(status, obj, body, spec); e != nil {
		return withRetryAfter(e, header)
	}
	if !ok {
		return withRetryAfter(notJSON(status, body, spec), header)
	}
	if len(spec.anyOf) == 0 {
		return nil
	}
	for _, f := range spec.anyOf {
		if v, has := obj[f]; has && !isEmptyJSON(v) {
			return nil
		}
	}
	return &Error{HTTPStatus: status, Code: CodeIncomplete, Message: "fields: " + fieldNames(obj),
		Hint: fmt.Sprintf("DingTalk's %s had no %s: not an answer", spec.what, strings.Join(spec.anyOf, " or "))}
}

// errorShape finds an error in a JSON object answer, whatever its status.
func errorShape(status int, obj map[string]json.RawMessage, body []byte, spec answerSpec) *Error {
	if punish, has := obj["punish"]; (has && !isEmptyJSON(punish)) || jsonNumber(obj["status"]) == 1111 {
		e := &Error{HTTPStatus: status, Code: CodeBanned, Message: excerpt(body, spec)}
		if w := jsonNumber(obj["wait"]); w > 0 {
			e.RetryAfter = maxRetryAfter
			if w < maxRetryAfter.Seconds() {
				e.RetryAfter = clampWait(time.Duration(w * float64(time.Second)))
			}
		}
		explain(e)
		return e
	}
	if raw, has := obj["errcode"]; has {
		if code := scalar(raw); code != "" && code != "0" {
			var msg string
			json.Unmarshal(obj["errmsg"], &msg) //nolint:errcheck // absent or odd: no message
			e := &Error{HTTPStatus: status, Code: code, Message: capText(msg, maxMessageBytes)}
			explain(e)
			return e
		}
	}
	if raw, has := obj["code"]; has {
		code := scalar(raw)
		if code == "" || code == "0" {
			return nil
		}
		var eb errorBody
		json.Unmarshal(body, &eb) //nolint:errcheck // the fields that fit are kept
		e := &Error{HTTPStatus: status, Code: code, RequestID: capText(scalar(eb.RequestID), 128),
			Message: capText(scalar(eb.Message), maxMessageBytes)}
		if e.RequestID == "" {
			e.RequestID = capText(scalar(eb.RequestId), 128)
		}
		e.RequiredScopes = scopes(eb.Detail.RequiredScopes)
		explain(e)
		return e
	}
	return nil
}

type errorBody struct {
	RequestID json.RawMessage `json:"requestid"`
	RequestId json.RawMessage `json:"requestId"` //nolint:revive // DingTalk spells it both ways
	Message   json.RawMessage `json:"message"`
	Detail    struct {
		RequiredScopes json.RawMessage `json:"requiredScopes"`
	} `json:"accessdenieddetail"`
}

// DecodeError turns an answer that is not a good one into an *Error: any
// status, by its body as classify does. It never fails: a body that is
// not DingTalk's error JSON (an HTML ban page, a throttle's odd JSON, a
// truncated body) becomes an error that says so.
func DecodeError(status int, body []byte) *Error {
	if e := classify(status, nil, body, answerSpec{what: "answer"}); e != nil {
		return e
	}
	return &Error{HTTPStatus: status, Code: CodeNotJSON, Message: bodyExcerpt(body),
		Hint: fmt.Sprintf("DingTalk answered HTTP %d without an error, where one was expected", status)}
}

// banPause is how long DingTalk bans an IP that made too many calls (its
// documented 5 minutes); the least pause after its ban page.
const banPause = 5 * time.Minute

// notJSON is the error of an answer that is not DingTalk's JSON: a non-2xx,
// or a web page of any status. A web page with 200, 403 or 429 is how
// DingTalk answers a banned IP: CodeBanned, a throttle, RetryAfter banPause
// (or the Retry-After header); other pages (a 502 from a gateway) and
// other bodies are CodeNotJSON.
func notJSON(status int, body []byte, spec answerSpec) *Error {
	if !looksHTML(body) {
		return &Error{HTTPStatus: status, Code: CodeNotJSON, Message: excerpt(body, spec),
			Hint: fmt.Sprintf("DingTalk answered HTTP %d with something other than its error JSON", status)}
	}
	hint := fmt.Sprintf("DingTalk answered HTTP %d with a web page: this host may be throttled or banned for a few minutes", status)
	switch status {
	case http.StatusOK, http.StatusForbidden, http.StatusTooManyRequests:
		return &Error{HTTPStatus: status, Code: CodeBanned, Message: excerpt(body, spec), RetryAfter: banPause, Hint: hint + ": backing off"}
	}
	return &Error{HTTPStatus: status, Code: CodeNotJSON, Message: excerpt(body, spec), Hint: hint}
}

// explain sets e.Hint from its code, status and the details DingTalk gave:
// the IP it saw, the permissions it wants, how long to wait.
func explain(e *Error) {
	e.Hint = Hint(e.HTTPStatus, e.Code)
	switch {
	case len(e.RequiredScopes) > 0:
		word := "permission"
		if len(e.RequiredScopes) > 1 {
			word = "permissions"
		}
		e.Hint = fmt.Sprintf("the app lacks the %s %s: grant %s in the developer console",
			word, strings.Join(e.RequiredScopes, ", "), map[bool]string{true: "them", false: "it"}[len(e.RequiredScopes) > 1])
	case e.Code == CodeIPNotAllowed:
		e.IP = findIP(e.Message)
		switch {
		case e.IP != "":
			e.Hint = fmt.Sprintf("DingTalk saw this host as %s, which is not in the app's IP allow-list: add %s in the developer console", e.IP, e.IP)
		case e.Message != "":
			e.Hint += " (DingTalk said: " + e.Message + ")"
		}
	case e.Code == CodeBanned && e.RetryAfter > 0:
		e.Hint = fmt.Sprintf("DingTalk has banned this host for a while (too many calls): waiting at least %s", e.RetryAfter)
	}
	if _, known := hints[e.Code]; !known && e.Message != "" && e.Hint == Hint(e.HTTPStatus, e.Code) &&
		!isThrottle(e.Code) && e.HTTPStatus/100 != 5 && e.Code != CodeNotJSON {
		// An unknown code: DingTalk's own words say more than a generic hint.
		e.Hint += ": " + e.Message
	}
}

// findIP is the first IPv4 or IPv6 address in s, or "".
func findIP(s string) string {
	isIPChar := func(r rune) bool {
		return r == '.' || r == ':' || r < utf8.RuneSelf && (r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F')
	}
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool { return !isIPChar(r) }) {
		tok = strings.Trim(tok, ".:")
		if !strings.ContainsAny(tok, ".:") {
			continue
		}
		if a, err := netip.ParseAddr(tok); err == nil {
			return a.String()
		}
	}
	return ""
}

// scopes reads requiredScopes: a list of strings or one comma-separated string.
func scopes(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) != nil {
		var one string
		if json.Unmarshal(raw, &one) != nil {
			return nil
		}
		list = strings.Split(one, ",")
	}
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" && len(out) < maxScopes {
			out = append(out, capText(s, maxScopeBytes))
		}
	}
	return out
}

// withRetryAfter takes a Retry-After header (seconds) as the least pause.
func withRetryAfter(e *Error, header http.Header) *Error {
	if v := header.Get("Retry-After"); v != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
			e.RetryAfter = clampWait(time.Duration(n) * time.Second)
		}
	}
	return e
}

func clampWait(d time.Duration) time.Duration {
	return min(max(d, time.Second), maxRetryAfter)
}

// scalar is a JSON string or number as text ("" for null, objects, arrays).
func scalar(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// jsonNumber is a JSON number (or a number in a string); 0 otherwise.
func jsonNumber(raw json.RawMessage) float64 {
	f, err := strconv.ParseFloat(scalar(raw), 64)
	if err != nil || f != f { // NaN
		return 0
	}
	return f
}

func isEmptyJSON(raw json.RawMessage) bool {
	s := string(bytes.TrimSpace(raw))
	return s == "" || s == "null" || s == `""`
}

// fieldNames lists an object's field names (never their values: a token
// answer's values are secret), sorted and capped.
func fieldNames(obj map[string]json.RawMessage) string {
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, capText(k, 40))
	}
	if len(names) == 0 {
		return "(none)"
	}
	slices.Sort(names)
	if len(names) > 8 {
		names = append(names[:8], "…")
	}
	return strings.Join(names, ", ")
}

// excerpt is the start of body for a message, or a note that it was
// withheld when the answer may hold a secret.
func excerpt(body []byte, spec answerSpec) string {
	if spec.secret {
		return fmt.Sprintf("(%d bytes, withheld: a %s may hold the token)", len(body), spec.what)
	}
	return bodyExcerpt(body)
}

// capText cuts s to at most n bytes on a rune boundary, as valid UTF-8.
func capText(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func looksHTML(b []byte) bool {
	s := strings.ToLower(strings.TrimSpace(string(b[:min(len(b), 512)])))
	return strings.HasPrefix(s, "<!doctype html") || strings.HasPrefix(s, "<html") || strings.Contains(s, "<body")
}

// bodyExcerpt is the start of body as printable text, for messages.
func bodyExcerpt(b []byte) string {
	s := strings.ToValidUTF8(string(b[:min(len(b), 120)]), "?")
	s = strings.Join(strings.Fields(s), " ")
	if len(b) > 120 {
		s += "…"
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}
