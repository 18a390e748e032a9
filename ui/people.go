package ui

import (
	"strings"

	"github.com/dingwatch/dingwatch/watch"
)

// audienceOf is who a row's keys (and, for a notice, its batches) were
// meant for: Read, Unread, Failed, Unknown and NotDelivered, each in the
// reader's collation c (made once per list: making one costs more than a
// small merge).
func audienceOf(c *watch.Collation, n *watch.Notice, keys []*watch.Key) watch.Audience {
	if n == nil {
		return c.Audience(keys)
	}
	return c.Audience(keys, n.Batches...)
}

// warningTexts are the snapshot's warnings as lines to show: the text,
// and the file it is about when the text does not name it.
func warningTexts(s *watch.Snapshot) []string {
	out := make([]string, 0, len(s.Warnings))
	for _, w := range s.Warnings {
		text := w.Text
		if w.Path != "" && !strings.Contains(text, w.Path) {
			text += " (" + w.Path + ")"
		}
		out = append(out, text)
	}
	return out
}

// idOf is the id to show for a person: their userId, else the unionId
// DingTalk pushed.
func idOf(r watch.Recipient) string {
	if r.UserID == "" {
		return r.UnionID
	}
	return r.UserID
}
