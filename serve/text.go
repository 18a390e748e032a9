package serve

import (
	"bufio"
	"fmt"
	"io"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/internal/safetext"
	"github.com/dingwatch/dingwatch/watch"
)

// Caps of the text status, in runes: a title, a name or userId, an error hint.
const (
	textTitleMax = 80
	textNameMax  = 64
	textHintMax  = 200
)

// WriteStatus writes a one-shot text status of snap: each notice and lone
// key with its read count and the unread, for sessions without a
// terminal. Every string that came from outside (labels, keys, names,
// userIds, error hints) is cleaned with safetext.Line, so the client's
// terminal sees no control sequence. now times how long push has been
// reconnecting.
func WriteStatus(w io.Writer, snap *watch.Snapshot, now time.Time) error {
	return writeText(w, snap, snap.State.Keys, now)
}

// writeText writes the text status of the keys of snap's state among keys.
func writeText(w io.Writer, snap *watch.Snapshot, keys []*watch.Key, now time.Time) error {
	bw := bufio.NewWriter(w)
	push := ""
	if p := snap.Push.Text(now); p != "" {
		push = " · " + p
	}
	fmt.Fprintf(bw, "dingwatch · %d/%d metered calls in 24h%s\n", snap.Spent, snap.Policy.Budget, push)
	chosen := map[*watch.Key]bool{}
	for _, k := range keys {
		chosen[k] = true
	}
	for _, g := range snap.State.Groups() {
		var gk []*watch.Key
		for _, k := range g.Keys {
			if chosen[k] {
				gk = append(gk, k)
			}
		}
		if len(gk) == 0 {
			continue
		}
		k := gk[0]
		title := k.Label
		if g.Notice != nil {
			title = g.Notice.Label
		}
		if title == "" {
			title = dingtalk.Short(k.Key)
		}
		a := watch.AudienceOf(gk)
		fmt.Fprintf(bw, "\n%s  read %d/%d", safetext.Line(title, textTitleMax), len(a.Read), a.Total())
		if k.Err != nil {
			fmt.Fprintf(bw, "  (%s)", safetext.Line(k.Err.Hint, textHintMax))
		}
		fmt.Fprint(bw, "\n")
		for _, p := range a.Unread {
			fmt.Fprintf(bw, "  unread  %s  %s\n", safetext.Line(p.Name, textNameMax), safetext.Line(p.UserID, textNameMax))
		}
	}
	if len(keys) == 0 {
		fmt.Fprint(bw, "no keys watched\n")
	}
	return bw.Flush()
}
