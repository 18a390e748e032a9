package dingtalk

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error is a failed DingTalk call: the HTTP status, DingTalk's own code,
// request id and message, and a one-line hint in the user's words.
type Error struct {
	HTTPStatus int    `json:"httpStatus"`
	Code       string `json:"code"`
	RequestID  string `json:"requestId,omitempty"`
	Message    string `json:"message"`
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
	CodeSystemError           = "system.error"
	// CodeNotJSON marks an answer whose body was not DingTalk's error JSON
	// (an HTML ban page, a truncated body); it is dingwatch's own code.
	CodeNotJSON = "dingwatch.notJSON"
	// CodeNetwork marks a request that never got an answer; dingwatch's own code.
	CodeNetwork = "dingwatch.network"
)

// hints maps every documented code to what it means for the user.
var hints = map[string]string{
	"invalidParameter.robotCode.empty":                   "no robot code configured: set DINGTALK_ROBOT_CODE or robot_code",
	"invalidParameter.robotCode.missing":                 "no robot code configured: set DINGTALK_ROBOT_CODE or robot_code",
	"invalidParameter.robotCode.notExsit":                "the robot does not exist or is not installed in this organisation: check the robot code",
	"invalidParameter.robotCode.invalid":                 "the robot does not exist or is not installed in this organisation: check the robot code",
	"invalidParameter.param.invalid":                     "a parameter is empty or malformed",
	"invalidParameter.processQueryKey.missing":           "no processQueryKey given",
	"invalid.processQueryKey":                            "not a valid processQueryKey: check it was copied whole",
	"unknown.send.result":                                "DingTalk does not know the send result of this key",
	"template.not.existed":                               "the bot message template does not exist",
	"template.stopped":                                   "the bot message template is disabled",
	CodeKeyExpireTime:                                    "no data: just sent (DingTalk has not generated it yet, retry soon) or older than 24 hours (expired)",
	CodeSystemError:                                      "DingTalk is busy: retrying later",
	"unknownError":                                       "DingTalk had an internal error: retrying later",
	CodeInvalidAuthentication:                            "the access token was refused: fetching a new one",
	CodeInvalidClient:                                    "wrong app key or app secret: check DINGTALK_APP_KEY and DINGTALK_APP_SECRET",
	"Forbidden.AccessDenied.AccessTokenPermissionDenied": "the app lacks the permission qyapi_robot_sendmsg: grant it in the developer console",
	"Forbidden.AccessDenied.QpsLimitForAppkeyAndApi":     "DingTalk is throttling this app: slowing down",
	"Forbidden.AccessDenied.QpsLimitForApi":              "DingTalk is throttling this API: slowing down",
	"Forbidden.AccessDenied.QpmLimitForAppkeyAndApi":     "DingTalk is throttling this app (per minute): slowing down",
	"Forbidden.AccessDenied.QpmLimitForApi":              "DingTalk is throttling this API (per minute): slowing down",
	CodeQuotaSpent:                                       "the organisation's monthly API call quota is spent: polling stops until it renews",
	"Forbidden.AccessDenied.IpNotInWhiteList":            "this host's IP address is not in the app's allow-list: add it in the developer console",
	"system.busy":                                        "DingTalk is busy: retrying later",
	"systemBusy":                                         "DingTalk is busy: retrying later",
}

// Hint returns the user-facing explanation of a DingTalk code and status.
func Hint(status int, code string) string {
	if h, ok := hints[code]; ok {
		return h
	}
	switch {
	case status == http.StatusUnauthorized:
		return hints[CodeInvalidAuthentication]
	case status == http.StatusTooManyRequests:
		return "DingTalk is busy: retrying later"
	case status >= 500:
		return "DingTalk had a server error: retrying later"
	case isThrottle(code):
		return "DingTalk is throttling: slowing down"
	}
	return "DingTalk refused the request"
}

// Retryable reports whether an idempotent call that failed with err may be
// tried again after a pause: server errors, "busy" and QPS throttles.
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
	case e.HTTPStatus == http.StatusForbidden && isThrottle(e.Code):
		return true
	}
	return false
}

func isThrottle(code string) bool {
	return strings.Contains(code, "QpsLimit") || strings.Contains(code, "QpmLimit")
}

// IsThrottle reports whether err is DingTalk asking to slow down.
func IsThrottle(err error) bool {
	var e *Error
	return errors.As(err, &e) && (isThrottle(e.Code) || e.HTTPStatus == http.StatusTooManyRequests)
}

// IsAuth reports whether err says the access token was refused.
func IsAuth(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Code == CodeInvalidAuthentication || e.HTTPStatus == http.StatusUnauthorized)
}

// HasCode reports whether err is a DingTalk error with the given code.
func HasCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// IsFatal reports whether err will not go away by retrying: wrong
// credentials, missing permission, spent quota, an IP not allowed.
func IsFatal(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case CodeInvalidClient, CodeQuotaSpent,
		"Forbidden.AccessDenied.AccessTokenPermissionDenied",
		"Forbidden.AccessDenied.IpNotInWhiteList":
		return true
	}
	return false
}

// ErrOutcomeUnknown wraps a send whose request may have reached DingTalk
// but whose answer never came: the notice may or may not have been sent.
var ErrOutcomeUnknown = errors.New("outcome unknown: the request may have reached DingTalk; not resent")
