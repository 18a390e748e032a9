package serve

import (
	"fmt"
	"io"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/watch"
)

// writeStatus writes keys of snap from the served snapshot (nothing is
// asked of DingTalk): text as the SSH text status (grouped by notice, with
// labels, which a reader over SSH needs more than the keys the command
// line's text leads with), json and csv exactly as `dingwatch status`
// writes them, through watch.StatusReport. A key that never answered and
// failed is reported as failed; one that answered before keeps its last
// answer.
func writeStatus(w io.Writer, req statusRequest, snap *watch.Snapshot, keys []*watch.Key, now time.Time) error {
	if req.format == "text" {
		return writeText(w, snap, keys, now)
	}
	ks := make([]watch.KeyStatus, len(keys))
	for i, k := range keys {
		ks[i] = watch.KeyStatus{Key: k}
		if k.Err != nil && k.LastOK.IsZero() {
			ks[i].Err = &dingtalk.Error{Code: k.Err.Code, HTTPStatus: k.Err.HTTPStatus, Message: k.Err.Message,
				Hint: k.Err.Hint, RequestID: k.Err.RequestID}
		}
	}
	r := watch.NewStatusReport(snap.State, ks, now)
	r.Push = snap.Push // the server's stream: the one-shot command has none
	switch req.format {
	case "json":
		return r.WriteJSON(w)
	case "csv":
		return r.WriteCSV(w, req.bom)
	}
	return fmt.Errorf("unknown format %q", req.format)
}
