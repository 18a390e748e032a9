package serve

import (
	"bufio"
	"fmt"
	"io"
	"time"

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
	fmt.Fprintf(bw, "dingwatch · %d/%s metered calls in 24h%s\n", snap.Spent, snap.Policy.BudgetText(), push)
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
		shown := safetext.Line(title, textTitleMax)
		if title == "" {
			// The whole key, to copy: as `dingwatch status` prints it.
			shown = safetext.Line(k.Key, watch.MaxKeyLen)
		}
		// The one count of a notice's people (Audience.Total), as the
		// dashboard and `status` show it: its failed and unknown batches
		// and who DingTalk did not deliver to count too.
		a := watch.AudienceOf(gk, g.Batches()...)
		fmt.Fprintf(bw, "\n%s  read %d/%d", shown, len(a.Read), a.Total())
		// As the dashboard's "!" and `status`: who DingTalk did not deliver to.
		// "Delivered to nobody" is said of the whole notice: of the keys
		// asked alone when its other keys reached people (tester Q4).
		whole := a
		if len(gk) < len(g.Keys) {
			whole = watch.AudienceOf(g.Keys, g.Batches()...)
		}
		switch {
		case whole.DeliveredToNobody():
			fmt.Fprintf(bw, "  ! delivered to nobody (%s)", safetext.Line(whole.NotDeliveredWhy(), textHintMax))
		case a.DeliveredToNobody():
			fmt.Fprintf(bw, "  ! the %s asked (%d of its %d) reached nobody (%s)", watch.Noun(len(gk), "key", "keys"), len(gk), len(g.Keys),
				safetext.Line(a.NotDeliveredWhy(), textHintMax))
		case len(a.NotDelivered) > 0:
			fmt.Fprintf(bw, "  ! %s not delivered (%s)", watch.Plural(len(a.NotDelivered), "person", "people"), safetext.Line(a.NotDeliveredWhy(), textHintMax))
		}
		if k.Err != nil {
			fmt.Fprintf(bw, "  (%s)", safetext.Line(k.Err.Hint, textHintMax))
		}
		fmt.Fprint(bw, "\n")
		writePeople(bw, "unread", a.Unread)
		writePeople(bw, "not sent (batch failed)", a.Failed)
		writePeople(bw, "not delivered", a.NotDelivered)
		writePeople(bw, "may have it (batch outcome unknown)", a.Unknown)
	}
	if len(keys) == 0 {
		fmt.Fprint(bw, "no keys watched\n")
	}
	return bw.Flush()
}

// writePeople writes one line per person: what they are, their name (if
// any), their userId and, for someone DingTalk did not deliver to, why.
func writePeople(w io.Writer, what string, people []watch.Person) {
	for _, p := range people {
		fmt.Fprintf(w, "  %s  %s  %s", what, safetext.Line(p.Name, textNameMax), safetext.Line(p.ID(), textNameMax))
		if p.Reason != "" {
			fmt.Fprintf(w, "  (%s)", safetext.Line(p.Reason, textHintMax))
		}
		fmt.Fprint(w, "\n")
	}
}
