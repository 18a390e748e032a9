package serve

import (
	"fmt"
	"net"
	"net/netip"
	"path"
	"strings"
)

// parseFrom splits a from= value into patterns, refusing what cannot be
// matched against an address: host names (dingwatch does not resolve
// names, as sshd with UseDNS no) and malformed CIDR blocks.
func parseFrom(value string) ([]string, error) {
	var pats []string
	for _, p := range strings.Split(value, ",") {
		p = strings.TrimSpace(p)
		bare := strings.TrimPrefix(p, "!")
		switch {
		case bare == "":
			return nil, fmt.Errorf("from= holds an empty pattern")
		case strings.Contains(bare, "/"):
			if _, err := netip.ParsePrefix(bare); err != nil {
				return nil, fmt.Errorf("from= pattern %q is not a CIDR block", clip(bare, 64))
			}
		case strings.Trim(bare, "0123456789abcdefABCDEF.:*?") != "":
			return nil, fmt.Errorf("from= pattern %q is a host name: dingwatch matches addresses and CIDR blocks only", clip(bare, 64))
		}
		pats = append(pats, strings.ToLower(p))
	}
	return pats, nil
}

// allowedFrom reports whether addr passes the from= patterns, as sshd
// decides: a matching negated pattern refuses, else any matching pattern
// admits, else the address is refused. No patterns admit every address.
func allowedFrom(patterns []string, addr net.Addr) bool {
	if len(patterns) == 0 {
		return true
	}
	ip, ok := addrIP(addr)
	if !ok {
		return false
	}
	text := strings.ToLower(ip.String())
	admitted := false
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		bare := strings.TrimPrefix(p, "!")
		var match bool
		if strings.Contains(bare, "/") {
			pre, err := netip.ParsePrefix(bare)
			match = err == nil && pre.Contains(ip)
		} else {
			match, _ = path.Match(bare, text)
		}
		if match && neg {
			return false
		}
		admitted = admitted || match
	}
	return admitted
}

// addrIP is the IP address of a TCP peer, IPv4-mapped addresses unmapped.
func addrIP(addr net.Addr) (netip.Addr, bool) {
	if addr == nil {
		return netip.Addr{}, false
	}
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap(), true
}
