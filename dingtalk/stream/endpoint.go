package stream

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// checkBase checks the API base URL by the HTTP client's rules
// (dingtalk.ParseEndpoint: https, plain http only to loopback, no user
// info, no path), so the stream never talks where the API calls would not.
func checkBase(raw string) (*url.URL, error) {
	return dingtalk.ParseEndpoint(raw)
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
