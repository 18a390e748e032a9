package serve

import (
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/dingwatch/dingwatch/internal/safetext"
)

// Limits on what a refused client can make dingwatch write.
const (
	// logValueMax caps every client-chosen value in a log line, in runes.
	logValueMax = 64
	// refusalSources caps how many source addresses are counted apart in
	// one interval; the rest are counted together as "other".
	refusalSources = 1024
	// DefaultRefusalInterval is how often counted refusals are written.
	DefaultRefusalInterval = time.Minute
)

// logValue cleans a client-chosen value (user name, command, terminal
// type, environment) for a log line: one line, no controls, short.
func logValue(s string) string { return safetext.Line(s, logValueMax) }

// refusalLog writes refused connections without letting a client flood
// the log: the first refusal from a source in an interval is written
// whole, the rest of that interval are counted and written as one line
// per source when the interval ends (on flush).
type refusalLog struct {
	log *slog.Logger

	mu      sync.Mutex
	sources map[string]*refusals
}

// refusals are one source's refusals in the current interval.
type refusals struct {
	count   int // after the first, which was written
	reasons map[string]int
}

func newRefusalLog(log *slog.Logger) *refusalLog {
	return &refusalLog{log: log, sources: map[string]*refusals{}}
}

// add records one refused connection from source; user and fingerprint
// may be empty.
func (r *refusalLog) add(source, reason, user string, key ssh.PublicKey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rs, ok := r.sources[source]; ok {
		rs.count++
		rs.reasons[reason]++
		return
	}
	if len(r.sources) >= refusalSources {
		source = "other"
		if rs, ok := r.sources[source]; ok {
			rs.count++
			rs.reasons[reason]++
			return
		}
	}
	r.sources[source] = &refusals{reasons: map[string]int{}}
	attrs := []any{"remote", source, "reason", reason}
	if user != "" {
		attrs = append(attrs, "user", logValue(user))
	}
	if key != nil {
		attrs = append(attrs, "fingerprint", gossh.FingerprintSHA256(key))
	}
	r.log.Warn("ssh: refused", attrs...)
}

// flush writes one line per source refused again since its first line,
// and starts a new interval.
func (r *refusalLog) flush(interval time.Duration) {
	r.mu.Lock()
	sources := r.sources
	r.sources = map[string]*refusals{}
	r.mu.Unlock()
	names := make([]string, 0, len(sources))
	for s, rs := range sources {
		if rs.count > 0 {
			names = append(names, s)
		}
	}
	sort.Strings(names)
	for _, s := range names {
		rs := sources[s]
		r.log.Warn("ssh: refused again", "remote", s, "count", rs.count, "interval", interval.String(), "reasons", reasonList(rs.reasons))
	}
}

// reasonList is "reason ×n, …", most frequent first.
func reasonList(m map[string]int) string {
	type rc struct {
		r string
		n int
	}
	var l []rc
	for r, n := range m {
		l = append(l, rc{r, n})
	}
	sort.Slice(l, func(i, j int) bool { return l[i].n > l[j].n || (l[i].n == l[j].n && l[i].r < l[j].r) })
	parts := make([]string, len(l))
	for i, x := range l {
		parts[i] = x.r + " ×" + strconv.Itoa(x.n)
	}
	return strings.Join(parts, ", ")
}
