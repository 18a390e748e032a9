package dingtalk

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// The two regions' API hosts (the same paths and semantics).
const (
	HostInternational = "api.dingtalk.io"
	HostChina         = "api.dingtalk.com"
)

// EndpointError is an endpoint setting that CheckEndpoint refuses. Its
// text names the scheme and host only: never a user name or password.
type EndpointError struct {
	// Shown is the endpoint as it may be shown (scheme://host, or "").
	Shown string
	// Reason says what is wrong and what to do.
	Reason string
}

// Error is "endpoint <shown>: <reason>".
func (e *EndpointError) Error() string {
	if e.Shown == "" {
		return "endpoint: " + e.Reason
	}
	return fmt.Sprintf("endpoint %s: %s", e.Shown, e.Reason)
}

// CheckEndpoint refuses an endpoint that could leak the secret or is not
// a base URL: not http(s); plain http:// to a host that is not loopback
// (127.0.0.0/8, ::1, localhost); a user name or password (user:pass@host);
// a path other than "/", a query or a fragment. The error is an
// *EndpointError (IsSettings is true for it) and never repeats user info.
func CheckEndpoint(raw string) error {
	_, err := parseEndpoint(raw)
	return err
}

// ParseEndpoint is CheckEndpoint that also returns the parsed base URL
// (without a trailing slash).
func ParseEndpoint(raw string) (*url.URL, error) {
	return parseEndpoint(raw)
}

func parseEndpoint(raw string) (*url.URL, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, &EndpointError{Reason: "empty: use " + DefaultEndpoint + " (international) or https://" + HostChina + " (China)"}
	}
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		shown := ""
		if err == nil && u.Host != "" && u.User == nil {
			shown = u.Scheme + "://" + u.Host
		}
		return nil, &EndpointError{Shown: shown, Reason: "not an http(s) URL such as " + DefaultEndpoint}
	}
	shown := u.Scheme + "://" + u.Host
	switch {
	case u.User != nil:
		return nil, &EndpointError{Shown: shown, Reason: "must not carry a user name or password (user@host): DingTalk takes the app key and secret as settings of their own"}
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return nil, &EndpointError{Shown: shown, Reason: "plain http:// would send the app secret and token unencrypted: use https:// (http:// is only for a loopback address such as 127.0.0.1)"}
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#"):
		return nil, &EndpointError{Shown: shown, Reason: "must not have a query or fragment: give the base URL only, such as " + DefaultEndpoint}
	case strings.Trim(u.Path, "/") != "":
		return nil, &EndpointError{Shown: shown, Reason: "must not have a path: give the base URL only, such as " + DefaultEndpoint}
	}
	u.Path, u.RawPath = "", ""
	return u, nil
}

// isLoopback reports whether host is a loopback address or localhost.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// otherRegion says, for a refused-credentials hint, which other host the
// app may belong to.
func otherRegion(host string) string {
	h := strings.ToLower(host)
	if hh, _, err := net.SplitHostPort(h); err == nil {
		h = hh
	}
	switch h {
	case HostInternational:
		return "or the region: an app of China's DingTalk needs endpoint https://" + HostChina
	case HostChina:
		return "or the region: an app of international DingTalk needs endpoint https://" + HostInternational
	}
	return "or the endpoint: DingTalk's are https://" + HostInternational + " (international) and https://" + HostChina + " (China)"
}

// noRedirect is the CheckRedirect of every client: the 3xx answer itself
// is returned, unfollowed, and becomes a redirectError.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// redirectError is the error of a 3xx answer to req: it names the host the
// answer pointed to, nothing more of the Location.
func redirectError(req *http.Request, resp *http.Response) *Error {
	to := "an unnamed place (no Location)"
	if loc := resp.Header.Get("Location"); loc != "" {
		to = "a Location that is not a URL"
		if u, err := req.URL.Parse(loc); err == nil && u.Host != "" {
			to = capText(u.Host, 128)
		}
	}
	return &Error{HTTPStatus: resp.StatusCode, Code: CodeRedirect,
		Message: "redirect to " + to,
		Hint: fmt.Sprintf("the endpoint %s redirected to %s; dingwatch never follows a redirect (it would carry the secret or token there): check the endpoint setting",
			req.URL.Host, to)}
}
