package serve

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// AuthorizedKey is one accepted line of an authorized_keys file.
type AuthorizedKey struct {
	Key ssh.PublicKey
	// From are the line's from= patterns (addresses with * and ?
	// wildcards, CIDR blocks, each possibly negated with !); empty: any
	// address may use the key.
	From []string
	// NoPTY (option no-pty): the key may run commands (status) but not
	// open the dashboard.
	NoPTY bool
	Line  int // 1-based line in its file; 0 for keys given in code
}

// RefusedLine is a line of an authorized_keys file that grants nothing,
// and why.
type RefusedLine struct {
	Line   int
	Reason string
}

// harmlessOptions restrict what dingwatch never offers anyway (port,
// agent and X11 forwarding, ~/.ssh/rc), so a line carrying them is
// honoured as written.
var harmlessOptions = map[string]bool{
	"no-port-forwarding": true, "no-agent-forwarding": true,
	"no-x11-forwarding": true, "no-user-rc": true,
}

// ParseAuthorizedKeys reads the lines of an authorized_keys file. Blank
// lines and comments are skipped. A line is refused (and grants nothing)
// when it is not a public key, or carries an option dingwatch cannot
// honour: everything but from= (honoured against the client's address,
// never its host name), no-pty (commands only), and no-port-forwarding,
// no-agent-forwarding, no-X11-forwarding and no-user-rc (dingwatch offers
// none of them). command=, restrict, permitopen=, cert-authority,
// environment=, expiry-time= and the rest are refused rather than
// silently ignored: the line's owner expected them to bind.
func ParseAuthorizedKeys(data []byte) ([]AuthorizedKey, []RefusedLine) {
	var keys []AuthorizedKey
	var refused []RefusedLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		k, reason := parseKeyLine(line)
		if reason != "" {
			refused = append(refused, RefusedLine{Line: n, Reason: reason})
			continue
		}
		k.Line = n
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		refused = append(refused, RefusedLine{Reason: "the rest of the file: " + err.Error()})
	}
	return keys, refused
}

// parseKeyLine reads one non-blank line, or says why it is refused.
func parseKeyLine(line []byte) (AuthorizedKey, string) {
	pk, _, options, rest, err := gossh.ParseAuthorizedKey(line)
	if err != nil {
		return AuthorizedKey{}, "not a public key: " + err.Error()
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return AuthorizedKey{}, "more than one key on the line"
	}
	k := AuthorizedKey{Key: pk}
	for _, opt := range options {
		name, value, hasValue := strings.Cut(opt, "=")
		switch name = strings.ToLower(name); {
		case name == "from" && hasValue:
			pats, err := parseFrom(strings.Trim(value, `"`))
			if err != nil {
				return AuthorizedKey{}, err.Error()
			}
			k.From = append(k.From, pats...)
		case name == "no-pty" && !hasValue:
			k.NoPTY = true
		case harmlessOptions[name] && !hasValue:
		default:
			return AuthorizedKey{}, fmt.Sprintf("option %s cannot be honoured by dingwatch", quoteOption(name))
		}
	}
	return k, ""
}

// quoteOption names an option for a message; the name came from a file
// others may have written, so it is kept short and plain.
func quoteOption(name string) string {
	if len(name) > 32 {
		name = name[:32] + "…"
	}
	return fmt.Sprintf("%q", name)
}

// clip shortens s to at most n bytes, on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// LoadAuthorizedKeys reads an authorized_keys file strictly, as serve
// does when it starts: a file that group or others can write, or a line
// that is not a public key, is an error naming it. Lines refused for
// their options are returned with the keys, for the caller to report.
func LoadAuthorizedKeys(file string) ([]AuthorizedKey, []RefusedLine, error) {
	if err := checkKeyFileModes(file); err != nil {
		return nil, nil, err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, err
	}
	keys, refused := ParseAuthorizedKeys(data)
	for _, r := range refused {
		if strings.HasPrefix(r.Reason, "not a public key") {
			return nil, nil, fmt.Errorf("%s line %d: %s", file, r.Line, r.Reason)
		}
	}
	return keys, refused, nil
}
