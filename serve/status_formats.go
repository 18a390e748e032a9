package serve

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// writeStatus writes keys of snap in one of status's formats: text (the
// SSH text status), json or csv (the shapes of `dingwatch status`).
func writeStatus(w io.Writer, format string, snap *watch.Snapshot, keys []*watch.Key, now time.Time) error {
	switch format {
	case "json":
		return writeJSON(w, snap.Push, keys, now)
	case "csv":
		return watch.WriteCSV(w, keys)
	case "text":
		return writeText(w, snap, keys, now)
	}
	return fmt.Errorf("unknown format %q", format)
}

type (
	personJSON struct {
		UserID string `json:"userId"`
		Name   string `json:"name"`
	}
	messageJSON struct {
		ProcessQueryKey string       `json:"processQueryKey"`
		SendStatus      string       `json:"sendStatus"`
		ReadCount       int          `json:"readCount"`
		Total           int          `json:"total"`
		Read            []personJSON `json:"read"`
		Unread          []personJSON `json:"unread"`
	}
)

// writeJSON writes the keys as `dingwatch status --json` does, with the
// health of push when the server uses it.
func writeJSON(w io.Writer, push watch.PushStatus, keys []*watch.Key, now time.Time) error {
	out := struct {
		CheckedAt string            `json:"checkedAt"`
		Push      *watch.PushStatus `json:"push,omitempty"`
		Messages  []messageJSON     `json:"messages"`
	}{CheckedAt: now.UTC().Format(time.RFC3339), Messages: []messageJSON{}}
	if push.State != "" {
		out.Push = &push
	}
	for _, k := range keys {
		m := messageJSON{ProcessQueryKey: k.Key, SendStatus: k.SendStatus, Read: []personJSON{}, Unread: []personJSON{}}
		for _, p := range k.Recipients {
			if p.Read {
				m.Read = append(m.Read, personJSON{p.UserID, p.Name})
			} else {
				m.Unread = append(m.Unread, personJSON{p.UserID, p.Name})
			}
		}
		m.ReadCount, m.Total = len(m.Read), len(k.Recipients)
		out.Messages = append(out.Messages, m)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
