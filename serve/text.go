package serve

import (
	"fmt"
	"io"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/watch"
)

// WriteStatus writes a one-shot text status of snap: each notice and lone
// key with its read count and the unread, for sessions without a terminal.
func WriteStatus(w io.Writer, snap *watch.Snapshot, now time.Time) {
	st := snap.State
	fmt.Fprintf(w, "dingwatch · %d/%d metered calls in 24h\r\n", snap.Spent, snap.Policy.Budget)
	for _, g := range st.Groups() {
		k := g.Keys[0]
		title := k.Label
		if g.Notice != nil {
			title = g.Notice.Label
		}
		if title == "" {
			title = dingtalk.Short(k.Key)
		}
		a := watch.AudienceOf(g.Keys)
		fmt.Fprintf(w, "\r\n%s  read %d/%d", title, len(a.Read), a.Total())
		if k.Err != nil {
			fmt.Fprintf(w, "  (%s)", k.Err.Hint)
		}
		fmt.Fprint(w, "\r\n")
		for _, p := range a.Unread {
			fmt.Fprintf(w, "  unread  %s  %s\r\n", p.Name, p.UserID)
		}
	}
	if len(st.Keys) == 0 {
		fmt.Fprint(w, "no keys watched\r\n")
	}
}
