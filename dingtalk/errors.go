package dingtalk

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Error is a failed DingTalk call: the HTTP status, DingTalk's own code,
// request id and message, and a one-line hint in the user's words.
//
// Message, RequestID, IP and RequiredScopes are DingTalk's text (or the
// text of whatever answered in its place): raw, never holding any part of
// the configured secret or token, and to be cleaned (safetext) by whoever
// prints them. The Hint may quote them.
type Error struct {
	// HTTPStatus is the answer's status; 0 when no answer came. A 200
	// whose body is an error shape keeps its 200.
	HTTPStatus int `json:"httpStatus"`
	// Code is DingTalk's code (e.g. "Forbidden.AccessDenied.IpNotInWhiteList"),
	// a legacy errcode in decimal (e.g. "90018"), or one of dingwatch's own
	// codes (CodeNotJSON, CodeNetwork, CodeBanned, CodeIncomplete, CodeRedirect).
	Code      string `json:"code"`
	RequestID string `json:"requestId,omitempty"`
	// Message is DingTalk's own message, kept whole (capped at 512 bytes):
	// for IpNotInWhiteList it holds the IP address DingTalk saw.
	Message string `json:"message"`
	// RequiredScopes are the permissions a 403 answer's
	// accessdenieddetail.requiredScopes says the app lacks (at most 16).
	RequiredScopes []string `json:"requiredScopes,omitempty"`
	// IP is the address DingTalk said it saw, taken from the message of
	// Forbidden.AccessDenied.IpNotInWhiteList; "" when it gave none.
	IP string `json:"ip,omitempty"`
	// RetryAfter is the least pause DingTalk asked for before the next call
	// (the ban body's "wait" seconds, or a Retry-After header); 0 if none.
	RetryAfter time.Duration `json:"-"`
	// Hint says what the failure means for the user and what to do.
	Hint string `json:"-"`
	// mayHaveArrived is set on a network failure after the request was
	// written: DingTalk may have acted on it.
	mayHaveArrived bool
}

// Error is the hint, then DingTalk's code, HTTP status and request id.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Hint)
	if e.Code != "" || e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (")
		if e.Code != "" {
			fmt.Fprintf(&b, "%s, ", e.Code)
		}
		fmt.Fprintf(&b, "HTTP %d", e.HTTPStatus)
		if e.RequestID != "" {
			fmt.Fprintf(&b, ", request %s", e.RequestID)
		}
		b.WriteString(")")
	}
	return b.String()
}

// Codes DingTalk answers with that dingwatch acts on.
const (
	CodeInvalidAuthentication = "InvalidAuthentication"
	CodeInvalidClient         = "invalidClientIdOrSecret"
	CodeKeyExpireTime         = "processQueryKey.expireTime"
	CodeQuotaSpent            = "Forbidden.AccessDenied.ApiCountLimitForOrg"
	CodePermissionDenied      = "Forbidden.AccessDenied.AccessTokenPermissionDenied"
	CodeIPNotAllowed          = "Forbidden.AccessDenied.IpNotInWhiteList"
	CodeSystemError           = "system.error"
	// CodeNotJSON marks an answer whose body was not DingTalk's error JSON
	// (an HTML ban page, a truncated body); it is dingwatch's own code.
	CodeNotJSON = "dingwatch.notJSON"
	// CodeNetwork marks a request that never got an answer; dingwatch's own code.
	CodeNetwork = "dingwatch.network"
	// CodeBanned marks DingTalk's ban body {"status":1111,"wait":5,"punish":"deny"}
	// (any status, 200 included), or the web page it answers a banned IP
	// with (HTTP 200, 403 or 429): a throttle; Error.RetryAfter holds the
	// wait (the body's, a Retry-After header's, or the documented 5 minutes
	// of an IP ban).
	CodeBanned = "dingwatch.banned"
	// CodeIncomplete marks a 2xx answer that lacks what the call must
	// return (a token answer without accessToken, a readStatus answer with
	// neither sendStatus nor messageReadInfoList, a send answer without
	// processQueryKey): not an answer.
	CodeIncomplete = "dingwatch.incomplete"
	// CodeRedirect marks an answer that redirected elsewhere. DingTalk's API
	// never redirects, and dingwatch never follows: the request would carry
	// the secret or the token to another host.
	CodeRedirect = "dingwatch.redirect"
)

// Legacy errcodes that DingTalk answers inside HTTP 200 bodies
// ({"errcode":90018,"errmsg":"…"}); Error.Code holds them in decimal.
const (
	CodeLegacyThrottle       = "90018" // too many calls of this API by the app
	CodeLegacyThrottleCorp   = "90019" // too many calls by the organisation
	CodeLegacyThrottleMinute = "90002" // per-minute limit
	CodeLegacyQuota          = "90020" // the monthly call quota is spent
)

const (
	hintRobotMissing = "no robot code configured: set DINGTALK_ROBOT_CODE or robot_code"
	hintRobotUnknown = "the robot does not exist or is not installed in this organisation: check the robot code"
	hintBusy         = "DingTalk is busy: a passing error, worth another try"
	hintQuota        = "the organisation's monthly API call quota is spent: polling stops until it renews"
)

// hints maps every documented code to what it means for the user.
var hints = map[string]string{
	"invalidParameter.robotCode.empty":               hintRobotMissing,
	"invalidParameter.robotCode.missing":             hintRobotMissing,
	"invalidParameter.robotCode.notExsit":            hintRobotUnknown,
	"invalidParameter.robotCode.invalid":             hintRobotUnknown,
	"invalidParameter.param.invalid":                 "a parameter is empty or malformed",
	"invalidParameter.processQueryKey.missing":       "no processQueryKey given",
	"invalid.processQueryKey":                        "not a valid processQueryKey: check it was copied whole",
	"unknown.send.result":                            "DingTalk does not know the send result of this key",
	"template.not.existed":                           "the bot message template does not exist",
	"template.stopped":                               "the bot message template is disabled",
	CodeKeyExpireTime:                                "no data: just sent (DingTalk has not generated it yet, retry soon) or older than 24 hours (expired)",
	CodeSystemError:                                  hintBusy,
	"unknownError":                                   "DingTalk had an internal error: a passing error, worth another try",
	CodeInvalidAuthentication:                        "the access token was refused: fetching a new one",
	CodeInvalidClient:                                "wrong app key or app secret (or the wrong region's endpoint): check DINGTALK_APP_KEY, DINGTALK_APP_SECRET and DINGTALK_ENDPOINT",
	CodePermissionDenied:                             "the app lacks a permission this call needs (robot messages need qyapi_robot_sendmsg): grant it in the developer console",
	"Forbidden.AccessDenied.QpsLimitForAppkeyAndApi": "DingTalk is throttling this app: calls must slow down",
	"Forbidden.AccessDenied.QpsLimitForApi":          "DingTalk is throttling this API: calls must slow down",
	"Forbidden.AccessDenied.QpmLimitForAppkeyAndApi": "DingTalk is throttling this app (per minute): calls must slow down",
	"Forbidden.AccessDenied.QpmLimitForApi":          "DingTalk is throttling this API (per minute): calls must slow down",
	CodeQuotaSpent:                                   hintQuota,
	CodeIPNotAllowed:                                 "this host's IP address is not in the app's allow-list: add it in the developer console",
	"system.busy":                                    hintBusy,
	"systemBusy":                                     hintBusy,
	CodeLegacyThrottle:                               "DingTalk is throttling this app: calls must slow down",
	CodeLegacyThrottleCorp:                           "DingTalk is throttling this organisation: calls must slow down",
	CodeLegacyThrottleMinute:                         "DingTalk is throttling this app (per minute): calls must slow down",
	CodeLegacyQuota:                                  hintQuota,
	"40014":                                          hintTokenRefused,
	"42001":                                          hintTokenRefused,
	CodeBanned:                                       "DingTalk has banned this host for a while (too many calls): backing off",
	CodeRedirect:                                     "the endpoint answered with a redirect; dingwatch never follows one (it would carry the secret or token elsewhere): check the endpoint setting",
}

// hintTokenRefused is the hint of the legacy "token invalid/expired" errcodes.
const hintTokenRefused = "the access token was refused: fetching a new one"

// Hint returns the user-facing explanation of a DingTalk code and status.
func Hint(status int, code string) string {
	if h, ok := hints[code]; ok {
		return h
	}
	switch {
	case status == http.StatusUnauthorized:
		return hints[CodeInvalidAuthentication]
	case status == http.StatusTooManyRequests:
		return hintBusy
	case status >= 500:
		return "DingTalk had a server error: a passing error, worth another try"
	case isThrottle(code):
		return "DingTalk is throttling this app: calls must slow down"
	}
	return "DingTalk refused the request"
}

// NeverSent reports whether err is a network failure before any attempt
// of the call was written (refused, unreachable, no route, DNS): DingTalk
// saw nothing, so no call of its quota was spent.
func NeverSent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == CodeNetwork && !e.mayHaveArrived
}

// Retryable reports whether an idempotent call that failed with err may be
// tried again after a pause: server errors, "busy", throttles of every
// shape (403 codes, 200-status errcodes, the ban body) and network failures.
func Retryable(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch {
	case e.Code == CodeNetwork:
		return true
	case e.HTTPStatus >= 500, e.HTTPStatus == http.StatusTooManyRequests:
		return true
	case isThrottle(e.Code):
		return true
	}
	return false
}

func isThrottle(code string) bool {
	switch code {
	case CodeLegacyThrottle, CodeLegacyThrottleCorp, CodeLegacyThrottleMinute, CodeBanned:
		return true
	}
	return strings.Contains(code, "QpsLimit") || strings.Contains(code, "QpmLimit")
}

// IsThrottle reports whether err is DingTalk asking to slow down: a
// QPS/QPM code, a 200-status throttle errcode, the ban body, or HTTP 429.
func IsThrottle(err error) bool {
	var e *Error
	return errors.As(err, &e) && (isThrottle(e.Code) || e.HTTPStatus == http.StatusTooManyRequests)
}

// RetryAfter is the least pause DingTalk asked for before calling again
// (a ban body's "wait", a Retry-After header); 0 when it asked for none.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// IsAuth reports whether err says the access token was refused.
func IsAuth(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case CodeInvalidAuthentication, "40014", "42001":
		return true
	}
	return e.HTTPStatus == http.StatusUnauthorized
}

// HasCode reports whether err is a DingTalk error with the given code.
func HasCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// IsQuota reports whether err says the organisation's monthly call quota
// is spent (the 403 code or the 200-status errcode 90020).
func IsQuota(err error) bool {
	return HasCode(err, CodeQuotaSpent) || HasCode(err, CodeLegacyQuota)
}

// IsFatal reports whether err will not go away by retrying: wrong
// credentials, missing permission, spent quota, an IP not allowed, an
// endpoint that redirects.
func IsFatal(err error) bool {
	if IsQuota(err) {
		return true
	}
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case CodeInvalidClient, CodePermissionDenied, CodeIPNotAllowed, CodeRedirect:
		return true
	}
	return false
}

// IsSettings reports whether err is one the user must fix in the settings
// (or DingTalk's developer console) before any call can work: refused
// credentials (or the wrong region's endpoint), a robot code that is
// missing, unknown or not installed, a missing permission, this host's IP
// not in the allow-list, an endpoint that redirects, or an endpoint
// refused by CheckEndpoint. The CLI exits with status 2 for these.
func IsSettings(err error) bool {
	var ee *EndpointError
	if errors.As(err, &ee) {
		return true
	}
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case CodeInvalidClient, CodePermissionDenied, CodeIPNotAllowed, CodeRedirect,
		"invalidParameter.robotCode.empty", "invalidParameter.robotCode.missing",
		"invalidParameter.robotCode.notExsit", "invalidParameter.robotCode.invalid":
		return true
	}
	return e.HTTPStatus == http.StatusForbidden && len(e.RequiredScopes) > 0
}

// ErrOutcomeUnknown wraps a send whose request may have reached DingTalk
// but whose answer never came: the notice may or may not have been sent.
var ErrOutcomeUnknown = errors.New("outcome unknown: the request may have reached DingTalk; not resent")
