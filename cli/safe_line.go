package cli

import "github.com/dingwatch/dingwatch/internal/safetext"

// line cleans one outside string (a key, label, userId, DingTalk's message)
// for a line of dingwatch's own messages.
func line(s string) string { return safetext.Line(s, 0) }
