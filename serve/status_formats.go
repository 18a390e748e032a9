package serve

import (
	"fmt"
	"io"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/watch"
)

// statusReport sums up keys of snap (and the notices ids, even those with
// no key) as `dingwatch status` does, from the served snapshot: nothing is
// asked of DingTalk. A key that never answered and failed is reported as
// failed; one that answered before keeps its last answer.
func statusReport(snap *watch.Snapshot, keys []*watch.Key, ids []string, now time.Time) *watch.StatusReport {
	ks := make([]watch.KeyStatus, len(keys))
	for i, k := range keys {
		ks[i] = watch.KeyStatus{Key: k}
		if k.Err != nil && k.LastOK.IsZero() {
			ks[i].Err = &dingtalk.Error{Code: k.Err.Code, HTTPStatus: k.Err.HTTPStatus, Message: k.Err.Message,
				Hint: k.Err.Hint, RequestID: k.Err.RequestID}
		}
	}
	r := watch.NewStatusReport(snap.State, ks, now)
	r.AddNotices(snap.State, ids...)
	r.Push = snap.Push // the server's stream: the one-shot command has none
	return r
}

// writeStatus writes rep in req's format: text as the SSH text status
// (grouped by notice, with labels, which a reader over SSH needs more than
// the keys the command line's text leads with), json and csv exactly as
// `dingwatch status` writes them, through watch.StatusReport.
func writeStatus(w io.Writer, req statusRequest, snap *watch.Snapshot, rep *watch.StatusReport) error {
	switch req.format {
	case "text":
		keys := make([]*watch.Key, len(rep.Keys))
		for i, ks := range rep.Keys {
			keys[i] = ks.Key
		}
		return writeText(w, snap, keys, rep.CheckedAt)
	case "json":
		return rep.WriteJSON(w)
	case "csv":
		return rep.WriteCSV(w, req.bom)
	}
	return fmt.Errorf("unknown format %q", req.format)
}
