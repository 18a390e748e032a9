package stream

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// checkBase checks the API base URL: https, or plain http only to a
// loopback address (the simulator, a test). These are the HTTP client's
// rules, so the stream never talks where the API calls would not.
func checkBase(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || u.Host == "" || u.User != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("endpoint %q is not an https URL such as https://api.dingtalk.io", raw)
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return nil, fmt.Errorf("endpoint %q: plain http is only allowed to this machine (localhost); use https", raw)
	}
	return u, nil
}

// checkDial checks the WebSocket endpoint DingTalk answered: wss, or plain
// ws only to a loopback address.
func checkDial(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || (u.Scheme != "wss" && u.Scheme != "ws") {
		return fmt.Errorf("the stream endpoint DingTalk gave is not a wss:// URL")
	}
	if u.Scheme == "ws" && !loopback(u.Hostname()) {
		return fmt.Errorf("the stream endpoint DingTalk gave is plain ws:// off this machine: refused, only wss:// is safe")
	}
	return nil
}

// loopback reports whether host names this machine.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
